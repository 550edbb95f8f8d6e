"""The cyber API: thin views over the services and selectors, nested input/output serializers.

Officers sign in with the platform's tokens. Banks and platforms use their own organisation token
(``Authorization: Bank <token>``): it sees and updates only that organisation's blocking requests."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed, NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mahalla.audit.models import AuditAction
from mahalla.audit.services import audit_record
from mahalla.core.api_schema import extend_schema
from mahalla.core.errors import AccessDenied
from mahalla.territory.access import mahalla_filter_for
from mahalla.territory.models import Mahalla

from . import selectors, services
from .access import access_campaign_by_id, access_report_by_id
from .models import BlockRequest, Campaign, Channel, CyberReport, Organisation


class CyberReportOutputSerializer(serializers.ModelSerializer):
    mahalla = serializers.CharField(source="mahalla.code")
    method_final = serializers.CharField()

    class Meta:
        model = CyberReport
        ref_name = "CyberReportOutput"
        fields = [
            "id",
            "reference",
            "source",
            "reported_at",
            "occurred_at",
            "channel",
            "mahalla",
            "loss_amount",
            "currency",
            "narrative",
            "message_text",
            "method",
            "method_probability",
            "method_words",
            "method_corrected",
            "method_final",
            "processing",
        ]


class CyberReportListApi(APIView):
    # Read by the schema generator: the list is documented as the paginated object it returns.
    pagination_class = PageNumberPagination

    class CyberReportCreateInput(serializers.Serializer):
        narrative = serializers.CharField(max_length=10_000)
        message_text = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
        occurred_at = serializers.DateTimeField()
        loss_amount = serializers.CharField(max_length=40, required=False, allow_blank=True)
        currency = serializers.CharField(max_length=3, required=False, default="UZS")
        channel = serializers.ChoiceField(choices=Channel.choices)
        mahalla = serializers.CharField(max_length=20)
        victim_age_group = serializers.CharField(max_length=10, required=False, allow_blank=True)

    @extend_schema(responses=CyberReportOutputSerializer(many=True), operation_id="cyber_reports_list")
    def get(self, request: Request) -> Response:
        paginator = PageNumberPagination()
        reports = selectors.report_list(request.user, method=request.query_params.get("method", ""))
        page = paginator.paginate_queryset(reports, request, view=self) or []
        selectors.reports_read_audit(
            request.user, page, purpose=request.query_params.get("purpose", "cyber API list")
        )
        return paginator.get_paginated_response(CyberReportOutputSerializer(page, many=True).data)

    @extend_schema(
        request=CyberReportCreateInput,
        responses={201: CyberReportOutputSerializer},
        operation_id="cyber_reports_create",
    )
    def post(self, request: Request) -> Response:
        data = self.CyberReportCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        mahalla = (
            Mahalla.objects.defer("boundary")
            .filter(mahalla_filter_for(request.user), code=values["mahalla"])
            .first()
        )
        report = services.report_create_by_officer(
            actor=request.user,
            data=services.ReportInput(
                narrative=values["narrative"],
                message_text=values.get("message_text", ""),
                occurred_at=values["occurred_at"],
                loss_amount=values.get("loss_amount", ""),
                currency=values.get("currency", "UZS"),
                channel=values["channel"],
                mahalla=mahalla,
                victim_age_group=values.get("victim_age_group", ""),
            ),
        )
        return Response(CyberReportOutputSerializer(report).data, status=201)


class CyberReportDetailApi(APIView):
    @extend_schema(responses=CyberReportOutputSerializer, operation_id="cyber_reports_retrieve")
    def get(self, request: Request, report_id: int) -> Response:
        try:
            report = access_report_by_id(request.user, report_id)
        except AccessDenied as error:
            raise NotFound(error.message) from error
        selectors.reports_read_audit(
            request.user, [report], purpose=request.query_params.get("purpose", "cyber API")
        )
        return Response(CyberReportOutputSerializer(report).data)


class CampaignOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        ref_name = "CyberCampaignOutput"
        fields = [
            "id",
            "code",
            "status",
            "size",
            "size_30_days_ago",
            "total_loss",
            "first_seen",
            "last_seen",
            "main_method",
        ]


class CampaignListApi(APIView):
    # Read by the schema generator: the list is documented as the paginated object it returns.
    pagination_class = PageNumberPagination

    @extend_schema(responses=CampaignOutputSerializer(many=True), operation_id="cyber_campaigns_list")
    def get(self, request: Request) -> Response:
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.campaign_list(request.user), request, view=self) or []
        return paginator.get_paginated_response(CampaignOutputSerializer(page, many=True).data)


class CampaignConfirmApi(APIView):
    class CyberCampaignConfirmInput(serializers.Serializer):
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True)

    @extend_schema(
        request=CyberCampaignConfirmInput,
        responses=CampaignOutputSerializer,
        operation_id="cyber_campaigns_confirm",
    )
    def post(self, request: Request, campaign_id: int) -> Response:
        data = self.CyberCampaignConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            campaign = access_campaign_by_id(request.user, campaign_id)
        except AccessDenied as error:
            raise NotFound(error.message) from error
        services.campaign_confirm(
            actor=request.user, campaign=campaign, reason=data.validated_data.get("reason", "")
        )
        return Response(CampaignOutputSerializer(campaign).data)


# --- banks and platforms --------------------------------------------------------------------------------


def _organisation(request: Request) -> Organisation:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    organisation = services.organisation_by_token(token.strip()) if scheme == "Bank" else None
    if organisation is None:
        raise AuthenticationFailed("A valid 'Authorization: Bank <token>' header is required.")
    return organisation


class BlockRequestOutputSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="indicator.kind")
    value = serializers.CharField(source="indicator.display")
    evidence_count = serializers.IntegerField()
    hours_to_block = serializers.FloatField(allow_null=True)

    class Meta:
        model = BlockRequest
        ref_name = "CyberBlockRequestOutput"
        fields = [
            "id",
            "kind",
            "value",
            "status",
            "first_reported_at",
            "requested_at",
            "acknowledged_at",
            "closed_at",
            "hours_to_block",
            "evidence_count",
            "note",
        ]


class BankBlockRequestListApi(APIView):
    # Read by the schema generator: the list is documented as the paginated object it returns.
    pagination_class = PageNumberPagination
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(responses=BlockRequestOutputSerializer(many=True), operation_id="cyber_bank_requests_list")
    def get(self, request: Request) -> Response:
        organisation = _organisation(request)
        paginator = PageNumberPagination()
        requests = selectors.block_requests_of_organisation(
            organisation, status=request.query_params.get("status", "")
        )
        page = paginator.paginate_queryset(requests, request, view=self) or []
        return paginator.get_paginated_response(BlockRequestOutputSerializer(page, many=True).data)


class BankBlockRequestExportApi(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(responses={(200, "text/csv"): str}, operation_id="cyber_bank_requests_export")
    def get(self, request: Request) -> HttpResponse:
        from .views import block_requests_csv

        organisation = _organisation(request)
        body = block_requests_csv(
            selectors.block_requests_of_organisation(
                organisation, status=request.query_params.get("status", "")
            )
        )
        audit_record(
            actor=None,
            action=AuditAction.EXPORT,
            object_type="cyber.blockrequest",
            object_repr=organisation.code,
            details={"organisation": organisation.code, "rows": body.count("\n") - 1},
        )
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="blocking-{organisation.code}.csv"'
        return response


class BankBlockRequestStatusApi(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    class CyberBlockStatusInput(serializers.Serializer):
        status = serializers.ChoiceField(
            choices=[s for s in BlockRequest.Status.choices if s[0] != "requested"]
        )
        note = serializers.CharField(max_length=500, required=False, allow_blank=True)

    @extend_schema(
        request=CyberBlockStatusInput,
        responses=BlockRequestOutputSerializer,
        operation_id="cyber_bank_requests_status",
    )
    def post(self, request: Request, request_id: int) -> Response:
        organisation = _organisation(request)
        data = self.CyberBlockStatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        block_request = selectors.block_requests_of_organisation(organisation).filter(pk=request_id).first()
        if block_request is None:
            raise NotFound("Blocking request not found")
        services.block_request_status_set(
            organisation=organisation,
            block_request=block_request,
            status=data.validated_data["status"],
            note=data.validated_data.get("note", ""),
        )
        block_request = selectors.block_requests_of_organisation(organisation).get(pk=request_id)
        return Response(BlockRequestOutputSerializer(block_request).data)

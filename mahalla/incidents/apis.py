"""Offence API. Records only for the roles that may read them, inside their territory; every record shown
is audited with the stated purpose (query parameter ``purpose`` or header ``X-Purpose``), which is required
to open a single record (docs/access.md). Counts are open to every role with a valid scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mahalla.core.api_schema import extend_schema

from .access import offence_records_allowed
from .filters import OffenceFilter
from .models import CauseCode, Offence
from .selectors import (
    COUNT_GROUPS,
    offence_counts,
    offence_get,
    offence_list,
    offence_reads_record,
    purpose_clean,
)

PURPOSE_PARAMETER = OpenApiParameter(
    "purpose",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    description="Why the record is read; stored in the audit log. The header X-Purpose may be used instead.",
)


def request_purpose(request: Request) -> str:
    return request.query_params.get("purpose") or request.headers.get("X-Purpose", "")


class OffenceRecordReader(BasePermission):
    message = _("Your role does not give access to offence records.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return offence_records_allowed(request.user)


class OffencePagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class NamedCodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_uz = serializers.CharField()


class CategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    name_en = serializers.CharField()
    name_uz = serializers.CharField()
    name_ru = serializers.CharField()


class OffenceOutputSerializer(serializers.ModelSerializer):
    category = CategorySerializer()
    region = NamedCodeSerializer()
    district = NamedCodeSerializer()
    mahalla = NamedCodeSerializer()
    causes = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Offence
        fields = [
            "id",
            "source_system",
            "registration_number",
            "code_kind",
            "article",
            "article_part",
            "category",
            "occurred_at",
            "registered_at",
            "region",
            "district",
            "mahalla",
            "latitude",
            "longitude",
            "place_type",
            "computer_means",
            "bank_card",
            "cyber_method",
            "involves_minor",
            "involves_youth",
            "involves_woman",
            "family_relation",
            "under_alcohol",
            "under_drugs",
            "repeat_offender",
            "victim_ref",
            "offender_ref",
            "status",
            "solved",
            "causes",
        ]


class OffenceListApi(ListAPIView):
    """Offence records in the actor's territory, newest first; each record on the page is audited."""

    permission_classes = [IsAuthenticated, OffenceRecordReader]
    serializer_class = OffenceOutputSerializer
    filterset_class = OffenceFilter
    pagination_class = OffencePagination

    def get_queryset(self) -> QuerySet[Offence]:
        if getattr(self, "swagger_fake_view", False):
            return Offence.objects.none()
        return offence_list(actor=self.request.user).prefetch_related(
            Prefetch("causes", queryset=CauseCode.objects.only("id", "code"))
        )

    @extend_schema(parameters=[PURPOSE_PARAMETER])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        purpose = purpose_clean(request_purpose(request), required=False)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None  # a pagination class is always set on this view
        offence_reads_record(actor=request.user, offences=page, purpose=purpose)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class OffenceDetailApi(APIView):
    """One offence record, opened for a stated purpose (required); outside the territory it is 404."""

    @extend_schema(parameters=[PURPOSE_PARAMETER], responses=OffenceOutputSerializer)
    def get(self, request: Request, offence_id: int) -> Response:
        offence = offence_get(actor=request.user, offence_id=offence_id, purpose=request_purpose(request))
        return Response(OffenceOutputSerializer(offence).data)


class OffenceCountsApi(APIView):
    """Offence counts per region, district, mahalla or category inside the actor's territory, with the
    same filters as the list. Open to every role with a valid scope: counts name no person."""

    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField()
        count = serializers.IntegerField()

        class Meta:
            ref_name = "OffenceCount"

    @extend_schema(
        parameters=[OpenApiParameter("group_by", OpenApiTypes.STR, enum=list(COUNT_GROUPS), required=True)],
        responses=OutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        filters = request.query_params.copy()
        group_by = filters.pop("group_by", [""])[-1]
        rows = offence_counts(actor=request.user, group_by=group_by, filters=filters)
        return Response(self.OutputSerializer(rows, many=True).data)

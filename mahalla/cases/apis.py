"""The casework API: thin views with nested input/output serializers over services (writes) and selectors
(reads). A record outside the caller's reach is a 404; an edit made on an older copy is a 409 with the
server's values; every read of a person is audited with the purpose the caller gives (``?purpose=``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.territory.access import access_mahalla_by_code

from . import selectors, services
from .access import (
    access_checkin_by_id,
    access_conclusion_by_id,
    access_order_by_id,
    access_person_by_id,
    access_referral_by_id,
    reads_orders,
    reads_persons,
)
from .models import CaseTransition, ProtectionOrder, Referral, ServiceKind, Sex, ViolenceReport


class CasesPagination(PageNumberPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"


def _purpose(request: Request) -> str:
    return selectors.purpose_check(str(request.query_params.get("purpose", "")))


def _user(user_id: int, field: str = "to_user") -> Any:
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ApplicationError(f"No active account with id {user_id}", {"field": field, "value": user_id})
    return user


class CasesPersonOutput(serializers.Serializer):
    id = serializers.IntegerField()
    pinfl = serializers.CharField()
    name_latin = serializers.CharField()
    name_cyrillic = serializers.CharField()
    name_russian = serializers.CharField()
    birth_date = serializers.DateField()
    sex = serializers.CharField()
    mahalla = serializers.CharField(source="mahalla.code")
    phone = serializers.CharField()
    address = serializers.CharField()
    version = serializers.IntegerField()


class PersonListApi(APIView):
    # Read by the schema generator: the list is documented as the paginated object it returns.
    pagination_class = CasesPagination

    class FilterSerializer(serializers.Serializer):
        mahalla = serializers.CharField(required=False)
        q = serializers.CharField(required=False, allow_blank=True)
        purpose = serializers.CharField()

    @extend_schema(
        parameters=[FilterSerializer],
        responses=CasesPersonOutput(many=True),
        operation_id="cases_person_list",
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        if not reads_persons(request.user):
            raise AccessDenied("Persons are not shown to your role", {})
        rows = selectors.person_list(
            actor=request.user,
            mahalla_code=filters.validated_data.get("mahalla"),
            query=filters.validated_data.get("q", ""),
        )
        paginator = CasesPagination()
        page = paginator.paginate_queryset(rows, request, view=self) or []
        selectors.persons_read_audit(
            actor=request.user, persons=page, purpose=filters.validated_data["purpose"]
        )
        return paginator.get_paginated_response(CasesPersonOutput(page, many=True).data)


class PersonCreateApi(APIView):
    class CasesPersonCreateInput(serializers.Serializer):
        pinfl = serializers.CharField()
        name_latin = serializers.CharField()
        name_cyrillic = serializers.CharField(required=False, allow_blank=True, default="")
        name_russian = serializers.CharField(required=False, allow_blank=True, default="")
        birth_date = serializers.DateField()
        sex = serializers.ChoiceField(choices=Sex.choices)
        mahalla = serializers.CharField()
        phone = serializers.CharField(required=False, allow_blank=True, default="")
        address = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(
        request=CasesPersonCreateInput, responses={201: CasesPersonOutput}, operation_id="cases_person_create"
    )
    def post(self, request: Request) -> Response:
        data = self.CasesPersonCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        mahalla = access_mahalla_by_code(request.user, values.pop("mahalla"))
        person = services.person_create(actor=request.user, mahalla=mahalla, **values)
        return Response(CasesPersonOutput(person).data, status=201)


class PersonDetailApi(APIView):
    class CasesPersonUpdateInput(serializers.Serializer):
        version = serializers.IntegerField()
        name_latin = serializers.CharField(required=False)
        name_cyrillic = serializers.CharField(required=False, allow_blank=True)
        name_russian = serializers.CharField(required=False, allow_blank=True)
        phone = serializers.CharField(required=False, allow_blank=True)
        address = serializers.CharField(required=False, allow_blank=True)
        notes = serializers.CharField(required=False, allow_blank=True)

    @extend_schema(responses=CasesPersonOutput, operation_id="cases_person_detail")
    def get(self, request: Request, person_id: int) -> Response:
        card = selectors.person_card(actor=request.user, person_id=person_id, purpose=_purpose(request))
        data = dict(CasesPersonOutput(card.person).data)
        data["register"] = [
            {
                "id": e.pk,
                "category": e.category.code,
                "legal_basis": e.category.legal_basis,
                "basis_document": e.basis_document,
                "starts_on": e.starts_on,
                "term_ends_on": e.term_ends_on,
                "review_on": e.review_on,
                "decided_by": e.decided_by,
                "status": e.status,
            }
            for e in card.entries
        ]
        data["conclusions"] = [
            {
                "id": c.pk,
                "measures": c.measures,
                "owner_position": c.owner_position,
                "deadline": c.deadline,
                "status": c.status,
                "version": c.version,
            }
            for c in card.conclusions
        ]
        data["orders"] = [
            {"id": o.pk, "ends_on": o.ends_on, "status": o.status, "version": o.version} for o in card.orders
        ]
        data["supervisions"] = [
            {"id": s.pk, "starts_on": s.starts_on, "ends_on": s.ends_on, "status": s.status}
            for s in card.supervisions
        ]
        data["checkins"] = [
            {"id": c.pk, "due_on": c.due_on, "status": c.status, "version": c.version} for c in card.checkins
        ]
        data["referrals"] = [
            {
                "id": r.pk,
                "service": r.service,
                "agency": r.agency,
                "status": r.status,
                "consent_given": r.consent_given,
                "version": r.version,
            }
            for r in card.referrals
        ]
        data["transitions"] = [
            {"id": t.pk, "kind": t.kind, "to_user": t.to_user.username, "status": t.status, "at": t.at}
            for t in card.transitions
        ]
        return Response(data)

    @extend_schema(
        request=CasesPersonUpdateInput, responses=CasesPersonOutput, operation_id="cases_person_update"
    )
    def patch(self, request: Request, person_id: int) -> Response:
        data = self.CasesPersonUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        person = access_person_by_id(request.user, person_id)
        person = services.person_update(
            actor=request.user, person=person, version=values.pop("version"), **values
        )
        return Response(CasesPersonOutput(person).data)


class PersonDuplicateListApi(APIView):
    class CasesDuplicateOutput(serializers.Serializer):
        left_id = serializers.IntegerField()
        right_id = serializers.IntegerField()
        score = serializers.FloatField()
        reason = serializers.CharField()

    @extend_schema(responses=CasesDuplicateOutput(many=True), operation_id="cases_person_duplicates")
    def get(self, request: Request) -> Response:
        if not reads_persons(request.user):
            raise AccessDenied("Persons are not shown to your role", {})
        pairs = selectors.duplicate_candidates(actor=request.user)[:500]
        return Response(self.CasesDuplicateOutput(pairs, many=True).data)


class PersonMergeApi(APIView):
    class CasesPersonMergeInput(serializers.Serializer):
        duplicate = serializers.IntegerField()

    @extend_schema(
        request=CasesPersonMergeInput, responses={200: CasesPersonOutput}, operation_id="cases_person_merge"
    )
    def post(self, request: Request, person_id: int) -> Response:
        data = self.CasesPersonMergeInput(data=request.data)
        data.is_valid(raise_exception=True)
        kept = access_person_by_id(request.user, person_id)
        merged = access_person_by_id(request.user, data.validated_data["duplicate"])
        services.person_merge(actor=request.user, kept=kept, merged=merged)
        return Response(CasesPersonOutput(kept).data)


class RegisterEntryCreateApi(APIView):
    class CasesRegisterEntryInput(serializers.Serializer):
        category = serializers.CharField()
        basis_document = serializers.CharField()
        starts_on = serializers.DateField()
        decided_by = serializers.CharField()
        term_ends_on = serializers.DateField(required=False, allow_null=True, default=None)
        review_on = serializers.DateField(required=False, allow_null=True, default=None)

    @extend_schema(
        request=CasesRegisterEntryInput, responses={201: None}, operation_id="cases_register_entry_create"
    )
    def post(self, request: Request, person_id: int) -> Response:
        data = self.CasesRegisterEntryInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        person = access_person_by_id(request.user, person_id)
        entry = services.register_entry_add(
            actor=request.user, person=person, category_code=values.pop("category"), **values
        )
        return Response({"id": entry.pk, "term_ends_on": entry.term_ends_on}, status=201)


class ReferralCreateApi(APIView):
    class CasesReferralCreateInput(serializers.Serializer):
        service = serializers.ChoiceField(choices=ServiceKind.choices)
        agency = serializers.CharField()
        deadline = serializers.DateField()
        consent_given = serializers.BooleanField()
        consent_override_reason = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(
        request=CasesReferralCreateInput, responses={201: None}, operation_id="cases_referral_create"
    )
    def post(self, request: Request, person_id: int) -> Response:
        data = self.CasesReferralCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        person = access_person_by_id(request.user, person_id)
        referral = services.referral_create(actor=request.user, person=person, **data.validated_data)
        return Response(
            {"id": referral.pk, "status": referral.status, "version": referral.version}, status=201
        )


class ReferralStatusApi(APIView):
    class CasesReferralStatusInput(serializers.Serializer):
        status = serializers.ChoiceField(choices=Referral.Status.choices)
        outcome = serializers.CharField(required=False, allow_blank=True, default="")
        version = serializers.IntegerField()

    @extend_schema(
        request=CasesReferralStatusInput, responses={200: None}, operation_id="cases_referral_status"
    )
    def post(self, request: Request, referral_id: int) -> Response:
        data = self.CasesReferralStatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        referral = access_referral_by_id(request.user, referral_id)
        referral = services.referral_status_set(actor=request.user, referral=referral, **data.validated_data)
        return Response({"id": referral.pk, "status": referral.status, "version": referral.version})


class SupervisionCreateApi(APIView):
    class CasesSupervisionCreateInput(serializers.Serializer):
        court_decision = serializers.CharField()
        decided_on = serializers.DateField()
        starts_on = serializers.DateField()
        ends_on = serializers.DateField()
        checkins_per_month = serializers.IntegerField()
        curfew_from = serializers.TimeField(required=False, allow_null=True, default=None)
        curfew_to = serializers.TimeField(required=False, allow_null=True, default=None)
        banned_places = serializers.CharField(required=False, allow_blank=True, default="")
        area = serializers.CharField(required=False, allow_blank=True, default="")
        no_alcohol = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        request=CasesSupervisionCreateInput, responses={201: None}, operation_id="cases_supervision_create"
    )
    def post(self, request: Request, person_id: int) -> Response:
        data = self.CasesSupervisionCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        person = access_person_by_id(request.user, person_id)
        supervision = services.supervision_create(actor=request.user, person=person, **data.validated_data)
        return Response({"id": supervision.pk, "checkins": supervision.checkins.count()}, status=201)


class CheckInRecordApi(APIView):
    class CasesCheckInInput(serializers.Serializer):
        reported_at = serializers.DateTimeField()
        note = serializers.CharField(required=False, allow_blank=True, default="")
        version = serializers.IntegerField(required=False, allow_null=True, default=None)

    @extend_schema(request=CasesCheckInInput, responses={200: None}, operation_id="cases_checkin_record")
    def post(self, request: Request, checkin_id: int) -> Response:
        data = self.CasesCheckInInput(data=request.data)
        data.is_valid(raise_exception=True)
        checkin = access_checkin_by_id(request.user, checkin_id)
        checkin = services.checkin_record(actor=request.user, checkin=checkin, **data.validated_data)
        return Response(
            {"id": checkin.pk, "status": checkin.status, "note": checkin.note, "version": checkin.version}
        )


class ConclusionExecuteApi(APIView):
    class CasesConclusionExecuteInput(serializers.Serializer):
        executed_on = serializers.DateField()
        note = serializers.CharField(required=False, allow_blank=True, default="")
        version = serializers.IntegerField(required=False, allow_null=True, default=None)

    @extend_schema(
        request=CasesConclusionExecuteInput, responses={200: None}, operation_id="cases_conclusion_execute"
    )
    def post(self, request: Request, conclusion_id: int) -> Response:
        data = self.CasesConclusionExecuteInput(data=request.data)
        data.is_valid(raise_exception=True)
        conclusion = access_conclusion_by_id(request.user, conclusion_id)
        conclusion = services.conclusion_execute(
            actor=request.user, conclusion=conclusion, **data.validated_data
        )
        return Response(
            {
                "id": conclusion.pk,
                "status": conclusion.status,
                "note": conclusion.execution_note,
                "version": conclusion.version,
            }
        )


class ViolenceReportCreateApi(APIView):
    class CasesReportCreateInput(serializers.Serializer):
        kind = serializers.ChoiceField(choices=ViolenceReport.Kind.choices)
        victim = serializers.IntegerField()
        aggressor = serializers.IntegerField(required=False, allow_null=True, default=None)
        reported_at = serializers.DateTimeField()
        description = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=CasesReportCreateInput, responses={201: None}, operation_id="cases_report_create")
    def post(self, request: Request) -> Response:
        data = self.CasesReportCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        victim = access_person_by_id(request.user, values.pop("victim"))
        aggressor_id = values.pop("aggressor")
        aggressor = access_person_by_id(request.user, aggressor_id) if aggressor_id else None
        report = services.violence_report_create(
            actor=request.user, victim=victim, aggressor=aggressor, **values
        )
        return Response({"id": report.pk}, status=201)


class CasesOrderOutput(serializers.Serializer):
    id = serializers.IntegerField()
    victim = serializers.IntegerField(source="victim_id")
    mahalla = serializers.CharField(source="mahalla.code")
    issued_at = serializers.DateTimeField()
    issued_late = serializers.BooleanField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    extensions = serializers.IntegerField()
    status = serializers.CharField()
    womens_activist = serializers.CharField()
    version = serializers.IntegerField()


class ProtectionOrderIssueApi(APIView):
    class CasesOrderIssueInput(serializers.Serializer):
        womens_activist = serializers.CharField(allow_blank=True)
        term_days = serializers.IntegerField(required=False, allow_null=True, default=None)
        starts_on = serializers.DateField(required=False, allow_null=True, default=None)
        conditions = serializers.CharField(required=False, allow_blank=True, default="")
        inson_centre = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(
        request=CasesOrderIssueInput, responses={201: CasesOrderOutput}, operation_id="cases_order_issue"
    )
    def post(self, request: Request, report_id: int) -> Response:
        data = self.CasesOrderIssueInput(data=request.data)
        data.is_valid(raise_exception=True)
        report = (
            ViolenceReport.objects.filter(selectors.order_filter_for(request.user), pk=report_id)
            .select_related("mahalla", "victim")
            .first()
            if reads_orders(request.user)
            else None
        )
        if report is None:
            raise AccessDenied("Report not found", {"id": report_id})
        order = services.protection_order_issue(actor=request.user, report=report, **data.validated_data)
        return Response(CasesOrderOutput(order).data, status=201)


class ProtectionOrderListApi(APIView):
    # Read by the schema generator: the list is documented as the paginated object it returns.
    pagination_class = CasesPagination

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=ProtectionOrder.Status.choices, required=False)
        purpose = serializers.CharField()

    @extend_schema(
        parameters=[FilterSerializer], responses=CasesOrderOutput(many=True), operation_id="cases_order_list"
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        if not reads_orders(request.user):
            raise AccessDenied("Protection orders are not shown to your role", {})
        rows = selectors.order_list(actor=request.user, status=filters.validated_data.get("status"))
        paginator = CasesPagination()
        page = paginator.paginate_queryset(rows, request, view=self) or []
        selectors.persons_read_audit(
            actor=request.user,
            persons=[order.victim for order in page],
            purpose=filters.validated_data["purpose"],
        )
        return paginator.get_paginated_response(CasesOrderOutput(page, many=True).data)


class ProtectionOrderExtendApi(APIView):
    class CasesOrderExtendInput(serializers.Serializer):
        days = serializers.IntegerField()
        version = serializers.IntegerField(required=False, allow_null=True, default=None)

    @extend_schema(
        request=CasesOrderExtendInput, responses={200: CasesOrderOutput}, operation_id="cases_order_extend"
    )
    def post(self, request: Request, order_id: int) -> Response:
        data = self.CasesOrderExtendInput(data=request.data)
        data.is_valid(raise_exception=True)
        order = access_order_by_id(request.user, order_id)
        order = services.protection_order_extend(actor=request.user, order=order, **data.validated_data)
        return Response(CasesOrderOutput(order).data)


class ProtectionOrderViolationApi(APIView):
    class CasesOrderViolationInput(serializers.Serializer):
        occurred_at = serializers.DateTimeField()
        description = serializers.CharField()

    @extend_schema(
        request=CasesOrderViolationInput, responses={201: None}, operation_id="cases_order_violation"
    )
    def post(self, request: Request, order_id: int) -> Response:
        data = self.CasesOrderViolationInput(data=request.data)
        data.is_valid(raise_exception=True)
        order = access_order_by_id(request.user, order_id)
        violation = services.protection_order_violation_record(
            actor=request.user, order=order, **data.validated_data
        )
        return Response({"id": violation.pk}, status=201)


class CaseTransitionCreateApi(APIView):
    class CasesTransitionInput(serializers.Serializer):
        kind = serializers.ChoiceField(choices=CaseTransition.Kind.choices)
        to_user = serializers.IntegerField()
        note = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(
        request=CasesTransitionInput, responses={201: None}, operation_id="cases_transition_create"
    )
    def post(self, request: Request, person_id: int) -> Response:
        data = self.CasesTransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        person = access_person_by_id(request.user, person_id)
        to_user = _user(data.validated_data["to_user"])
        action = {
            "assign": services.case_assign,
            "refer": services.case_refer,
            "transfer": services.case_transfer,
        }[data.validated_data["kind"]]
        transition = action(
            actor=request.user, person=person, to_user=to_user, note=data.validated_data["note"]
        )
        return Response({"id": transition.pk, "status": transition.status}, status=201)


class CaseTransitionRespondApi(APIView):
    class CasesTransitionRespondInput(serializers.Serializer):
        action = serializers.ChoiceField(choices=["accept", "reject", "revoke"])

    @extend_schema(
        request=CasesTransitionRespondInput, responses={200: None}, operation_id="cases_transition_respond"
    )
    def post(self, request: Request, transition_id: int) -> Response:
        data = self.CasesTransitionRespondInput(data=request.data)
        data.is_valid(raise_exception=True)
        transition = services.transition_or_error(transition_id)
        action = data.validated_data["action"]
        if action == "revoke":
            access_person_by_id(request.user, transition.person_id)
            transition = services.case_refer_revoke(actor=request.user, transition=transition)
        else:
            transition = services.case_transfer_respond(
                actor=request.user, transition=transition, accept=action == "accept"
            )
        return Response({"id": transition.pk, "status": transition.status})


class WorklistApi(APIView):
    @extend_schema(responses={200: None}, operation_id="cases_worklist")
    def get(self, request: Request, code: str) -> Response:
        mahalla = access_mahalla_by_code(request.user, code)
        if not reads_persons(request.user):
            raise AccessDenied("The worklist is not shown to your role", {})
        from .presentation import worklist_payload

        worklist = selectors.worklist_for(actor=request.user, mahalla=mahalla)
        selectors.persons_read_audit(actor=request.user, persons=worklist.persons(), purpose="worklist")
        return Response(worklist_payload(worklist))


class ResultsApi(APIView):
    class FilterSerializer(serializers.Serializer):
        group_by = serializers.ChoiceField(
            choices=["mahalla", "district", "region", "position"], default="mahalla"
        )
        mahalla = serializers.CharField(required=False)

    @extend_schema(parameters=[FilterSerializer], responses={200: None}, operation_id="cases_results")
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = selectors.results(
            actor=request.user,
            group_by=filters.validated_data["group_by"],
            mahalla_code=filters.validated_data.get("mahalla"),
        )
        return Response({"suppressed_below": 5, "results": [row.__dict__ for row in rows]})


class CountsApi(APIView):
    @extend_schema(responses={200: None}, operation_id="cases_counts")
    def get(self, request: Request) -> Response:
        return Response(selectors.register_counts(actor=request.user))

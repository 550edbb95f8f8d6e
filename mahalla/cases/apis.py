"""The casework API: thin views with nested input/output serializers over services (writes) and selectors
(reads). A record outside the caller's reach is a 404; an edit made on an older copy is a 409 with the
server's values; every read of a person is audited with the purpose the caller gives (``?purpose=``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mahalla.core.api_schema import extend_schema
from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.territory.access import access_mahalla_by_code

from . import selectors, services
from .access import (
    access_checkin_by_id,
    access_conclusion_by_id,
    access_order_by_id,
    access_person_by_id,
    access_referral_by_id,
    access_report_by_id,
    access_round_by_id,
    reads_orders,
    reads_persons,
)
from .models import (
    CaseTransition,
    HouseholdRound,
    ProtectionOrder,
    Referral,
    ServiceKind,
    Sex,
    ViolenceReport,
)


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


def _valid(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """The request's input, validated by the view's input serializer (a 400 naming the field otherwise)."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _write(
    request: Request,
    input_class: type[serializers.Serializer],
    service: Callable[..., Any],
    **targets: tuple[Callable[[Any, object], Any], object],
) -> Any:
    """The shape of every write on a record: the input validated first, then each target obtained through
    its access funnel (``name=(access_x_by_id, id)``), then the service called by the actor with the
    records and the input as keyword arguments."""
    values = _valid(input_class, request.data)
    records = {name: access(request.user, pk) for name, (access, pk) in targets.items()}
    return service(actor=request.user, **records, **values)


def _audited_page(
    view: APIView,
    request: Request,
    rows: Any,
    output: type[serializers.Serializer],
    purpose: str,
    persons_of: Callable[[Any], Any] = lambda row: row,
) -> Response:
    """One page of a list, each person it names audited as a read with the caller's purpose."""
    paginator = CasesPagination()
    page = paginator.paginate_queryset(rows, request, view=view) or []
    persons = [person for person in map(persons_of, page) if person is not None]
    selectors.persons_read_audit(actor=request.user, persons=persons, purpose=purpose)
    return paginator.get_paginated_response(output(page, many=True).data)


def _state(record: Any, **extra: Any) -> dict[str, Any]:
    """What an offline edit needs back: the record's id, status and version (plus ``extra``)."""
    return {"id": record.pk, "status": record.status, **extra, "version": record.version}


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
        filters = _valid(self.FilterSerializer, request.query_params)
        if not reads_persons(request.user):
            raise AccessDenied("Persons are not shown to your role", {})
        rows = selectors.person_list(
            actor=request.user,
            mahalla_code=filters.get("mahalla"),
            query=filters.get("q", ""),
        )
        return _audited_page(self, request, rows, CasesPersonOutput, filters["purpose"])


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
        values = _valid(self.CasesPersonCreateInput, request.data)
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
        person = _write(
            request,
            self.CasesPersonUpdateInput,
            services.person_update,
            person=(access_person_by_id, person_id),
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
        values = _valid(self.CasesPersonMergeInput, request.data)
        kept = access_person_by_id(request.user, person_id)
        merged = access_person_by_id(request.user, values["duplicate"])
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
        values = _valid(self.CasesRegisterEntryInput, request.data)
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
        referral = _write(
            request,
            self.CasesReferralCreateInput,
            services.referral_create,
            person=(access_person_by_id, person_id),
        )
        return Response(_state(referral), status=201)


class ReferralStatusApi(APIView):
    class CasesReferralStatusInput(serializers.Serializer):
        status = serializers.ChoiceField(choices=Referral.Status.choices)
        outcome = serializers.CharField(required=False, allow_blank=True, default="")
        version = serializers.IntegerField()

    @extend_schema(
        request=CasesReferralStatusInput, responses={200: None}, operation_id="cases_referral_status"
    )
    def post(self, request: Request, referral_id: int) -> Response:
        referral = _write(
            request,
            self.CasesReferralStatusInput,
            services.referral_status_set,
            referral=(access_referral_by_id, referral_id),
        )
        return Response(_state(referral))


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
        supervision = _write(
            request,
            self.CasesSupervisionCreateInput,
            services.supervision_create,
            person=(access_person_by_id, person_id),
        )
        return Response({"id": supervision.pk, "checkins": supervision.checkins.count()}, status=201)


class CheckInRecordApi(APIView):
    class CasesCheckInInput(serializers.Serializer):
        reported_at = serializers.DateTimeField()
        note = serializers.CharField(required=False, allow_blank=True, default="")
        version = serializers.IntegerField(required=False, allow_null=True, default=None)

    @extend_schema(request=CasesCheckInInput, responses={200: None}, operation_id="cases_checkin_record")
    def post(self, request: Request, checkin_id: int) -> Response:
        checkin = _write(
            request,
            self.CasesCheckInInput,
            services.checkin_record,
            checkin=(access_checkin_by_id, checkin_id),
        )
        return Response(_state(checkin, note=checkin.note))


class ConclusionExecuteApi(APIView):
    class CasesConclusionExecuteInput(serializers.Serializer):
        executed_on = serializers.DateField()
        note = serializers.CharField(required=False, allow_blank=True, default="")
        version = serializers.IntegerField(required=False, allow_null=True, default=None)

    @extend_schema(
        request=CasesConclusionExecuteInput, responses={200: None}, operation_id="cases_conclusion_execute"
    )
    def post(self, request: Request, conclusion_id: int) -> Response:
        conclusion = _write(
            request,
            self.CasesConclusionExecuteInput,
            services.conclusion_execute,
            conclusion=(access_conclusion_by_id, conclusion_id),
        )
        return Response(_state(conclusion, note=conclusion.execution_note))


class ViolenceReportCreateApi(APIView):
    class CasesReportCreateInput(serializers.Serializer):
        kind = serializers.ChoiceField(choices=ViolenceReport.Kind.choices)
        victim = serializers.IntegerField()
        aggressor = serializers.IntegerField(required=False, allow_null=True, default=None)
        reported_at = serializers.DateTimeField()
        description = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=CasesReportCreateInput, responses={201: None}, operation_id="cases_report_create")
    def post(self, request: Request) -> Response:
        values = _valid(self.CasesReportCreateInput, request.data)
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
        order = _write(
            request,
            self.CasesOrderIssueInput,
            services.protection_order_issue,
            report=(access_report_by_id, report_id),
        )
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
        filters = _valid(self.FilterSerializer, request.query_params)
        if not reads_orders(request.user):
            raise AccessDenied("Protection orders are not shown to your role", {})
        rows = selectors.order_list(actor=request.user, status=filters.get("status"))
        return _audited_page(
            self, request, rows, CasesOrderOutput, filters["purpose"], lambda order: order.victim
        )


class ProtectionOrderExtendApi(APIView):
    class CasesOrderExtendInput(serializers.Serializer):
        days = serializers.IntegerField()
        version = serializers.IntegerField(required=False, allow_null=True, default=None)

    @extend_schema(
        request=CasesOrderExtendInput, responses={200: CasesOrderOutput}, operation_id="cases_order_extend"
    )
    def post(self, request: Request, order_id: int) -> Response:
        order = _write(
            request,
            self.CasesOrderExtendInput,
            services.protection_order_extend,
            order=(access_order_by_id, order_id),
        )
        return Response(CasesOrderOutput(order).data)


class ProtectionOrderViolationApi(APIView):
    class CasesOrderViolationInput(serializers.Serializer):
        occurred_at = serializers.DateTimeField()
        description = serializers.CharField()

    @extend_schema(
        request=CasesOrderViolationInput, responses={201: None}, operation_id="cases_order_violation"
    )
    def post(self, request: Request, order_id: int) -> Response:
        violation = _write(
            request,
            self.CasesOrderViolationInput,
            services.protection_order_violation_record,
            order=(access_order_by_id, order_id),
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
        values = _valid(self.CasesTransitionInput, request.data)
        person = access_person_by_id(request.user, person_id)
        to_user = _user(values["to_user"])
        action = {
            "assign": services.case_assign,
            "refer": services.case_refer,
            "transfer": services.case_transfer,
        }[values["kind"]]
        transition = action(actor=request.user, person=person, to_user=to_user, note=values["note"])
        return Response({"id": transition.pk, "status": transition.status}, status=201)


class CaseTransitionRespondApi(APIView):
    class CasesTransitionRespondInput(serializers.Serializer):
        action = serializers.ChoiceField(choices=["accept", "reject", "revoke"])

    @extend_schema(
        request=CasesTransitionRespondInput, responses={200: None}, operation_id="cases_transition_respond"
    )
    def post(self, request: Request, transition_id: int) -> Response:
        action = _valid(self.CasesTransitionRespondInput, request.data)["action"]
        transition = services.transition_or_error(transition_id)
        if action == "revoke":
            access_person_by_id(request.user, transition.person_id)
            transition = services.case_refer_revoke(actor=request.user, transition=transition)
        else:
            transition = services.case_transfer_respond(
                actor=request.user, transition=transition, accept=action == "accept"
            )
        return Response({"id": transition.pk, "status": transition.status})


class CasesRoundOutput(serializers.Serializer):
    id = serializers.IntegerField()
    mahalla = serializers.CharField(source="mahalla.code")
    address = serializers.CharField()
    person = serializers.IntegerField(source="person_id", allow_null=True)
    planned_on = serializers.DateField()
    inspector = serializers.IntegerField(source="inspector_id")
    purpose = serializers.CharField()
    status = serializers.CharField()
    done_on = serializers.DateField(allow_null=True)
    outcome = serializers.CharField()
    version = serializers.IntegerField()


class HouseholdRoundListApi(APIView):
    class FilterSerializer(serializers.Serializer):
        mahalla = serializers.CharField(required=False)
        status = serializers.ChoiceField(choices=HouseholdRound.Status.choices, required=False)
        purpose = serializers.CharField()

    class CasesRoundPlanInput(serializers.Serializer):
        mahalla = serializers.CharField()
        address = serializers.CharField()
        planned_on = serializers.DateField()
        purpose = serializers.ChoiceField(choices=HouseholdRound.Purpose.choices)
        inspector = serializers.IntegerField(required=False, allow_null=True, default=None)
        person = serializers.IntegerField(required=False, allow_null=True, default=None)

    @extend_schema(
        parameters=[FilterSerializer], responses=CasesRoundOutput(many=True), operation_id="cases_round_list"
    )
    def get(self, request: Request) -> Response:
        filters = _valid(self.FilterSerializer, request.query_params)
        if not reads_persons(request.user):
            raise AccessDenied("Household rounds are not shown to your role", {})
        rows = selectors.household_round_list(
            actor=request.user, mahalla_code=filters.get("mahalla"), status=filters.get("status")
        )
        return _audited_page(
            self, request, rows, CasesRoundOutput, filters["purpose"], lambda row: row.person
        )

    @extend_schema(
        request=CasesRoundPlanInput, responses={201: CasesRoundOutput}, operation_id="cases_round_plan"
    )
    def post(self, request: Request) -> Response:
        values = _valid(self.CasesRoundPlanInput, request.data)
        mahalla = access_mahalla_by_code(request.user, values.pop("mahalla"))
        person_id = values.pop("person")
        inspector_id = values.pop("inspector")
        household_round = services.household_round_plan(
            actor=request.user,
            mahalla=mahalla,
            person=access_person_by_id(request.user, person_id) if person_id else None,
            inspector=_user(inspector_id, "inspector") if inspector_id else None,
            **values,
        )
        return Response(CasesRoundOutput(household_round).data, status=201)


class HouseholdRoundRecordApi(APIView):
    class CasesRoundRecordInput(serializers.Serializer):
        done_on = serializers.DateField()
        outcome = serializers.CharField(allow_blank=True)
        version = serializers.IntegerField(required=False, allow_null=True, default=None)

    @extend_schema(request=CasesRoundRecordInput, responses={200: None}, operation_id="cases_round_record")
    def post(self, request: Request, round_id: int) -> Response:
        household_round = _write(
            request,
            self.CasesRoundRecordInput,
            services.household_round_record,
            household_round=(access_round_by_id, round_id),
        )
        return Response(_state(household_round, outcome=household_round.outcome))


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
        filters = _valid(self.FilterSerializer, request.query_params)
        rows = selectors.results(
            actor=request.user,
            group_by=filters["group_by"],
            mahalla_code=filters.get("mahalla"),
        )
        return Response({"suppressed_below": 5, "results": [row.__dict__ for row in rows]})


class CountsApi(APIView):
    @extend_schema(responses={200: None}, operation_id="cases_counts")
    def get(self, request: Request) -> Response:
        return Response(selectors.register_counts(actor=request.user))

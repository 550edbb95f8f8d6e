"""The coordination API: thin views over the services (writes) and selectors (reads). Errors have the shape
{"message", "extra"}; an object outside the caller's access is a 404, as if it did not exist."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mahalla.core.api_schema import extend_schema
from mahalla.core.errors import AccessDenied
from mahalla.territory.models import District, Mahalla, Region

from . import council, oversight, selectors, services, training
from .access import access_finding_by_id, access_meeting_by_id, access_task_by_id, meeting_chair_allowed
from .inputs import parse_agency, parse_date, parse_staff, parse_task_type


def _optional(model: Any, code: Any) -> Any:
    if not code:
        return None
    obj = model.objects.filter(code=str(code)).defer("boundary").first()
    if obj is None:
        from mahalla.core.errors import ApplicationError

        raise ApplicationError(f"Unknown code {str(code)[:20]}", {"field": model.__name__.lower()})
    return obj


class CoordinationTaskOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    subject = serializers.CharField()
    subject_reference = serializers.CharField()
    task_type = serializers.CharField(source="task_type.key")
    from_agency = serializers.CharField(source="from_agency.name")
    to_agency = serializers.CharField(source="to_agency.name")
    assignee = serializers.CharField(source="assignee.full_name", allow_null=True, default=None)
    mahalla = serializers.CharField(source="mahalla.code", allow_null=True, default=None)
    status = serializers.CharField()
    accept_by = serializers.DateField()
    deadline = serializers.DateField()
    created_at = serializers.DateTimeField()


class CoordinationTaskListApi(APIView):
    class Pagination(PageNumberPagination):
        page_size = 50

    # Read by the schema generator: the list is documented as the paginated object it returns.
    pagination_class = Pagination

    @extend_schema(
        operation_id="coordination_task_list",
        parameters=[
            OpenApiParameter("box", str, enum=["all", "incoming", "outgoing", "mine"]),
            OpenApiParameter("status", str),
        ],
        responses=CoordinationTaskOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        tasks = selectors.task_list(
            actor=request.user,
            box=request.query_params.get("box", "all"),
            status=request.query_params.get("status", ""),
        )
        paginator = self.Pagination()
        page = paginator.paginate_queryset(tasks, request, view=self)
        return paginator.get_paginated_response(CoordinationTaskOutput(page, many=True).data)

    class CoordinationTaskCreateInput(serializers.Serializer):
        to_agency = serializers.IntegerField()
        task_type = serializers.CharField()
        title = serializers.CharField(max_length=300)
        description = serializers.CharField(required=False, allow_blank=True, default="")
        subject = serializers.CharField(required=False, default="mahalla")
        subject_reference = serializers.CharField(required=False, allow_blank=True, default="")
        mahalla = serializers.CharField(required=False, allow_blank=True, default="")
        deadline = serializers.CharField(required=False, allow_blank=True, default="")
        assignee = serializers.IntegerField(required=False, allow_null=True, default=None)
        consent_given = serializers.BooleanField(required=False, default=False)
        consent_override_reason = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=500
        )

    @extend_schema(
        operation_id="coordination_task_create",
        request=CoordinationTaskCreateInput,
        responses={201: CoordinationTaskOutput},
    )
    def post(self, request: Request) -> Response:
        data = self.CoordinationTaskCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        task = services.task_create(
            actor=request.user,
            to_agency=parse_agency(values["to_agency"]),
            task_type=parse_task_type(values["task_type"]),
            title=values["title"],
            description=values["description"],
            subject=values["subject"],
            subject_reference=values["subject_reference"],
            mahalla=_optional(Mahalla, values["mahalla"]),
            deadline=parse_date(values["deadline"], "deadline", required=False),
            assignee=parse_staff(values["assignee"]),
            consent_given=values["consent_given"],
            consent_override_reason=values["consent_override_reason"],
        )
        return Response(CoordinationTaskOutput(task).data, status=201)


class CoordinationTaskDetailApi(APIView):
    @extend_schema(operation_id="coordination_task_detail", responses=CoordinationTaskOutput)
    def get(self, request: Request, task_id: int) -> Response:
        task = access_task_by_id(request.user, task_id)
        selectors.task_detail_read(
            actor=request.user, task=task, purpose=request.query_params.get("purpose", "")
        )
        return Response(CoordinationTaskOutput(task).data)


class CoordinationTaskActionApi(APIView):
    """accept, refuse (reason), progress (text, done), close (accept_result, text)."""

    class CoordinationTaskActionInput(serializers.Serializer):
        action = serializers.ChoiceField(choices=["accept", "refuse", "progress", "close"])
        reason = serializers.CharField(required=False, allow_blank=True, default="")
        text = serializers.CharField(required=False, allow_blank=True, default="")
        done = serializers.BooleanField(required=False, default=False)
        accept_result = serializers.BooleanField(required=False, default=True)

    @extend_schema(
        operation_id="coordination_task_action",
        request=CoordinationTaskActionInput,
        responses=CoordinationTaskOutput,
    )
    def post(self, request: Request, task_id: int) -> Response:
        task = access_task_by_id(request.user, task_id)
        data = self.CoordinationTaskActionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        action = values["action"]
        if action == "accept":
            task = services.task_accept(actor=request.user, task=task)
        elif action == "refuse":
            task = services.task_refuse(actor=request.user, task=task, reason=values["reason"])
        elif action == "progress":
            task = services.task_progress(
                actor=request.user, task=task, text=values["text"], done=values["done"]
            )
        else:
            task = services.task_close(
                actor=request.user, task=task, accept_result=values["accept_result"], text=values["text"]
            )
        return Response(CoordinationTaskOutput(task).data)


class CouncilMeetingOutput(serializers.Serializer):
    id = serializers.IntegerField()
    level = serializers.CharField()
    date = serializers.DateField()
    region = serializers.CharField(source="region.code", allow_null=True, default=None)
    district = serializers.CharField(source="district.code", allow_null=True, default=None)
    status = serializers.CharField()
    agenda = serializers.SerializerMethodField()
    decisions = serializers.SerializerMethodField()

    def get_agenda(self, meeting: Any) -> list[dict[str, Any]]:
        return [
            {"order": i.order, "kind": i.kind, "title": i.title, "detail": i.detail}
            for i in meeting.agenda.all()
        ]

    def get_decisions(self, meeting: Any) -> list[dict[str, Any]]:
        return [{"id": d.id, "text": d.text} for d in meeting.decisions.all()]


class CouncilMeetingListApi(APIView):
    class Pagination(PageNumberPagination):
        page_size = 50

    # Read by the schema generator: the list is documented as the paginated object it returns.
    pagination_class = Pagination

    @extend_schema(operation_id="council_meeting_list", responses=CouncilMeetingOutput(many=True))
    def get(self, request: Request) -> Response:
        paginator = self.Pagination()
        page = paginator.paginate_queryset(selectors.meeting_list(actor=request.user), request, view=self)
        return paginator.get_paginated_response(CouncilMeetingOutput(page, many=True).data)

    class CouncilMeetingCreateInput(serializers.Serializer):
        level = serializers.ChoiceField(choices=["country", "region", "district"])
        date = serializers.CharField()
        region = serializers.CharField(required=False, allow_blank=True, default="")
        district = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(
        operation_id="council_meeting_create",
        request=CouncilMeetingCreateInput,
        responses={201: CouncilMeetingOutput},
    )
    def post(self, request: Request) -> Response:
        data = self.CouncilMeetingCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        meeting = council.meeting_create(
            actor=request.user,
            level=values["level"],
            date=parse_date(values["date"], "date"),
            region=_optional(Region, values["region"]),
            district=_optional(District, values["district"]),
        )
        return Response(CouncilMeetingOutput(meeting).data, status=201)


class CouncilMeetingDetailApi(APIView):
    @extend_schema(operation_id="council_meeting_detail", responses=CouncilMeetingOutput)
    def get(self, request: Request, meeting_id: int) -> Response:
        return Response(CouncilMeetingOutput(access_meeting_by_id(request.user, meeting_id)).data)


class CouncilDecisionCreateApi(APIView):
    class CouncilDecisionCreateInput(serializers.Serializer):
        text = serializers.CharField()
        to_agency = serializers.IntegerField()
        deadline = serializers.CharField()

    @extend_schema(
        operation_id="council_decision_create",
        request=CouncilDecisionCreateInput,
        responses={201: CouncilMeetingOutput},
    )
    def post(self, request: Request, meeting_id: int) -> Response:
        meeting = access_meeting_by_id(request.user, meeting_id)
        if not meeting_chair_allowed(request.user, meeting):
            raise AccessDenied("Only the chair records decisions.", {"id": meeting.pk})
        data = self.CouncilDecisionCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        council.decision_record(
            actor=request.user,
            meeting=meeting,
            text=values["text"],
            to_agency=parse_agency(values["to_agency"]),
            deadline=parse_date(values["deadline"], "deadline"),
        )
        return Response(CouncilMeetingOutput(meeting).data, status=201)


class CouncilMinutesApi(APIView):
    @extend_schema(
        operation_id="council_minutes_pdf",
        parameters=[OpenApiParameter("language", str, enum=["uz", "ru"])],
        responses={(200, "application/pdf"): bytes},
    )
    def get(self, request: Request, meeting_id: int) -> HttpResponse:
        meeting = access_meeting_by_id(request.user, meeting_id)
        language = request.query_params.get("language", "uz")
        pdf = council.minutes_pdf(meeting=meeting, language=language)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="council-{meeting.pk}-{language}.pdf"'
        return response


class OversightFindingOutput(serializers.Serializer):
    id = serializers.IntegerField()
    rule = serializers.CharField(source="rule.key")
    summary = serializers.CharField()
    evidence = serializers.JSONField()
    status = serializers.CharField()
    found_on = serializers.DateField()
    response = serializers.CharField()
    district = serializers.CharField(source="district.code", allow_null=True, default=None)


class OversightFindingListApi(APIView):
    class Pagination(PageNumberPagination):
        page_size = 50

    # Read by the schema generator: the list is documented as the paginated object it returns.
    pagination_class = Pagination

    @extend_schema(
        operation_id="oversight_finding_list",
        parameters=[OpenApiParameter("status", str), OpenApiParameter("rule", str)],
        responses=OversightFindingOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        findings = selectors.finding_list(
            actor=request.user,
            status=request.query_params.get("status", ""),
            rule=request.query_params.get("rule", ""),
        )
        paginator = self.Pagination()
        page = paginator.paginate_queryset(findings, request, view=self)
        selectors.findings_read(actor=request.user, findings=list(page))
        return paginator.get_paginated_response(OversightFindingOutput(page, many=True).data)


class OversightFindingRespondApi(APIView):
    class OversightFindingRespondInput(serializers.Serializer):
        response = serializers.CharField()

    @extend_schema(
        operation_id="oversight_finding_respond",
        request=OversightFindingRespondInput,
        responses=OversightFindingOutput,
    )
    def post(self, request: Request, finding_id: int) -> Response:
        finding = access_finding_by_id(request.user, finding_id)
        data = self.OversightFindingRespondInput(data=request.data)
        data.is_valid(raise_exception=True)
        finding = oversight.finding_respond(
            actor=request.user, finding=finding, response=data.validated_data["response"]
        )
        return Response(OversightFindingOutput(finding).data)


class TrainingNeedOutput(serializers.Serializer):
    member_id = serializers.IntegerField()
    member_name = serializers.CharField()
    post = serializers.CharField()
    course_key = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())


class TrainingPlanOutput(serializers.Serializer):
    """The quarter's training plan: not a page of a list but every need at once, with its quarter."""

    count = serializers.IntegerField()
    quarter = serializers.CharField()
    results = TrainingNeedOutput(many=True)


class TrainingNeedListApi(APIView):
    @extend_schema(operation_id="training_need_list", responses=TrainingPlanOutput)
    def get(self, request: Request) -> Response:
        plan = training.training_plan(actor=request.user)
        return Response(
            {
                "count": len(plan["needs"]),
                "quarter": plan["quarter"],
                "results": TrainingNeedOutput(plan["needs"], many=True).data,
            }
        )

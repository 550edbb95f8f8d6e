"""The officials API: assignments (list, propose, confirm, change, end), officials with their accountability
view, and the per-district coverage of red mahallas. Thin classes over the services and selectors; every
read is scoped by the selectors, every write audited by the services."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mahalla.core.api_paging import ApiPagination, paginated_response
from mahalla.core.api_schema import extend_schema

from .selectors import (
    access_official_by_id,
    assignment_list,
    district_accountability,
    official_accountability,
    official_list,
)
from .services import assignment_change, assignment_confirm, assignment_end, assignments_propose


class AssignmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    year = serializers.IntegerField()
    rule = serializers.CharField(source="rule.code")
    target = serializers.CharField()
    mahalla = serializers.CharField(source="mahalla.code", allow_null=True, default=None)
    district = serializers.CharField(source="district.code")
    official = serializers.IntegerField(source="official_id")
    official_name = serializers.CharField(source="official.name")
    position = serializers.CharField(source="official.position")
    reason = serializers.CharField()
    priority = serializers.FloatField()
    status = serializers.CharField()
    confirmed_by = serializers.CharField(source="confirmed_by.username", allow_null=True, default=None)
    confirmed_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    end_reason = serializers.CharField()
    replaced_by = serializers.IntegerField(source="replaced_by_id", allow_null=True)

    class Meta:
        ref_name = "OfficialAssignment"


class OfficialOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    name = serializers.CharField()
    position = serializers.CharField()
    title = serializers.CharField()
    organisation = serializers.CharField()
    level = serializers.CharField()
    region = serializers.CharField(source="region.code", allow_null=True, default=None)
    district = serializers.CharField(source="district.code", allow_null=True, default=None)
    phone = serializers.CharField()
    active = serializers.BooleanField()

    class Meta:
        ref_name = "Official"


def _year(request: Request) -> int:
    raw = request.query_params.get("year") or str(timezone.localdate().year)
    field = serializers.IntegerField(min_value=2000, max_value=2100)
    return int(field.run_validation(raw))


class AssignmentListApi(APIView):
    """Assignments in the actor's territory, filtered by year and status (proposed, confirmed, changed,
    ended, active)."""

    # Read by the schema generator: the list is documented as the paginated object it returns.
    pagination_class = ApiPagination

    @extend_schema(
        parameters=[OpenApiParameter("year", int), OpenApiParameter("status", str)],
        responses=AssignmentOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        year = request.query_params.get("year")
        rows = assignment_list(
            actor=request.user,
            year=_year(request) if year else None,
            status=request.query_params.get("status") or None,
        )
        return paginated_response(
            request, self, rows.order_by("-year", "-priority", "id"), AssignmentOutputSerializer
        )


class AssignmentProposeApi(APIView):
    """Propose officials for a year inside the actor's territory (chiefs, national analysts,
    administrators); `dry_run` stores nothing."""

    class InputSerializer(serializers.Serializer):
        year = serializers.IntegerField(min_value=2000, max_value=2100)
        dry_run = serializers.BooleanField(default=False)

    @extend_schema(request=InputSerializer, responses=dict)
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = assignments_propose(actor=request.user, **data.validated_data)
        return Response(outcome.as_dict(), status=200 if outcome.dry_run else 201)


class AssignmentConfirmApi(APIView):
    @extend_schema(request=None, responses=AssignmentOutputSerializer)
    def post(self, request: Request, assignment_id: int) -> Response:
        assignment = assignment_confirm(actor=request.user, assignment_id=assignment_id)
        return Response(AssignmentOutputSerializer(assignment).data)


class AssignmentChangeApi(APIView):
    """Hand over to another official (a chief's decision, with a reason); answers the new assignment."""

    class InputSerializer(serializers.Serializer):
        official = serializers.IntegerField()
        reason = serializers.CharField(max_length=1000)

    @extend_schema(request=InputSerializer, responses=AssignmentOutputSerializer)
    def post(self, request: Request, assignment_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        successor = assignment_change(
            actor=request.user,
            assignment_id=assignment_id,
            official_id=data.validated_data["official"],
            reason=data.validated_data["reason"],
        )
        return Response(AssignmentOutputSerializer(successor).data, status=201)


class AssignmentEndApi(APIView):
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=1000)

    @extend_schema(request=InputSerializer, responses=AssignmentOutputSerializer)
    def post(self, request: Request, assignment_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = assignment_end(
            actor=request.user, assignment_id=assignment_id, reason=data.validated_data["reason"]
        )
        return Response(AssignmentOutputSerializer(assignment).data)


class OfficialListApi(APIView):
    # Read by the schema generator: the list is documented as the paginated object it returns.
    pagination_class = ApiPagination

    @extend_schema(
        parameters=[OpenApiParameter("position", str), OpenApiParameter("level", str)],
        responses=OfficialOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        filters: dict[str, Any] = {
            "position": request.query_params.get("position"),
            "level": request.query_params.get("level"),
        }
        rows = official_list(actor=request.user, filters=filters).order_by("name", "pk")
        return paginated_response(request, self, rows, OfficialOutputSerializer)


class OfficialAccountabilityApi(APIView):
    """One official: their assignments (history), the classes of their mahallas over time, and what other
    apps add (overdue measures). The read is audited."""

    @extend_schema(responses=dict)
    def get(self, request: Request, official_id: int) -> Response:
        official = access_official_by_id(request.user, official_id)
        view = official_accountability(actor=request.user, official=official, purpose="api")
        return Response(
            {
                "official": OfficialOutputSerializer(official).data,
                "assignments": AssignmentOutputSerializer(view["assignments"], many=True).data,
                "dates": [d.isoformat() for d in view["dates"]],
                "mahallas": [
                    {"code": row["mahalla"].code, "name": row["mahalla"].name_uz, "classes": row["classes"]}
                    for row in view["mahallas"]
                ],
                "active": view["active"],
                "panels": view["panels"],
            }
        )


class DistrictAccountabilityApi(APIView):
    """Per district in the actor's territory: red mahallas on the year's last analysed date and the share
    of them that have a responsible official."""

    @extend_schema(parameters=[OpenApiParameter("year", int)], responses=dict)
    def get(self, request: Request) -> Response:
        view = district_accountability(actor=request.user, year=_year(request))
        return Response(
            {
                "date": view["date"].isoformat() if view["date"] else None,
                "columns": view["columns"],
                "districts": [
                    {
                        "code": row["district"].code,
                        "name": row["district"].name_uz,
                        "red": row["red"],
                        "red_with_official": row["red_with_official"],
                        "share": row["share"],
                        "extra": row["extra"],
                    }
                    for row in view["rows"]
                ],
            }
        )

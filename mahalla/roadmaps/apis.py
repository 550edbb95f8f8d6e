"""The roadmaps API: thin views with nested input and output serializers over the services (writes:
scoped, validated, audited) and selectors (reads: scoped, fail-closed). Errors have the shape
{"message", "extra"}; a roadmap or measure outside the caller's scope is a 404, as if it did not exist."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mahalla.core.api_paging import ApiPagination, paginated_response
from mahalla.core.api_schema import extend_schema
from mahalla.core.dates import DATE_MAX, DATE_MIN
from mahalla.core.errors import ApplicationError

from . import selectors, services
from .access import access_measure_by_id, access_roadmap_by_id
from .catalogue import catalogue
from .models import EffectEstimate, Measure, MeasureAlert, PeriodKind, Roadmap, TerritoryLevel


def _owner(user_id: int | None) -> Any:
    if user_id is None:
        return None
    owner = get_user_model().objects.filter(pk=user_id).first()
    if owner is None:
        raise ApplicationError(f"No account with id {user_id}", {"field": "owner", "value": user_id})
    return owner


class EffectOutputSerializer(serializers.ModelSerializer):
    summary = serializers.SerializerMethodField()

    class Meta:
        model = EffectEstimate
        fields = [
            "id",
            "measure",
            "intervention_date",
            "period",
            "effect",
            "relative_effect",
            "ci_low",
            "ci_high",
            "relative_ci_low",
            "relative_ci_high",
            "p_value",
            "significant",
            "n_treated",
            "n_controls",
            "treated_pre",
            "treated_post",
            "counterfactual",
            "parameters",
            "computed_at",
            "summary",
        ]

    def get_summary(self, estimate: EffectEstimate) -> str:
        from .presentation import effect_sentence

        return str(effect_sentence(estimate))


class MeasureOutputSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    target_mahallas = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    evidence = serializers.SerializerMethodField()
    comments = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Measure
        fields = [
            "id",
            "title",
            "problem_key",
            "template_measure_key",
            "kind",
            "owner",
            "deadline",
            "status",
            "completed_at",
            "target_mahallas",
            "overdue",
            "evidence",
            "comments",
        ]

    def get_overdue(self, measure: Measure) -> bool:
        return measure.is_overdue(timezone.localdate())

    def get_evidence(self, measure: Measure) -> list[dict[str, Any]]:
        return [
            {
                "id": e.pk,
                "kind": e.kind,
                "name": e.original_name,
                "content_type": e.content_type,
                "size": e.size,
                "sha256": e.sha256,
                "uploaded_at": e.uploaded_at,
            }
            for e in measure.evidence.all()
        ]

    def get_comments(self, measure: Measure) -> list[dict[str, Any]]:
        return [
            {"author": c.author.username, "text": c.text, "at": c.created_at} for c in measure.comments.all()
        ]


class RoadmapOutputSerializer(serializers.ModelSerializer):
    territory_code = serializers.CharField(read_only=True)
    period_end = serializers.DateField(read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Roadmap
        fields = [
            "id",
            "level",
            "territory_code",
            "period_kind",
            "period_start",
            "period_end",
            "title",
            "status",
            "source",
            "template_keys",
            "reasons",
            "created_by",
            "created_at",
        ]


class RoadmapListApi(APIView):
    # Read by the schema generator: the list is documented as the paginated object it returns.
    pagination_class = ApiPagination

    class FilterSerializer(serializers.Serializer):
        level = serializers.ChoiceField(choices=TerritoryLevel.choices, required=False)
        code = serializers.CharField(required=False)

    @extend_schema(parameters=[FilterSerializer], responses=RoadmapOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = selectors.roadmap_list(actor=request.user, **filters.validated_data)
        return paginated_response(
            request, self, rows.order_by("-period_start", "id"), RoadmapOutputSerializer
        )


class RoadmapCreateApi(APIView):
    class InputSerializer(serializers.Serializer):
        level = serializers.ChoiceField(choices=TerritoryLevel.choices)
        code = serializers.CharField()
        period_kind = serializers.ChoiceField(choices=PeriodKind.choices)
        period_start = serializers.DateField()
        template_keys = serializers.ListField(child=serializers.CharField(), min_length=1)
        title = serializers.CharField(required=False, allow_blank=True, default="")
        owner = serializers.IntegerField(required=False, allow_null=True, default=None)
        target_mahallas = serializers.ListField(child=serializers.CharField(), required=False, default=list)

    @extend_schema(request=InputSerializer, responses={201: RoadmapOutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        roadmap = services.roadmap_create_from_template(
            actor=request.user,
            owner=_owner(values.pop("owner")),
            target_mahalla_codes=values.pop("target_mahallas"),
            **values,
        )
        return Response(RoadmapOutputSerializer(roadmap).data, status=201)


class RoadmapFromExplanationApi(APIView):
    class InputSerializer(serializers.Serializer):
        mahalla = serializers.CharField()
        period_kind = serializers.ChoiceField(choices=PeriodKind.choices)
        period_start = serializers.DateField()
        owner = serializers.IntegerField(required=False, allow_null=True, default=None)

    @extend_schema(request=InputSerializer, responses={201: RoadmapOutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        roadmap = services.roadmap_create_from_explanation(
            actor=request.user,
            mahalla_code=values["mahalla"],
            period_kind=values["period_kind"],
            period_start=values["period_start"],
            owner=_owner(values["owner"]),
        )
        return Response(RoadmapOutputSerializer(roadmap).data, status=201)


class RoadmapDetailApi(APIView):
    class OutputSerializer(RoadmapOutputSerializer):
        measures = serializers.SerializerMethodField()
        effects = serializers.SerializerMethodField()

        class Meta(RoadmapOutputSerializer.Meta):
            fields = [*RoadmapOutputSerializer.Meta.fields, "measures", "effects"]

        def get_measures(self, roadmap: Roadmap) -> Any:
            rows = selectors.measure_list(actor=self.context["actor"], roadmap=roadmap)
            return MeasureOutputSerializer(rows, many=True).data

        def get_effects(self, roadmap: Roadmap) -> Any:
            rows = selectors.effect_list(actor=self.context["actor"], roadmap=roadmap)
            return EffectOutputSerializer(rows, many=True).data

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, roadmap_id: int) -> Response:
        roadmap = access_roadmap_by_id(request.user, roadmap_id)
        return Response(self.OutputSerializer(roadmap, context={"actor": request.user}).data)


class MeasureCreateApi(APIView):
    class InputSerializer(serializers.Serializer):
        title = serializers.CharField()
        deadline = serializers.DateField()
        kind = serializers.CharField(required=False, default="other")
        owner = serializers.IntegerField(required=False, allow_null=True, default=None)
        target_mahallas = serializers.ListField(child=serializers.CharField(), required=False, default=list)

    @extend_schema(request=InputSerializer, responses={201: MeasureOutputSerializer})
    def post(self, request: Request, roadmap_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        measure = services.measure_create(
            actor=request.user,
            roadmap_id=roadmap_id,
            owner=_owner(values.pop("owner")),
            target_mahalla_codes=values.pop("target_mahallas"),
            **values,
        )
        return Response(MeasureOutputSerializer(measure).data, status=201)


class MeasureUpdateApi(APIView):
    class InputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Measure.Status.choices, required=False)
        deadline = serializers.DateField(required=False)
        owner = serializers.IntegerField(required=False, allow_null=True)

    @extend_schema(
        request=InputSerializer, responses=MeasureOutputSerializer, operation_id="roadmaps_measure_update"
    )
    def post(self, request: Request, measure_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        measure = services.measure_update(
            actor=request.user,
            measure_id=measure_id,
            status=values.get("status"),
            deadline=values.get("deadline"),
            owner=_owner(values.get("owner")),
            change_owner="owner" in values,
        )
        return Response(MeasureOutputSerializer(measure).data)


class MeasureEvidenceAddApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField()

    @extend_schema(request={"multipart/form-data": InputSerializer}, responses={201: MeasureOutputSerializer})
    def post(self, request: Request, measure_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.measure_evidence_add(
            actor=request.user, measure_id=measure_id, upload=data.validated_data["file"]
        )
        return Response(
            MeasureOutputSerializer(access_measure_by_id(request.user, measure_id)).data, status=201
        )


class MeasureCommentAddApi(APIView):
    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(max_length=5000)

    @extend_schema(request=InputSerializer, responses={201: MeasureOutputSerializer})
    def post(self, request: Request, measure_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.measure_comment_add(
            actor=request.user, measure_id=measure_id, text=data.validated_data["text"]
        )
        return Response(
            MeasureOutputSerializer(access_measure_by_id(request.user, measure_id)).data, status=201
        )


class RoadmapEffectEstimateApi(APIView):
    class InputSerializer(serializers.Serializer):
        measure = serializers.IntegerField(required=False, allow_null=True, default=None)
        period = serializers.ChoiceField(choices=[("month", "month"), ("week", "week")], default="month")
        permutations = serializers.IntegerField(min_value=99, max_value=9999, default=999)

    @extend_schema(request=InputSerializer, responses={201: EffectOutputSerializer})
    def post(self, request: Request, roadmap_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        estimate = services.roadmap_effect_estimate(
            actor=request.user,
            roadmap_id=roadmap_id,
            measure_id=values["measure"],
            period=values["period"],
            permutations=values["permutations"],
        )
        return Response(EffectOutputSerializer(estimate).data, status=201)


class MeasureAlertListApi(APIView):
    # Read by the schema generator: the list is documented as the paginated object it returns.
    pagination_class = ApiPagination

    class FilterSerializer(serializers.Serializer):
        mine = serializers.BooleanField(required=False, default=False)
        status = serializers.ChoiceField(choices=MeasureAlert.Status.choices, required=False)

    class OutputSerializer(serializers.ModelSerializer):
        measure = serializers.SerializerMethodField()
        recipients = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)

        class Meta:
            model = MeasureAlert
            fields = ["id", "measure", "deadline", "raised_on", "status", "recipients"]

        def get_measure(self, alert: MeasureAlert) -> dict[str, Any]:
            measure = alert.measure
            return {
                "id": measure.pk,
                "title": measure.title,
                "roadmap": measure.roadmap_id,
                "owner": measure.owner.username if measure.owner else None,
            }

    @extend_schema(parameters=[FilterSerializer], responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = selectors.measure_alert_list(actor=request.user, **filters.validated_data)
        return paginated_response(request, self, rows.order_by("-raised_on", "pk"), self.OutputSerializer)


class MeasureAlertAcknowledgeApi(APIView):
    @extend_schema(request=None, responses=MeasureAlertListApi.OutputSerializer)
    def post(self, request: Request, alert_id: int) -> Response:
        alert = services.measure_alert_acknowledge(actor=request.user, alert_id=alert_id)
        return Response(MeasureAlertListApi.OutputSerializer(alert).data)


class TerritoryPeriodSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=TerritoryLevel.choices)
    code = serializers.CharField()
    first = serializers.DateField(required=False)
    last = serializers.DateField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for name in ("first", "last"):
            if name in attrs and not DATE_MIN <= attrs[name] <= DATE_MAX:
                raise serializers.ValidationError(
                    {name: _("Dates run from %(first)s to %(last)s.") % {"first": DATE_MIN, "last": DATE_MAX}}
                )
        attrs.setdefault("last", timezone.localdate())
        attrs.setdefault("first", attrs["last"] - dt.timedelta(days=364))
        return attrs


class RoadmapProgressApi(APIView):
    @extend_schema(parameters=[TerritoryPeriodSerializer], responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        query = TerritoryPeriodSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        progress = selectors.roadmap_progress(actor=request.user, level=values["level"], code=values["code"])
        territory = progress.pop("territory")
        return Response({**progress, "territory": {"code": territory.code, "name": territory.name_uz}})


class CauseAnalysisApi(APIView):
    class QuerySerializer(TerritoryPeriodSerializer):
        radius_m = serializers.FloatField(required=False, default=50.0, min_value=1, max_value=1000)
        window_days = serializers.IntegerField(required=False, default=90, min_value=1, max_value=730)

    @extend_schema(parameters=[QuerySerializer], responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        where = {
            "level": values["level"],
            "code": values["code"],
            "first": values["first"],
            "last": values["last"],
        }
        return Response(
            {
                "first": values["first"],
                "last": values["last"],
                "pareto": selectors.cause_pareto(actor=request.user, **where),
                "recurrence": selectors.recurrence(
                    actor=request.user,
                    radius_m=values["radius_m"],
                    window_days=values["window_days"],
                    **where,
                ),
            }
        )


class RoadmapTemplateListApi(APIView):
    @extend_schema(responses={200: {"type": "array", "items": {"type": "object"}}})
    def get(self, request: Request) -> Response:
        return Response(
            [
                {
                    "key": template.key,
                    "title": template.title,
                    "measures": [
                        {"key": m.key, "kind": m.kind, "duration_days": m.duration_days, "title": m.title}
                        for m in template.measures
                    ],
                }
                for template in catalogue().templates.values()
            ]
        )


class MahallaSuggestionApi(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, code: str) -> Response:
        mahalla = selectors.territory_get(actor=request.user, level="mahalla", code=code)
        assert hasattr(mahalla, "district_id")  # the level is mahalla
        suggestion = selectors.mahalla_template_suggestion(actor=request.user, mahalla=mahalla)  # type: ignore[arg-type]
        return Response(suggestion)

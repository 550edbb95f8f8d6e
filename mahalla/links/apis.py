"""The drug-network workbench API: thin views over the selectors (scoped, audited reads) and services
(validated, audited writes). Errors have the shape {"message", "extra"}; an entity outside the caller's
scope is a 404, as if it did not exist."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mahalla.core.api_schema import extend_schema
from mahalla.core.errors import AccessDenied

from . import selectors, services
from .access import access_entity_by_id, access_shop_by_id, links_filter_for, links_read_allowed
from .models import Source


class _Paging(PageNumberPagination):
    page_size = 50


def _reader(request: Request) -> None:
    if not links_read_allowed(request.user):
        raise AccessDenied("Not found", {})


class LinksEntityOutput(serializers.Serializer):
    id = serializers.IntegerField()
    schema = serializers.CharField()
    caption = serializers.CharField()
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)
    district = serializers.IntegerField(source="district_id", allow_null=True)
    mahalla = serializers.IntegerField(source="mahalla_id", allow_null=True)


class LinksFactOutput(serializers.Serializer):
    prop = serializers.CharField()
    value = serializers.CharField()
    source = serializers.CharField()
    legal_basis = serializers.CharField()
    observed_on = serializers.DateField(allow_null=True)
    entered_by = serializers.CharField()


class LinksEntityListApi(APIView):
    # Read by the schema generator: the list is documented as the paginated object it returns.
    pagination_class = _Paging

    @extend_schema(responses=LinksEntityOutput(many=True), operation_id="links_entities_list")
    def get(self, request: Request) -> Response:
        _reader(request)
        rows = selectors.entity_list(
            request.user, schema=request.query_params.get("type", ""), query=request.query_params.get("q", "")
        )
        paginator = _Paging()
        page = paginator.paginate_queryset(rows, request, view=self)
        selectors.entities_read_audit(request.user, list(page or []), purpose="API entity list")
        return paginator.get_paginated_response(LinksEntityOutput(page, many=True).data)

    class InputSerializer(serializers.Serializer):
        schema = serializers.CharField()
        properties = serializers.DictField(child=serializers.CharField())
        source = serializers.IntegerField()
        lat = serializers.FloatField(required=False, allow_null=True)
        lon = serializers.FloatField(required=False, allow_null=True)

    @extend_schema(request=InputSerializer, responses=LinksEntityOutput, operation_id="links_entities_create")
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # A source of another territory is not the caller's to write under: as one that does not exist.
        source = Source.objects.filter(
            links_filter_for(request.user), pk=data.validated_data["source"]
        ).first()
        if source is None:
            raise AccessDenied(
                "Source not found", {"field": "source", "value": data.validated_data["source"]}
            )
        entity = services.entity_resolve(
            actor=request.user,
            schema_name=data.validated_data["schema"],
            properties=data.validated_data["properties"],
            source=source,
            lat=data.validated_data.get("lat"),
            lon=data.validated_data.get("lon"),
        )
        return Response(LinksEntityOutput(entity).data, status=201)


class LinksEntityDetailApi(APIView):
    class OutputSerializer(LinksEntityOutput):
        facts = LinksFactOutput(many=True)

    @extend_schema(responses=OutputSerializer, operation_id="links_entities_retrieve")
    def get(self, request: Request, entity_id: int) -> Response:
        entity = access_entity_by_id(request.user, entity_id)
        facts = selectors.entity_facts(
            request.user, entity, purpose=request.query_params.get("purpose", "API read")
        )
        payload: dict[str, Any] = dict(LinksEntityOutput(entity).data)
        payload["facts"] = LinksFactOutput(facts, many=True).data
        return Response(payload)


class LinksSupplierOutput(serializers.Serializer):
    entity = LinksEntityOutput()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.DictField())


class LinksShopSuppliersApi(APIView):
    @extend_schema(responses=LinksSupplierOutput(many=True), operation_id="links_shop_suppliers")
    def get(self, request: Request, shop_id: int) -> Response:
        shop = access_shop_by_id(request.user, shop_id)
        analysis = selectors.shop_analysis(request.user, shop)
        rows = [
            {
                "entity": s["entity"],
                "score": s["score"],
                "reasons": [{"via": r["via"].caption, "kinds": r["kinds"]} for r in s["reasons"]],
            }
            for s in analysis.suppliers
        ]
        return Response({"count": len(rows), "results": LinksSupplierOutput(rows, many=True).data})

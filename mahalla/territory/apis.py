"""Territory API: lists with parent filters and search, and single units by code, inside the actor's scope.
Territories name no person: reading them is not audited."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView

from .access import access_district_by_code, access_mahalla_by_code, access_region_by_code
from .filters import DistrictFilter, MahallaFilter, RegionFilter
from .models import District, Mahalla, Region
from .selectors import district_list, mahalla_list, region_list

UNIT_FIELDS = [
    "code",
    "name_uz",
    "name_uz_cyrl",
    "name_ru",
    "kind",
    "population",
    "households",
    "centroid_lat",
    "centroid_lon",
]


class ParentSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_uz = serializers.CharField()
    name_ru = serializers.CharField()


class RegionListApi(ListAPIView):
    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = Region
            fields = UNIT_FIELDS
            ref_name = "Region"

    serializer_class = OutputSerializer
    filterset_class = RegionFilter

    def get_queryset(self) -> QuerySet[Region]:
        return region_list(actor=self.request.user)


class RegionDetailApi(RetrieveAPIView):
    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = Region
            fields = [*UNIT_FIELDS, "boundary"]
            ref_name = "RegionDetail"

    serializer_class = OutputSerializer
    lookup_field = "code"

    def get_object(self) -> Any:
        return access_region_by_code(self.request.user, self.kwargs["code"])


class DistrictListApi(ListAPIView):
    class OutputSerializer(serializers.ModelSerializer):
        region = ParentSerializer()

        class Meta:
            model = District
            fields = [*UNIT_FIELDS, "region"]
            ref_name = "District"

    serializer_class = OutputSerializer
    filterset_class = DistrictFilter

    def get_queryset(self) -> QuerySet[District]:
        return district_list(actor=self.request.user)


class DistrictDetailApi(RetrieveAPIView):
    class OutputSerializer(serializers.ModelSerializer):
        region = ParentSerializer()

        class Meta:
            model = District
            fields = [*UNIT_FIELDS, "region", "boundary"]
            ref_name = "DistrictDetail"

    serializer_class = OutputSerializer
    lookup_field = "code"

    def get_object(self) -> Any:
        return access_district_by_code(self.request.user, self.kwargs["code"])


class PostSerializer(serializers.Serializer):
    number = serializers.CharField()
    address = serializers.CharField()
    inspector_name = serializers.CharField()
    inspector_phone = serializers.CharField()


class MahallaListApi(ListAPIView):
    class OutputSerializer(serializers.ModelSerializer):
        district = ParentSerializer()
        region = ParentSerializer()
        post = PostSerializer(allow_null=True, default=None)

        class Meta:
            model = Mahalla
            fields = [f for f in UNIT_FIELDS if f != "kind"] + ["district", "region", "post"]
            ref_name = "Mahalla"

    serializer_class = OutputSerializer
    filterset_class = MahallaFilter

    def get_queryset(self) -> QuerySet[Mahalla]:
        return mahalla_list(actor=self.request.user)


class MahallaDetailApi(RetrieveAPIView):
    class OutputSerializer(MahallaListApi.OutputSerializer):
        class Meta(MahallaListApi.OutputSerializer.Meta):
            fields = [*MahallaListApi.OutputSerializer.Meta.fields, "boundary"]
            ref_name = "MahallaDetail"

    serializer_class = OutputSerializer
    lookup_field = "code"

    def get_object(self) -> Any:
        return access_mahalla_by_code(self.request.user, self.kwargs["code"])

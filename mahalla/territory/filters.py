"""Filters for territory lists: by parent code and a search over names (three scripts) and code.

They only narrow a queryset that a selector has already limited to the actor's territory."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from .models import District, Mahalla, Region


def search_names_and_code(queryset: QuerySet, name: str, value: str) -> QuerySet:
    value = value.strip()
    if not value:
        return queryset
    return queryset.filter(
        Q(code__startswith=value)
        | Q(name_uz__icontains=value)
        | Q(name_uz_cyrl__icontains=value)
        | Q(name_ru__icontains=value)
    )


class RegionFilter(filters.FilterSet):
    search = filters.CharFilter(
        method=search_names_and_code, label=_("name (any script) or the beginning of the code")
    )
    kind = filters.ChoiceFilter(choices=Region.Kind.choices)

    class Meta:
        model = Region
        fields = ["search", "kind"]


class DistrictFilter(filters.FilterSet):
    region = filters.CharFilter(field_name="region__code", label=_("region code"))
    search = filters.CharFilter(
        method=search_names_and_code, label=_("name (any script) or the beginning of the code")
    )
    kind = filters.ChoiceFilter(choices=District.Kind.choices)

    class Meta:
        model = District
        fields = ["region", "search", "kind"]


class MahallaFilter(filters.FilterSet):
    region = filters.CharFilter(field_name="region__code", label=_("region code"))
    district = filters.CharFilter(field_name="district__code", label=_("district code"))
    search = filters.CharFilter(
        method=search_names_and_code, label=_("name (any script) or the beginning of the code")
    )

    class Meta:
        model = Mahalla
        fields = ["region", "district", "search"]

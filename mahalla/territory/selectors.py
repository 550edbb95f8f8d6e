"""Reads of the territory, always for an actor and limited to what the actor may see (territory.access)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_filters import FilterSet

from mahalla.core.errors import ApplicationError

from .access import district_filter_for, mahalla_filter_for, region_filter_for
from .filters import DistrictFilter, MahallaFilter, RegionFilter
from .models import District, Mahalla, Region


def filters_apply(
    filterset_class: type[FilterSet], filters: Mapping[str, Any] | None, queryset: QuerySet
) -> QuerySet:
    """Narrow ``queryset`` by ``filters`` (query-string style); an invalid value is an ApplicationError
    naming the field, never silently ignored."""
    if not filters:
        return queryset
    filterset = filterset_class(data=filters, queryset=queryset)
    if not filterset.is_valid():
        raise ApplicationError(_("Invalid filter"), {"fields": filterset.errors.get_json_data()})
    return filterset.qs


def region_list(*, actor: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[Region]:
    regions = Region.objects.filter(region_filter_for(actor))
    return filters_apply(RegionFilter, filters, regions)


def district_list(*, actor: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[District]:
    districts = District.objects.select_related("region").filter(district_filter_for(actor))
    return filters_apply(DistrictFilter, filters, districts)


def mahalla_list(*, actor: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[Mahalla]:
    mahallas = Mahalla.objects.select_related("district", "region", "post").filter(mahalla_filter_for(actor))
    return filters_apply(MahallaFilter, filters, mahallas)

"""Filters for offence lists and counts. They only narrow a queryset that a selector has already limited to
the actor's territory and role; they can never widen it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from .models import CodeKind, CyberMethod, Offence, OffenceStatus, PlaceType


def _local_midnight(day: dt.date) -> dt.datetime:
    # Dates in a query are days in Asia/Tashkent (the users' day), whatever the UTC date of storage.
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))


class OffenceFilter(filters.FilterSet):
    region = filters.CharFilter(field_name="region__code", label=_("region code"))
    district = filters.CharFilter(field_name="district__code", label=_("district code"))
    mahalla = filters.CharFilter(field_name="mahalla__code", label=_("mahalla code"))
    category = filters.CharFilter(field_name="category__code", label=_("offence category code"))
    cause = filters.CharFilter(field_name="causes__code", label=_("cause code"), distinct=True)
    code_kind = filters.ChoiceFilter(choices=CodeKind.choices, label=_("code"))
    article = filters.CharFilter(label=_("article"))
    status = filters.ChoiceFilter(choices=OffenceStatus.choices, label=_("status"))
    place_type = filters.ChoiceFilter(choices=PlaceType.choices, label=_("place"))
    cyber_method = filters.ChoiceFilter(choices=CyberMethod.choices, label=_("cyber method"))
    occurred_from = filters.DateFilter(method="filter_occurred_from", label=_("occurred on or after (date)"))
    occurred_to = filters.DateFilter(method="filter_occurred_to", label=_("occurred on or before (date)"))
    computer_means = filters.BooleanFilter(label=_("committed by computer means"))
    bank_card = filters.BooleanFilter(label=_("involves a bank card"))
    involves_minor = filters.BooleanFilter(label=_("a minor involved"))
    involves_youth = filters.BooleanFilter(label=_("a young person involved"))
    involves_woman = filters.BooleanFilter(label=_("a woman involved"))
    family_relation = filters.BooleanFilter(label=_("family relation"))
    under_alcohol = filters.BooleanFilter(label=_("under the influence of alcohol"))
    under_drugs = filters.BooleanFilter(label=_("under the influence of drugs"))
    repeat_offender = filters.BooleanFilter(label=_("repeat offender"))
    solved = filters.BooleanFilter(label=_("solved"))

    class Meta:
        model = Offence
        fields: list[str] = []

    def filter_occurred_from(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.filter(occurred_at__gte=_local_midnight(value))

    def filter_occurred_to(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        # Inclusive of the whole last day: before the next local midnight.
        return queryset.filter(occurred_at__lt=_local_midnight(value + dt.timedelta(days=1)))

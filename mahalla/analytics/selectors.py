"""Reads of the stored daily results, always for an actor and limited to the actor's territory (fail-closed).

Aggregates are rows per country, region or district: an actor sees the rows of the territories inside the
scope only (a district chief sees the district's totals, not the region's, which would describe other
districts too).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _

from mahalla.core.errors import AccessDenied
from mahalla.incidents.access import offence_aggregate_filter_for
from mahalla.incidents.models import OffenceCause
from mahalla.territory.access import TerritoryScope, territory_filter_for
from mahalla.territory.models import District, Mahalla, Region
from mahalla.territory.selectors import district_list, mahalla_list, region_list

from .days import local_day_bounds
from .models import (
    AggregateDayResult,
    AggregateLevel,
    Alert,
    ClusterResult,
    DailyRun,
    ForecastCell,
    MahallaDayResult,
)

# Boundaries are GeoJSON of thousands of vertices: decoding them for a table costs more than the whole page.
_BIG_TERRITORY_FIELDS = ("region__boundary", "district__boundary")


def _scope(actor: Any) -> TerritoryScope:
    """The actor's scope, computed once per actor object (one request): a page asks a dozen times and each
    computation reads the database."""
    cached = getattr(actor, "_analytics_scope", None)
    if isinstance(cached, TerritoryScope):
        return cached
    scope = territory_filter_for(actor)
    if actor is not None and getattr(actor, "pk", None) is not None:
        actor._analytics_scope = scope
    return scope


def _scope_q(actor: Any) -> Q:
    return _scope(actor).q()


def latest_date(*, actor: Any) -> dt.date | None:
    """The most recent date with a finished run (None when nothing was analysed yet or the actor sees
    nothing)."""
    if _scope(actor).sees_nothing:
        return None
    return (
        DailyRun.objects.filter(status=DailyRun.Status.DONE)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )


def finished_runs_marker(*, actor: Any) -> str:
    """A value that changes whenever a daily run finishes (or a finished one is removed): the key of caches
    of anything the runs' results decide. A run stores its results and becomes done in one transaction, so
    the marker changes when its results appear (a page that read the marker just before may cache the new
    results under the old value: newer data, never older)."""
    if _scope(actor).sees_nothing:
        return "none"
    marker = DailyRun.objects.filter(status=DailyRun.Status.DONE).aggregate(
        count=Count("id"), last=Max("id"), finished=Max("finished_at")
    )
    finished = marker["finished"].timestamp() if marker["finished"] else 0
    return f"{marker['count']}.{marker['last'] or 0}.{finished}"


def analysed_dates(*, actor: Any, limit: int = 60) -> list[dt.date]:
    if _scope(actor).sees_nothing:
        return []
    dates = (
        DailyRun.objects.filter(status=DailyRun.Status.DONE)
        .order_by("-date")
        .values_list("date", flat=True)
        .distinct()[:limit]
    )
    return list(dates)


# The dates a backfill still has to analyse (ISO strings, oldest first), in the cache that every process of
# `mahalla serve` and the backfilling process share (analytics.services.analysis_backfill_mark): the pages
# say that their history is still being computed instead of showing a short trend as if it were whole.
BACKFILL_PENDING_KEY = "analytics:backfill-pending"


def analysis_backfill_pending(*, actor: Any) -> list[dt.date]:
    """The dates a backfill has still to analyse, oldest first (empty when none is running): the trend
    charts and class histories are then incomplete and say so."""
    from django.core.cache import cache

    if _scope(actor).sees_nothing:
        return []
    return [dt.date.fromisoformat(day) for day in cache.get(BACKFILL_PENDING_KEY) or []]


def aggregate_get(
    *, actor: Any, date: dt.date, region: Region | None = None, district: District | None = None
) -> AggregateDayResult | None:
    """The totals of the country (no region, no district), a region or a district on a date, if the actor's
    scope covers that whole territory; AccessDenied otherwise."""
    scope = _scope(actor)
    if district is not None:
        allowed = (
            scope.level == "country"
            or (scope.level == "region" and scope.region_id == district.region_id)
            or (scope.level == "district" and scope.district_id == district.pk)
        )
        rows = AggregateDayResult.objects.filter(date=date, level=AggregateLevel.DISTRICT, district=district)
    elif region is not None:
        allowed = scope.level == "country" or (scope.level == "region" and scope.region_id == region.pk)
        rows = AggregateDayResult.objects.filter(date=date, level=AggregateLevel.REGION, region=region)
    else:
        allowed = scope.level == "country"
        rows = AggregateDayResult.objects.filter(date=date, level=AggregateLevel.COUNTRY)
    if not allowed:
        raise AccessDenied(_("Not found"))
    return rows.select_related("run").first()


def aggregate_children(
    *, actor: Any, date: dt.date, region: Region | None = None
) -> QuerySet[AggregateDayResult]:
    """Regions of the country (region None) or districts of a region, with their totals, within scope."""
    scope = _scope(actor)
    if region is None:
        rows = AggregateDayResult.objects.filter(date=date, level=AggregateLevel.REGION)
    else:
        rows = AggregateDayResult.objects.filter(date=date, level=AggregateLevel.DISTRICT, region=region)
    return (
        rows.filter(scope.q(region="region", district="district", mahalla=None))
        .select_related("region", "district")
        .defer(*_BIG_TERRITORY_FIELDS)
        .order_by("-red", "region__code", "district__code")
    )


def aggregate_series(
    *,
    actor: Any,
    date: dt.date,
    region: Region | None = None,
    district: District | None = None,
    days: int = 60,
) -> list[AggregateDayResult]:
    """The territory's totals on the analysed dates of the `days` days up to `date`, oldest first (for
    trend charts)."""
    latest = date
    aggregate_get(actor=actor, date=latest, region=region, district=district)  # access check
    if district is not None:
        rows = AggregateDayResult.objects.filter(level=AggregateLevel.DISTRICT, district=district)
    elif region is not None:
        rows = AggregateDayResult.objects.filter(level=AggregateLevel.REGION, region=region)
    else:
        rows = AggregateDayResult.objects.filter(level=AggregateLevel.COUNTRY)
    rows = rows.filter(date__gt=latest - dt.timedelta(days=days))
    return list(rows.order_by("date"))


def mahalla_result_list(
    *, actor: Any, date: dt.date, region: Region | None = None, district: District | None = None
) -> QuerySet[MahallaDayResult]:
    rows = MahallaDayResult.objects.filter(_scope_q(actor), date=date)
    if district is not None:
        rows = rows.filter(district=district)
    elif region is not None:
        rows = rows.filter(region=region)
    # The mahallas' shapes (full and generalised) are read only by the maps, through values().
    return rows.select_related("mahalla", "district").defer(
        "mahalla__boundary",
        "mahalla__boundary_simplified",
        "district__boundary",
        "hotspot_detail",
        "spike_detail",
    )


def mahalla_result_history(*, actor: Any, mahalla: Mahalla, days: int = 120) -> list[MahallaDayResult]:
    """The mahalla's class on its last `days` analysed dates, oldest first (date and class only); the
    caller obtained `mahalla` through the access funnel."""
    rows = (
        MahallaDayResult.objects.filter(_scope_q(actor), mahalla=mahalla)
        .only("id", "date", "crime_class")
        .order_by("-date")[:days]
    )
    return list(reversed(list(rows)))


def mahalla_result_latest(*, actor: Any, mahalla: Mahalla) -> MahallaDayResult | None:
    return MahallaDayResult.objects.filter(_scope_q(actor), mahalla=mahalla).order_by("-date").first()


def mahalla_cause_counts(
    *, actor: Any, mahalla: Mahalla, first: dt.date, last: dt.date
) -> list[dict[str, Any]]:
    """Causes recorded for the mahalla's offences in [first, last] (counts name no person)."""
    start, end = local_day_bounds(first, last)
    rows = (
        OffenceCause.objects.filter(
            offence_aggregate_filter_for(actor, prefix="offence__"),
            offence__mahalla=mahalla,
            offence__occurred_at__gte=start,
            offence__occurred_at__lt=end,
        )
        .values("cause__code", "cause__name_en", "cause__name_uz", "cause__name_ru")
        .annotate(count=Count("id"))
        .order_by("-count", "cause__code")
    )
    return list(rows)


def red_list(
    *,
    actor: Any,
    date: dt.date,
    region: Region | None = None,
    district: District | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Red mahallas of the territory, highest rate ratio first (at most `limit`), with the people
    responsible once assigned (the assignee of the latest turned-red alert of the mahalla)."""
    rows = (
        mahalla_result_list(actor=actor, date=date, region=region, district=district)
        .filter(crime_class="red")
        .order_by("-explanation__rate_ratio", "mahalla__code")
    )
    results = list(rows[:limit] if limit else rows)
    responsible: dict[int, Any] = {}
    alerts = (
        Alert.objects.filter(
            _scope_q(actor),
            kind="turned_red",
            mahalla__in=[r.mahalla_id for r in results],
            assigned_to__isnull=False,
        )
        .select_related("assigned_to")
        .order_by("date")
    )
    for alert in alerts:
        responsible[alert.mahalla_id] = alert.assigned_to
    return [{"result": r, "responsible": responsible.get(r.mahalla_id)} for r in results]


def alert_assignment_marker(
    *, actor: Any, region: Region | None = None, district: District | None = None
) -> str:
    """Changes whenever an alert of the territory is assigned (for caches of pages that name the people
    responsible)."""
    rows = Alert.objects.filter(_scope_q(actor), assigned_to__isnull=False)
    if district is not None:
        rows = rows.filter(district=district)
    elif region is not None:
        rows = rows.filter(region=region)
    marker = rows.aggregate(count=Count("id"), last=Max("assigned_at"))
    return f"{marker['count']}-{marker['last'].timestamp() if marker['last'] else 0}"


def alert_list(
    *,
    actor: Any,
    status: str | None = None,
    date: dt.date | None = None,
    region: Region | None = None,
    district: District | None = None,
    mahalla: Mahalla | None = None,
) -> QuerySet[Alert]:
    rows = Alert.objects.filter(_scope_q(actor))
    if status:
        rows = rows.filter(status=status)
    if date:
        rows = rows.filter(date=date)
    if mahalla is not None:
        rows = rows.filter(mahalla=mahalla)
    elif district is not None:
        rows = rows.filter(district=district)
    elif region is not None:
        rows = rows.filter(region=region)
    return (
        rows.select_related("mahalla", "district", "assigned_to", "acknowledged_by")
        .defer("mahalla__boundary", "mahalla__boundary_simplified", "district__boundary")
        .order_by("-date", "-severity", "id")
    )


def cluster_list(*, actor: Any, date: dt.date) -> QuerySet[ClusterResult]:
    return (
        ClusterResult.objects.filter(_scope(actor).q(mahalla="centre"), date=date)
        .select_related("centre")
        .defer("centre__boundary")
    )


def territory_search_querysets(*, actor: Any, text: str) -> dict[str, QuerySet[Any]]:
    """Every region, district and mahalla in scope matching `text` (as territory_search), unevaluated and
    ordered, for a paged list of all the matches."""
    text = text.strip()
    if len(text) < 2:
        match = Q(pk__in=[])
    else:
        match = (
            Q(code__startswith=text)
            | Q(name_uz__icontains=text)
            | Q(name_uz_cyrl__icontains=text)
            | Q(name_ru__icontains=text)
        )
    return {
        "regions": region_list(actor=actor).filter(match).defer("boundary").order_by("code"),
        "districts": district_list(actor=actor)
        .filter(match)
        .defer("boundary", "region__boundary")
        .order_by("code"),
        "mahallas": mahalla_list(actor=actor)
        .filter(match)
        .defer("boundary", "district__boundary", "region__boundary")
        .order_by("name_uz", "code"),
    }


def territory_search(*, actor: Any, text: str, limit: int = 30) -> dict[str, list[Any]]:
    """Regions, districts and mahallas in scope whose code starts with, or a name contains, `text`."""
    text = text.strip()
    if len(text) < 2:
        return {"regions": [], "districts": [], "mahallas": []}
    match = (
        Q(code__startswith=text)
        | Q(name_uz__icontains=text)
        | Q(name_uz_cyrl__icontains=text)
        | Q(name_ru__icontains=text)
    )
    return {
        "regions": list(region_list(actor=actor).filter(match).defer("boundary")[:limit]),
        "districts": list(
            district_list(actor=actor).filter(match).defer("boundary", "region__boundary")[:limit]
        ),
        "mahallas": list(
            mahalla_list(actor=actor)
            .filter(match)
            .defer("boundary", "district__boundary", "region__boundary")[:limit]
        ),
    }


def forecast_choice_get(*, actor: Any, date: dt.date) -> dict[str, Any] | None:
    """The method of the date's next-week forecast and its backtest scores (None if the actor sees nothing
    or the date has no finished run). Nation-wide scores, no counts of offences: nothing to suppress."""
    if _scope(actor).sees_nothing:
        return None
    from .forecasting import forecast_choice_for_display  # pandas and the engine: loaded on first use

    return forecast_choice_for_display(_stored_forecast(date), date)


def _stored_forecast(date: dt.date) -> dict[str, Any] | None:
    """The forecast record of the date's latest finished daily run."""
    return (
        DailyRun.objects.filter(status=DailyRun.Status.DONE, date=date)
        .order_by("-started_at")
        .values_list("forecast", flat=True)
        .first()
    )


def forecast_grid_choice_get(*, actor: Any, date: dt.date) -> dict[str, Any] | None:
    """The method of the date's per-grid-cell forecast and its backtest scores (None as for
    :func:`forecast_choice_get`). Nation-wide scores, no counts of offences: nothing to suppress."""
    if _scope(actor).sees_nothing:
        return None
    from .forecasting import forecast_grid_choice_for_display

    return forecast_grid_choice_for_display(_stored_forecast(date), date)


def forecast_choices_get(*, actor: Any, date: dt.date) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """:func:`forecast_choice_get` and :func:`forecast_grid_choice_get` of the same date from one read of
    the run's forecast record (a page that shows both asked for it twice)."""
    if _scope(actor).sees_nothing:
        return None, None
    from .forecasting import forecast_choice_for_display, forecast_grid_choice_for_display

    stored = _stored_forecast(date)
    return forecast_choice_for_display(stored, date), forecast_grid_choice_for_display(stored, date)


def forecast_cell_list(
    *, actor: Any, date: dt.date, region: Region | None = None, district: District | None = None
) -> QuerySet[ForecastCell]:
    """The flagged grid cells of the date's next-week forecast inside the actor's territory (a mahalla-level
    role sees the cells whose offences lie mostly in its mahallas), optionally of one region or district."""
    rows = ForecastCell.objects.filter(_scope_q(actor), date=date)
    if district is not None:
        rows = rows.filter(district=district)
    elif region is not None:
        rows = rows.filter(region=region)
    return (
        rows.select_related("mahalla")
        .only(
            "id", "date", "south", "west", "north", "east", "expected", "rank", "district_id", "mahalla__code"
        )
        .order_by("district_id", "rank")
    )

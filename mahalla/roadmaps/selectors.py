"""Reads of roadmaps, measures, alerts and effects, and the cause analysis (Pareto and recurrence), always
for an actor and limited to the actor's territory (fail-closed).

Cause and recurrence figures are counts: every role with a valid scope may read them
(incidents.access.offence_aggregate_filter_for). Where a repeat place is located is shown only to the
roles that read offence records, because a point can be somebody's home.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from mahalla.analytics.days import local_day_bounds
from mahalla.analytics.selectors import latest_date, mahalla_result_latest
from mahalla.audit.services import audit_record_reads
from mahalla.core.errors import ApplicationError
from mahalla.incidents.access import offence_aggregate_filter_for, offence_records_allowed
from mahalla.incidents.models import CauseCode, CodeKind, Offence, OffenceCause
from mahalla.territory.access import access_district_by_code, access_mahalla_by_code, access_region_by_code
from mahalla.territory.models import District, Mahalla, Region

from .access import roadmap_filter_for
from .catalogue import RULE_FLAGS, catalogue
from .models import EffectEstimate, Measure, MeasureAlert, Roadmap, TerritoryLevel
from .signals import mahalla_signals

OPEN_STATUSES = (Measure.Status.PLANNED, Measure.Status.IN_PROGRESS)
EARTH_RADIUS_M = 6_371_008.8


def territory_get(*, actor: Any, level: str, code: str) -> Region | District | Mahalla:
    """The territory through the territory access funnel (AccessDenied when outside the scope)."""
    if level == TerritoryLevel.REGION:
        return access_region_by_code(actor, code)
    if level == TerritoryLevel.DISTRICT:
        return access_district_by_code(actor, code)
    if level == TerritoryLevel.MAHALLA:
        return access_mahalla_by_code(actor, code)
    raise ApplicationError(f"level must be region, district or mahalla, got {level!r}", {"level": level})


def _territory_q(level: str, territory: Any, prefix: str = "") -> Q:
    return Q(**{f"{prefix}{level}": territory})


def roadmap_list(*, actor: Any, level: str | None = None, code: str | None = None) -> QuerySet[Roadmap]:
    rows = Roadmap.objects.filter(roadmap_filter_for(actor))
    if level and code:
        rows = rows.filter(_territory_q(level, territory_get(actor=actor, level=level, code=code)))
    return (
        rows.select_related("region", "district", "mahalla", "created_by")
        .defer("region__boundary", "district__boundary", "mahalla__boundary")
        .annotate(
            measures_total=Count("measures", distinct=True),
            measures_done=Count("measures", filter=Q(measures__status=Measure.Status.DONE), distinct=True),
        )
    )


def measure_list(*, actor: Any, roadmap: Roadmap) -> QuerySet[Measure]:
    """The roadmap's measures (the caller obtained `roadmap` through access_roadmap_by_id)."""
    return (
        Measure.objects.filter(roadmap_filter_for(actor, prefix="roadmap__"), roadmap=roadmap)
        .select_related("owner")
        .prefetch_related("target_mahallas", "evidence", "comments__author")
    )


def measure_alert_list(
    *, actor: Any, mine: bool = False, status: str | None = None
) -> QuerySet[MeasureAlert]:
    """Overdue alerts inside the actor's territory; `mine` keeps those addressed to the actor."""
    rows = MeasureAlert.objects.filter(roadmap_filter_for(actor))
    if mine:
        rows = rows.filter(recipients=actor)
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("measure__roadmap", "measure__owner").prefetch_related("recipients")


def effect_list(*, actor: Any, roadmap: Roadmap) -> QuerySet[EffectEstimate]:
    return EffectEstimate.objects.filter(roadmap_filter_for(actor), roadmap=roadmap).select_related("measure")


def roadmap_progress(*, actor: Any, level: str, code: str, today: dt.date | None = None) -> dict[str, Any]:
    """Share of measures done and measures overdue for the territory, overall and per territory one level
    down (districts of a region, mahallas of a district), counting the roadmaps of each unit and of the
    units inside it."""
    today = today or timezone.localdate()
    territory = territory_get(actor=actor, level=level, code=code)
    measures = Measure.objects.filter(
        roadmap_filter_for(actor, prefix="roadmap__"), _territory_q(level, territory, "roadmap__")
    )
    child = {"region": "district", "district": "mahalla"}.get(level)

    def summary(rows: QuerySet[Measure]) -> dict[str, Any]:
        figures = rows.aggregate(
            total=Count("id", filter=~Q(status=Measure.Status.CANCELLED)),
            done=Count("id", filter=Q(status=Measure.Status.DONE)),
            overdue=Count("id", filter=Q(status__in=OPEN_STATUSES, deadline__lt=today)),
        )
        figures["share_done"] = figures["done"] / figures["total"] if figures["total"] else None
        return figures

    units = []
    if child is not None:
        grouped = (
            measures.exclude(**{f"roadmap__{child}": None})
            .values(f"roadmap__{child}__code", f"roadmap__{child}__name_uz")
            .annotate(
                total=Count("id", filter=~Q(status=Measure.Status.CANCELLED)),
                done=Count("id", filter=Q(status=Measure.Status.DONE)),
                overdue=Count("id", filter=Q(status__in=OPEN_STATUSES, deadline__lt=today)),
            )
            .order_by(f"roadmap__{child}__code")
        )
        for row in grouped:
            units.append(
                {
                    "level": child,
                    "code": row[f"roadmap__{child}__code"],
                    "name": row[f"roadmap__{child}__name_uz"],
                    "total": row["total"],
                    "done": row["done"],
                    "overdue": row["overdue"],
                    "share_done": row["done"] / row["total"] if row["total"] else None,
                }
            )
    return {
        "territory": territory,
        "level": level,
        "today": today,
        "overall": summary(measures),
        "units": units,
    }


# ------------------------------------------------------------------------------------- explanation


def _window(actor: Any, last: dt.date | None) -> tuple[dt.date, dt.date]:
    last = last or latest_date(actor=actor) or timezone.localdate()
    return last - dt.timedelta(days=364), last


def mahalla_problem_factors(*, actor: Any, mahalla: Mahalla, last: dt.date | None = None) -> dict[str, Any]:
    """What the mahalla's crimes of the last twelve months consist of: the class of the latest daily run,
    and counts and shares of categories, offence flags and causes (counts only; no person)."""
    first, last = _window(actor, last)
    start, end = local_day_bounds(first, last)
    crimes = Offence.objects.filter(
        offence_aggregate_filter_for(actor),
        mahalla=mahalla,
        code_kind=CodeKind.CRIMINAL,
        occurred_at__gte=start,
        occurred_at__lt=end,
    )
    total = crimes.count()
    flags = crimes.aggregate(**{flag: Count("id", filter=Q(**{flag: True})) for flag in RULE_FLAGS})
    categories = dict(
        crimes.values_list("category__code").annotate(n=Count("id")).values_list("category__code", "n")
    )
    causes = dict(
        OffenceCause.objects.filter(offence__in=crimes)
        .values("cause__code")
        .annotate(n=Count("id"))
        .values_list("cause__code", "n")
    )
    result = mahalla_result_latest(actor=actor, mahalla=mahalla)
    return {
        "first": first,
        "last": last,
        "class": result.crime_class if result else "",
        "class_date": result.date if result else None,
        "total": total,
        "category": categories,
        "flag": flags,
        "cause": causes,
        # What apps above roadmaps report on the mahalla (dead-drop clusters), as the actor may see it.
        "signal": mahalla_signals(actor=actor, mahalla=mahalla),
    }


def mahalla_template_suggestion(
    *, actor: Any, mahalla: Mahalla, last: dt.date | None = None
) -> dict[str, Any]:
    """The templates that the mahalla's explanation points to, each with the factor behind it."""
    factors = mahalla_problem_factors(actor=actor, mahalla=mahalla, last=last)
    keys: list[str] = []
    reasons: list[dict[str, Any]] = []
    for rule in catalogue().rules:
        if rule.factor == "class":
            hit = factors["class"] == rule.subject
            count, share = None, None
        elif rule.factor == "signal":
            count, share = int(factors["signal"].get(rule.subject, 0)), None
            hit = count >= max(1, rule.min_count)
        else:
            count = int(factors[rule.factor].get(rule.subject, 0))
            share = count / factors["total"] if factors["total"] else 0.0
            hit = count >= rule.min_count and rule.min_share is not None and share >= rule.min_share
        if not hit:
            continue
        reasons.append(
            {
                "factor": rule.factor,
                "subject": rule.subject,
                "count": count,
                "share": None if share is None else round(share, 3),
                "min_share": rule.min_share,
                "template": rule.template_key,
            }
        )
        if rule.template_key not in keys:
            keys.append(rule.template_key)
    return {
        "factors": {k: v for k, v in factors.items() if k not in ("first", "last", "class_date")},
        "template_keys": keys,
        "reasons": reasons,
        "first": factors["first"],
        "last": factors["last"],
    }


# ------------------------------------------------------------------------------------------ causes


def _offences_in(actor: Any, level: str, code: str, first: dt.date, last: dt.date) -> QuerySet[Offence]:
    if first > last:
        raise ApplicationError(f"the period starts ({first}) after it ends ({last})", {"first": str(first)})
    territory = territory_get(actor=actor, level=level, code=code)
    start, end = local_day_bounds(first, last)
    return Offence.objects.filter(
        offence_aggregate_filter_for(actor),
        _territory_q(level, territory),
        code_kind=CodeKind.CRIMINAL,
        occurred_at__gte=start,
        occurred_at__lt=end,
    )


def pareto(counts: dict[str, int], cover: float = 0.8) -> list[dict[str, Any]]:
    """Rows in descending count (ties by code) with share and cumulative share; `vital` marks the fewest
    leading rows whose cumulative share reaches `cover` (Juran's "vital few")."""
    total = sum(counts.values())
    rows: list[dict[str, Any]] = []
    cumulative = 0
    reached = False
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        cumulative += count
        rows.append(
            {
                "code": code,
                "count": count,
                "share": count / total,
                "cumulative_share": cumulative / total,
                "vital": not reached,
            }
        )
        # Shares are compared in integers so that 8 of 10 counts as reaching 80 % exactly.
        reached = reached or cumulative * 1000 >= round(cover * 1000) * total
    return rows


def cause_pareto(
    *, actor: Any, level: str, code: str, first: dt.date, last: dt.date, cover: float = 0.8
) -> dict[str, Any]:
    """Causes of the territory's crimes in [first, last]: each row a cause with its count (an offence with
    several causes counts once for each), share and cumulative share, the vital few covering `cover` of
    all cause mentions, and the measures recommended for the cause (reference/cause_measures.csv)."""
    offences = _offences_in(actor, level, code, first, last)
    counts = dict(
        OffenceCause.objects.filter(offence__in=offences)
        .values("cause__code")
        .annotate(n=Count("id"))
        .values_list("cause__code", "n")
    )
    names = {c.code: c for c in CauseCode.objects.filter(code__in=list(counts))}
    recommendations = catalogue().cause_measures
    rows = pareto(counts, cover)
    for row in rows:
        cause = names.get(row["code"])
        row["name"] = _cause_name(cause) if cause else row["code"]
        row["recommended"] = [
            {"template": m.template_key, "measure": m.key, "title": m.title}
            for m in recommendations.get(row["code"], ())
        ]
    return {
        "offences": offences.count(),
        "offences_with_cause": offences.filter(causes__isnull=False).distinct().count(),
        "mentions": sum(counts.values()),
        "rows": rows,
        "vital_few": [row["code"] for row in rows if row["vital"]],
    }


def _cause_name(cause: CauseCode) -> str:
    language = (get_language() or "en")[:2]
    return {"uz": cause.name_uz, "ru": cause.name_ru}.get(language, cause.name_en)


def repeat_places(
    rows: list[tuple[int, int | None, str, float | None, float | None, dt.datetime]],
    *,
    radius_m: float,
    window_days: int,
) -> list[list[int]]:
    """Groups of offences at one place: two offences are linked when they lie within `radius_m` of each
    other (haversine distance) and within `window_days`, or, without coordinates, when they share the
    mahalla and place type within `window_days`; a place is a connected group of two or more.

    `rows` are (id, mahalla, place_type, latitude, longitude, occurred_at)."""
    n = len(rows)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        a, b = find(i), find(j)
        if a != b:
            parent[max(a, b)] = min(a, b)

    window = dt.timedelta(days=window_days)
    located = [i for i, row in enumerate(rows) if row[3] is not None and row[4] is not None]
    if located:
        # numpy and scipy load here, not when the app loads (every command and server worker would wait).
        import numpy as np
        from scipy.spatial import cKDTree

        lat = np.radians([rows[i][3] for i in located])
        lon = np.radians([rows[i][4] for i in located])
        # Unit-sphere chords: a pair within the chord of radius_m is within radius_m along the surface.
        points = np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
        chord = 2 * np.sin(radius_m / (2 * EARTH_RADIUS_M))
        for a, b in cKDTree(points).query_pairs(chord * (1 + 1e-12)):
            i, j = located[a], located[b]
            if abs(rows[i][5] - rows[j][5]) <= window:
                union(i, j)
    unlocated: dict[tuple[Any, str], list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        if row[3] is None or row[4] is None:
            unlocated[(row[1], row[2])].append(i)
    for members in unlocated.values():
        members.sort(key=lambda i: rows[i][5])
        for i, j in zip(members, members[1:], strict=False):
            if rows[j][5] - rows[i][5] <= window:
                union(i, j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[find(i)].append(rows[i][0])
    return sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), g[0]))


def recurrence(
    *,
    actor: Any,
    level: str,
    code: str,
    first: dt.date,
    last: dt.date,
    radius_m: float = 50.0,
    window_days: int = 90,
) -> dict[str, Any]:
    """Repeat places, repeat victims (the same victim_ref twice or more) and repeat offenders (the same
    offender_ref twice or more; and offences flagged as by a repeat offender) among the territory's crimes
    in [first, last]. Counts only; place locations for offence-record readers."""
    if radius_m <= 0 or window_days < 1:
        raise ApplicationError(
            "radius_m must be positive and window_days at least 1",
            {"radius_m": radius_m, "window_days": window_days},
        )
    offences = _offences_in(actor, level, code, first, last)
    rows = list(
        offences.values_list("id", "mahalla_id", "place_type", "latitude", "longitude", "occurred_at")
    )
    places = repeat_places(rows, radius_m=radius_m, window_days=window_days)
    by_id = {row[0]: row for row in rows}
    show_location = offence_records_allowed(actor)
    mahalla_rows = (
        Mahalla.objects.filter(pk__in={r[1] for r in rows})
        .select_related("district")
        .only("code", "name_uz", "name_ru", "name_uz_cyrl", "district__name_uz", "district__name_ru")
    )
    mahallas = {m.pk: m for m in mahalla_rows}
    mahalla_codes = {pk: m.code for pk, m in mahallas.items()}
    place_rows = []
    for group in places[:50]:
        members = [by_id[i] for i in group]
        lat = [m[3] for m in members if m[3] is not None]
        lon = [m[4] for m in members if m[4] is not None]
        place_mahalla_id = Counter(m[1] for m in members).most_common(1)[0][0]
        place_mahalla = mahallas.get(place_mahalla_id)
        place_rows.append(
            {
                "offences": len(group),
                "mahalla": mahalla_codes.get(place_mahalla_id, ""),
                # Names for the pages (the code stays for the API).
                "mahalla_name": place_mahalla.display_name() if place_mahalla else "",
                "district_name": place_mahalla.district.display_name() if place_mahalla else "",
                "place_type": Counter(m[2] for m in members).most_common(1)[0][0],
                "first": min(m[5] for m in members),
                "last": max(m[5] for m in members),
                "latitude": round(sum(lat) / len(lat), 5) if lat and show_location else None,
                "longitude": round(sum(lon) / len(lon), 5) if lon and show_location else None,
            }
        )
    located = [
        group for group, row in zip(places[:50], place_rows, strict=True) if row["latitude"] is not None
    ]
    if located:
        # Places where crimes repeat, homes among them, located to five decimals: a read of person-level
        # records, recorded like any other (one READ row per offence behind a located place).
        audit_record_reads(
            actor=actor,
            objects=Offence.objects.filter(pk__in=[i for group in located for i in group]),
            purpose="repeat places",
            details={"level": level, "code": code, "first": first.isoformat(), "last": last.isoformat()},
        )
    victims = Counter(v for v in offences.exclude(victim_ref="").values_list("victim_ref", flat=True))
    offenders = Counter(v for v in offences.exclude(offender_ref="").values_list("offender_ref", flat=True))
    repeat_victims = [n for n in victims.values() if n > 1]
    repeat_offenders = [n for n in offenders.values() if n > 1]
    return {
        "offences": len(rows),
        "radius_m": radius_m,
        "window_days": window_days,
        "repeat_places": len(places),
        "offences_at_repeat_places": sum(len(g) for g in places),
        "places": place_rows,
        "victims": len(victims),
        "repeat_victims": len(repeat_victims),
        "offences_against_repeat_victims": sum(repeat_victims),
        "offenders": len(offenders),
        "repeat_offenders": len(repeat_offenders),
        "offences_by_repeat_offenders": sum(repeat_offenders),
        "flagged_repeat_offender": offences.filter(repeat_offender=True).count(),
    }


def mahallas_with_current_roadmap(*, actor: Any, mahalla_ids: list[int], on: dt.date) -> set[int]:
    """Of the given mahallas, those covered on `on` by an active roadmap inside the actor's scope: their own,
    or their district's or region's (for the accountability views: the share of red mahallas with a plan)."""
    rows = Roadmap.objects.filter(
        roadmap_filter_for(actor), status=Roadmap.Status.ACTIVE, period_start__lte=on
    )
    covered: set[int] = set()
    mahallas = Mahalla.objects.filter(pk__in=mahalla_ids).values_list("pk", "district_id", "region_id")
    current = [
        r
        for r in rows.only("id", "level", "region", "district", "mahalla", "period_kind", "period_start")
        if r.period_end >= on
    ]
    own = {r.mahalla_id for r in current if r.level == TerritoryLevel.MAHALLA}
    districts = {r.district_id for r in current if r.level == TerritoryLevel.DISTRICT}
    regions = {r.region_id for r in current if r.level == TerritoryLevel.REGION}
    for pk, district_id, region_id in mahallas:
        if pk in own or district_id in districts or region_id in regions:
            covered.add(pk)
    return covered

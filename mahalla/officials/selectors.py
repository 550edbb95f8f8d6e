"""Reads of officials and assignments, always for an actor and limited to the actor's territory (fail-closed).

An assignment is visible when its territory (mahalla, or district for a district target) is inside the
actor's scope. An official is visible when their own territory is inside the scope, when they answer for
something visible, or when they belong to a national institution (public bodies that serve every region).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _

from mahalla.analytics.models import MahallaDayResult
from mahalla.audit.services import audit_record_reads
from mahalla.core.errors import AccessDenied
from mahalla.territory.access import territory_filter_for
from mahalla.territory.models import District, Mahalla

from . import hooks
from .inputs import year_dates
from .models import Assignment, Official, OfficialLevel


def _assignment_q(actor: Any) -> Q:
    return territory_filter_for(actor).q(region="region", district="district", mahalla="mahalla")


def assignment_list(
    *, actor: Any, year: int | None = None, status: str | None = None, official: Official | None = None
) -> QuerySet[Assignment]:
    rows = Assignment.objects.filter(_assignment_q(actor))
    if year is not None:
        rows = rows.filter(year=year)
    if status == "active":
        rows = rows.filter(status__in=Assignment.ACTIVE)
    elif status:
        rows = rows.filter(status=status)
    if official is not None:
        rows = rows.filter(official=official)
    return rows.select_related("official", "rule", "mahalla", "district", "region", "confirmed_by").defer(
        "mahalla__boundary", "district__boundary", "region__boundary"
    )


def access_assignment_by_id(actor: Any, assignment_id: object, *, for_update: bool = False) -> Assignment:
    """The assignment if the actor may see it; AccessDenied, as for a missing one, otherwise."""
    try:
        key = int(str(assignment_id))
    except ValueError:
        raise AccessDenied(_("Assignment not found"), {"id": str(assignment_id)}) from None
    rows = Assignment.objects.filter(_assignment_q(actor), pk=key)
    if for_update:
        rows = rows.select_for_update()
    assignment = rows.select_related("official", "rule").first()
    if assignment is None:
        raise AccessDenied(_("Assignment not found"), {"id": key})
    return assignment


def official_list(*, actor: Any, filters: dict[str, Any] | None = None) -> QuerySet[Official]:
    scope = territory_filter_for(actor)
    if scope.sees_nothing:
        return Official.objects.none()
    rows = Official.objects.all()
    if not scope.sees_everything:
        # Built from three explicit parts, never OR-ed with an empty Q (which would mean "everything").
        own = scope.q(region="region", district="district", mahalla="mahalla")
        answering = Q(pk__in=Assignment.objects.filter(_assignment_q(actor)).values("official_id"))
        rows = rows.filter(own | answering | Q(level=OfficialLevel.COUNTRY))
    filters = filters or {}
    if filters.get("position"):
        rows = rows.filter(position=filters["position"])
    if filters.get("level"):
        rows = rows.filter(level=filters["level"])
    if filters.get("active") in (True, False):
        rows = rows.filter(active=filters["active"])
    return rows.select_related("region", "district").defer("region__boundary", "district__boundary")


def access_official_by_id(actor: Any, official_id: object) -> Official:
    try:
        key = int(str(official_id))
    except ValueError:
        raise AccessDenied(_("Official not found"), {"id": str(official_id)}) from None
    official = official_list(actor=actor).filter(pk=key).first()
    if official is None:
        raise AccessDenied(_("Official not found"), {"id": key})
    return official


def officials_for_mahalla(*, actor: Any, mahalla: Mahalla, year: int | None = None) -> list[Assignment]:
    """Who answers for the mahalla (active assignments, the year's or all years'): for other apps, e.g.
    the roadmaps app naming the owner of a mahalla's measures."""
    return list(assignment_list(actor=actor, year=year, status="active").filter(mahalla=mahalla))


def official_accountability(*, actor: Any, official: Official, purpose: str = "") -> dict[str, Any]:
    """Per official: their assignments (all history within the actor's scope), the classes of their mahallas
    on the last analysed date of each year and on the latest date, and the panels other apps register.
    The read of the person is audited."""
    assignments = list(assignment_list(actor=actor, official=official).order_by("-year", "-created_at"))
    mahalla_ids = sorted({a.mahalla_id for a in assignments if a.mahalla_id})
    years = sorted({a.year for a in assignments})
    dates = year_dates(max(years)) if years else {}
    latest = (
        MahallaDayResult.objects.filter(mahalla_id__in=mahalla_ids)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    wanted = sorted(set(dates.values()) | ({latest} if latest else set()))
    classes: dict[int, dict[dt.date, str]] = {}
    for mahalla_id, day, crime_class in MahallaDayResult.objects.filter(
        mahalla_id__in=mahalla_ids, date__in=wanted
    ).values_list("mahalla_id", "date", "crime_class"):
        classes.setdefault(mahalla_id, {})[day] = crime_class
    rows = []
    seen: set[int] = set()
    for a in assignments:
        if a.mahalla_id and a.mahalla_id not in seen:
            seen.add(a.mahalla_id)
            rows.append(
                {
                    "mahalla": a.mahalla,
                    "classes": [classes.get(a.mahalla_id, {}).get(day, "") for day in wanted],
                }
            )
    panels = [panel for function in hooks.official_panels() if (panel := function(actor, official))]
    audit_record_reads(actor=actor, objects=[official], purpose=purpose or "accountability")
    return {
        "official": official,
        "assignments": assignments,
        "dates": wanted,
        "mahallas": rows,
        "active": sum(1 for a in assignments if a.is_active),
        "panels": panels,
    }


def district_accountability(*, actor: Any, year: int) -> dict[str, Any]:
    """Per district in the actor's scope: red mahallas on the year's last analysed date, how many of them
    have an active assignment of a mahalla rule, the share, and the columns other apps register."""
    scope = territory_filter_for(actor)
    dates = year_dates(year)
    day = dates.get(year)
    districts = list(
        District.objects.filter(territory_filter_for(actor).q(region="region", district="pk", mahalla=None))
        .select_related("region")
        .defer("boundary", "region__boundary")
        .order_by("region__code", "code")
    )
    if scope.sees_nothing or day is None:
        return {"date": day, "rows": [], "columns": []}
    red = MahallaDayResult.objects.filter(date=day, crime_class="red", district__in=districts)
    red_by_district: dict[int, set[int]] = {}
    for district_id, mahalla_id in red.values_list("district_id", "mahalla_id"):
        red_by_district.setdefault(district_id, set()).add(mahalla_id)
    covered = (
        set(
            Assignment.objects.filter(
                year=year,
                status__in=Assignment.ACTIVE,
                mahalla_id__in=sorted(set().union(*red_by_district.values())),
            ).values_list("mahalla_id", flat=True)
        )
        if red_by_district
        else set()
    )
    ids = [d.pk for d in districts]
    columns = [function(actor, ids, year) for function in hooks.district_columns()]
    rows = []
    for district in districts:
        reds = red_by_district.get(district.pk, set())
        with_official = len(reds & covered)
        rows.append(
            {
                "district": district,
                "red": len(reds),
                "red_with_official": with_official,
                "share": (with_official / len(reds)) if reds else None,
                "extra": [values.get(district.pk) for _title, values in columns],
            }
        )
    return {"date": day, "rows": rows, "columns": [title for title, _values in columns]}


def responsible_officials(*, actor: Any, mahalla_ids: list[int], year: int) -> dict[int, Assignment]:
    """The named official answering for each of `mahalla_ids` in `year` (inside the actor's territory): the
    confirmed assignment of the highest priority, else the proposed one. "Responsible" on every page means
    this official, never the person an alert happens to be assigned to."""
    rows = (
        assignment_list(actor=actor, year=year, status="active")
        .filter(mahalla_id__in=sorted(set(mahalla_ids)))
        .order_by("mahalla_id", "status", "-priority", "id")  # "confirmed" sorts before "proposed"
    )
    chosen: dict[int, Assignment] = {}
    for assignment in rows:
        if assignment.mahalla_id is not None:
            chosen.setdefault(assignment.mahalla_id, assignment)
    return chosen


def mahallas_with_official(*, actor: Any, mahalla_ids: list[int], year: int) -> set[int]:
    """Those of `mahalla_ids` (inside the actor's territory) that have a responsible official in `year`: the
    keys of :func:`responsible_officials`, read as ids alone (the start page counts, it names nobody; the
    assignments with their officials and places were a fifth of its time)."""
    rows = Assignment.objects.filter(
        _assignment_q(actor),
        year=year,
        status__in=Assignment.ACTIVE,
        mahalla_id__in=sorted(set(mahalla_ids)),
    )
    return set(rows.values_list("mahalla_id", flat=True).distinct())


def assignment_marker(*, actor: Any, region: Any = None, district: Any = None) -> str:
    """Changes whenever an assignment of the territory is proposed, confirmed, handed over or ended (for
    caches of pages that name the responsible officials)."""
    rows = Assignment.objects.filter(_assignment_q(actor))
    if district is not None:
        rows = rows.filter(district=district)
    elif region is not None:
        rows = rows.filter(region=region)
    marker = rows.aggregate(count=Count("id"), last=Max("updated_at"))
    return f"{marker['count']}-{marker['last'].timestamp() if marker['last'] else 0}"

"""What roadmaps add to the officials' accountability views (issue 6 item 5), through the hooks of
mahalla/officials/hooks.py; registered in RoadmapsConfig.ready, so the officials app never imports this one.

- On an official's page, the overdue measures they answer for: open measures past their deadline whose
  roadmap is for a mahalla the official has an active assignment for, or that name such a mahalla as a
  target, or that the official's own account owns.
- Per district, how many of the red mahallas have both a responsible official and a current roadmap (their
  own, or their district's or region's), with the share.

Both read through the actor's territory (roadmap_filter_for and the officials' selectors): fail-closed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mahalla.analytics.models import MahallaDayResult
from mahalla.officials.inputs import year_dates
from mahalla.officials.models import Official
from mahalla.officials.selectors import assignment_list

from .access import roadmap_filter_for
from .models import Measure
from .selectors import OPEN_STATUSES, mahallas_with_current_roadmap

# An official page lists this many overdue measures (the oldest deadlines first) and counts all of them.
OVERDUE_SHOWN = 20


def official_overdue_measures(actor: Any, official: Official) -> dict[str, Any]:
    """The panel "Overdue measures" of one official (hook official_panel_register)."""
    today = timezone.localdate()
    mahalla_ids = sorted(
        {
            a.mahalla_id
            for a in assignment_list(actor=actor, official=official, status="active")
            if a.mahalla_id is not None
        }
    )
    answers = Q(roadmap__mahalla_id__in=mahalla_ids) | Q(target_mahallas__in=mahalla_ids)
    if official.user_id is not None:
        answers |= Q(owner_id=official.user_id)
    overdue = (
        Measure.objects.filter(
            roadmap_filter_for(actor, prefix="roadmap__"),
            answers,
            status__in=OPEN_STATUSES,
            deadline__lt=today,
        )
        .distinct()
        .select_related("roadmap")
        .order_by("deadline", "id")
    )
    total = overdue.count()
    rows: list[dict[str, Any]] = [{"label": _("Overdue measures"), "value": total}]
    for measure in overdue[:OVERDUE_SHOWN]:
        rows.append(
            {
                "label": f"{measure.title} ({measure.roadmap.territory_code})",
                "value": _("deadline %(deadline)s, %(days)d days late")
                % {"deadline": measure.deadline.isoformat(), "days": (today - measure.deadline).days},
            }
        )
    return {"title": _("Overdue measures"), "rows": rows}


def district_red_with_official_and_roadmap(
    actor: Any, district_ids: Iterable[int], year: int
) -> tuple[str, dict[int, Any]]:
    """The district column "Red with an official and a current roadmap" (hook district_column_register):
    of the red mahallas on the year's last analysed date, those with an active assignment of the year and a
    roadmap current on that date, as "n (share %)"; districts without a red mahalla get None."""
    title = _("Red with an official and a current roadmap")
    ids = list(district_ids)
    day = year_dates(year).get(year)
    if day is None or not ids:
        return title, {}
    red: dict[int, set[int]] = {}
    for district_id, mahalla_id in MahallaDayResult.objects.filter(
        date=day, crime_class="red", district_id__in=ids
    ).values_list("district_id", "mahalla_id"):
        red.setdefault(district_id, set()).add(mahalla_id)
    all_red = sorted(set().union(*red.values())) if red else []
    with_official = set(
        assignment_list(actor=actor, year=year, status="active")
        .filter(mahalla_id__in=all_red)
        .values_list("mahalla_id", flat=True)
    )
    with_roadmap = mahallas_with_current_roadmap(actor=actor, mahalla_ids=all_red, on=day)
    values: dict[int, Any] = {}
    for district_id, mahallas in red.items():
        both = len(mahallas & with_official & with_roadmap)
        values[district_id] = f"{both} ({round(100 * both / len(mahallas))} %)"
    return title, values

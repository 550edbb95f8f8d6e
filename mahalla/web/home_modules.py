"""The start page's cards from the round-2 modules: what the casework worklist, the inter-agency inbox and
the prosecutor's oversight hold for the actor today. Each card is a count with the page that lists it; a
module the actor cannot use gives no card (each selector is fail-closed on its own)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from mahalla.cases.access import reads_persons
from mahalla.cases.selectors import worklist_for
from mahalla.coordination.access import staff_member_of
from mahalla.coordination.models import OversightFinding, Task
from mahalla.coordination.selectors import finding_list, task_list
from mahalla.core.roles import Role
from mahalla.territory.models import Mahalla

# More mahallas than this and the worklists are read on the casework pages, not summed on the start page.
WORKLIST_MAHALLAS_MAX = 5
OVERSIGHT_READERS = frozenset({Role.PROSECUTOR})


@dataclass(frozen=True)
class ModuleCard:
    key: str
    count: int
    label: str
    url: str


def _casework_cards(actor: Any, mahallas: list[Mahalla], today: dt.date) -> list[ModuleCard]:
    if not reads_persons(actor) or not mahallas or len(mahallas) > WORKLIST_MAHALLAS_MAX:
        return []
    totals = {"checkins": 0, "orders": 0, "conclusions": 0, "rounds": 0}
    for mahalla in mahallas:
        work = worklist_for(actor=actor, mahalla=mahalla, today=today)
        totals["checkins"] += sum(1 for c in work.checkins_due if c.due_on <= today)
        totals["orders"] += len(work.reports_without_order) + len(work.orders_expiring)
        totals["conclusions"] += len(work.conclusions_overdue)
        totals["rounds"] += len(work.rounds_today)
    url = reverse("cases-web:worklist", args=[mahallas[0].code])
    labels = {
        "checkins": _("supervision check-ins due or missed"),
        "orders": _("protection orders to issue or expiring this week"),
        "conclusions": _("conclusions overdue"),
        "rounds": _("household rounds planned for today"),
    }
    return [ModuleCard(f"casework-{key}", count, labels[key], url) for key, count in totals.items()]


def _inbox_cards(actor: Any, today: dt.date) -> list[ModuleCard]:
    if staff_member_of(actor) is None:
        return []
    incoming = task_list(actor=actor, box="incoming")
    url = reverse("coordination-web:inbox")
    return [
        ModuleCard(
            "tasks-waiting",
            incoming.filter(status=Task.Status.SENT).count(),
            _("inter-agency tasks waiting for acceptance"),
            url,
        ),
        ModuleCard(
            "tasks-late",
            task_list(actor=actor, box="incoming", overdue_on=today).count(),
            _("inter-agency tasks past their deadline"),
            url,
        ),
    ]


def _oversight_cards(actor: Any) -> list[ModuleCard]:
    if getattr(actor, "role", "") not in OVERSIGHT_READERS:
        return []
    return [
        ModuleCard(
            "oversight-open",
            finding_list(actor=actor, status=OversightFinding.Status.OPEN).count(),
            _("oversight findings without a response"),
            reverse("coordination-web:oversight"),
        )
    ]


def module_cards(*, actor: Any, mahallas: list[Mahalla], today: dt.date) -> list[ModuleCard]:
    return _casework_cards(actor, mahallas, today) + _inbox_cards(actor, today) + _oversight_cards(actor)

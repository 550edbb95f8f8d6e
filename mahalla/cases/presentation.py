"""The worklist as JSON (the offline copy the phone keeps) and small helpers for the pages."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from .selectors import Worklist


def _person(person: Any) -> dict[str, Any]:
    if person is None:
        return {}
    return {"id": person.pk, "name": person.name_latin, "card": reverse("cases-web:person", args=[person.pk])}


def household_round_payload(household_round: Any) -> dict[str, Any]:
    return {
        "id": household_round.pk,
        "address": household_round.address,
        "planned_on": household_round.planned_on.isoformat(),
        "purpose": household_round.purpose,
        "inspector": household_round.inspector.username,
        "status": household_round.status,
        "outcome": household_round.outcome,
        "version": household_round.version,
        "person": _person(household_round.person),
        "url": reverse("cases:round-record", args=[household_round.pk]),
    }


def worklist_payload(worklist: Worklist) -> dict[str, Any]:
    return {
        "mahalla": worklist.mahalla.code,
        "mahalla_name": worklist.mahalla.name_uz,
        "today": worklist.today.isoformat(),
        "week_end": worklist.week_end.isoformat(),
        "checkins": [
            {
                "id": c.pk,
                "due_on": c.due_on.isoformat(),
                "status": c.status,
                "note": c.note,
                "version": c.version,
                "person": _person(c.supervision.person),
                "url": reverse("cases:checkin-record", args=[c.pk]),
            }
            for c in worklist.checkins_due
        ],
        "reports_without_order": [
            {
                "id": r.pk,
                "reported_at": r.reported_at.isoformat(),
                "kind": r.kind,
                "person": _person(r.victim),
            }
            for r in worklist.reports_without_order
        ],
        "orders_late": [
            {"id": o.pk, "ends_on": o.ends_on.isoformat(), "person": _person(o.victim)}
            for o in worklist.orders_late
        ],
        "orders_expiring": [
            {"id": o.pk, "ends_on": o.ends_on.isoformat(), "person": _person(o.victim)}
            for o in worklist.orders_expiring
        ],
        "conclusions_overdue": [
            {
                "id": c.pk,
                "deadline": c.deadline.isoformat(),
                "measures": c.measures,
                "owner_position": c.owner_position,
                "note": c.execution_note,
                "version": c.version,
                "person": _person(c.person),
                "url": reverse("cases:conclusion-execute", args=[c.pk]),
            }
            for c in worklist.conclusions_overdue
        ],
        "conclusions_due": [
            {
                "id": c.pk,
                "deadline": c.deadline.isoformat(),
                "measures": c.measures,
                "owner_position": c.owner_position,
                "note": c.execution_note,
                "version": c.version,
                "person": _person(c.person),
                "url": reverse("cases:conclusion-execute", args=[c.pk]),
            }
            for c in worklist.conclusions_due
        ],
        "referrals_waiting": [
            {
                "id": r.pk,
                "service": r.service,
                "agency": r.agency,
                "deadline": r.deadline.isoformat(),
                "status": r.status,
                "version": r.version,
                "person": _person(r.person),
            }
            for r in worklist.referrals_waiting
        ],
        "rounds_today": [household_round_payload(r) for r in worklist.rounds_today],
        "rounds_week": [household_round_payload(r) for r in worklist.rounds_week],
        "alerts": [
            {"id": a.pk, "kind": a.kind, "raised_on": a.raised_on.isoformat(), "person": _person(a.person)}
            for a in worklist.alerts
        ],
    }

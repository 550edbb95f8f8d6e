"""The prosecutor's oversight: rules as data (OversightRule rows: on/off, thresholds, legal basis), each
row's key naming one check below. A check returns candidate findings; `oversight_run` stores the new ones,
keeps the answered ones as they are, and marks open findings whose cause has gone as resolved.

The checks of the casework registers (protection orders issued late, supervision check-ins not held,
conclusions overdue, register entries past their term) read mahalla.cases, which sits below coordination;
each is registered with `oversight_check_register` like the others. A rule whose check is not installed is
shown as "not available", never as clean. The evidence of a casework finding names records by id, never a
person's name: the chiefs who answer a finding see counts only in casework."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, DateTimeField, ExpressionWrapper, F, Max, Min, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from mahalla.audit.models import AuditAction, AuditEvent
from mahalla.audit.services import audit_record
from mahalla.cases.models import (
    CheckIn,
    Conclusion,
    ProtectionOrder,
    RegisterEntry,
    Supervision,
    ViolenceReport,
)
from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.roadmaps.models import Measure

from .access import FINDING_RESPONDERS, OVERSIGHT_RUNNERS, is_active_user
from .models import OversightFinding, OversightRule, Task


@dataclass(frozen=True)
class Candidate:
    object_type: str
    object_id: str
    summary: str
    evidence: dict[str, Any]
    region_id: int | None
    district_id: int | None = None
    mahalla_id: int | None = None


Check = Callable[[OversightRule, dt.date], Iterable[Candidate]]
_CHECKS: dict[str, Check] = {}


def oversight_check_register(key: str, check: Check) -> None:
    _CHECKS[key] = check


def oversight_check_available(key: str) -> bool:
    return key in _CHECKS


def _grace(rule: OversightRule) -> int:
    return int(rule.parameters.get("grace_days", 0))


def _task_past_deadline(rule: OversightRule, today: dt.date) -> Iterable[Candidate]:
    limit = today - dt.timedelta(days=_grace(rule))
    rows = Task.objects.filter(status__in=Task.OPEN_STATUSES, deadline__lt=limit).select_related(
        "to_agency", "from_agency"
    )
    for task in rows:
        yield Candidate(
            object_type="coordination.task",
            object_id=str(task.pk),
            summary=f"{task.number}: {task.title}"[:300],
            evidence={
                "deadline": task.deadline.isoformat(),
                "days_late": (today - task.deadline).days,
                "status": task.status,
                "from_agency": task.from_agency.name,
                "to_agency": task.to_agency.name,
            },
            region_id=task.region_id,
            district_id=task.district_id,
            mahalla_id=task.mahalla_id,
        )


def _measure_overdue(rule: OversightRule, today: dt.date) -> Iterable[Candidate]:
    limit = today - dt.timedelta(days=_grace(rule))
    rows = (
        Measure.objects.filter(
            status__in=[Measure.Status.PLANNED, Measure.Status.IN_PROGRESS], deadline__lt=limit
        )
        .select_related("roadmap", "owner")
        .only(
            "id",
            "title",
            "deadline",
            "status",
            "owner__username",
            "roadmap__title",
            "roadmap__region_id",
            "roadmap__district_id",
            "roadmap__mahalla_id",
        )
    )
    for measure in rows:
        roadmap = measure.roadmap
        yield Candidate(
            object_type="roadmaps.measure",
            object_id=str(measure.pk),
            summary=f"{roadmap.title}: {measure.title}"[:300],
            evidence={
                "deadline": measure.deadline.isoformat(),
                "days_late": (today - measure.deadline).days,
                "status": measure.status,
                "owner": measure.owner.username if measure.owner_id else "",
            },
            region_id=roadmap.region_id,
            district_id=roadmap.district_id,
            mahalla_id=roadmap.mahalla_id,
        )


def _person_reads(rule: OversightRule, today: dt.date) -> Any:
    since = today - dt.timedelta(days=int(rule.parameters.get("days", 30)))
    return AuditEvent.objects.filter(
        action=AuditAction.READ,
        object_type__in=list(rule.parameters.get("object_types", [])),
        at__date__gte=since,
        at__date__lte=today,
        actor__isnull=False,
    )


def _reader_territory(actor_id: int) -> dict[str, int | None]:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=actor_id).only("scope_region_id", "scope_district_id").first()
    if user is None:
        return {"region_id": None, "district_id": None}
    region_id = user.scope_region_id
    if region_id is None and user.scope_district_id is not None:
        region_id = user.scope_district.region_id
    return {"region_id": region_id, "district_id": user.scope_district_id}


def _person_read_without_purpose(rule: OversightRule, today: dt.date) -> Iterable[Candidate]:
    rows = (
        _person_reads(rule, today)
        .filter(purpose="")
        .annotate(day=TruncDate("at"))
        .values("actor_id", "actor_username", "day")
        .annotate(reads=Count("id"))
        .order_by("actor_username", "day")
    )
    for row in rows:
        yield Candidate(
            object_type="accounts.user-day",
            object_id=f"{row['actor_id']}:{row['day']}",
            summary=f"{row['actor_username']}: {row['reads']} reads without a purpose on {row['day']}",
            evidence={"username": row["actor_username"], "date": str(row["day"]), "reads": row["reads"]},
            **_reader_territory(row["actor_id"]),
        )


def _person_read_volume(rule: OversightRule, today: dt.date) -> Iterable[Candidate]:
    per_day = int(rule.parameters.get("per_day", 200))
    rows = (
        _person_reads(rule, today)
        .annotate(day=TruncDate("at"))
        .values("actor_id", "actor_username", "day")
        .annotate(reads=Count("id"))
        .filter(reads__gt=per_day)
        .order_by("actor_username", "day")
    )
    for row in rows:
        yield Candidate(
            object_type="accounts.user-day",
            object_id=f"{row['actor_id']}:{row['day']}",
            summary=f"{row['actor_username']}: {row['reads']} person reads on {row['day']} (limit {per_day})",
            evidence={
                "username": row["actor_username"],
                "date": str(row["day"]),
                "reads": row["reads"],
                "limit": per_day,
            },
            **_reader_territory(row["actor_id"]),
        )


oversight_check_register("task-past-deadline", _task_past_deadline)
oversight_check_register("measure-overdue", _measure_overdue)
oversight_check_register("person-read-without-purpose", _person_read_without_purpose)
oversight_check_register("person-read-volume", _person_read_volume)


# ------------------------------------------------------------------------------ casework registers (issue 12)

_TERRITORY = ("region_id", "district_id", "mahalla_id")


def _place(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    return {key: row[f"{prefix}{key}"] for key in _TERRITORY}


def _hours(delta: dt.timedelta) -> float:
    return round(delta.total_seconds() / 3600, 1)


def _protection_order_late(rule: OversightRule, today: dt.date) -> Iterable[Candidate]:
    """Orders issued more than `hours` (24) after the report, and reports with no order that long after."""
    limit = dt.timedelta(hours=float(rule.parameters.get("hours", 24)))
    late = (
        ProtectionOrder.objects.annotate(
            due=ExpressionWrapper(F("report__reported_at") + limit, output_field=DateTimeField())
        )
        .filter(issued_at__gt=F("due"))
        .values(
            "pk", "report_id", "report__reported_at", "report__kind", "issued_at", "victim_id", *_TERRITORY
        )
        .order_by("pk")
    )
    for row in late.iterator(chunk_size=2000):
        hours = _hours(row["issued_at"] - row["report__reported_at"])
        yield Candidate(
            object_type="cases.protection-order",
            object_id=str(row["pk"]),
            summary=f"Protection order {row['pk']} issued {hours} h after report {row['report_id']}",
            evidence={
                "report": row["report_id"],
                "kind": row["report__kind"],
                "reported_at": row["report__reported_at"].isoformat(),
                "issued_at": row["issued_at"].isoformat(),
                "hours": hours,
                "limit_hours": _hours(limit),
                "person": row["victim_id"],
            },
            **_place(row),
        )
    # As the casework monitoring counts: at the end of `today`, the report is older than the limit.
    end_of_day = timezone.make_aware(dt.datetime.combine(today, dt.time(23, 59, 59)))
    without = (
        ViolenceReport.objects.filter(order__isnull=True, reported_at__lt=end_of_day - limit)
        .values("pk", "kind", "reported_at", "victim_id", *_TERRITORY)
        .order_by("pk")
    )
    for row in without.iterator(chunk_size=2000):
        hours = _hours(end_of_day - row["reported_at"])
        yield Candidate(
            object_type="cases.violence-report",
            object_id=str(row["pk"]),
            summary=f"Report {row['pk']}: no protection order {hours} h after the report",
            evidence={
                "kind": row["kind"],
                "reported_at": row["reported_at"].isoformat(),
                "hours_without_order": hours,
                "limit_hours": _hours(limit),
                "person": row["victim_id"],
            },
            **_place(row),
        )


def _checkin_not_held(rule: OversightRule, today: dt.date) -> Iterable[Candidate]:
    """Supervisions with check-ins not held: marked missed by the monitoring, or still due `grace_days` after
    their day while the supervision runs (the monitoring has not yet looked)."""
    limit = today - dt.timedelta(days=_grace(rule))
    not_held = Q(status=CheckIn.Status.MISSED) | Q(
        status=CheckIn.Status.DUE, due_on__lt=limit, supervision__status=Supervision.Status.ACTIVE
    )
    rows = (
        CheckIn.objects.filter(not_held, due_on__lte=today)
        .values("supervision_id", *[f"supervision__{key}" for key in _TERRITORY])
        .annotate(count=Count("id"), first=Min("due_on"), last=Max("due_on"))
        .order_by("supervision_id")
    )
    for row in rows.iterator(chunk_size=2000):
        yield Candidate(
            object_type="cases.supervision",
            object_id=str(row["supervision_id"]),
            summary=(
                f"Supervision {row['supervision_id']}: {row['count']} check-ins not held "
                f"({row['first']} to {row['last']})"
            ),
            evidence={
                "checkins_not_held": row["count"],
                "first": row["first"].isoformat(),
                "last": row["last"].isoformat(),
            },
            **_place(row, "supervision__"),
        )


def _conclusion_overdue(rule: OversightRule, today: dt.date) -> Iterable[Candidate]:
    limit = today - dt.timedelta(days=_grace(rule))
    rows = (
        Conclusion.objects.filter(status=Conclusion.Status.OPEN, deadline__lt=limit)
        .values(
            "pk",
            "deadline",
            "issued_on",
            "owner_position",
            "subject",
            "offence__source_system",
            "offence__registration_number",
            *_TERRITORY,
        )
        .order_by("pk")
    )
    for row in rows.iterator(chunk_size=2000):
        offence = f"{row['offence__source_system']}:{row['offence__registration_number']}"
        days = (today - row["deadline"]).days
        yield Candidate(
            object_type="cases.conclusion",
            object_id=str(row["pk"]),
            summary=f"Conclusion {row['pk']} on offence {offence}: {days} days late"[:300],
            evidence={
                "offence": offence,
                "subject": row["subject"],
                "issued_on": row["issued_on"].isoformat(),
                "deadline": row["deadline"].isoformat(),
                "days_late": days,
                "owner_position": row["owner_position"],
            },
            **_place(row),
        )


def _register_entry_past_term(rule: OversightRule, today: dt.date) -> Iterable[Candidate]:
    """Entries still active after the term of their decision (the law's term for the category)."""
    limit = today - dt.timedelta(days=_grace(rule))
    rows = (
        RegisterEntry.objects.filter(status=RegisterEntry.Status.ACTIVE, term_ends_on__lt=limit)
        .values(
            "pk", "person_id", "category__code", "basis_document", "starts_on", "term_ends_on", *_TERRITORY
        )
        .order_by("pk")
    )
    for row in rows.iterator(chunk_size=2000):
        days = (today - row["term_ends_on"]).days
        yield Candidate(
            object_type="cases.register-entry",
            object_id=str(row["pk"]),
            summary=f"Register entry {row['pk']} ({row['category__code']}): {days} days past its term",
            evidence={
                "category": row["category__code"],
                "basis_document": row["basis_document"],
                "starts_on": row["starts_on"].isoformat(),
                "term_ends_on": row["term_ends_on"].isoformat(),
                "days_past_term": days,
                "person": row["person_id"],
            },
            **_place(row),
        )


oversight_check_register("protection-order-late", _protection_order_late)
oversight_check_register("checkin-not-held", _checkin_not_held)
oversight_check_register("conclusion-overdue", _conclusion_overdue)
oversight_check_register("register-entry-past-term", _register_entry_past_term)


@dataclass
class OversightOutcome:
    created: int = 0
    resolved: int = 0
    per_rule: dict[str, int] = field(default_factory=dict)
    unavailable: list[str] = field(default_factory=list)


def oversight_run(*, today: dt.date | None = None, actor: Any = None) -> OversightOutcome:
    """Apply every enabled rule to the whole country (the daily job) and store the findings."""
    if actor is not None and (not is_active_user(actor) or actor.role not in OVERSIGHT_RUNNERS):
        raise AccessDenied("Only prosecutors and administrators run the oversight checks.")
    today = today or timezone.localdate()
    outcome = OversightOutcome()
    for rule in OversightRule.objects.filter(enabled=True):
        check = _CHECKS.get(rule.key)
        if check is None:
            outcome.unavailable.append(rule.key)
            continue
        candidates = list(check(rule, today))
        outcome.per_rule[rule.key] = len(candidates)
        current = {(c.object_type, c.object_id) for c in candidates}
        existing = {(f.object_type, f.object_id): f for f in OversightFinding.objects.filter(rule=rule)}
        new = [
            OversightFinding(
                rule=rule,
                object_type=c.object_type,
                object_id=c.object_id,
                summary=c.summary,
                evidence=c.evidence,
                found_on=today,
                region_id=c.region_id,
                district_id=c.district_id,
                mahalla_id=c.mahalla_id,
            )
            for c in candidates
            if (c.object_type, c.object_id) not in existing
        ]
        gone = [
            f.pk
            for key, f in existing.items()
            if key not in current and f.status == OversightFinding.Status.OPEN
        ]
        with transaction.atomic():
            OversightFinding.objects.bulk_create(new, batch_size=1000)
            OversightFinding.objects.filter(pk__in=gone).update(status=OversightFinding.Status.RESOLVED)
        outcome.created += len(new)
        outcome.resolved += len(gone)
    if actor is not None:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="coordination.oversight-run",
            details={"created": outcome.created, "resolved": outcome.resolved, "date": today.isoformat()},
        )
    return outcome


def finding_respond(*, actor: Any, finding: OversightFinding, response: str) -> OversightFinding:
    """The body concerned answers a finding (the prosecutor reads the answer)."""
    if not is_active_user(actor) or actor.role not in FINDING_RESPONDERS:
        raise AccessDenied("Only the chiefs of the territory answer findings.", {"id": finding.pk})
    if not response.strip():
        raise ApplicationError("An answer needs text.", {"field": "response"})
    with transaction.atomic():
        finding.response = response.strip()
        finding.responded_by = actor
        finding.responded_at = timezone.now()
        finding.status = OversightFinding.Status.ANSWERED
        finding.save(update_fields=["response", "responded_by", "responded_at", "status"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="coordination.finding",
            object_id=finding.pk,
            object_repr=finding.summary,
            details={"event": "answered"},
        )
    return finding


def finding_close(*, actor: Any, finding: OversightFinding) -> OversightFinding:
    if not is_active_user(actor) or actor.role not in OVERSIGHT_RUNNERS:
        raise AccessDenied("Only the prosecutor closes a finding.", {"id": finding.pk})
    with transaction.atomic():
        finding.status = OversightFinding.Status.RESOLVED
        finding.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="coordination.finding",
            object_id=finding.pk,
            details={"event": "closed"},
        )
    return finding


__all__ = [
    "Candidate",
    "OversightOutcome",
    "finding_close",
    "finding_respond",
    "oversight_check_available",
    "oversight_check_register",
    "oversight_run",
]

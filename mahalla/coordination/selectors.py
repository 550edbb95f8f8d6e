"""Reads of coordination, always for an actor and filtered by the access rules (access.py), fail-closed.
Reading a task about a casework person is audited with its purpose."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from mahalla.audit.services import audit_record_reads

from .access import finding_filter_for, meeting_filter_for, staff_member_of, task_filter_for
from .models import Agency, CouncilMeeting, Notification, OversightFinding, Task, TaskSubject


def task_list(*, actor: Any, box: str = "all", status: str = "", overdue_on: Any = None) -> QuerySet[Task]:
    """Tasks the actor may see. `box`: "incoming" (to the actor's agency), "outgoing" (from it), "mine"
    (assigned to the actor), or "all"."""
    tasks = (
        Task.objects.filter(task_filter_for(actor))
        .select_related("task_type", "from_agency", "to_agency", "assignee", "mahalla", "district")
        .defer("mahalla__boundary", "district__boundary")
    )
    member = staff_member_of(actor)
    if box in ("incoming", "outgoing", "mine"):
        if member is None:
            return tasks.none()
        if box == "incoming":
            tasks = tasks.filter(to_agency=member.agency_id)
        elif box == "outgoing":
            tasks = tasks.filter(from_agency=member.agency_id)
        else:
            tasks = tasks.filter(assignee=member.pk)
    if status:
        tasks = tasks.filter(status=status)
    if overdue_on is not None:
        tasks = tasks.filter(status__in=Task.OPEN_STATUSES, deadline__lt=overdue_on)
    return tasks.order_by("deadline", "id")


def task_detail_read(*, actor: Any, task: Task, purpose: str = "") -> Task:
    """Record the read of a task about a person (need-to-know, audited)."""
    if task.subject == TaskSubject.PERSON:
        audit_record_reads(actor=actor, objects=[task], purpose=purpose or "inter-agency task")
    return task


def task_notifications(*, task: Task) -> QuerySet[Notification]:
    return task.notifications.select_related("recipient").order_by("-created_at", "-id")


def agencies_for_sending(*, actor: Any) -> QuerySet[Agency]:
    """The agencies of the actor's territory (the service checks again)."""
    from .services import _agency_in_scope

    member = staff_member_of(actor)
    candidates = Agency.objects.exclude(pk=member.agency_id) if member else Agency.objects.none()
    ids = [
        a.pk
        for a in candidates.only("id", "region_id", "district_id", "mahalla_id")
        if _agency_in_scope(actor, a)
    ]
    return Agency.objects.filter(pk__in=ids).order_by("name")


def meeting_list(*, actor: Any) -> QuerySet[CouncilMeeting]:
    return (
        CouncilMeeting.objects.filter(meeting_filter_for(actor))
        .select_related("region", "district", "chair")
        .defer("region__boundary", "district__boundary")
    )


def finding_list(*, actor: Any, status: str = "", rule: str = "") -> QuerySet[OversightFinding]:
    findings = (
        OversightFinding.objects.filter(finding_filter_for(actor))
        .select_related("rule", "district", "mahalla")
        .defer("district__boundary", "mahalla__boundary")
    )
    if status:
        findings = findings.filter(status=status)
    if rule:
        findings = findings.filter(rule__key=rule)
    return findings


def findings_read(*, actor: Any, findings: list[OversightFinding]) -> None:
    """Oversight reads everything in the territory; every finding shown is recorded as read."""
    audit_record_reads(actor=actor, objects=findings, purpose="prosecutor's oversight")

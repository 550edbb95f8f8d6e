"""Writes of inter-agency work: tasks and their history, notifications, reminders and escalation.
Keyword-only, atomic, validated (an error names the field), audited. Council, oversight and training have
their own modules (council.py, oversight.py, training.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mahalla.audit.models import AuditAction
from mahalla.audit.services import audit_record, audit_record_reads
from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.core.roles import ScopeLevel
from mahalla.territory.models import Mahalla

from .access import is_active_user, scope_of, staff_member_of, task_receiver, task_sender
from .messaging import GatewayError, email_send, sms_gateway
from .models import Agency, Channel, Notification, StaffMember, Task, TaskEvent, TaskSubject, TaskType

NOTIFICATION_MAX_ATTEMPTS = 5


def _agency_in_scope(actor: Any, agency: Agency) -> bool:
    scope = scope_of(actor)
    if scope.level == ScopeLevel.COUNTRY:
        return True
    if scope.level == ScopeLevel.REGION:
        return agency.region_id == scope.region_id
    if scope.level == ScopeLevel.DISTRICT:
        return agency.district_id == scope.district_id
    if scope.level == ScopeLevel.MAHALLAS:
        # A mahalla's inspector works with the agencies of the mahalla's district.
        if agency.mahalla_id is not None:
            return agency.mahalla_id in scope.mahalla_ids
        return Mahalla.objects.filter(pk__in=scope.mahalla_ids, district=agency.district_id).exists()
    return False


def _mahalla_in_scope(actor: Any, mahalla: Mahalla) -> bool:
    scope_q = scope_of(actor).q(region="region", district="district", mahalla="pk")
    return Mahalla.objects.filter(scope_q, pk=mahalla.pk).exists()


def _not_in_reach(subject: str, reference: str) -> ApplicationError:
    # Fail-closed: a subject outside the sender's reach is reported exactly like one that does not exist.
    labels = {
        TaskSubject.PERSON: _("No casework person %(reference)s in your reach."),
        TaskSubject.MEASURE: _("No roadmap measure %(reference)s in your reach."),
        TaskSubject.CAMPAIGN: _("No cyber campaign %(reference)s in your reach."),
        TaskSubject.NETWORK: _("No drug network %(reference)s in your reach."),
        TaskSubject.MAHALLA: _("No mahalla %(reference)s in your territory."),
    }
    return ApplicationError(labels[subject] % {"reference": reference[:40]}, {"field": "subject_reference"})


def _task_subject_resolve(
    *,
    actor: Any,
    subject: str,
    reference: str,
    mahalla: Mahalla | None,
    decision: Any,
    consent_given: bool,
    consent_override_reason: str,
) -> tuple[str, Mahalla | None, dict[str, Any]]:
    """Check that the task's subject exists and is in the sender's reach, through the funnel of the module
    that owns it; return the reference to store, the mahalla of the task and the audit details.

    A person follows the casework module's rules: only those who may read the person's record (need to
    know) send a task about it, and only with the person's recorded consent or a written reason to act
    without it, as for a casework referral; the read of the person is audited."""
    reference = (reference or "").strip()
    if subject == TaskSubject.DECISION:
        if decision is None:
            raise ApplicationError(
                _("A task about a council decision is recorded at the council's meeting."),
                {"field": "subject"},
            )
        return str(decision.pk), mahalla, {}
    if subject == TaskSubject.MAHALLA:
        if reference and mahalla is None:
            mahalla = Mahalla.objects.filter(code=reference).defer("boundary").first()
            if mahalla is None or not _mahalla_in_scope(actor, mahalla):
                raise _not_in_reach(subject, reference)
        elif reference and reference != mahalla.code:  # type: ignore[union-attr]
            raise ApplicationError(
                _("The subject %(reference)s is not the task's mahalla.") % {"reference": reference[:40]},
                {"field": "subject_reference"},
            )
        return (mahalla.code if mahalla is not None else ""), mahalla, {}
    if not reference:
        raise ApplicationError(
            _("Name the %(subject)s the task is about.") % {"subject": TaskSubject(subject).label},
            {"field": "subject_reference"},
        )
    if subject == TaskSubject.PERSON:
        return _person_subject(
            actor=actor,
            reference=reference,
            mahalla=mahalla,
            consent_given=consent_given,
            consent_override_reason=consent_override_reason,
        )
    try:
        if subject == TaskSubject.MEASURE:
            from mahalla.roadmaps.access import access_measure_by_id

            measure = access_measure_by_id(actor, reference)
            if mahalla is None and measure.roadmap.mahalla_id is not None:
                mahalla = Mahalla.objects.defer("boundary").get(pk=measure.roadmap.mahalla_id)
            return str(measure.pk), mahalla, {}
        if subject == TaskSubject.CAMPAIGN:
            from mahalla.cyber.access import access_campaign_by_id
            from mahalla.cyber.models import Campaign

            by_code = Campaign.objects.filter(code=reference).values_list("pk", flat=True).first()
            campaign = access_campaign_by_id(actor, by_code if by_code is not None else reference)
            return str(campaign.pk), mahalla, {}
        if subject == TaskSubject.NETWORK:
            from mahalla.links.access import access_entity_by_id

            entity = access_entity_by_id(actor, reference)
            return str(entity.pk), mahalla, {}
    except AccessDenied as error:
        raise _not_in_reach(subject, reference) from error
    raise ApplicationError(_("Unknown subject %(value)s.") % {"value": subject}, {"field": "subject"})


def _person_subject(
    *, actor: Any, reference: str, mahalla: Mahalla | None, consent_given: bool, consent_override_reason: str
) -> tuple[str, Mahalla | None, dict[str, Any]]:
    from mahalla.cases.access import access_person_by_id

    try:
        person = access_person_by_id(actor, reference)
    except AccessDenied as error:
        raise _not_in_reach(TaskSubject.PERSON, reference) from error
    if person.merged_into_id is not None:
        raise ApplicationError(
            _("This record was merged into person %(kept)s: send the task about the kept record.")
            % {"kept": person.merged_into_id},
            {"field": "subject_reference"},
        )
    if mahalla is not None and mahalla.pk != person.mahalla_id:
        raise ApplicationError(_("The person lives in another mahalla."), {"field": "mahalla"})
    reason = (consent_override_reason or "").strip()
    if not consent_given and not reason:
        raise ApplicationError(
            _("The person's consent is not recorded: record it, or give the reason to act without it."),
            {"field": "consent_given"},
        )
    audit_record_reads(
        actor=actor,
        objects=[person],
        purpose="inter-agency task" if consent_given else "inter-agency task without consent: " + reason,
    )
    return (
        str(person.pk),
        person.mahalla,
        {"person": person.pk, "consent": bool(consent_given), "override_reason": reason[:300]},
    )


def _task_number(today: dt.date) -> str:
    count = Task.objects.filter(created_at__date=today).count() + 1
    while True:
        number = f"T-{today:%Y%m%d}-{count:04d}"
        if not Task.objects.filter(number=number).exists():
            return number
        count += 1


def _audit_task(actor: Any, task: Task, what: str, **details: Any) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if what == "created" else AuditAction.UPDATE,
        object_type="coordination.task",
        object_id=task.pk,
        object_repr=str(task),
        details={"event": what, **details},
    )


def task_create(
    *,
    actor: Any,
    to_agency: Agency,
    task_type: TaskType,
    title: str,
    subject: str = TaskSubject.MAHALLA,
    mahalla: Mahalla | None = None,
    subject_reference: str = "",
    description: str = "",
    deadline: dt.date | None = None,
    assignee: StaffMember | None = None,
    decision: Any = None,
    today: dt.date | None = None,
    consent_given: bool = False,
    consent_override_reason: str = "",
) -> Task:
    """Send a task from the actor's agency to another agency of the actor's territory.

    The deadline defaults to the task type's service level; a deadline in the past, an agency outside the
    sender's territory, a mahalla outside it, a subject that does not exist or is out of the sender's reach
    (for a casework person: need to know, and consent or a reason) or an assignee of another agency are
    refused."""
    today = today or timezone.localdate()
    member = staff_member_of(actor)
    if member is None:
        raise AccessDenied(_("Only the staff of an agency can send tasks."), {"field": "from_agency"})
    if not title.strip():
        raise ApplicationError(_("A task needs a title."), {"field": "title"})
    if subject not in TaskSubject.values:
        raise ApplicationError(_("Unknown subject %(value)s.") % {"value": subject}, {"field": "subject"})
    if to_agency.pk == member.agency_id:
        raise ApplicationError(_("A task goes to another agency."), {"field": "to_agency"})
    if not _agency_in_scope(actor, to_agency):
        raise ApplicationError(
            _("%(agency)s is outside your territory.") % {"agency": to_agency.name}, {"field": "to_agency"}
        )
    if mahalla is not None and not _mahalla_in_scope(actor, mahalla):
        raise ApplicationError(_("The mahalla is outside your territory."), {"field": "mahalla"})
    if assignee is not None and assignee.agency_id != to_agency.pk:
        raise ApplicationError(_("The assignee works for another agency."), {"field": "assignee"})
    deadline = deadline or today + dt.timedelta(days=task_type.complete_days)
    if deadline < today:
        raise ApplicationError(
            _("The deadline %(value)s is in the past.") % {"value": deadline.isoformat()},
            {"field": "deadline"},
        )
    subject_reference, mahalla, subject_details = _task_subject_resolve(
        actor=actor,
        subject=subject,
        reference=subject_reference,
        mahalla=mahalla,
        decision=decision,
        consent_given=consent_given,
        consent_override_reason=consent_override_reason,
    )
    accept_by = min(today + dt.timedelta(days=task_type.accept_days), deadline)
    territory = mahalla or to_agency
    with transaction.atomic():
        task = Task.objects.create(
            number=_task_number(today),
            task_type=task_type,
            subject=subject,
            subject_reference=subject_reference[:80],
            from_agency=member.agency,
            to_agency=to_agency,
            assignee=assignee,
            title=title.strip()[:300],
            description=description,
            accept_by=accept_by,
            deadline=deadline,
            decision=decision,
            created_by=actor,
            region_id=getattr(territory, "region_id", None),
            district_id=getattr(territory, "district_id", None),
            mahalla_id=mahalla.pk if mahalla is not None else None,
        )
        TaskEvent.objects.create(task=task, kind=TaskEvent.Kind.CREATED, actor=actor, text=description[:2000])
        _audit_task(
            actor, task, "created", to_agency=to_agency.pk, deadline=deadline.isoformat(), **subject_details
        )
        recipients = [assignee] if assignee is not None else _agency_recipients(to_agency)
        notifications_enqueue(
            task=task,
            recipients=recipients,
            subject=_("New task %(number)s: %(title)s") % {"number": task.number, "title": task.title},
            body=_("From %(agency)s. Accept by %(accept)s, complete by %(deadline)s.")
            % {
                "agency": member.agency.name,
                "accept": accept_by.isoformat(),
                "deadline": deadline.isoformat(),
            },
        )
    return task


def _agency_recipients(agency: Agency) -> list[StaffMember]:
    heads = list(agency.staff.filter(active=True, is_head=True))
    return heads or list(agency.staff.filter(active=True)[:1])


def _event(task: Task, kind: str, actor: Any, text: str = "", evidence: Any = None) -> TaskEvent:
    event = TaskEvent(task=task, kind=kind, actor=actor, text=text)
    if evidence is not None:
        _check_evidence(evidence)
        event.evidence = evidence
    event.save()
    return event


def _check_evidence(upload: Any) -> None:
    limit = int(getattr(settings, "MAHALLA_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))
    if upload.size > limit:
        raise ApplicationError(
            _("The file is larger than %(limit)s MB.") % {"limit": limit // (1024 * 1024)},
            {"field": "evidence"},
        )


def _locked(task: Task) -> Task:
    return Task.objects.select_for_update().get(pk=task.pk)


def _require(condition: bool, message: str, field: str) -> None:
    if not condition:
        raise ApplicationError(message, {"field": field})


def task_accept(*, actor: Any, task: Task, assignee: StaffMember | None = None) -> Task:
    if not task_receiver(actor, task):
        raise AccessDenied(_("Only the receiving agency accepts a task."), {"id": task.pk})
    with transaction.atomic():
        task = _locked(task)
        _require(task.status == Task.Status.SENT, _("Only a sent task can be accepted."), "status")
        if assignee is not None:
            _require(
                assignee.agency_id == task.to_agency_id,
                _("The assignee works for another agency."),
                "assignee",
            )
            task.assignee = assignee
        elif task.assignee_id is None:
            task.assignee = staff_member_of(actor)
        task.status = Task.Status.ACCEPTED
        task.save(update_fields=["status", "assignee"])
        _event(task, TaskEvent.Kind.ACCEPTED, actor)
        _audit_task(actor, task, "accepted")
    return task


def task_refuse(*, actor: Any, task: Task, reason: str) -> Task:
    if not task_receiver(actor, task):
        raise AccessDenied(_("Only the receiving agency refuses a task."), {"id": task.pk})
    _require(bool(reason and reason.strip()), _("A refusal needs a reason."), "reason")
    with transaction.atomic():
        task = _locked(task)
        _require(task.status == Task.Status.SENT, _("Only a sent task can be refused."), "status")
        task.status = Task.Status.REFUSED
        task.closed_at = timezone.now()
        task.save(update_fields=["status", "closed_at"])
        _event(task, TaskEvent.Kind.REFUSED, actor, reason.strip())
        _audit_task(actor, task, "refused", reason=reason.strip()[:200])
        notifications_enqueue(
            task=task,
            recipients=_agency_recipients(task.from_agency),
            subject=_("Task %(number)s refused") % {"number": task.number},
            body=reason.strip(),
        )
    return task


def task_progress(*, actor: Any, task: Task, text: str, evidence: Any = None, done: bool = False) -> Task:
    if not task_receiver(actor, task):
        raise AccessDenied(_("Only the receiving agency reports progress."), {"id": task.pk})
    _require(bool(text and text.strip()), _("Say what was done."), "text")
    with transaction.atomic():
        task = _locked(task)
        _require(task.status == Task.Status.ACCEPTED, _("Accept the task first."), "status")
        _event(task, TaskEvent.Kind.DONE if done else TaskEvent.Kind.PROGRESS, actor, text.strip(), evidence)
        if done:
            task.status = Task.Status.DONE
            task.save(update_fields=["status"])
            notifications_enqueue(
                task=task,
                recipients=_agency_recipients(task.from_agency),
                subject=_("Task %(number)s done") % {"number": task.number},
                body=text.strip(),
            )
        _audit_task(actor, task, "done" if done else "progress")
    return task


def task_close(*, actor: Any, task: Task, accept_result: bool = True, text: str = "") -> Task:
    """The sender closes a done task, or returns it for more work with a reason."""
    if not task_sender(actor, task):
        raise AccessDenied(_("Only the sending agency closes a task."), {"id": task.pk})
    with transaction.atomic():
        task = _locked(task)
        _require(task.status == Task.Status.DONE, _("Only a done task can be closed or returned."), "status")
        if accept_result:
            task.status = Task.Status.CLOSED
            task.closed_at = timezone.now()
            _event(task, TaskEvent.Kind.CLOSED, actor, text)
        else:
            _require(bool(text.strip()), _("Say why the task is returned."), "text")
            task.status = Task.Status.ACCEPTED
            _event(task, TaskEvent.Kind.REOPENED, actor, text.strip())
        task.save(update_fields=["status", "closed_at"])
        _audit_task(actor, task, "closed" if accept_result else "returned")
    return task


def tasks_remind_and_escalate(*, today: dt.date | None = None) -> dict[str, int]:
    """The daily job: a reminder for tasks not accepted by their acceptance date, and an escalation to the
    heads of both agencies for tasks past their deadline; each at most once per task (idempotent)."""
    today = today or timezone.localdate()
    reminded = escalated = 0
    late_acceptance = Task.objects.filter(
        status=Task.Status.SENT, accept_by__lt=today, reminded_on__isnull=True
    )
    for task in late_acceptance.select_related("to_agency"):
        with transaction.atomic():
            Task.objects.filter(pk=task.pk).update(reminded_on=today)
            _event(
                task, TaskEvent.Kind.REMINDER, None, _("Not accepted by %(date)s") % {"date": task.accept_by}
            )
            notifications_enqueue(
                task=task,
                recipients=_agency_recipients(task.to_agency),
                subject=_("Reminder: task %(number)s waits for acceptance") % {"number": task.number},
                body=task.title,
            )
        reminded += 1
    overdue = Task.objects.filter(
        status__in=Task.OPEN_STATUSES, deadline__lt=today, escalated_on__isnull=True
    ).select_related("to_agency", "from_agency")
    for task in overdue:
        with transaction.atomic():
            Task.objects.filter(pk=task.pk).update(escalated_on=today)
            _event(
                task,
                TaskEvent.Kind.ESCALATED,
                None,
                _("Past the deadline %(date)s") % {"date": task.deadline},
            )
            heads = {
                m.pk: m for m in _agency_recipients(task.to_agency) + _agency_recipients(task.from_agency)
            }
            notifications_enqueue(
                task=task,
                recipients=list(heads.values()),
                subject=_("Escalation: task %(number)s is past its deadline") % {"number": task.number},
                body=task.title,
            )
        escalated += 1
    return {"reminded": reminded, "escalated": escalated}


# ------------------------------------------------------------------------------------------ notifications


def _address(member: StaffMember) -> tuple[str, str]:
    if member.channel == Channel.SMS:
        return Channel.SMS, member.phone
    if member.channel == Channel.EMAIL:
        return Channel.EMAIL, member.email
    email = member.email or (member.user.email if member.user_id and member.user else "")
    return (Channel.EMAIL, email) if email else (Channel.ACCOUNT, "")


def notifications_enqueue(
    *, task: Task, recipients: list[StaffMember], subject: str, body: str
) -> list[Notification]:
    """Record one notification per recipient and hand it to the queue after the transaction commits (so a
    rolled-back write never sends anything, and a committed one is never without its message)."""
    created = []
    for member in recipients:
        channel, address = _address(member)
        created.append(
            Notification.objects.create(
                task=task,
                recipient=member,
                channel=channel,
                address=address,
                subject=subject[:300],
                body=body,
            )
        )

    def enqueue() -> None:
        from .tasks import notification_send

        for notification in created:
            notification_send(notification.pk)

    transaction.on_commit(enqueue)
    return created


def notification_deliver(notification_id: int) -> Notification:
    """Try to send one notification. On a gateway error the attempt and the error are recorded and
    GatewayError is raised again (the queue retries); after the last attempt it is marked failed."""
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    if notification.status == Notification.Status.SENT:
        return notification
    notification.attempts += 1
    try:
        if notification.channel == Channel.SMS:
            sms_gateway().send(notification.address, f"{notification.subject}. {notification.body}"[:480])
        elif notification.channel == Channel.EMAIL:
            email_send(notification.address, notification.subject, notification.body)
        # Channel.ACCOUNT: the task is in the person's inbox; nothing to hand over.
    except GatewayError as error:
        notification.last_error = str(error)[:1000]
        if notification.attempts >= NOTIFICATION_MAX_ATTEMPTS:
            notification.status = Notification.Status.FAILED
        notification.save(update_fields=["attempts", "last_error", "status"])
        raise
    notification.status = Notification.Status.SENT
    notification.sent_at = timezone.now()
    notification.last_error = ""
    notification.save(update_fields=["attempts", "last_error", "status", "sent_at"])
    return notification


def notification_retry(*, actor: Any, notification: Notification) -> Notification:
    """Send a failed notification again (the sender sees the failure on the task's page)."""
    if not is_active_user(actor) or not task_sender(actor, notification.task):
        raise AccessDenied(_("Only the sending agency retries its messages."), {"id": notification.pk})
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk).update(status=Notification.Status.PENDING, attempts=0)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="coordination.notification",
            object_id=notification.pk,
            details={"event": "retry"},
        )

        def enqueue() -> None:
            from .tasks import notification_send

            notification_send(notification.pk)

        transaction.on_commit(enqueue)
    notification.refresh_from_db()
    return notification

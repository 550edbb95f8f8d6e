"""Inter-agency tasks: sent, accepted or refused, worked on, closed, reminded and escalated; every step in a
history that is never rewritten; messages through the queue, with a failure visible."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from mahalla.audit.models import AuditEvent
from mahalla.coordination import services
from mahalla.coordination.messaging import GatewayError
from mahalla.coordination.models import Channel, Notification, Task
from mahalla.coordination.selectors import task_list
from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.core.roles import Role, ScopeLevel

from .factories import contact

TODAY = dt.date(2026, 3, 2)


def _send(world, **kwargs):
    values = {
        "actor": world["officer"],
        "to_agency": world["inson"],
        "task_type": world["type"],
        "title": "Help the family with winter fuel",
        "mahalla": world["mahallas"]["A1a"],
        "today": TODAY,
    }
    values.update(kwargs)
    return services.task_create(**values)


def test_a_task_crosses_two_agencies_from_sending_to_closing_with_its_whole_history(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        task = _send(world)
    assert task.deadline == TODAY + dt.timedelta(days=14) and task.accept_by == TODAY + dt.timedelta(days=1)
    assert [m.subject for m in mail.outbox] == [f"New task {task.number}: Help the family with winter fuel"]
    with django_capture_on_commit_callbacks(execute=True):
        services.task_accept(actor=world["worker"], task=task)
        services.task_progress(actor=world["worker"], task=task, text="Fuel delivered", done=True)
        services.task_close(actor=world["officer"], task=task, text="Confirmed by the inspector")
    task.refresh_from_db()
    assert task.status == Task.Status.CLOSED
    assert list(task.events.values_list("kind", flat=True)) == ["created", "accepted", "done", "closed"]
    assert AuditEvent.objects.filter(object_type="coordination.task", object_id=str(task.pk)).count() == 4
    assert mail.outbox[-1].subject == f"Task {task.number} done"


def test_the_history_of_a_task_cannot_be_changed_or_deleted(world):
    task = _send(world)
    event = task.events.get()
    event.text = "rewritten"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_a_task_to_an_agency_outside_the_senders_district_is_refused_and_nothing_is_stored(world):
    with pytest.raises(ApplicationError) as error:
        _send(world, to_agency=world["other"])
    assert error.value.extra == {"field": "to_agency"}
    assert Task.objects.count() == 0 and Notification.objects.count() == 0


def test_a_deadline_in_the_past_is_refused_naming_the_field(world):
    with pytest.raises(ApplicationError) as error:
        _send(world, deadline=TODAY - dt.timedelta(days=1))
    assert error.value.extra == {"field": "deadline"}
    assert Task.objects.count() == 0


def test_a_mahalla_of_another_district_is_refused(world):
    with pytest.raises(ApplicationError) as error:
        _send(world, mahalla=world["mahallas"]["B2a"])
    assert error.value.extra == {"field": "mahalla"}


def test_a_refusal_needs_a_reason_and_leaves_the_task_as_it_was(world):
    task = _send(world)
    with pytest.raises(ApplicationError) as error:
        services.task_refuse(actor=world["worker"], task=task, reason="  ")
    assert error.value.extra == {"field": "reason"}
    task.refresh_from_db()
    assert task.status == Task.Status.SENT and task.events.count() == 1
    services.task_refuse(actor=world["worker"], task=task, reason="Not our competence: housing department")
    assert task.events.last().text == "Not our competence: housing department"


def test_only_the_receiving_agency_accepts_and_only_the_sender_closes(world):
    task = _send(world)
    with pytest.raises(AccessDenied):
        services.task_accept(actor=world["officer"], task=task)
    with pytest.raises(AccessDenied):
        services.task_accept(actor=world["stranger"], task=task)
    services.task_accept(actor=world["worker"], task=task)
    services.task_progress(actor=world["worker"], task=task, text="done", done=True)
    with pytest.raises(AccessDenied):
        services.task_close(actor=world["worker"], task=task)


def test_late_tasks_are_reminded_then_escalated_to_both_heads_once(world, django_capture_on_commit_callbacks):
    task = _send(world)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.tasks_remind_and_escalate(today=task.accept_by + dt.timedelta(days=1))
    assert first == {"reminded": 1, "escalated": 0}
    with django_capture_on_commit_callbacks(execute=True):
        late = services.tasks_remind_and_escalate(today=task.deadline + dt.timedelta(days=1))
        again = services.tasks_remind_and_escalate(today=task.deadline + dt.timedelta(days=2))
    assert late == {"reminded": 0, "escalated": 1} and again == {"reminded": 0, "escalated": 0}
    escalation = Notification.objects.filter(subject__startswith="Escalation")
    assert {n.recipient.user.username for n in escalation} == {"worker", "officer"}
    assert list(task.events.values_list("kind", flat=True)) == ["created", "reminder", "escalated"]


def test_an_sms_gateway_that_is_down_leaves_a_visible_pending_message_then_a_failed_one(
    world, settings, tmp_path
):
    settings.MAHALLA_SMS_GATEWAY = "mahalla.coordination.messaging.UnavailableSmsGateway"
    contact(world["inson"], channel=Channel.SMS, phone="+998901234567", head=True, full_name="Duty phone")
    task = _send(world)
    notification = Notification.objects.get(task=task, channel=Channel.SMS)
    for _attempt in range(services.NOTIFICATION_MAX_ATTEMPTS - 1):
        with pytest.raises(GatewayError):
            services.notification_deliver(notification.pk)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING
    assert notification.last_error == "SMS gateway unavailable"
    with pytest.raises(GatewayError):
        services.notification_deliver(notification.pk)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert notification.attempts == services.NOTIFICATION_MAX_ATTEMPTS
    settings.MAHALLA_SMS_GATEWAY = "mahalla.coordination.messaging.LoggingSmsGateway"
    settings.MAHALLA_SMS_LOG = tmp_path / "sms.log"
    services.notification_retry(actor=world["officer"], notification=notification)
    services.notification_deliver(notification.pk)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert "+998901234567" in (tmp_path / "sms.log").read_text(encoding="utf-8")


def test_each_agency_sees_its_own_tasks_and_the_chief_of_another_district_sees_none(world):
    from mahalla.accounts.tests.factories import UserFactory

    task = _send(world)
    chief_a1 = UserFactory(
        role=Role.DISTRICT_CHIEF, scope_level=ScopeLevel.DISTRICT, scope_district=world["a1"]
    )
    chief_b2 = UserFactory(
        role=Role.DISTRICT_CHIEF, scope_level=ScopeLevel.DISTRICT, scope_district=world["b2"]
    )
    assert list(task_list(actor=world["worker"], box="incoming")) == [task]
    assert list(task_list(actor=world["officer"], box="outgoing")) == [task]
    assert list(task_list(actor=world["worker"], box="outgoing")) == []
    assert list(task_list(actor=chief_a1)) == [task]
    assert list(task_list(actor=chief_b2)) == []
    assert list(task_list(actor=world["stranger"])) == []


def test_a_task_about_a_person_is_need_to_know_and_its_read_is_audited(world):
    from mahalla.accounts.tests.factories import UserFactory
    from mahalla.cases.tests.factories import person_make
    from mahalla.coordination.access import access_task_by_id
    from mahalla.coordination.selectors import task_detail_read

    person = person_make(world["mahallas"]["A1a"])
    task = _send(world, subject="person", subject_reference=str(person.pk), consent_given=True)
    chief = UserFactory(role=Role.DISTRICT_CHIEF, scope_level=ScopeLevel.DISTRICT, scope_district=world["a1"])
    prosecutor = UserFactory(
        role=Role.PROSECUTOR, scope_level=ScopeLevel.DISTRICT, scope_district=world["a1"]
    )
    assert list(task_list(actor=chief)) == []
    assert list(task_list(actor=prosecutor)) == [task]
    task_detail_read(actor=prosecutor, task=access_task_by_id(prosecutor, task.pk), purpose="oversight check")
    read = AuditEvent.objects.get(action="read", object_type="coordination.task")
    assert (read.actor_id, read.purpose) == (prosecutor.pk, "oversight check")

"""Scheduled and queued work of coordination (thin wrappers over the services)."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .messaging import GatewayError


# Retried with a growing pause by Huey; each attempt and its error are on the notification row, and the
# last failure marks it failed (services.notification_deliver), visible on the task's page.
@db_task(retries=4, retry_delay=60)
def notification_send(notification_id: int) -> None:
    from .services import notification_deliver

    try:
        notification_deliver(notification_id)
    except GatewayError:
        from .models import Notification

        if Notification.objects.filter(pk=notification_id, status=Notification.Status.FAILED).exists():
            return  # the last attempt: recorded as failed, nothing more to retry
        raise


# 01:45 UTC = 06:45 Tashkent, after the daily analysis: reminders, escalations and the oversight findings.
@db_periodic_task(crontab(hour="1", minute="45"))
def coordination_daily() -> dict[str, int]:
    from .oversight import oversight_run
    from .services import tasks_remind_and_escalate

    today = timezone.localdate()
    counts = tasks_remind_and_escalate(today=today)
    counts["findings"] = oversight_run(today=today).created
    return counts

"""Scheduled and queued work of casework (thin wrappers over the services).

- the daily monitoring at 01:30 UTC = 06:30 Tashkent, after the daily analysis;
- the retention job at 01:45 UTC;
- the outbound queue of referrals to "Inson" centres: retried with a growing delay, the last failure leaves
  the referral FAILED (visible on the order, an alert to the women's activist), never lost.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .services import MonitoringOutcome, inson_referral_send, monitoring_run, retention_anonymise

INSON_RETRIES = 5
INSON_RETRY_DELAY_SECONDS = 60


@db_periodic_task(crontab(hour="1", minute="30"))
def cases_daily_monitoring() -> MonitoringOutcome:
    return monitoring_run(day=timezone.localdate())


@db_periodic_task(crontab(hour="1", minute="45"))
def cases_daily_retention() -> int:
    return retention_anonymise(today=timezone.localdate())


@db_task(retries=INSON_RETRIES, retry_delay=INSON_RETRY_DELAY_SECONDS, context=True)
def inson_referral_send_task(referral_id: int, task: object = None) -> str:
    retries_left = getattr(task, "retries", 0) or 0
    referral = inson_referral_send(referral_id=referral_id, final_attempt=retries_left <= 0)
    return str(referral.status)


def yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)

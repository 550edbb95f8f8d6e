"""Scheduled work: every morning, alerts for measures past their deadline (a thin wrapper)."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import measures_overdue_alert


# 02:00 UTC is 07:00 in Tashkent (UTC+5, no daylight saving): after the daily analysis, before work starts.
@db_periodic_task(crontab(hour="2", minute="0"))
def measures_overdue() -> int:
    return len(measures_overdue_alert(today=timezone.localdate()))

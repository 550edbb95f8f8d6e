"""Scheduled work: every morning the day's co-travel over the last 30 days of detections and the dead-drop
clustering (a thin wrapper over services.links_daily_run)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import links_daily_run


# 01:30 UTC is 06:30 in Tashkent (UTC+5): after the daily crime analysis.
@db_periodic_task(crontab(hour="1", minute="30"))
def links_daily_monitoring() -> dict[str, int]:
    return links_daily_run(day=timezone.localdate() - dt.timedelta(days=1))

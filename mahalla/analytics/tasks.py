"""Scheduled work: every morning at 06:00 Tashkent time, analyse the day before (a thin wrapper)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .models import DailyRun
from .services import analysis_run


# Huey evaluates crontabs in UTC (its default `utc=True`); Tashkent is UTC+5 all year (no daylight saving),
# so 01:00 UTC is 06:00 in Tashkent, when the previous day's registrations are in.
@db_periodic_task(crontab(hour="1", minute="0"))
def daily_analysis() -> DailyRun:
    return analysis_run(date=timezone.localdate() - dt.timedelta(days=1))

"""Scheduled work of the cyber module (a thin wrapper): every morning the campaigns are re-linked from all
reports, so that campaigns joined piecewise during the day are merged or split as the whole data says."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import campaigns_rebuild


# 01:30 UTC is 06:30 in Tashkent (UTC+5, no daylight saving): after the daily analysis.
@db_periodic_task(crontab(hour="1", minute="30"))
def cyber_daily() -> int:
    return campaigns_rebuild().campaigns

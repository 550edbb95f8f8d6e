"""Scheduled work: every morning after the daily analysis, propose officials for mahallas that turned red and
end the assignments of mahallas that turned green (the hand-over; a thin wrapper)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .inputs import year_dates
from .services import ProposalOutcome, assignments_propose


# 02:00 UTC is 07:00 in Tashkent (UTC+5, no daylight saving): an hour after the daily analysis starts, which
# takes well under a minute for the nation (bench/bench_daily_run.py).
@db_periodic_task(crontab(hour="2", minute="0"))
def assignments_daily_handover() -> ProposalOutcome | None:
    """Propose for yesterday's year once yesterday is analysed; nothing when the analysis has not finished
    (the next morning catches up)."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    if year_dates(yesterday.year).get(yesterday.year) != yesterday:
        return None
    return assignments_propose(year=yesterday.year, actor=None)

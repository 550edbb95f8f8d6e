"""Scheduled and queued work of the cyber module (thin wrappers over the services).

- every public or officer report is processed (indicators, method, campaign join) by a queued task after its
  commit, retried with a delay; the last failure leaves the report marked failed, never lost;
- every morning the reports whose processing failed (or whose task was lost) are queued again, and the
  campaigns are re-linked from all reports, so that campaigns joined piecewise during the day are merged or
  split as the whole data says.
"""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .services import campaigns_rebuild, report_process, reports_processing_requeue

PROCESS_RETRIES = 3
PROCESS_RETRY_DELAY_SECONDS = 30


@db_task(retries=PROCESS_RETRIES, retry_delay=PROCESS_RETRY_DELAY_SECONDS, context=True)
def cyber_report_process_task(report_id: int, task: Any = None) -> str:
    retries_left = getattr(task, "retries", 0) or 0
    report = report_process(report_id=report_id, final_attempt=retries_left <= 0)
    return report.processing if report is not None else "missing"


# 01:30 UTC is 06:30 in Tashkent (UTC+5, no daylight saving): after the daily analysis.
@db_periodic_task(crontab(hour="1", minute="30"))
def cyber_daily() -> int:
    reports_processing_requeue()
    return campaigns_rebuild().campaigns

"""Daily verification of the audit log's hash chain (a thin wrapper over chain.audit_chain_check)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .chain import audit_chain_check


# 00:30 UTC (05:30 in Tashkent), before the daily analysis.
@db_periodic_task(crontab(hour="0", minute="30"))
def audit_chain_daily_verify() -> bool:
    return audit_chain_check().intact

"""`mahalla cases-monitor [--date D]`: the casework's daily monitoring for a date (the daily job runs it at
06:30 Tashkent for today)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone

from mahalla.core.management.base import MahallaCommand


class Command(MahallaCommand):
    help = (
        "Run the casework monitoring for a date: conclusions for new administrative offences, overdue "
        "conclusions, reports without an order after 24 hours, orders expiring, missed check-ins and "
        "escalations, referrals overdue."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="the day to monitor, YYYY-MM-DD (default: today in Tashkent)")

    def handle(self, *args: Any, **options: Any) -> None:
        # Imported here, not with the command: `mahalla --help` loads every command's module.
        from mahalla.cases.services import monitoring_run

        day = timezone.localdate()
        if options["date"]:
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError(f"--date: not a date (YYYY-MM-DD): {options['date']!r}") from error
        outcome = monitoring_run(day=day)
        self.stdout.write(
            f"{day}: {outcome.conclusions_generated} conclusions generated, "
            f"{outcome.checkins_missed} check-ins missed, {outcome.orders_expired} orders expired, "
            f"alerts {dict(outcome.alerts)}"
        )

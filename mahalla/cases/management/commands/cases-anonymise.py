"""`mahalla cases-anonymise [--date D] [--years N]`: anonymise persons whose register entries ended more
than N years ago (default: the setting CASES_RETENTION_YEARS); the daily job runs it every morning."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone

from mahalla.core.management.base import MahallaCommand


class Command(MahallaCommand):
    help = "Anonymise the persons whose register entries ended longer ago than the retention period."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="today's date, YYYY-MM-DD (default: today in Tashkent)")
        parser.add_argument("--years", type=int, help="retention in years (default: CASES_RETENTION_YEARS)")

    def handle(self, *args: Any, **options: Any) -> None:
        # Imported here, not with the command: `mahalla --help` loads every command's module.
        from mahalla.cases.services import retention_anonymise

        today = timezone.localdate()
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError(f"--date: not a date (YYYY-MM-DD): {options['date']!r}") from error
        if options["years"] is not None and options["years"] < 1:
            raise CommandError("--years: at least 1")
        count = retention_anonymise(today=today, years=options["years"])
        self.stdout.write(f"{count} persons anonymised")

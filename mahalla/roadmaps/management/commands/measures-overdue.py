"""`mahalla measures-overdue [--date D]`: raise the alerts of measures past their deadline (a thin wrapper).

Idempotent: one alert per overdue measure (and deadline); a second run on the same day adds nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mahalla.roadmaps.services import measures_overdue_alert


class Command(BaseCommand):
    help = "Raise one alert, to the owner and the chief, for each measure past its deadline and not done."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="the day to check (YYYY-MM-DD); default today in Tashkent")

    def handle(self, *args: Any, **options: Any) -> None:
        value = options["date"]
        try:
            today = dt.date.fromisoformat(str(value)) if value else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"{value!r} is not a date in the form YYYY-MM-DD") from error
        created = measures_overdue_alert(today=today)
        self.stdout.write(f"{today}: {len(created)} new overdue alert(s)")

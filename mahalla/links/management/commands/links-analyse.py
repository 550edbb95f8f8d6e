"""Run the daily monitoring of the drug-network workbench for a date (what the 01:30 UTC task runs)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError

from mahalla.core.management.base import MahallaCommand


class Command(MahallaCommand):
    help = "Co-travel over the 30 days ending on --date and the dead-drop clustering, stored for the pages."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", required=True, help="The last day analysed, YYYY-MM-DD")
        parser.add_argument("--days", type=int, default=30, help="Days of detections for co-travel")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = dt.date.fromisoformat(options["date"])
        except ValueError as error:
            raise CommandError(f"--date {options['date']!r} is not a date (YYYY-MM-DD)") from error
        from mahalla.links.services import links_daily_run  # the science loads when the command runs

        result = links_daily_run(day=day, days=options["days"])
        self.stdout.write(
            f"co-travel pairs {result['co_travel_pairs']}, drop clusters {result['drop_clusters']}"
        )

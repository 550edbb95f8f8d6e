"""`mahalla measures-overdue [--date D]`: raise the alerts of measures past their deadline (a thin wrapper).

Idempotent: one alert per overdue measure (and deadline); a second run on the same day adds nothing."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mahalla.core.management.base import MahallaCommand, date_argument, date_option


class Command(MahallaCommand):
    help = gettext_lazy(
        "Raise one alert, to the owner and the chief, for each measure past its deadline and not done."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--date",
            type=date_argument,
            help=gettext_lazy("the day to check (YYYY-MM-DD); default today in Tashkent"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Imported here, not with the command: `mahalla --help` loads every command's module.
        from mahalla.roadmaps.services import measures_overdue_alert

        today = date_option(options["date"], "--date") or timezone.localdate()
        created = measures_overdue_alert(today=today)
        self.stdout.write(
            _("%(date)s: %(count)s new overdue alert(s)") % {"date": today, "count": len(created)}
        )

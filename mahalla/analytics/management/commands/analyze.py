"""`mahalla analyze --date D` or `--from D1 --to D2`: the daily crime-situation run (a thin wrapper)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mahalla.core.management.base import MahallaCommand, date_argument, date_option


class Command(MahallaCommand):
    help = gettext_lazy(
        "Analyse one date (default: yesterday) or a range of dates, replacing their stored results."
    )
    # Django's system checks load the whole URL configuration (every page and API module): a second of a
    # daily run's start on a fresh install, for checks that `mahalla migrate` and `mahalla serve` run anyway.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--date",
            type=date_argument,
            help=gettext_lazy("the date to analyse (YYYY-MM-DD); default yesterday"),
        )
        parser.add_argument(
            "--from", dest="first", type=date_argument, help=gettext_lazy("first date of a backfill")
        )
        parser.add_argument(
            "--to", dest="last", type=date_argument, help=gettext_lazy("last date of a backfill (inclusive)")
        )
        parser.add_argument(
            "--permutations", type=int, help=gettext_lazy("space-time scan replicates (default 99)")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Imported here, not with the command: `mahalla --help` loads every command's module.
        from mahalla.analytics.services import analysis_run

        # call_command(..., date="2026-01-01") passes the string without argparse's conversion.
        for key, option in (("date", "--date"), ("first", "--from"), ("last", "--to")):
            options[key] = date_option(options[key], option)
        if options["date"] and (options["first"] or options["last"]):
            raise CommandError(_("give either --date or --from/--to, not both"))
        if bool(options["first"]) != bool(options["last"]):
            raise CommandError(_("a backfill needs both --from and --to"))
        if options["first"]:
            if options["first"] > options["last"]:
                raise CommandError(
                    _("--from %(first)s is after --to %(last)s")
                    % {"first": options["first"], "last": options["last"]}
                )
            days = (options["last"] - options["first"]).days + 1
            dates = [options["first"] + dt.timedelta(days=i) for i in range(days)]
        else:
            dates = [options["date"] or timezone.localdate() - dt.timedelta(days=1)]
        parameters = {}
        if options["permutations"] is not None:
            parameters["scan_permutations"] = options["permutations"]
        steps = self.progress(dates, total=len(dates), desc=_("analysis")) if len(dates) > 1 else dates
        for date in steps:
            run = analysis_run(date=date, parameters=parameters)
            self.stdout.write(
                _("%(date)s: %(mahallas)s mahallas, %(offences)s offences read, %(alerts)s alerts, %(s).1f s")
                % {
                    "date": date,
                    "mahallas": run.mahallas,
                    "offences": run.offences_read,
                    "alerts": run.alerts,
                    "s": run.duration_seconds,
                }
            )

"""`mahalla analyze --date D` or `--from D1 --to D2`: the daily crime-situation run (a thin wrapper)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mahalla.analytics.services import analysis_run
from mahalla.core.errors import ApplicationError


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{value!r} is not a date in the form YYYY-MM-DD") from error


class Command(BaseCommand):
    help = "Analyse one date (default: yesterday) or a range of dates, replacing their stored results."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", type=_date, help="the date to analyse (YYYY-MM-DD); default yesterday")
        parser.add_argument("--from", dest="first", type=_date, help="first date of a backfill")
        parser.add_argument("--to", dest="last", type=_date, help="last date of a backfill (inclusive)")
        parser.add_argument("--permutations", type=int, help="space-time scan replicates (default 99)")

    def handle(self, *args: Any, **options: Any) -> None:
        for key in ("date", "first", "last"):
            # call_command(..., date="2026-01-01") passes the string without argparse's conversion.
            if isinstance(options[key], str):
                options[key] = _date(options[key])
        if options["date"] and (options["first"] or options["last"]):
            raise CommandError("give either --date or --from/--to, not both")
        if bool(options["first"]) != bool(options["last"]):
            raise CommandError("a backfill needs both --from and --to")
        if options["first"]:
            if options["first"] > options["last"]:
                raise CommandError(f"--from {options['first']} is after --to {options['last']}")
            days = (options["last"] - options["first"]).days + 1
            dates = [options["first"] + dt.timedelta(days=i) for i in range(days)]
        else:
            dates = [options["date"] or timezone.localdate() - dt.timedelta(days=1)]
        parameters = {}
        if options["permutations"] is not None:
            parameters["scan_permutations"] = options["permutations"]
        for date in dates:
            try:
                run = analysis_run(date=date, parameters=parameters)
            except ApplicationError as error:
                raise CommandError(error.message) from error
            self.stdout.write(
                f"{date}: {run.mahallas} mahallas, {run.offences_read} offences read, {run.alerts} alerts, "
                f"{run.duration_seconds:.1f} s"
            )

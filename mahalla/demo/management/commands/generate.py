"""`mahalla generate --scale {tiny,region,nation} --seed N --as-of DATE --out DIR`: a thin wrapper over the
synthetic nation generator (mahalla.demo.generator)."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mahalla.demo.generator import SCALES, generate


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            _("--as-of %(value)r is not a date in the form YYYY-MM-DD") % {"value": value}
        ) from error


class Command(BaseCommand):
    help = gettext_lazy(
        "Write a synthetic nation (territories, offences, officials) in the import formats, with a separate "
        "ground-truth file. The same seed gives the same bytes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", choices=SCALES, default="tiny", help=gettext_lazy("how much to generate")
        )
        parser.add_argument("--seed", type=int, default=2026, help=gettext_lazy("seed of every random draw"))
        parser.add_argument(
            "--as-of", type=_date, required=True, help=gettext_lazy("end of the three years (YYYY-MM-DD)")
        )
        parser.add_argument("--out", required=True, help=gettext_lazy("directory to write into"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["seed"] < 0:
            raise CommandError(_("--seed must be >= 0, got %(value)s") % {"value": options["seed"]})
        started = time.perf_counter()
        try:
            result = generate(options["scale"], options["seed"], options["as_of"], options["out"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        counts = result.counts
        self.stdout.write(
            _(
                "%(scale)s nation in %(out)s: %(mahallas)s mahallas, %(population)s people, "
                "%(crimes)s crimes, %(admin)s administrative offences, %(officials)s officials "
                "(%(seconds).1f s)"
            )
            % {
                "scale": options["scale"],
                "out": result.out,
                "mahallas": counts["mahallas"],
                "population": counts["population"],
                "crimes": counts["crimes"],
                "admin": counts["administrative_offences"],
                "officials": counts["officials"],
                "seconds": time.perf_counter() - started,
            }
        )

"""`mahalla generate --scale {tiny,region,nation} --seed N --as-of DATE --out DIR`: a thin wrapper over the
synthetic nation generator (mahalla.demo.generator)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mahalla.core.management.base import MahallaCommand, date_argument, date_option

# The generator's scales, named here so that `--help` does not load the generator (shapely, numpy).
SCALES = ("tiny", "region", "nation")
GENERATION_STEPS = ("territory", "offences", "officials", "files")


class Command(MahallaCommand):
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
            "--as-of",
            type=date_argument,
            help=gettext_lazy("end of the three years (YYYY-MM-DD; default: today in Asia/Tashkent)"),
        )
        parser.add_argument("--out", required=True, help=gettext_lazy("directory to write into"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["seed"] < 0:
            raise CommandError(_("--seed must be >= 0, got %(value)s") % {"value": options["seed"]})
        from mahalla.demo.generator import generate

        as_of = date_option(options["as_of"], "--as-of") or timezone.localdate()
        started = time.perf_counter()
        bar = iter(self.progress(GENERATION_STEPS, total=len(GENERATION_STEPS), desc=_("generation")))
        try:
            result = generate(
                options["scale"],
                options["seed"],
                as_of,
                options["out"],
                progress=lambda step: next(bar, None),
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        next(bar, None)
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

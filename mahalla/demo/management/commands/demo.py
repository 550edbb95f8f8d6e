"""`mahalla demo` (what `make demo` runs): generate the nation (cached by seed under var/demo/<seed>/),
migrate, import it through the real importers (skipped when already imported), create one demo account per
role, run the daily analysis when the `analyze` command exists, print the URL and the logins, and serve."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mahalla.core.errors import ApplicationError
from mahalla.demo.generator import SCALES
from mahalla.demo.services import (
    analysis_done,
    cached_as_of,
    demo_users_create,
    links_demo_load,
    nation_generate_cached,
    nation_import,
)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            _("--as-of %(value)r is not a date in the form YYYY-MM-DD") % {"value": value}
        ) from error


class Command(BaseCommand):
    help = gettext_lazy("Build the synthetic nation, load it, create demo accounts and serve the platform.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=SCALES, default="nation")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--as-of",
            type=_date,
            help=gettext_lazy("end of the generated three years (default: today in Asia/Tashkent)"),
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-serve", action="store_true", help=gettext_lazy("stop after printing the logins")
        )
        parser.add_argument("--no-analyze", action="store_true", help=gettext_lazy("skip the daily analysis"))
        parser.add_argument(
            "--history-weeks",
            type=int,
            default=8,
            help=gettext_lazy("also analyse one day in each of this many weeks before the last day"),
        )

    def step(self, label: str, started: float) -> None:
        self.stdout.write(f"  {label}: {time.perf_counter() - started:.1f} s")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["seed"] < 0:
            raise CommandError(_("--seed must be >= 0, got %(value)s") % {"value": options["seed"]})
        scale = options["scale"]
        directory = settings.VAR_DIR / "demo" / str(options["seed"])
        if scale != "nation":
            directory = directory / scale
        # Without --as-of, keep the date the cached nation was built for, so that restarting the demo on
        # another day serves the same data instead of building and loading a second country.
        as_of = (
            options["as_of"]
            or cached_as_of(directory, scale=scale, seed=options["seed"])
            or timezone.localdate()
        )
        total = time.perf_counter()

        started = time.perf_counter()
        manifest, generated = nation_generate_cached(
            directory=directory, scale=scale, seed=options["seed"], as_of=as_of
        )
        self.step(_("generate") if generated else _("generate (cached)"), started)

        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        self.step(_("migrate"), started)

        started = time.perf_counter()
        try:
            imported = nation_import(directory=directory, manifest=manifest)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.step(_("import %(files)s") % {"files": ", ".join(imported) or _("nothing new")}, started)

        started = time.perf_counter()
        links_loaded = links_demo_load(
            directory=directory / "links", seed=options["seed"], scale=scale, as_of=as_of
        )
        self.step(_("drug networks") if links_loaded else _("drug networks (already loaded)"), started)

        started = time.perf_counter()
        logins = demo_users_create()
        self.step(_("demo accounts"), started)

        if not options["no_analyze"] and "analyze" in get_commands():
            started = time.perf_counter()
            # The last full day of the generated period, preceded by one day a week before it so that the
            # trend charts open with a history; each date once: a restart serves the stored results.
            analysis_date = as_of - dt.timedelta(days=1)
            weeks = options["history_weeks"]
            dates = [analysis_date - dt.timedelta(weeks=back) for back in range(weeks, -1, -1)]
            pending = [day for day in dates if not analysis_done(day)]
            for day in pending:
                call_command("analyze", date=day)
            if pending:
                self.step(_("daily analysis of %(count)d dates") % {"count": len(pending)}, started)
            else:
                self.step(_("daily analysis (already done)"), started)
        self.stdout.write(_("Ready in %(seconds).1f s.") % {"seconds": time.perf_counter() - total})

        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write("")
        self.stdout.write(_("Mahalla demo: %(url)s") % {"url": url})
        self.stdout.write(_("One account per role (passwords are new on every start and shown only now):"))
        width = max(len(login.username) for login in logins)
        for login in logins:
            self.stdout.write(
                f"  {login.username.ljust(width)}  {login.password}  {login.role} ({login.scope})"
            )
        self.stdout.write("")
        if not options["no_serve"]:
            call_command("serve", host=options["host"], port=options["port"], no_migrate=True)

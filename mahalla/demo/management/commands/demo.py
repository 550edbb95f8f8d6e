"""`mahalla demo` (what `make demo` runs): generate the nation (cached by seed under var/demo/<seed>/),
migrate, import it through the real importers (skipped when already imported), create one demo account per
role, run the daily analysis when the `analyze` command exists, tell the demo's story (mahalla/demo/story.py:
the demo accounts' work through the services), print the URL and the logins, and serve."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mahalla.core.errors import ApplicationError
from mahalla.core.management.base import MahallaCommand, date_argument, date_option
from mahalla.demo.management.commands.generate import SCALES


class Command(MahallaCommand):
    help = gettext_lazy("Build the synthetic nation, load it, create demo accounts and serve the platform.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=SCALES, default="nation")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--as-of",
            type=date_argument,
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
        # The generator and importers (numpy, shapely) load when the demo is built, not for --help.
        from mahalla.demo.services import (
            analysis_done,
            cached_as_of,
            demo_users_create,
            nation_generate_cached,
            nation_import,
        )

        options["as_of"] = date_option(options["as_of"], "--as-of")
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
        from mahalla.demo.services import links_demo_load

        links_loaded = links_demo_load(
            directory=directory / "links", seed=options["seed"], scale=scale, as_of=as_of
        )
        self.step(_("drug networks") if links_loaded else _("drug networks (already loaded)"), started)

        started = time.perf_counter()
        logins = demo_users_create()
        self.step(_("demo accounts"), started)

        started = time.perf_counter()
        from mahalla.demo.services import cases_demo_load

        if cases_demo_load(directory=directory, seed=options["seed"], as_of=as_of) is not None:
            self.step(_("casework registers"), started)

        started = time.perf_counter()
        from mahalla.demo.services import cyber_demo_load

        cyber_reports = cyber_demo_load(directory=directory, manifest=manifest)
        self.step(_("cyber reports: %(count)d") % {"count": cyber_reports}, started)

        if not options["no_analyze"] and "analyze" in get_commands():
            started = time.perf_counter()
            # The last full day of the generated period, preceded by one day a week before it so that the
            # trend charts open with a history; each date once: a restart serves the stored results.
            analysis_date = as_of - dt.timedelta(days=1)
            weeks = options["history_weeks"]
            dates = [analysis_date - dt.timedelta(weeks=back) for back in range(weeks, -1, -1)]
            pending = [day for day in dates if not analysis_done(day)]
            for day in self.progress(pending, total=len(pending), desc=_("daily analysis")):
                call_command("analyze", date=day)
            if pending:
                self.step(_("daily analysis of %(count)d dates") % {"count": len(pending)}, started)
            else:
                self.step(_("daily analysis (already done)"), started)

            # The demo's story: officials proposed and confirmed, roadmaps with measures done, late and
            # overdue, an effect measured, alerts acknowledged (mahalla/demo/story.py), through the services.
            from mahalla.demo.story import demo_story_tell

            started = time.perf_counter()
            try:
                story = demo_story_tell(analysis_date=analysis_date)
            except ApplicationError as error:
                raise CommandError(error.message) from error
            self.step(_("demo story") if story is not None else _("demo story (already told)"), started)
            if story is not None:
                self.stdout.write(
                    "    "
                    + _(
                        "%(proposed)d officials proposed, %(confirmed)d confirmed; %(roadmaps)d roadmaps; "
                        "%(alerts)d overdue-measure alerts; %(acknowledged)d alerts acknowledged"
                    )
                    % {
                        "proposed": story.proposed,
                        "confirmed": story.confirmed,
                        "roadmaps": len(story.roadmaps),
                        "alerts": story.overdue_alerts,
                        "acknowledged": story.alerts_acknowledged,
                    }
                )
                for skipped in story.skipped:
                    self.stdout.write("    " + _("not told: %(what)s") % {"what": skipped})

        started = time.perf_counter()
        from mahalla.demo.coordination import coordination_demo_build

        coordination_demo_build(seed=options["seed"], as_of=as_of - dt.timedelta(days=1))
        self.step(_("coordination: agencies, tasks, council, training"), started)
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

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
from django.utils.translation import gettext_lazy, ngettext

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
            # The cyber generator ends its reports at the as-of day's midnight in UTC: between midnight in
            # Tashkent and midnight in UTC, today's date in Tashkent would put its last reports in the
            # future (the importer refuses them), so the default is the earlier of the two dates.
            or min(timezone.localdate(), timezone.now().astimezone(dt.UTC).date())
        )
        total = time.perf_counter()

        started = time.perf_counter()
        manifest, generated = nation_generate_cached(
            directory=directory, scale=scale, seed=options["seed"], as_of=as_of
        )
        self.step(_("generate") if generated else _("generate (cached)"), started)

        # The round-2 files (drug networks, casework registers, cyber reports) need only the generated
        # nation: a second process writes them while this one migrates and imports, on the second core.
        pool, prepared = self._round_two_prepare(directory, manifest)
        try:
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

            prepared["links"].result()
            links_loaded = links_demo_load(directory=directory / "links", seed=options["seed"], as_of=as_of)
            self.step(_("drug networks") if links_loaded else _("drug networks (already loaded)"), started)

            started = time.perf_counter()
            logins = demo_users_create()
            self.step(_("demo accounts"), started)

            started = time.perf_counter()
            from mahalla.demo.services import cases_demo_load

            prepared["cases"].result()
            if cases_demo_load(directory=directory, seed=options["seed"], as_of=as_of) is not None:
                self.step(_("casework registers"), started)

            started = time.perf_counter()
            from mahalla.demo.services import cyber_demo_load

            prepared["cyber"].result()
            cyber_reports = cyber_demo_load(directory=directory, manifest=manifest)
            self.step(_("cyber reports: %(count)d") % {"count": cyber_reports}, started)
        finally:
            # Before `serve` forks its workers, and on an error: no process of the pool left running.
            pool.shutdown(cancel_futures=True)

        history: list[dt.date] = []
        if not options["no_analyze"] and "analyze" in get_commands():
            from mahalla.analytics.services import analysis_run

            started = time.perf_counter()
            # The last full day of the generated period: every page opens on it. One day a week before it,
            # for the trend charts' history, is analysed after the platform answers (below): each date's
            # results depend on the offences and the day before it only, so the order does not matter.
            # Except the last analysed day of an earlier year: the officials' proposals in the story read
            # the class of each year (mahalla/officials/inputs.py), so it is analysed now.
            analysis_date = as_of - dt.timedelta(days=1)
            weeks = options["history_weeks"]
            history = [analysis_date - dt.timedelta(weeks=back) for back in range(weeks, 0, -1)]
            year_ends = {day.year: day for day in history if day.year < analysis_date.year}
            now = [day for day in [*year_ends.values(), analysis_date] if not analysis_done(day)]
            history = [day for day in history if day not in year_ends.values()]
            for day in now:
                analysis_run(date=day)
            if now:
                self.step(
                    _("daily analysis of %(dates)s") % {"dates": ", ".join(d.isoformat() for d in now)},
                    started,
                )
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
        if history and options["no_serve"]:
            pending = [day for day in history if not analysis_done(day)]
            if pending:
                self._backfill_here(pending)
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
            self._serve_while_backfilling(options, history)

    def _round_two_prepare(self, directory: Any, manifest: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """(pool, futures of the round-2 files in the order the loads need them) from one forked process:
        it shares the loaded modules and is forked now, before this process opens the database. Where fork
        is missing, a thread (the generators then share one core with the imports)."""
        import multiprocessing
        from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

        from mahalla.demo.services import round_two_files_prepare

        pool: Executor
        if "fork" in multiprocessing.get_all_start_methods():
            pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
        else:
            pool = ThreadPoolExecutor(max_workers=1)
        futures = {
            part: pool.submit(round_two_files_prepare, directory=directory, manifest=manifest, part=part)
            for part in ("links", "cases", "cyber")
        }
        return pool, futures

    def _serve_while_backfilling(self, options: dict[str, Any], history: list[dt.date]) -> None:
        """Serve, while a forked process analyses the earlier weeks (the pages say that the history is still
        being computed until it is done). A process of its own rather than a task of the queue: the demo
        runs no queue worker, which would also try to send the notifications queued by the demo's story."""
        import multiprocessing

        from django.db import connections

        from mahalla.analytics.services import analysis_backfill_mark

        worker = None
        pending = analysis_backfill_mark(dates=history) if history else []
        if pending and "fork" in multiprocessing.get_all_start_methods():
            self.stdout.write(
                ngettext(
                    "The analysis of %(count)d earlier week runs in the background.",
                    "The analysis of %(count)d earlier weeks runs in the background.",
                    len(pending),
                )
                % {"count": len(pending)}
            )
            self.stdout.flush()
            # The child opens its own database connection; it must not share this process's.
            connections.close_all()
            worker = multiprocessing.get_context("fork").Process(
                target=_backfill, args=(pending, self.stdout), name="demo-backfill"
            )
            worker.start()
        elif pending:
            self._backfill_here(pending)
        try:
            call_command("serve", host=options["host"], port=options["port"], no_migrate=True)
        finally:
            if worker is not None and worker.is_alive():
                worker.terminate()
                worker.join(timeout=30)

    def _backfill_here(self, pending: list[dt.date]) -> None:
        from mahalla.analytics.services import analysis_backfill_run

        started = time.perf_counter()
        analysis_backfill_run(
            dates=pending,
            progress=lambda days: self.progress(days, total=len(days), desc=_("earlier weeks")),
        )
        self.step(
            ngettext(
                "analysis of %(count)d earlier week", "analysis of %(count)d earlier weeks", len(pending)
            )
            % {"count": len(pending)},
            started,
        )


def _backfill(pending: list[dt.date], stdout: Any) -> None:
    """The forked process of `mahalla demo` that analyses the earlier weeks while the platform serves."""
    from mahalla.analytics.services import analysis_backfill_run

    started = time.perf_counter()
    analysis_backfill_run(dates=pending)
    stdout.write(
        ngettext(
            "The earlier week is analysed (%(seconds).0f s).",
            "The %(count)d earlier weeks are analysed (%(seconds).0f s).",
            len(pending),
        )
        % {"count": len(pending), "seconds": time.perf_counter() - started}
    )
    stdout.flush()

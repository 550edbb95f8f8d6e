"""`mahalla assign-officials --year Y [--dry-run] [--json]`: propose responsible officials for the year (a
thin wrapper over officials.services.assignments_propose, acting as the system for the whole country)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mahalla.core.errors import ApplicationError
from mahalla.core.management.base import MahallaCommand


class Command(MahallaCommand):
    help = gettext_lazy(
        "Propose responsible officials for the year's red mahallas, long red streaks, worst districts and "
        "highest shares; end the assignments of mahallas that turned green."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help=gettext_lazy("the year"))
        parser.add_argument("--dry-run", action="store_true", help=gettext_lazy("print, store nothing"))
        parser.add_argument("--json", action="store_true", help=gettext_lazy("print the outcome as JSON"))

    def handle(self, *args: Any, **options: Any) -> None:
        from mahalla.officials.services import assignments_propose  # numpy and scipy: not for --help

        steps = ("inputs", "demands", "engine", "store")
        bar = iter(self.progress(steps, total=len(steps), desc=_("assignment")))
        next(bar, None)
        try:
            outcome = assignments_propose(
                year=options["year"],
                actor=None,
                dry_run=options["dry_run"],
                progress=lambda step: next(bar, None),
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        next(bar, None)
        if options["json"]:
            self.stdout.write(json.dumps(outcome.as_dict(), ensure_ascii=False, indent=1))
            return
        for row in outcome.proposed:
            self.stdout.write(
                f"+ {row['rule']:<22} {row['code']:<12} {row['official_name']}  ({row['reason']})"
            )
        for row in outcome.unassigned:
            self.stdout.write(f"? {row['rule']:<22} {row['code']:<12} {row['why_text']}")
        for row in outcome.ended:
            self.stdout.write(f"- {row['mahalla']:<12} {row['official']}  ({row['reason']})")
        summary = _(
            "%(year)s (classes of %(date)s): %(proposed)s proposed, %(unassigned)s without an official, "
            "%(kept)s already assigned, %(ended)s ended; %(seconds).2f s"
        ) % {
            "year": outcome.year,
            "date": outcome.date.isoformat(),
            "proposed": len(outcome.proposed),
            "unassigned": len(outcome.unassigned),
            "kept": outcome.kept,
            "ended": len(outcome.ended),
            "seconds": outcome.seconds.get("total", 0.0),
        }
        if outcome.dry_run:
            summary += " " + _("(dry run: nothing stored)")
        self.stdout.write(summary)

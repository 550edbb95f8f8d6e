"""`mahalla engine backtest ...`: the engine's command-line tools."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mahalla.core.management.base import MahallaCommand

TOOLS = ("backtest",)


class Command(MahallaCommand):
    help = gettext_lazy(
        "Engine tools: `mahalla engine backtest --csv FILE ...` (see `mahalla engine backtest --help`)."
    )

    def run_from_argv(self, argv: list[str]) -> None:
        # argv: [prog, "engine", tool, *tool arguments]; the tool parses its own options.
        usage = _("usage: ") + f"mahalla engine {{{','.join(TOOLS)}}} [{_('options')}]"
        if len(argv) >= 3 and argv[2] in ("-h", "--help"):
            self.stdout.write(f"{usage}\n\n{self.help}")
            raise SystemExit(0)
        if len(argv) < 3 or argv[2] not in TOOLS:
            self.stderr.write(usage)
            raise SystemExit(2)
        from mahalla.analytics.backtest_cli import main

        raise SystemExit(main(argv[3:]))

    def handle(self, *args: Any, **options: Any) -> None:
        raise CommandError(_("call as: mahalla engine backtest [options]"))

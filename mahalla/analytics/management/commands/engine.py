"""`mahalla engine backtest ...`: the engine's command-line tools."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

TOOLS = ("backtest",)


class Command(BaseCommand):
    help = "Engine tools: `mahalla engine backtest --csv FILE ...` (see `mahalla engine backtest --help`)."

    def run_from_argv(self, argv: list[str]) -> None:
        # argv: [prog, "engine", tool, *tool arguments]; the tool parses its own options.
        if len(argv) < 3 or argv[2] not in TOOLS:
            raise SystemExit(f"usage: mahalla engine {{{','.join(TOOLS)}}} [options]")
        from mahalla.analytics.backtest_cli import main

        raise SystemExit(main(argv[3:]))

    def handle(self, *args: Any, **options: Any) -> None:
        raise CommandError("call as: mahalla engine backtest [options]")

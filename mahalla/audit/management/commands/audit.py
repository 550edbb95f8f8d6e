"""`mahalla audit verify`: recompute the audit log's hash chain; exit status 1 when it is broken."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from mahalla.audit.chain import chain_verify
from mahalla.core.management.base import MahallaCommand


class Command(MahallaCommand):
    help = "Audit log tools: verify the hash chain (nothing changed, removed or reordered)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Recompute the hash chain of every audit event.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = chain_verify()
        self.stdout.write(
            f"checked {report.checked} events; head position {report.head_seq}, hash {report.head_hash}"
            + (f"; {report.unchained} older events written before the chain" if report.unchained else "")
        )
        if not report.intact:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(f"The audit chain is BROKEN: {len(report.problems)} problems.")
        self.stdout.write("The audit chain is intact.")

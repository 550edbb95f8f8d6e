"""`mahalla cases-import FILE`: load casework registers (persons, register entries, reports and orders,
supervisions, referrals) from a JSON file in the format the demo generator writes (cases.json)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from mahalla.core.errors import ApplicationError
from mahalla.core.management.base import MahallaCommand


class Command(MahallaCommand):
    help = "Import casework registers from a cases.json file; nothing is written if any row is invalid."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the cases.json file")

    def handle(self, *args: Any, **options: Any) -> None:
        # Imported here, not with the command: `mahalla --help` loads every command's module.
        from mahalla.cases.importing import cases_import

        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            counts = cases_import(path)
        except ApplicationError as error:
            raise CommandError(f"{error.message} {error.extra}") from error
        self.stdout.write(", ".join(f"{key} {value}" for key, value in counts.items()))

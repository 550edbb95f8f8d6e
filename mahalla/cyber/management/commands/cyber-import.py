from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from mahalla.core.errors import ApplicationError
from mahalla.core.management.base import MahallaCommand


class Command(MahallaCommand):
    help = (
        "Import cyber reports from a CSV, XLSX or JSONL file (all or nothing) as the named analyst account."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--as-user", required=True, help="username of a cyber officer, national analyst or administrator"
        )
        from mahalla.cyber.importing import SOURCES  # the importer (and shapely) load with this command only

        parser.add_argument("--source", default="import", choices=[str(s) for s in SOURCES])

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["as_user"]).first()
        if user is None:
            raise CommandError(f"no account {options['as_user']!r}")
        try:
            from mahalla.cyber.importing import reports_import

            outcome = reports_import(actor=user, source=options["file"], origin=options["source"])
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"{outcome.rows_created} reports imported from {outcome.file_name}")

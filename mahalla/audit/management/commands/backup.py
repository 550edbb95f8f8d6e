"""`mahalla backup DIRECTORY`: see mahalla/audit/backup.py and the README, "Backup and restore"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from mahalla.audit.backup import backup_create
from mahalla.core.errors import ApplicationError
from mahalla.core.management.base import MahallaCommand


class Command(MahallaCommand):
    help = "Back up the database, the evidence files and the local secret into a new directory."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_create(options["directory"])
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write("Backup written: " + str(options["directory"]))
        _ = result

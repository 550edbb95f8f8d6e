"""`mahalla restore DIRECTORY`: see mahalla/audit/backup.py and the README, "Backup and restore"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from mahalla.audit.backup import backup_restore
from mahalla.core.errors import ApplicationError
from mahalla.core.management.base import MahallaCommand


class Command(MahallaCommand):
    help = "Restore a backup directory over this installation and verify the audit chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_restore(options["directory"])
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write("Restored; the audit chain verifies: " + str(options["directory"]))
        _ = result

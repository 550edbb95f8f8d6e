"""`mahalla import-officials FILE`: officials.csv (docs/import-formats.md, "Officials"), all or nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mahalla.core.errors import ApplicationError
from mahalla.core.management.base import MahallaCommand


class Command(MahallaCommand):
    help = gettext_lazy("Import the officials file; a file with any invalid row changes nothing.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=gettext_lazy("the .csv, .xlsx or .jsonl file"))

    def handle(self, *args: Any, **options: Any) -> None:
        # Imported here, not with the command: `mahalla --help` loads every command's module.
        from mahalla.officials.importing import officials_import

        try:
            outcome = officials_import(actor=None, source=options["file"])
        except ApplicationError as error:
            raise CommandError(error.message) from error
        if options["verbosity"]:
            self.stdout.write(
                _("%(file)s: %(read)s rows, %(created)s new, %(updated)s updated, %(unchanged)s unchanged")
                % {
                    "file": outcome.file_name,
                    "read": outcome.rows_read,
                    "created": outcome.rows_created,
                    "updated": outcome.rows_updated,
                    "unchanged": outcome.rows_unchanged,
                }
            )

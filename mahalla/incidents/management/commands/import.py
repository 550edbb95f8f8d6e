"""`mahalla import territories FILE` and `mahalla import offences FILE`: a thin wrapper over the import
services (docs/import-formats.md)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mahalla.core.errors import ApplicationError
from mahalla.core.management.base import MahallaCommand


class Command(MahallaCommand):
    help = gettext_lazy(
        "Import territories (regions, districts, mahallas) or offences from a CSV, XLSX or JSON Lines file. "
        "A file with any invalid row changes nothing unless --skip-invalid is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # Plain positionals rather than sub-parsers, so that call_command("import", "offences", path,
        # skip_invalid=True) works as well as the command line.
        parser.add_argument(
            "kind", choices=["territories", "offences"], help=gettext_lazy("what the file holds")
        )
        parser.add_argument("file", help=gettext_lazy("the .csv, .xlsx or .jsonl file"))
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help=gettext_lazy(
                "import the valid rows and write the rejected ones, with reasons, to --rejects"
            ),
        )
        parser.add_argument(
            "--rejects",
            help=gettext_lazy(
                "where to write rejected rows (default: FILE.rejects.csv); with --skip-invalid"
            ),
        )
        parser.add_argument("--no-progress", action="store_true", help=gettext_lazy("no progress bar"))

    def handle(self, *args: Any, **options: Any) -> None:
        # Imported here, not with the command: `mahalla --help` loads every command's module.
        from mahalla.core.tabular import RejectsWriter

        # The importers (numpy, openpyxl) load when a file is imported, not for --help.
        from mahalla.incidents.importing import ImportRejected, offence_import, territory_file_import

        path = Path(options["file"])
        rejects = None
        if options["skip_invalid"]:
            rejects = RejectsWriter(options["rejects"] or f"{path}.rejects.csv")
        show_progress = not options["no_progress"] and sys.stderr.isatty()
        bar = None
        progress = None
        if show_progress and path.is_file():
            from tqdm import tqdm

            # A terminal that reports a size of 0 x 0 (some pseudo-terminals) would get no bar at all.
            columns, lines = shutil.get_terminal_size((100, 20))
            bar = tqdm(
                total=path.stat().st_size,
                ncols=columns,
                nrows=lines,
                unit="B",
                unit_scale=True,
                desc=f"{options['kind']} {path.name}",
                file=sys.stderr,
            )

            def progress(rows: int, done: int, total: int) -> None:
                assert bar is not None
                bar.update(done - bar.n)
                bar.set_postfix_str(f"{rows:,} rows", refresh=False)

        service = territory_file_import if options["kind"] == "territories" else offence_import
        try:
            outcome = service(
                actor=None,
                source=path,
                skip_invalid=options["skip_invalid"],
                rejects=rejects,
                progress=progress,
            )
        except ImportRejected as exc:
            raise CommandError(exc.message) from None
        except ApplicationError as exc:
            raise CommandError(
                _("%(file)s was not imported: %(reason)s") % {"file": path, "reason": exc.message}
            ) from None
        finally:
            if bar is not None:
                bar.close()
            if rejects is not None:
                rejects.close()
        if options["verbosity"] < 1:
            return
        self.stdout.write(outcome.summary() + (f" (batch {outcome.batch_id})" if outcome.batch_id else ""))
        if outcome.conflicts:
            self.stdout.write(_("Conflicting rows (kept as stored):"))
            for conflict in outcome.conflicts[:20]:
                self.stdout.write(
                    "  "
                    + _("row %(row)s %(source)s %(number)s differs in %(columns)s")
                    % {
                        "row": conflict["row"],
                        "source": conflict["source_system"],
                        "number": conflict["registration_number"],
                        "columns": ", ".join(conflict["columns"]),
                    }
                )
        if rejects is not None and rejects.count:
            self.stdout.write(
                _("%(count)s rejected rows written to %(path)s")
                % {"count": rejects.count, "path": rejects.path}
            )

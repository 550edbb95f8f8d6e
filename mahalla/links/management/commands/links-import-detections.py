"""Bulk import of historic detections from a CSV file (event_id, camera, plate, observed_at)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from mahalla.core.management.base import MahallaCommand

REQUIRED = ("event_id", "camera", "plate", "observed_at")


class Command(MahallaCommand):
    help = (
        "Import historic detections from a CSV file with the columns event_id, camera, plate, observed_at "
        "(ISO 8601 with zone). Rows already imported (same event_id) are skipped; bad rows are reported with "
        "their line and reason, and with --strict nothing is imported when any row is bad."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--strict", action="store_true", help="Refuse the whole file if any row is bad")
        parser.add_argument("--batch", type=int, default=5000)

    def handle(self, *args: Any, **options: Any) -> None:
        from mahalla.links.services import (
            camera_codes,
            detections_store,
        )  # the science loads when the command runs, not with --help

        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        cameras = camera_codes()
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
            if missing:
                raise CommandError(f"{path}: missing columns {', '.join(missing)}")
            rows = list(reader)
        if options["strict"]:
            from mahalla.links.services import detection_parse

            bad = [(n + 2, detection_parse(row, cameras)[1]) for n, row in enumerate(rows)]
            bad = [(line, reason) for line, reason in bad if reason]
            if bad:
                raise CommandError("; ".join(f"line {line}: {reason}" for line, reason in bad[:20]))
        stored = duplicates = 0
        for start in range(0, len(rows), options["batch"]):
            chunk = rows[start : start + options["batch"]]
            result = detections_store(events=chunk, origin=f"import {path.name}", cameras=cameras)
            stored += result.inserted
            duplicates += result.duplicates
            for rejected in result.rejected:
                self.stderr.write(f"line {start + rejected['index'] + 2}: {rejected['reason']}")
        self.stdout.write(f"stored {stored}, already there {duplicates}")

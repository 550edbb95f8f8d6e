"""The XLSX bomb: a few hundred KB that unpack to about 800 MB of sheet XML must be refused in under a
second and 100 MB of memory (issue 9). Measured in child processes: the refusal of the bomb, and as the
baseline of the same run the reading of a small honest workbook through the same TableReader.

    .venv/bin/python bench/bench_xlsx_bomb.py
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHEET = "xl/worksheets/sheet1.xml"

CHILD = r"""
import json, resource, sys, time
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
django.setup()
from mahalla.core.tabular import TableReader, TabularError
from mahalla.incidents.formats import OFFENCE_COLUMNS
from django.utils.translation import gettext
import openpyxl, zipfile
gettext("x")  # a running server has its catalogues and modules loaded: so does the measurement
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
outcome = "read"
try:
    with TableReader(sys.argv[1], required=[], allowed=list(OFFENCE_COLUMNS)) as reader:
        rows = sum(len(chunk.numbers) for chunk in reader.chunks())
except TabularError as error:
    outcome = "refused: " + error.message[:120]
elapsed = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": elapsed, "peak_rss_mb": after / 1024, "growth_mb": (after - before) / 1024,
                  "outcome": outcome}))
"""


def workbook(rows: list[list[str]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bomb(uncompressed_mb: int) -> bytes:
    base = zipfile.ZipFile(io.BytesIO(workbook([["source_system", "registration_number"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in base.infolist():
            if info.filename != SHEET:
                target.writestr(info.filename, base.read(info.filename))
        row = b"<row><c><v>1</v></c><c><v>2</v></c></row>"
        block = row * 65536
        with target.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            for _ in range(uncompressed_mb * 1024 * 1024 // len(block)):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def measure(path: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        honest = Path(directory) / "honest.xlsx"
        rows = [["EJR", f"2025-{i:05d}"] for i in range(2000)]
        honest.write_bytes(workbook([["source_system", "registration_number"], *rows]))
        hostile = Path(directory) / "bomb.xlsx"
        hostile.write_bytes(bomb(800))
        declared = sum(info.file_size for info in zipfile.ZipFile(hostile).infolist())
        on_disk = hostile.stat().st_size
        baseline = measure(honest)
        refused = measure(hostile)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()}")
    print(f"bomb: {on_disk / 1024:.0f} KB on disk, {declared / 1024**2:.0f} MB unpacked")
    print(f"baseline (2,000-row honest workbook read): {baseline}")
    print(f"bomb: {refused}")
    print(
        f"bomb / baseline: time {float(refused['seconds']) / float(baseline['seconds']):.2f}x, "
        f"peak memory {float(refused['peak_rss_mb']) / float(baseline['peak_rss_mb']):.2f}x"
    )
    # Memory: what the refusal adds to the process (growth of the peak); the process itself (Django,
    # numpy, pandas imported by the apps) is the baseline's peak, printed above.
    ok = (
        float(refused["seconds"]) < 1.0
        and float(refused["growth_mb"]) < 100
        and str(refused["outcome"]).startswith("refused")
    )
    print("PASS: refused in < 1 s adding < 100 MB" if ok else "FAIL")


if __name__ == "__main__":
    main()

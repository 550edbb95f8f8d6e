"""Project-wide pytest fixtures: the tiny synthetic nation.

`tiny_nation_files` (session scope) generates the `tiny` scale once per test session into a temporary
directory: one district (Mirobod tumani, Toshkent shahri, SOATO 1726273) with 30 mahallas, about 160,000
people, three years of crimes and administrative offences ending on `TINY_AS_OF`, officials, and the ground
truth (planted emerging hot spots, space-time clusters, red episodes and the prevention measure in
`truth.json`; per offence origin in `truth_offences.csv`; per mahalla effects in `truth_mahallas.csv`).

`tiny_nation` (function scope, needs the database) imports those files into the test database through the
real importers (`mahalla import territories ...` then `mahalla import offences ...`) and returns a
`TinyNation` with the directory, the manifest, the parsed truth and the codes. Use it in any test that
needs realistic data end to end:

    def test_district_chief_sees_the_offences_of_his_district(tiny_nation):
        district = District.objects.get(code=tiny_nation.district_code)
        ...

Generation takes about a second once per session; the import about a second per test.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

TINY_SEED = 2026
TINY_AS_OF = date(2026, 1, 1)


@dataclass(frozen=True)
class TinyNation:
    directory: Path
    manifest: dict[str, Any]
    truth: dict[str, Any]
    as_of: date
    region_code: str
    district_code: str
    mahalla_codes: tuple[str, ...]

    @property
    def offences(self) -> int:
        """Number of offences in the file (crimes and administrative)."""
        return int(self.manifest["counts"]["offences"])

    @property
    def crimes(self) -> int:
        return int(self.manifest["counts"]["crimes"])


@pytest.fixture(scope="session")
def tiny_nation_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated tiny nation (files only, no database): seed TINY_SEED, period ending TINY_AS_OF."""
    from mahalla.demo.generator import generate

    directory = tmp_path_factory.mktemp("tiny_nation")
    generate("tiny", TINY_SEED, TINY_AS_OF, directory)
    return directory


@pytest.fixture
def tiny_nation(tiny_nation_files: Path, db: None) -> TinyNation:
    """The tiny nation imported into the test database through the real importers."""
    from django.core.management import call_command

    call_command(
        "import", "territories", str(tiny_nation_files / "territories.csv"), no_progress=True, verbosity=0
    )
    call_command("import", "offences", str(tiny_nation_files / "offences.csv"), no_progress=True, verbosity=0)
    manifest = json.loads((tiny_nation_files / "manifest.json").read_text(encoding="utf-8"))
    truth = json.loads((tiny_nation_files / "truth.json").read_text(encoding="utf-8"))
    mahalla_codes = []
    district_code = region_code = ""
    with (tiny_nation_files / "territories.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["level"] == "mahalla":
                mahalla_codes.append(row["code"])
            elif row["level"] == "district":
                district_code = row["code"]
            elif row["level"] == "region":
                region_code = row["code"]
    return TinyNation(
        directory=tiny_nation_files,
        manifest=manifest,
        truth=truth,
        as_of=TINY_AS_OF,
        region_code=region_code,
        district_code=district_code,
        mahalla_codes=tuple(mahalla_codes),
    )

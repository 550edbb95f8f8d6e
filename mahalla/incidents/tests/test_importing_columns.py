"""The column-wise validation of offence files: a bad value is found wherever it lies (the first row, the
middle of a chunk, the last row of the file), in CSV, XLSX and JSON Lines alike, and the vectorised parsers
of dates and coordinates give exactly what the per-value parsers give.

Fixtures as in test_importing: the fixture's six offences, repeated with fresh registration numbers so that
the file spans several chunks.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest

from mahalla.incidents import importing
from mahalla.incidents.importing import ImportRejected, offence_import
from mahalla.incidents.models import Offence
from mahalla.territory.importing import coordinate_parse

from .test_importing import (  # noqa: F401 - the autouse fixtures: English messages, the territory
    bad_cell_cases,
    english,
    fixture_rows,
    offence_state,
    territory,
    write_csv,
)

pytestmark = pytest.mark.django_db

ROWS = 45
CHUNK_ROWS = 20
POSITIONS = {"first": 0, "middle": 27, "last": ROWS - 1}


def many_rows() -> list[dict[str, str]]:
    """ROWS valid offences: the fixture's six, over and over, each with its own registration number."""
    base = fixture_rows()
    rows = []
    for i in range(ROWS):
        row = dict(base[i % len(base)])
        row["registration_number"] = f"2025-{i:05d}"
        rows.append(row)
    return rows


def written(tmp_path: Path, rows: list[dict[str, str]], file_format: str) -> Path:
    if file_format == "csv":
        return write_csv(tmp_path / "o.csv", rows)
    columns = list(rows[0])
    if file_format == "xlsx":
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(columns)
        for row in rows:
            sheet.append([row[column] for column in columns])
        workbook.save(tmp_path / "o.xlsx")
        return tmp_path / "o.xlsx"
    lines = [json.dumps({k: v for k, v in row.items() if v}, ensure_ascii=False) for row in rows]
    (tmp_path / "o.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path / "o.jsonl"


CASES = bad_cell_cases()


@pytest.mark.parametrize("where", list(POSITIONS))
@pytest.mark.parametrize(("change", "column", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_bad_value_in_the_first_middle_or_last_row_is_named_and_nothing_is_written(
    tmp_path: Path, where: str, change: dict[str, str], column: str, reason: str
) -> None:
    rows = many_rows()
    position = POSITIONS[where]
    # Rows of the fixture's first offence carry a code and no point, as the cases expect.
    base = fixture_rows()[0]
    rows[position] = {**base, "registration_number": rows[position]["registration_number"], **change}
    before = offence_state()
    with pytest.raises(ImportRejected) as caught:
        offence_import(actor=None, source=write_csv(tmp_path / "o.csv", rows), chunk_rows=CHUNK_ROWS)
    assert offence_state() == before
    errors = caught.value.outcome.errors
    assert [(error.row, error.column) for error in errors] == [(position + 1, column)], errors
    assert reason in errors[0].reason
    value = change.get(column, "")
    if column != "latitude" or "outside" not in reason:
        expected = value.strip().lower() if column == "code_kind" else value.strip()
        assert errors[0].value == expected


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "jsonl"])
def test_every_format_goes_through_the_same_checks_naming_the_same_rows(
    tmp_path: Path, file_format: str
) -> None:
    rows = many_rows()
    rows[0]["occurred_at"] = "2025-13-01"
    rows[27]["computer_means"] = "maybe"
    rows[27]["causes"] = "WEATHER"
    rows[ROWS - 1]["mahalla_code"] = "1703202999"
    with pytest.raises(ImportRejected) as caught:
        offence_import(actor=None, source=written(tmp_path, rows, file_format), chunk_rows=CHUNK_ROWS)
    assert [(e.row, e.column, e.value) for e in caught.value.outcome.errors] == [
        (1, "occurred_at", "2025-13-01"),
        (28, "computer_means", "maybe"),
        (28, "causes", "WEATHER"),
        (ROWS, "mahalla_code", "1703202999"),
    ]
    assert not Offence.objects.exists()


def test_a_duplicate_in_the_last_row_names_the_first_row_in_another_chunk(tmp_path: Path) -> None:
    rows = many_rows()
    rows[ROWS - 1]["registration_number"] = rows[0]["registration_number"]
    with pytest.raises(ImportRejected) as caught:
        offence_import(actor=None, source=write_csv(tmp_path / "o.csv", rows), chunk_rows=CHUNK_ROWS)
    [error] = caught.value.outcome.errors
    assert (error.row, error.column) == (ROWS, "registration_number")
    assert "is also in row 1" in error.reason


def test_a_file_of_many_chunks_imports_every_row_as_the_single_row_parsers_read_it(tmp_path: Path) -> None:
    rows = many_rows()
    outcome = offence_import(actor=None, source=write_csv(tmp_path / "o.csv", rows), chunk_rows=CHUNK_ROWS)
    assert outcome.rows_created == ROWS
    for row in rows:
        offence = Offence.objects.get(registration_number=row["registration_number"])
        moment, _day = importing._datetime_parse(row["occurred_at"])
        assert offence.occurred_at.replace(tzinfo=None) == moment.replace(tzinfo=None)
        if row["latitude"]:
            assert offence.latitude == coordinate_parse(row["latitude"], latitude=True)


DATETIMES = [
    "2025-03-14T18:30:00",
    "2025-03-14 18:30:00",
    "2025-03-14T18:30",
    "2025-03-14 18:30",
    "2025-03-14",
    "2025-03-14T18:30:00+05:00",
    "2025-03-14T18:30:00Z",
    "2025-03-14T18:30:00.250000",
    "2025-03-14T18",
    "20250314",
    "1985-06-30T23:30:00",  # Tashkent kept daylight saving time then
    "1991-03-31T02:30:00",
    "0001-01-01",
    "9999-12-31T23:59:59",
    # Refused, whatever pandas alone would make of them:
    "2025-1-14T18:30:00",
    "2025-02-30",
    "2025-03-14T24:00:00",
    "2025-03-14T18:30:60",
    "yesterday",
    "2025-03-14T18:30:00 +05",
    "x" * 40,
]


def test_the_column_parser_of_date_times_agrees_with_the_single_value_parser() -> None:
    values = DATETIMES * 3
    utc, days, reasons = importing._datetimes_parse(values)
    for i, value in enumerate(values):
        try:
            moment, day = importing._datetime_parse(value)
        except ValueError as exc:
            assert reasons[i] == str(exc), value
            assert np.isnat(utc[i])
            continue
        assert i not in reasons, value
        assert utc[i].astype(object) == moment, value
        assert days[i].astype(object) == day, value


def test_the_column_text_of_date_times_is_what_django_stores_on_sqlite() -> None:
    values = [
        np.datetime64("2025-03-14T13:30:00", "us"),
        np.datetime64("2025-03-14T13:30:00.250000", "us"),
        np.datetime64("0001-01-01T00:00:00", "us"),
    ]
    assert importing._datetimes_text(np.array(values)) == [
        value.astype(object).isoformat(" ") for value in values
    ]


def test_the_column_parser_of_coordinates_gives_the_same_numbers_and_reasons_as_the_single_value_parser() -> (
    None
):
    rng = random.Random(7)
    values = [str(round(rng.uniform(-90, 90), rng.randrange(1, 9))) for _ in range(500)]
    values += ["", "40,65", " 41.5 ", "1_0", "95", "-90.0001", "nan", "inf", "abc", "4e1"]
    numbers, reasons = importing._coordinates_parse(values, latitude=True)
    for i, value in enumerate(values):
        if not value:
            assert np.isnan(numbers[i]) and i not in reasons
            continue
        try:
            expected: Any = coordinate_parse(value, latitude=True)
        except ValueError as exc:
            assert reasons[i] == str(exc), value
            continue
        assert i not in reasons and numbers[i] == expected, value

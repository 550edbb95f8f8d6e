"""Reading CSV/XLSX/JSONL as numbered rows, the file-level errors, and formula-safe writing."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation

from mahalla.core.tabular import (
    RejectsWriter,
    RowError,
    TableReader,
    TabularError,
    csv_write,
    neutralise_formula,
    xlsx_write,
)

ALLOWED = ("code", "name", "population", "boundary")
REQUIRED = ("code", "name")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are asserted in English, whatever the project's default language (Uzbek)."""
    with translation.override("en"):
        yield


def read_all(
    path: Path, **kwargs: object
) -> tuple[list[dict[str, str]], list[int], dict[int, list[RowError]]]:
    rows: list[dict[str, str]] = []
    numbers: list[int] = []
    errors: dict[int, list[RowError]] = {}
    with TableReader(path, required=REQUIRED, allowed=ALLOWED, **kwargs) as reader:  # type: ignore[arg-type]
        for chunk in reader.chunks():
            rows.extend(chunk.raw_row(i) for i in range(len(chunk.numbers)))
            numbers.extend(chunk.numbers)
            errors.update(chunk.row_errors)
    return rows, numbers, errors


def write_bytes(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_csv_rows_are_numbered_from_one_after_the_header_and_blank_lines_do_not_count(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, "t.csv", b"Code, NAME \r\n1,Navbahor\r\n\r\n2, Do'stlik \r\n")
    rows, numbers, errors = read_all(path)
    assert numbers == [1, 2]
    assert rows == [{"code": "1", "name": "Navbahor"}, {"code": "2", "name": " Do'stlik "}]
    assert errors == {}


def test_csv_with_a_utf8_byte_order_mark_reads_the_first_column_name_cleanly(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, "t.csv", "code,name\n1,Ўзбек\n".encode("utf-8-sig"))
    rows, _numbers, _errors = read_all(path)
    assert rows == [{"code": "1", "name": "Ўзбек"}]


def test_a_zero_byte_file_is_refused_as_empty(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, "t.csv", b"")
    with pytest.raises(TabularError, match=r"empty \(0 bytes\)"):
        read_all(path)


@pytest.mark.parametrize("content", [b"code,name\n", b"code,name\n\n\n"])
def test_a_file_with_a_header_and_no_rows_is_refused(tmp_path: Path, content: bytes) -> None:
    path = write_bytes(tmp_path, "t.csv", content)
    with pytest.raises(TabularError, match="no data rows"):
        read_all(path)


def test_a_missing_required_column_is_named(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, "t.csv", b"code,population\n1,5\n")
    with pytest.raises(TabularError, match="Missing required column.*name") as caught:
        read_all(path)
    assert caught.value.extra["missing_columns"] == ["name"]


def test_an_unknown_column_is_refused_so_that_a_typo_does_not_drop_data(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, "t.csv", b"code,name,populaton\n1,a,5\n")
    with pytest.raises(TabularError, match="Unknown column.*populaton"):
        read_all(path)


def test_a_column_named_twice_is_refused(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, "t.csv", b"code,name,name\n1,a,b\n")
    with pytest.raises(TabularError, match="twice"):
        read_all(path)


def test_a_windows_1251_file_is_refused_with_the_row_and_the_advice_to_save_as_utf8(tmp_path: Path) -> None:
    content = "code,name\n1,Navbahor\n2,Навбаҳор\n".encode("cp1251", errors="replace")
    path = write_bytes(tmp_path, "t.csv", content)
    with pytest.raises(TabularError, match="not valid UTF-8.*row.*CSV UTF-8"):
        read_all(path)


def test_a_utf16_file_is_refused_by_name(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, "t.csv", "code,name\n1,a\n".encode("utf-16"))
    with pytest.raises(TabularError, match="UTF-16"):
        read_all(path)


def test_an_oversized_field_is_refused_naming_its_row_and_column(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, "t.csv", b"code,name\n1,short\n2," + b"x" * 101 + b"\n")
    with pytest.raises(TabularError, match="row 2, column name: the value is longer than the limit of 100"):
        read_all(path, max_field_chars=100)


def test_a_field_beyond_the_default_limit_is_refused_without_exhausting_the_csv_module(
    tmp_path: Path,
) -> None:
    # An unterminated quote turns the rest of the file into one field: the classic runaway CSV.
    path = write_bytes(tmp_path, "t.csv", b'code,name\n1,"' + b"y" * 5_000_010 + b"\n")
    with pytest.raises(TabularError, match="row 1.*longer than the limit of 5000000"):
        read_all(path)


def test_a_row_with_more_cells_than_the_header_is_a_row_error(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, "t.csv", b"code,name\n1,a\n2,b,extra\n3,c,\n")
    rows, numbers, errors = read_all(path)
    assert numbers == [1, 2, 3]
    assert list(errors) == [2]
    assert "3 cells but the header has 2" in errors[2][0].reason
    # A trailing empty cell is spreadsheet residue, not an error.
    assert rows[2] == {"code": "3", "name": "c"}


def test_chunks_carry_consecutive_row_numbers(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, "t.csv", b"code,name\n" + b"".join(b"%d,n\n" % i for i in range(5)))
    with TableReader(path, required=REQUIRED, allowed=ALLOWED, chunk_rows=2) as reader:
        assert [chunk.numbers for chunk in reader.chunks()] == [[1, 2], [3, 4], [5]]


def test_an_unsupported_extension_is_refused_by_name(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, "t.xls", b"whatever")
    with pytest.raises(TabularError, match="Unsupported file type 'xls'"):
        read_all(path)


def test_xlsx_cells_read_as_the_text_a_csv_would_hold(tmp_path: Path) -> None:
    import datetime as dt

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["code", "name", "population", None])
    sheet.append([1703202001, "Navbahor", 2400.0])
    sheet.append([None, None, None])
    sheet.append(["1703202002", dt.datetime(2025, 3, 14, 18, 30), 2.5])
    path = tmp_path / "t.xlsx"
    workbook.save(path)
    rows, numbers, errors = read_all(path)
    assert numbers == [1, 2]
    assert rows == [
        {"code": "1703202001", "name": "Navbahor", "population": "2400"},
        {"code": "1703202002", "name": "2025-03-14T18:30:00", "population": "2.5"},
    ]
    assert errors == {}


def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, "t.xlsx", b"code,name\n1,a\n")
    with pytest.raises(TabularError, match="not a readable XLSX workbook"):
        read_all(path)


def test_json_lines_keep_good_rows_and_report_bad_lines_as_row_errors(tmp_path: Path) -> None:
    boundary = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    lines = [
        json.dumps({"code": 1, "name": "a", "boundary": boundary}),
        "",
        "{not json",
        json.dumps({"code": "3", "name": "c", "colour": "red"}),
        json.dumps(["a", "list"]),
    ]
    path = write_bytes(tmp_path, "t.jsonl", "\n".join(lines).encode())
    rows, numbers, errors = read_all(path)
    assert numbers == [1, 2, 3, 4]
    assert rows[0]["code"] == "1"
    assert json.loads(rows[0]["boundary"]) == boundary
    assert "not valid JSON" in errors[2][0].reason
    assert errors[3][0].column == "colour" and errors[3][0].reason == "unknown column"
    assert "not a JSON object" in errors[4][0].reason


def test_json_lines_in_a_legacy_code_page_are_refused(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, "t.jsonl", '{"code": "1", "name": "Навбаҳор"}\n'.encode("cp1251", "replace"))
    with pytest.raises(TabularError, match="not valid UTF-8"):
        read_all(path)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Navbahor", "Navbahor"),
        ("", ""),
        (-5, -5),
        (2.5, 2.5),
    ],
)
def test_text_that_a_spreadsheet_would_run_as_a_formula_is_quoted(value: object, expected: object) -> None:
    assert neutralise_formula(value) == expected


def test_csv_export_neutralises_formula_cells(tmp_path: Path) -> None:
    buffer = io.StringIO()
    csv_write(buffer, ["name", "count"], [["=1+1", 3], ["@cmd", -4], ["plain", None]])
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert rows == [["name", "count"], ["'=1+1", "3"], ["'@cmd", "-4"], ["plain", ""]]


def test_xlsx_export_stores_formula_like_text_as_quoted_text_never_as_a_formula(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    xlsx_write(path, ["name", "count"], [["=SUM(A1:A9)", 3], ["+998901234567", 7], ["ok\x07", 1]])
    sheet = openpyxl.load_workbook(path).active
    cells = list(sheet.iter_rows(min_row=2))
    assert cells[0][0].value == "'=SUM(A1:A9)" and cells[0][0].data_type == "s"
    assert cells[1][0].value == "'+998901234567"
    assert cells[0][1].value == 3
    # A control character that XLSX cannot hold is replaced rather than failing the whole export.
    assert cells[2][0].value == "ok\ufffd"


def test_rejects_file_holds_the_row_its_reasons_and_neutralised_cells(tmp_path: Path) -> None:
    writer = RejectsWriter(tmp_path / "rejects.csv")
    writer.write(7, {"code": "=2+5", "name": "x"}, [RowError(7, "code", "=2+5", "not a number")])
    writer.close()
    rows = list(csv.reader((tmp_path / "rejects.csv").open(encoding="utf-8")))
    assert rows == [["row", "errors", "code", "name"], ["7", "code: not a number", "'=2+5", "x"]]

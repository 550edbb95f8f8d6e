"""The offence import: categories from the article table, mahallas by code or point-in-polygon, Tashkent
time, idempotency with conflicts, and bad files that change nothing.

Fixtures: mahalla/territory/tests/data/territories.csv (two districts of four square mahallas and one without
a boundary, see that test module) and mahalla/incidents/tests/data/offences.csv (six offences, one per case:
a code only, a point only, a code and a point, a date only, a point in the second district, an administrative
offence).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from mahalla.audit.models import AuditEvent
from mahalla.core.tabular import RejectsWriter, TabularError
from mahalla.incidents import importing
from mahalla.incidents.importing import OFFENCE_COLUMNS, ImportRejected, offence_import, territory_file_import
from mahalla.incidents.models import ImportBatch, Offence, OffenceCause

DATA = Path(__file__).parent / "data"
OFFENCES = DATA / "offences.csv"
TERRITORIES = Path(__file__).parents[2] / "territory" / "tests" / "data" / "territories.csv"
UTC = dt.UTC

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are asserted in English, whatever the project's default language (Uzbek)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def territory() -> None:
    territory_file_import(actor=None, source=TERRITORIES)


def fixture_rows() -> list[dict[str, str]]:
    with OFFENCES.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, rows: list[dict[str, str]], columns: Any = None) -> Path:
    columns = list(columns or rows[0].keys())
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in columns})
    return path


def offence_state() -> list[Any]:
    return [
        list(Offence.objects.order_by("source_system", "registration_number").values()),
        sorted(OffenceCause.objects.values_list("offence__registration_number", "cause__code")),
    ]


def stored(number: str) -> Offence:
    return Offence.objects.select_related("category", "mahalla", "district", "region").get(
        registration_number=number
    )


def test_the_fixture_imports_with_categories_from_the_article_table() -> None:
    outcome = offence_import(actor=None, source=OFFENCES)
    assert (outcome.rows_read, outcome.rows_created, outcome.rows_rejected) == (6, 6, 0)
    assert stored("2025-0001").category.code == "theft"
    # Fraud (168) by computer means or with a bank card is IT/cyber crime; without either it is fraud.
    assert stored("2025-0002").category.code == "cyber"
    assert stored("2025-0003").category.code == "cyber"
    assert stored("2025-0004").category.code == "fraud"
    assert stored("2025-0005").category.code == "domestic_violence"
    assert stored("A-77").category.code == "hooliganism"


def test_the_mahalla_comes_from_its_code_or_from_point_in_polygon() -> None:
    offence_import(actor=None, source=OFFENCES)
    located = stored("2025-0002")  # no code; the point 40.65, 72.05 lies in Navbahor
    assert located.mahalla.code == "1703202001"
    assert (located.district.code, located.region.code) == ("1703202", "1703")
    assert stored("2025-0005").mahalla.code == "1703203002"
    assert stored("A-77").mahalla.code == "1703203003"  # a mahalla without a boundary, by code


def test_naive_times_are_tashkent_time_and_are_stored_in_utc() -> None:
    offence_import(actor=None, source=OFFENCES)
    assert stored("2025-0001").occurred_at == dt.datetime(2025, 3, 14, 13, 30, tzinfo=UTC)
    assert stored("2025-0001").registered_at == dt.datetime(2025, 3, 15, 4, 0, tzinfo=UTC)
    assert stored("2025-0002").occurred_at == dt.datetime(2025, 3, 15, 5, 0, tzinfo=UTC)  # +05:00 given
    assert stored("2025-0003").occurred_at == dt.datetime(2025, 3, 16, 23, 30, tzinfo=UTC)  # Z given
    # A date alone is midnight in Tashkent; registered_at defaults to occurred_at.
    assert stored("2025-0004").occurred_at == dt.datetime(2025, 3, 16, 19, 0, tzinfo=UTC)
    assert stored("2025-0004").registered_at == stored("2025-0004").occurred_at


@pytest.mark.parametrize(
    "local", ["1990-07-01T12:00", "1990-01-01T12:00", "1991-03-31T01:30", "2025-06-01T00:15"]
)
def test_naive_times_follow_the_tz_database_for_tashkent_including_old_daylight_saving(
    tmp_path: Path, local: str
) -> None:
    from zoneinfo import ZoneInfo

    rows = fixture_rows()[:1]
    rows[0].update(occurred_at=local, registered_at="")
    offence_import(actor=None, source=write_csv(tmp_path / "o.csv", rows))
    expected = dt.datetime.fromisoformat(local).replace(tzinfo=ZoneInfo("Asia/Tashkent")).astimezone(UTC)
    assert stored("2025-0001").occurred_at == expected


def test_flags_causes_and_choices_are_stored() -> None:
    offence_import(actor=None, source=OFFENCES)
    violence = stored("2025-0005")
    assert (violence.involves_woman, violence.family_relation, violence.under_alcohol) == (True, True, True)
    assert sorted(violence.causes.values_list("code", flat=True)) == [
        "SOCIAL.FAMILY_CONFLICT",
        "SOCIAL.POVERTY",
    ]
    assert (violence.victim_ref, violence.offender_ref, violence.place_type) == ("V-5", "O-5", "home")
    card = stored("2025-0003")
    assert (card.computer_means, card.bank_card, card.cyber_method) == (False, True, "sms_code")
    assert (stored("2025-0004").status, stored("2025-0004").solved) == ("court", True)
    assert stored("2025-0001").article_part == "2"


def test_each_import_is_recorded_as_a_batch_with_one_audit_row() -> None:
    outcome = offence_import(actor=None, source=OFFENCES)
    batch = ImportBatch.objects.get(pk=outcome.batch_id)
    assert (batch.kind, batch.status, batch.rows_read, batch.rows_created) == ("offences", "done", 6, 6)
    assert len(batch.file_sha256) == 64
    assert set(Offence.objects.values_list("import_batch_id", flat=True)) == {batch.pk}
    event = AuditEvent.objects.get(object_type="incidents.importbatch")
    assert (event.action, event.object_id, event.details["rows_created"]) == ("import", str(batch.pk), 6)


def test_reimporting_the_same_file_adds_nothing() -> None:
    offence_import(actor=None, source=OFFENCES)
    before = offence_state()
    again = offence_import(actor=None, source=OFFENCES)
    assert (again.rows_created, again.rows_unchanged, again.rows_conflicting) == (0, 6, 0)
    assert offence_state() == before


def test_a_reimported_row_that_differs_is_reported_as_a_conflict_and_the_stored_offence_kept(
    tmp_path: Path,
) -> None:
    offence_import(actor=None, source=OFFENCES)
    before = offence_state()
    rows = fixture_rows()
    rows[0]["status"] = "court"
    rows[0]["causes"] = ""
    rows.append({**rows[1], "registration_number": "2025-0099"})
    outcome = offence_import(actor=None, source=write_csv(tmp_path / "o.csv", rows))
    assert (outcome.rows_created, outcome.rows_unchanged, outcome.rows_conflicting) == (1, 5, 1)
    assert outcome.conflicts == [
        {
            "row": 1,
            "source_system": "EJR",
            "registration_number": "2025-0001",
            "columns": ["status", "causes"],
        }
    ]
    assert stored("2025-0001").status == "investigation"
    after = offence_state()
    assert [row for row in after[0] if row["registration_number"] != "2025-0099"] == before[0]
    assert after[1] == before[1]


def bad_cell_cases() -> list[tuple[str, dict[str, str], str, str]]:
    """(case, change to the first fixture row, column named, words of the reason)."""
    return [
        ("bad date", {"occurred_at": "2025-13-45"}, "occurred_at", "not an ISO 8601 date-time"),
        ("local date format", {"occurred_at": "14.03.2025"}, "occurred_at", "not an ISO 8601 date-time"),
        (
            "future date",
            {"occurred_at": "2999-01-01T00:00", "registered_at": ""},
            "occurred_at",
            "in the future",
        ),
        ("registered first", {"registered_at": "2025-03-01T00:00"}, "registered_at", "precedes occurred_at"),
        ("unknown article", {"article": "999"}, "article", "unknown article of the criminal code"),
        (
            "article not yet in force",
            {"article": "126-1", "occurred_at": "2022-01-01"},
            "article",
            "no category rule in force on 2022-01-01",
        ),
        ("unknown mahalla code", {"mahalla_code": "1703202999"}, "mahalla_code", "unknown mahalla code"),
        (
            "no place at all",
            {"mahalla_code": ""},
            "mahalla_code",
            "give mahalla_code or latitude and longitude",
        ),
        (
            "point outside every mahalla",
            {"mahalla_code": "", "latitude": "41.5", "longitude": "72.05"},
            "latitude",
            "outside every mahalla",
        ),
        (
            "point in another mahalla",
            {"latitude": "40.65", "longitude": "72.15"},
            "latitude",
            "outside mahalla 1703202001",
        ),
        (
            "latitude out of range",
            {"mahalla_code": "", "latitude": "95", "longitude": "72.05"},
            "latitude",
            "between -90",
        ),
        ("half a point", {"latitude": "40.65"}, "longitude", "both"),
        ("bad boolean", {"computer_means": "maybe"}, "computer_means", "not a boolean"),
        (
            "unknown cause",
            {"causes": "SOCIAL.UNEMPLOYMENT;WEATHER"},
            "causes",
            "unknown cause code 'WEATHER'",
        ),
        ("bad code kind", {"code_kind": "civil"}, "code_kind", "criminal or administrative"),
        ("bad place type", {"place_type": "moon"}, "place_type", "must be one of"),
        ("missing registration number", {"registration_number": ""}, "registration_number", "required"),
        (
            "registration number too long",
            {"registration_number": "9" * 65},
            "registration_number",
            "longer than 64",
        ),
    ]


@pytest.mark.parametrize(
    ("change", "column", "reason"),
    [case[1:] for case in bad_cell_cases()],
    ids=[case[0] for case in bad_cell_cases()],
)
def test_a_file_with_one_bad_row_changes_nothing_and_names_row_column_value_and_reason(
    tmp_path: Path, change: dict[str, str], column: str, reason: str
) -> None:
    rows = fixture_rows()
    rows[0].update(change)
    before = offence_state()
    with pytest.raises(ImportRejected) as caught:
        offence_import(actor=None, source=write_csv(tmp_path / "o.csv", rows))
    assert offence_state() == before
    errors = caught.value.outcome.errors
    assert [(error.row, error.column) for error in errors] == [(1, column)], errors
    assert reason in errors[0].reason
    assert str(errors[0]).startswith(f"row 1, column {column}, value ")
    assert "nothing was changed" in caught.value.message


def test_a_refused_file_leaves_a_failed_batch_and_its_audit_row(tmp_path: Path) -> None:
    rows = fixture_rows()
    rows[3]["article"] = "999"
    with pytest.raises(ImportRejected) as caught:
        offence_import(actor=None, source=write_csv(tmp_path / "o.csv", rows))
    assert not Offence.objects.exists()
    batch = ImportBatch.objects.get(kind="offences")
    assert (batch.status, batch.rows_read, batch.rows_rejected, batch.rows_created) == ("failed", 6, 1, 0)
    assert "row 4, column article" in batch.message
    assert caught.value.outcome.batch_id == batch.pk
    assert AuditEvent.objects.get(object_type="incidents.importbatch").details["status"] == "failed"


def test_a_registration_number_twice_in_one_file_is_refused_naming_both_rows(tmp_path: Path) -> None:
    rows = fixture_rows()
    rows.append(dict(rows[2]))
    with pytest.raises(ImportRejected) as caught:
        offence_import(actor=None, source=write_csv(tmp_path / "o.csv", rows))
    [error] = caught.value.outcome.errors
    assert (error.row, error.column) == (7, "registration_number")
    assert "EJR 2025-0003 is also in row 3" in error.reason
    assert not Offence.objects.exists()


def test_duplicates_are_found_across_chunks(tmp_path: Path) -> None:
    rows = fixture_rows()
    rows.append(dict(rows[0]))
    with pytest.raises(ImportRejected, match="also in row 1"):
        offence_import(actor=None, source=write_csv(tmp_path / "o.csv", rows), chunk_rows=2)
    assert not Offence.objects.exists()


def test_an_invalid_row_in_a_late_chunk_rolls_back_the_rows_already_written(tmp_path: Path) -> None:
    rows = fixture_rows()
    rows[5]["occurred_at"] = "yesterday"
    with pytest.raises(ImportRejected, match="row 6, column occurred_at") as caught:
        offence_import(actor=None, source=write_csv(tmp_path / "o.csv", rows), chunk_rows=2)
    assert not Offence.objects.exists()
    assert caught.value.outcome.rows_created == 0
    assert ImportBatch.objects.get(kind="offences").rows_created == 0


def test_a_malformed_row_read_by_the_validation_worker_refuses_the_file_naming_the_row(
    tmp_path: Path,
) -> None:
    # Chunks of two rows: the first is read in the importing process, the third (rows 5 and 6) by the worker,
    # which reports the file's refusal back; nothing is written but the failed batch.
    assert threading.current_thread() is threading.main_thread(), "the worker is forked from the main thread"
    lines = write_csv(tmp_path / "o.csv", fixture_rows()).read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].replace(",", ',"EJR"x,', 1)
    (tmp_path / "o.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(TabularError, match="malformed near data row 5"):
        offence_import(actor=None, source=tmp_path / "o.csv", chunk_rows=2)
    assert not Offence.objects.exists()
    assert ImportBatch.objects.get(kind="offences").status == ImportBatch.Status.FAILED


def test_a_windows_1251_file_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    content = OFFENCES.read_text(encoding="utf-8").replace("V-1", "Жертва")
    (tmp_path / "o.csv").write_bytes(content.encode("cp1251"))
    with pytest.raises(TabularError, match="not valid UTF-8"):
        offence_import(actor=None, source=tmp_path / "o.csv")
    assert not Offence.objects.exists()
    assert ImportBatch.objects.get(kind="offences").status == "failed"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"source_system,registration_number,code_kind,article,occurred_at,mahalla_code\n", "no data rows"),
    ],
)
def test_empty_files_are_refused(tmp_path: Path, content: bytes, reason: str) -> None:
    (tmp_path / "o.csv").write_bytes(content)
    with pytest.raises(TabularError, match=reason):
        offence_import(actor=None, source=tmp_path / "o.csv")
    assert not Offence.objects.exists()


def test_a_missing_required_column_is_refused_by_name(tmp_path: Path) -> None:
    rows = fixture_rows()
    columns = [column for column in rows[0] if column != "occurred_at"]
    with pytest.raises(TabularError, match="Missing required column.*occurred_at"):
        offence_import(actor=None, source=write_csv(tmp_path / "o.csv", rows, columns))
    assert not Offence.objects.exists()


def test_a_file_with_neither_mahalla_code_nor_coordinates_is_refused(tmp_path: Path) -> None:
    rows = fixture_rows()
    columns = [c for c in rows[0] if c not in ("mahalla_code", "latitude", "longitude")]
    with pytest.raises(TabularError, match="mahalla_code, or latitude and longitude"):
        offence_import(actor=None, source=write_csv(tmp_path / "o.csv", rows, columns))
    assert not Offence.objects.exists()


def test_a_huge_field_is_refused_naming_row_and_column(tmp_path: Path) -> None:
    rows = fixture_rows()
    rows[1]["victim_ref"] = "x" * 5_000_001
    with pytest.raises(TabularError, match="row 2, column victim_ref: the value is longer than the limit"):
        offence_import(actor=None, source=write_csv(tmp_path / "o.csv", rows))
    assert not Offence.objects.exists()


# One chunk, validated in the importing process; chunks of two rows, all but the first validated in the
# worker process (importing._pipelined), which must report the same rows, errors and cells.
@pytest.mark.parametrize("chunk_rows", [20_000, 2])
def test_skip_invalid_imports_the_valid_rows_and_writes_the_rejected_with_reasons(
    tmp_path: Path, chunk_rows: int
) -> None:
    rows = fixture_rows()
    rows[1]["article"] = '=HYPERLINK("http://evil")'
    rows[4]["mahalla_code"] = "1703202999"
    rejects = RejectsWriter(tmp_path / "rejects.csv")
    outcome = offence_import(
        actor=None,
        source=write_csv(tmp_path / "o.csv", rows),
        skip_invalid=True,
        rejects=rejects,
        chunk_rows=chunk_rows,
    )
    rejects.close()
    assert (outcome.rows_created, outcome.rows_rejected) == (4, 2)
    assert sorted(Offence.objects.values_list("registration_number", flat=True)) == [
        "2025-0001",
        "2025-0003",
        "2025-0004",
        "A-77",
    ]
    with (tmp_path / "rejects.csv").open(encoding="utf-8") as handle:
        rejected = list(csv.DictReader(handle))
    assert [row["row"] for row in rejected] == ["2", "5"]
    # The formula in the source cell is neutralised in the rejects file, which people open in Excel.
    assert rejected[0]["article"] == '\'=HYPERLINK("http://evil")'
    assert "article: unknown article" in rejected[0]["errors"]
    assert "mahalla_code: unknown mahalla code" in rejected[1]["errors"]
    assert ImportBatch.objects.get(pk=outcome.batch_id).rows_rejected == 2


def test_xlsx_and_json_lines_import_the_same_offences_as_csv(tmp_path: Path) -> None:
    rows = fixture_rows()
    columns = list(rows[0])
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(columns)
    for row in rows:
        sheet.append(
            [float(row[c]) if c in ("latitude", "longitude") and row[c] else row[c] for c in columns]
        )
    workbook.save(tmp_path / "o.xlsx")
    offence_import(actor=None, source=tmp_path / "o.xlsx")
    from_xlsx = offence_state()
    assert len(from_xlsx[0]) == 6
    Offence.objects.all().delete()
    lines = [json.dumps({k: v for k, v in row.items() if v}, ensure_ascii=False) for row in rows]
    (tmp_path / "o.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    offence_import(actor=None, source=tmp_path / "o.jsonl")
    ignore = {"id", "import_batch_id"}
    assert [{k: v for k, v in o.items() if k not in ignore} for o in offence_state()[0]] == [
        {k: v for k, v in o.items() if k not in ignore} for o in from_xlsx[0]
    ]


def test_every_documented_column_is_accepted(tmp_path: Path) -> None:
    rows = fixture_rows()
    write_csv(tmp_path / "o.csv", rows, OFFENCE_COLUMNS)
    assert offence_import(actor=None, source=tmp_path / "o.csv").rows_created == 6


def table_structure() -> dict[str, Any]:
    """Secondary indexes and foreign keys of the offence and offence-cause tables."""
    structure: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for model in (Offence, OffenceCause):
            constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
            structure[model.__name__] = {
                "indexes": sorted(
                    name for name, info in constraints.items() if info["index"] and not info["unique"]
                ),
                "foreign_keys": sorted(
                    (tuple(info["columns"]), info["foreign_key"])
                    for info in constraints.values()
                    if info["foreign_key"]
                ),
            }
    return structure


def test_bulk_load_mode_rebuilds_the_indexes_and_keys_it_drops(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing, "BULK_LOAD_MIN_ROWS", 1)
    before = table_structure()
    # Eight (ten on PostgreSQL, with the pattern indexes of the two indexed text columns).
    assert len(before["Offence"]["indexes"]) >= 8
    assert len(before["Offence"]["foreign_keys"]) == 5
    outcome = offence_import(actor=None, source=OFFENCES)
    assert outcome.rows_created == 6
    assert table_structure() == before


def test_bulk_load_mode_gives_the_indexes_back_when_the_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "BULK_LOAD_MIN_ROWS", 1)
    before = table_structure()
    rows = fixture_rows()
    rows[5]["article"] = "999"
    with pytest.raises(ImportRejected):
        offence_import(actor=None, source=write_csv(tmp_path / "o.csv", rows))
    assert table_structure() == before
    assert not Offence.objects.exists()


def test_a_reimported_row_with_an_added_cause_or_another_time_or_place_is_a_conflict_naming_the_columns(
    tmp_path: Path,
) -> None:
    offence_import(actor=None, source=OFFENCES)
    before = offence_state()
    rows = fixture_rows()
    rows[1]["causes"] = "SOCIAL.UNEMPLOYMENT"  # stored without causes
    rows[0]["occurred_at"] = "2025-03-14T18:31:00"  # a minute later
    rows[2]["latitude"], rows[2]["longitude"] = "", ""  # the point dropped, the mahalla code kept
    outcome = offence_import(actor=None, source=write_csv(tmp_path / "o.csv", rows))
    assert (outcome.rows_created, outcome.rows_unchanged, outcome.rows_conflicting) == (0, 3, 3)
    assert [(conflict["row"], conflict["columns"]) for conflict in outcome.conflicts] == [
        (1, ["occurred_at"]),
        (2, ["causes"]),
        (3, ["latitude", "longitude"]),
    ]
    assert offence_state() == before


def test_the_garbage_collector_is_running_again_after_an_import_succeeds_or_fails(tmp_path: Path) -> None:
    import gc

    offence_import(actor=None, source=OFFENCES)
    assert gc.isenabled()
    (tmp_path / "o.csv").write_bytes(OFFENCES.read_bytes().replace(b"2025-0004", b"2025-0003"))
    with pytest.raises(ImportRejected):
        offence_import(actor=None, source=tmp_path / "o.csv")
    assert gc.isenabled()


def test_progress_is_reported_after_each_chunk_up_to_the_whole_file() -> None:
    calls: list[tuple[int, int, int]] = []
    offence_import(actor=None, source=OFFENCES, chunk_rows=4, progress=lambda *args: calls.append(args))
    size = OFFENCES.stat().st_size
    assert [rows for rows, _done, _total in calls] == [4, 6]
    assert calls[-1][1:] == (size, size)


def test_the_command_imports_and_reports_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("import", "offences", str(OFFENCES), no_progress=True)
    assert "6 rows read, 6 created" in capsys.readouterr().out
    call_command("import", "offences", str(OFFENCES))
    assert "0 created, 0 updated, 6 unchanged" in capsys.readouterr().out


def test_the_command_refuses_a_bad_file_with_the_row_and_writes_rejects_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = fixture_rows()
    rows[2]["occurred_at"] = "2025-02-30"
    path = write_csv(tmp_path / "o.csv", rows)
    with pytest.raises(CommandError, match="row 3, column occurred_at, value '2025-02-30'"):
        call_command("import", "offences", str(path))
    assert not Offence.objects.exists()
    call_command("import", "offences", str(path), skip_invalid=True)
    assert "1 rejected rows written to" in capsys.readouterr().out
    assert (tmp_path / "o.csv.rejects.csv").exists()
    assert Offence.objects.count() == 5


def test_the_command_reports_an_unreadable_file(tmp_path: Path) -> None:
    (tmp_path / "o.csv").write_bytes(b"")
    with pytest.raises(CommandError, match="was not imported: The file o.csv is empty"):
        call_command("import", "offences", str(tmp_path / "o.csv"))


@pytest.mark.django_db(transaction=True)
def test_an_audit_row_can_be_written_while_an_import_parses_its_file(tmp_path: Path) -> None:
    """The import validates its file outside any write transaction: another connection writes its audit row
    while the import is between two chunks (on SQLite, before, it waited for the write lock until the import
    committed)."""
    import threading

    from django.db import connections

    from mahalla.audit.models import AuditAction
    from mahalla.audit.services import audit_record

    between_chunks, audit_written = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def progress(rows: int, _done: int, _total: int) -> None:
        if rows == 2:
            between_chunks.set()
            assert audit_written.wait(timeout=30)

    def run() -> None:
        try:
            outcome["import"] = offence_import(actor=None, source=OFFENCES, chunk_rows=2, progress=progress)
        except BaseException as exc:  # reported by the main thread
            outcome["error"] = exc
            between_chunks.set()
        finally:
            connections.close_all()

    importer = threading.Thread(target=run)
    importer.start()
    try:
        assert between_chunks.wait(timeout=60)
        if connection.vendor == "sqlite":
            # Fail fast rather than after the configured 20 s if the import held the write lock.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA busy_timeout = 1000")
        event = audit_record(
            actor=None, action=AuditAction.READ, object_type="incidents.offence", object_id=1
        )
    finally:
        audit_written.set()
        importer.join(timeout=60)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["import"].rows_created == 6
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert Offence.objects.count() == 6

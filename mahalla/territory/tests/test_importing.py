"""The territory import: parents first, idempotent, all-or-nothing, boundaries that nest.

The fixture mahalla/territory/tests/data/territories.csv is a hand-made territory: region 1703 (Andijon)
with two of its reference districts, 1703202 and 1703203, as 0.2-degree squares side by side, and five
mahallas, four of them squares tiling the districts and one without a boundary. Its mahalla rows come
before the region and district rows on purpose.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.utils import translation

from mahalla.audit.models import AuditEvent
from mahalla.core.tabular import RejectsWriter, TabularError
from mahalla.territory.importing import TERRITORY_COLUMNS, ImportRejected, territory_import
from mahalla.territory.models import District, LawAndOrderPost, Mahalla, Region

FIXTURE = Path(__file__).parent / "data" / "territories.csv"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are asserted in English, whatever the project's default language (Uzbek)."""
    with translation.override("en"):
        yield


def fixture_rows() -> list[dict[str, str]]:
    with FIXTURE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=TERRITORY_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in TERRITORY_COLUMNS})
    return path


def box(x0: float, y0: float, x1: float, y1: float) -> str:
    return json.dumps(
        {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}
    )


def polygon(ring: list[list[float]]) -> str:
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def territory_state() -> list[Any]:
    """Everything a territory import may change, to compare before and after."""
    return [
        list(Region.objects.order_by("code").values()),
        list(District.objects.order_by("code").values()),
        list(Mahalla.objects.order_by("code").values()),
        list(LawAndOrderPost.objects.order_by("mahalla__code").values()),
    ]


def test_the_fixture_imports_parents_first_whatever_the_row_order() -> None:
    outcome = territory_import(actor=None, source=FIXTURE)
    assert (outcome.rows_read, outcome.rows_created, outcome.rows_updated) == (8, 5, 3)
    navbahor = Mahalla.objects.select_related("district", "region").get(code="1703202001")
    assert navbahor.district.code == "1703202" and navbahor.region.code == "1703"
    assert (navbahor.name_uz, navbahor.name_uz_cyrl, navbahor.name_ru) == (
        "Navbahor MFY",
        "Навбаҳор МФЙ",
        "махалля Навбахор",
    )
    assert (navbahor.population, navbahor.households) == (2400, 520)
    assert (navbahor.min_lon, navbahor.min_lat, navbahor.max_lon, navbahor.max_lat) == pytest.approx(
        (72.0, 40.6, 72.1, 40.8)
    )
    # The centroid is computed from the boundary when not given ...
    assert (navbahor.centroid_lat, navbahor.centroid_lon) == pytest.approx((40.7, 72.05))
    # ... and kept as given when it is.
    yangiobod = Mahalla.objects.get(code="1703203002")
    assert (yangiobod.centroid_lat, yangiobod.centroid_lon) == (40.75, 72.3)
    post = LawAndOrderPost.objects.get(mahalla=navbahor)
    assert (post.number, post.inspector_name, post.inspector_phone) == (
        "12",
        "Inspector A",
        "+998 90 000 00 01",
    )
    assert Mahalla.objects.get(code="1703203003").boundary is None


def test_reference_districts_are_updated_in_place_not_duplicated() -> None:
    districts_before = District.objects.count()
    territory_import(actor=None, source=FIXTURE)
    assert District.objects.count() == districts_before == 209
    district = District.objects.get(code="1703202")
    assert district.population == 5500
    assert district.boundary["type"] == "Polygon"
    # Names not given in the file stay as the reference list has them.
    assert district.name_ru == "Алтынкульский район"


def test_reimporting_the_same_file_changes_nothing_and_reports_every_row_unchanged() -> None:
    territory_import(actor=None, source=FIXTURE)
    before = territory_state()
    outcome = territory_import(actor=None, source=FIXTURE)
    assert (outcome.rows_created, outcome.rows_updated, outcome.rows_unchanged) == (0, 0, 8)
    assert territory_state() == before


def test_a_changed_value_updates_the_row_and_an_empty_cell_clears_nothing(tmp_path: Path) -> None:
    territory_import(actor=None, source=FIXTURE)
    rows = fixture_rows()
    rows[0]["population"] = "2500"
    rows[0]["name_ru"] = ""
    rows[0]["boundary"] = ""
    outcome = territory_import(actor=None, source=write_csv(tmp_path / "t.csv", rows))
    assert (outcome.rows_updated, outcome.rows_unchanged) == (1, 7)
    navbahor = Mahalla.objects.get(code="1703202001")
    assert navbahor.population == 2500
    assert navbahor.name_ru == "махалля Навбахор"
    assert navbahor.boundary is not None


def test_a_new_inspector_on_an_unchanged_mahalla_updates_only_the_post(tmp_path: Path) -> None:
    territory_import(actor=None, source=FIXTURE)
    rows = fixture_rows()
    rows[0]["inspector_name"] = "Inspector B"
    outcome = territory_import(actor=None, source=write_csv(tmp_path / "t.csv", rows))
    assert outcome.rows_updated == 1
    assert LawAndOrderPost.objects.get(mahalla__code="1703202001").inspector_name == "Inspector B"


def test_one_audit_row_per_import() -> None:
    territory_import(actor=None, source=FIXTURE)
    events = AuditEvent.objects.filter(object_type="territory.import")
    assert events.count() == 1
    assert events.get().details["rows_created"] == 5
    assert events.get().object_repr == "territories.csv"


def bad_row_cases() -> list[tuple[str, dict[str, str], str, str]]:
    """(case, change to the first mahalla row, column named in the error, words of the reason)."""
    return [
        ("unknown district", {"parent_code": "1703299"}, "parent_code", "unknown district code"),
        (
            "district moved",
            {"parent_code": "1703203"},
            "boundary",
            "does not lie inside the boundary of district",
        ),
        ("outside district", {"boundary": box(72.0, 40.6, 72.25, 40.8)}, "boundary", "does not lie inside"),
        (
            "bow tie",
            {"boundary": polygon([[72.0, 40.6], [72.1, 40.8], [72.1, 40.6], [72.0, 40.7], [72.0, 40.6]])},
            "boundary",
            "Self-intersection",
        ),
        (
            "unclosed ring",
            {"boundary": polygon([[72.0, 40.6], [72.1, 40.6], [72.1, 40.8], [72.0, 40.8]])},
            "boundary",
            "not closed",
        ),
        ("code letters", {"code": "17032A"}, "code", "digits"),
        ("population missing", {"population": ""}, "population", "required for a mahalla"),
        ("population negative", {"population": "-3"}, "population", "at least 0"),
        ("population decimal", {"population": "12.5"}, "population", "not a whole number"),
        ("bad level", {"level": "village"}, "level", "must be one of"),
        ("kind for mahalla", {"kind": "city"}, "kind", "for a mahalla must be"),
        (
            "centroid outside",
            {"centroid_lat": "41.5", "centroid_lon": "72.05"},
            "centroid_lat",
            "lies outside",
        ),
        ("half a centroid", {"centroid_lat": "40.7"}, "centroid_lon", "both"),
        ("name too long", {"name_uz": "x" * 201}, "name_uz", "longer than 200"),
        ("name missing", {"name_uz": ""}, "name_uz", "required"),
    ]


@pytest.mark.parametrize(
    ("change", "column", "reason"),
    [case[1:] for case in bad_row_cases()],
    ids=[case[0] for case in bad_row_cases()],
)
def test_a_file_with_one_bad_row_changes_nothing_and_names_row_column_and_reason(
    tmp_path: Path, change: dict[str, str], column: str, reason: str
) -> None:
    rows = fixture_rows()
    rows[0].update(change)
    before = territory_state()
    with pytest.raises(ImportRejected) as caught:
        territory_import(actor=None, source=write_csv(tmp_path / "t.csv", rows))
    assert territory_state() == before
    errors = caught.value.outcome.errors
    assert [(error.row, error.column) for error in errors] == [(1, column)]
    assert reason in errors[0].reason
    assert "row 1" in caught.value.message and "nothing was changed" in caught.value.message


def test_a_refused_import_leaves_an_audit_trace_of_the_attempt(tmp_path: Path) -> None:
    rows = fixture_rows()
    rows[0]["parent_code"] = "1703299"
    with pytest.raises(ImportRejected):
        territory_import(actor=None, source=write_csv(tmp_path / "t.csv", rows))
    event = AuditEvent.objects.get(object_type="territory.import")
    assert event.details["status"] == "failed" and event.details["error_count"] == 1


def test_a_code_twice_in_one_file_is_refused_naming_both_rows(tmp_path: Path) -> None:
    rows = fixture_rows()
    rows.append(dict(rows[1]))
    with pytest.raises(ImportRejected) as caught:
        territory_import(actor=None, source=write_csv(tmp_path / "t.csv", rows))
    [error] = caught.value.outcome.errors
    assert (error.row, error.column) == (9, "code")
    assert "also in row 2" in error.reason
    assert not Mahalla.objects.exists()


def test_a_mahalla_under_a_refused_district_row_is_refused_too(tmp_path: Path) -> None:
    rows = fixture_rows()
    rows.append({"level": "district", "code": "1706299", "parent_code": "1703", "name_uz": "Wrong prefix"})
    rows.append(
        {
            "level": "mahalla",
            "code": "1706299001",
            "parent_code": "1706299",
            "name_uz": "M",
            "population": "1",
        }
    )
    with pytest.raises(ImportRejected) as caught:
        territory_import(actor=None, source=write_csv(tmp_path / "t.csv", rows))
    reasons = {error.row: error.reason for error in caught.value.outcome.errors}
    assert "starts with its region's code" in reasons[9]
    assert "unknown district code" in reasons[10]


def test_an_import_cannot_move_a_stored_mahalla_to_another_district(tmp_path: Path) -> None:
    territory_import(actor=None, source=FIXTURE)
    rows = [row for row in fixture_rows() if row["code"] == "1703203003"]
    rows[0]["parent_code"] = "1703202"
    with pytest.raises(ImportRejected, match="belongs to 1703203; an import cannot move it"):
        territory_import(actor=None, source=write_csv(tmp_path / "t.csv", rows))


def test_a_new_district_boundary_must_still_hold_its_stored_mahallas(tmp_path: Path) -> None:
    territory_import(actor=None, source=FIXTURE)
    rows = [row for row in fixture_rows() if row["code"] == "1703202"]
    rows[0]["boundary"] = box(72.0, 40.6, 72.15, 40.8)  # cuts Do'stlik (72.1-72.2) in half
    with pytest.raises(ImportRejected, match="stored boundary of mahalla 1703202002 would lie outside"):
        territory_import(actor=None, source=write_csv(tmp_path / "t.csv", rows))
    assert District.objects.get(code="1703202").boundary["coordinates"][0][1] == [72.2, 40.6]


def test_skip_invalid_imports_the_valid_rows_and_writes_the_rejected_ones_with_reasons(
    tmp_path: Path,
) -> None:
    rows = fixture_rows()
    rows[0]["population"] = "=1+1"
    rejects = RejectsWriter(tmp_path / "rejects.csv")
    outcome = territory_import(
        actor=None, source=write_csv(tmp_path / "t.csv", rows), skip_invalid=True, rejects=rejects
    )
    rejects.close()
    assert (outcome.rows_created, outcome.rows_rejected) == (4, 1)
    assert not Mahalla.objects.filter(code="1703202001").exists()
    assert Mahalla.objects.filter(code="1703202002").exists()
    with (tmp_path / "rejects.csv").open(encoding="utf-8") as handle:
        rejected = list(csv.DictReader(handle))
    assert [(row["row"], row["code"], row["population"]) for row in rejected] == [
        ("1", "1703202001", "'=1+1")
    ]
    assert "population: not a whole number" in rejected[0]["errors"]


def test_xlsx_and_json_lines_import_the_same_territory_as_csv(tmp_path: Path) -> None:
    rows = fixture_rows()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(TERRITORY_COLUMNS))
    for row in rows:
        # Numbers as Excel stores them: floats.
        sheet.append([float(row[c]) if c == "population" and row[c] else row[c] for c in TERRITORY_COLUMNS])
    workbook.save(tmp_path / "t.xlsx")
    territory_import(actor=None, source=tmp_path / "t.xlsx")
    from_xlsx = territory_state()

    lines = []
    for row in rows:
        record: dict[str, Any] = {key: value for key, value in row.items() if value}
        if "boundary" in record:
            record["boundary"] = json.loads(record["boundary"])  # a nested object, not a string
        if "population" in record:
            record["population"] = int(record["population"])
        lines.append(json.dumps(record, ensure_ascii=False))
    (tmp_path / "t.jsonl").write_text("\n".join(lines), encoding="utf-8")
    outcome = territory_import(actor=None, source=tmp_path / "t.jsonl")
    assert (outcome.rows_created, outcome.rows_updated, outcome.rows_unchanged) == (0, 0, 8)
    assert territory_state() == from_xlsx


def test_a_file_level_error_changes_nothing(tmp_path: Path) -> None:
    before = territory_state()
    (tmp_path / "t.csv").write_text("level,code,name_uz,colour\nregion,1703,A,red\n", encoding="utf-8")
    with pytest.raises(TabularError, match="Unknown column.*colour"):
        territory_import(actor=None, source=tmp_path / "t.csv")
    assert territory_state() == before


def test_the_import_stores_each_mahalla_boundary_generalised_per_map_level() -> None:
    from shapely.geometry import shape

    territory_import(actor=None, source=FIXTURE)
    navbahor = Mahalla.objects.get(code="1703202001")
    full = shape(navbahor.boundary)

    assert sorted(navbahor.boundary_simplified) == ["country", "region"]
    for level in ("region", "country"):
        simplified = shape(navbahor.boundary_simplified[level])
        assert simplified.is_valid
        assert simplified.symmetric_difference(full).area < 0.05 * full.area
    # A mahalla without a boundary has nothing to generalise.
    assert Mahalla.objects.get(code="1703203003").boundary_simplified is None

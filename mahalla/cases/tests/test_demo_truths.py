"""The demo's planted casework truths are found: reports with no order after 24 hours, orders issued late,
missed check-ins, overdue conclusions, and the persons entered twice across scripts (recall and precision of
the duplicate detector)."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from mahalla.demo.generator.cases import generate_cases

from ..importing import cases_import
from ..models import (
    AlertKind,
    CaseAlert,
    CheckIn,
    Conclusion,
    Person,
    ProtectionOrder,
    Supervision,
    ViolenceReport,
)
from ..selectors import duplicate_candidates
from ..services import monitoring_run
from .factories import user_for


@pytest.fixture
def loaded(tiny_nation, tmp_path):
    for name in ("territories.csv", "offences.csv"):
        shutil.copy(tiny_nation.directory / name, tmp_path / name)
    truth = generate_cases(tmp_path, seed=2026, as_of=tiny_nation.as_of)
    counts = cases_import(tmp_path / "cases.json", actor=user_for("administrator"))
    outcome = monitoring_run(day=tiny_nation.as_of)
    return {"truth": truth, "counts": counts, "outcome": outcome}


def test_the_generation_is_deterministic(tiny_nation, tmp_path):
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        for name in ("territories.csv", "offences.csv"):
            shutil.copy(tiny_nation.directory / name, tmp_path / run / name)
        generate_cases(tmp_path / run, seed=7, as_of=tiny_nation.as_of)
    assert (tmp_path / "a" / "cases.json").read_bytes() == (tmp_path / "b" / "cases.json").read_bytes()


def test_every_planted_truth_is_found(loaded):
    truth = loaded["truth"]
    assert (
        truth["reports_without_order"]
        and truth["late_orders"]
        and truth["missed_checkins"]
        and truth["overdue_conclusions"]
    )

    late_alerts = CaseAlert.objects.filter(kind=AlertKind.ORDER_LATE).values_list("object_id", flat=True)
    assert set(
        ViolenceReport.objects.filter(pk__in=late_alerts).values_list("description", flat=True)
    ) == set(truth["reports_without_order"])

    issued_late = {
        order.report.description
        for order in ProtectionOrder.objects.select_related("report")
        if order.issued_late
    }
    assert issued_late == set(truth["late_orders"])

    missed = CheckIn.objects.filter(status=CheckIn.Status.MISSED).values("supervision")
    missed_persons = set(Supervision.objects.filter(pk__in=missed).values_list("person__pinfl", flat=True))
    assert missed_persons == set(truth["missed_checkins"])
    assert (
        CaseAlert.objects.filter(kind=AlertKind.CHECKIN_MISSED).count()
        == CheckIn.objects.filter(status=CheckIn.Status.MISSED).count()
    )

    overdue = CaseAlert.objects.filter(kind=AlertKind.CONCLUSION_OVERDUE).values_list("object_id", flat=True)
    found = {
        f"{c.offence.source_system}:{c.offence.registration_number}"
        for c in Conclusion.objects.filter(pk__in=overdue).select_related("offence")
    }
    assert found == set(truth["overdue_conclusions"])


def test_imported_register_entries_get_the_categorys_default_term(loaded):
    from ..models import RegisterEntry

    entries = list(
        RegisterEntry.objects.select_related("category").exclude(category__code="protection_order")
    )
    with_default = [e for e in entries if e.category.default_term_days]
    assert with_default, "the demo lists persons under a category with a default term"
    for entry in with_default:
        assert entry.term_ends_on == entry.starts_on + dt.timedelta(days=entry.category.default_term_days)
    assert all(e.term_ends_on is None for e in entries if not e.category.default_term_days)


def test_the_duplicate_detector_finds_the_planted_cross_script_pairs(loaded):
    truth = {frozenset(pair) for pair in loaded["truth"]["duplicates"]}
    pinfl = dict(Person.objects.values_list("pk", "pinfl"))
    found = {frozenset((pinfl[p.left_id], pinfl[p.right_id])) for p in duplicate_candidates(actor=None)}
    true_positives = len(found & truth)
    recall = true_positives / len(truth)
    precision = true_positives / len(found) if found else 0.0
    print(f"duplicates planted={len(truth)} found={len(found)} recall={recall:.3f} precision={precision:.3f}")
    assert recall >= 0.95
    assert precision >= 0.8


def test_the_planned_household_rounds_go_to_the_inspector_of_their_mahalla(tiny_nation, tmp_path):
    import json

    from mahalla.core.roles import Role
    from mahalla.territory.models import Mahalla

    from ..models import HouseholdRound
    from ..selectors import worklist_for
    from .factories import inspector

    for name in ("territories.csv", "offences.csv"):
        shutil.copy(tiny_nation.directory / name, tmp_path / name)
    truth = generate_cases(tmp_path, seed=2026, as_of=tiny_nation.as_of)
    rows = json.loads((tmp_path / "cases.json").read_text(encoding="utf-8"))["household_rounds"]
    assert truth["counts"]["household_rounds"] == len(rows) > 0
    code = rows[0]["mahalla"]
    mahalla = Mahalla.objects.get(code=code)
    own = inspector(mahalla)
    counts = cases_import(tmp_path / "cases.json", actor=user_for(Role.ADMINISTRATOR))
    planted = [row for row in rows if row["mahalla"] == code]
    assert counts["household_rounds"] == len(planted) == HouseholdRound.objects.count()
    assert counts["household_rounds_unassigned"] == len(rows) - len(planted)
    assert set(HouseholdRound.objects.values_list("inspector", flat=True)) == {own.pk}
    # On the as-of day the inspector's worklist holds every planted round: those of the week ahead as this
    # week's, those planned earlier and not recorded as today's.
    work = worklist_for(actor=own, mahalla=mahalla, today=tiny_nation.as_of)
    assert len(work.rounds_today) == sum(1 for row in planted if row["planned_in_days"] <= 0)
    assert len(work.rounds_week) == sum(1 for row in planted if row["planned_in_days"] > 0)


def test_a_bad_household_round_row_stops_the_import_naming_its_row_and_field(tiny_nation, tmp_path):
    import json

    from mahalla.core.errors import ApplicationError
    from mahalla.core.roles import Role

    for name in ("territories.csv", "offences.csv"):
        shutil.copy(tiny_nation.directory / name, tmp_path / name)
    generate_cases(tmp_path, seed=2026, as_of=tiny_nation.as_of)
    data = json.loads((tmp_path / "cases.json").read_text(encoding="utf-8"))
    data["household_rounds"][1]["purpose"] = "political views"
    (tmp_path / "cases.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ApplicationError) as error:
        cases_import(tmp_path / "cases.json", actor=user_for(Role.ADMINISTRATOR))
    assert error.value.extra == {"field": "purpose", "section": "household_rounds", "row": 2}
    assert not Person.objects.exists()


def test_the_bulk_import_writes_what_the_services_would(loaded):
    """The importer inserts through the cursor: every row carries the model's defaults and the values the
    services compute (spellings, name skeleton, the check-in calendar of `checkin_calendar`)."""
    from mahalla.core.transliterate import latin_to_cyrillic, latin_to_russian

    from ..models import RegisterEntry
    from ..names import name_skeleton
    from ..services import checkin_calendar

    persons = list(Person.objects.all())
    assert len(persons) == loaded["counts"]["persons"]
    for person in persons:
        assert person.version == 1 and person.created_at is not None and person.merged_into_id is None
        assert person.name_key == name_skeleton(person.name_latin)
        if person.name_latin.isascii():
            assert person.name_cyrillic == latin_to_cyrillic(person.name_latin)
            assert person.name_russian == latin_to_russian(person.name_latin)
    entries = RegisterEntry.objects.exclude(category__code="protection_order")
    assert entries.count() == loaded["counts"]["entries"]
    for entry in entries:
        # Active, or ended by the monitoring on the day its term ended.
        assert entry.created_by_id is None and entry.end_reason in ("", "term ended")
        assert entry.ended_on == (entry.term_ends_on if entry.status == RegisterEntry.Status.ENDED else None)
    for supervision in Supervision.objects.prefetch_related("checkins"):
        due = sorted(c.due_on for c in supervision.checkins.all())
        per_month = supervision.checkins_per_month
        assert due == checkin_calendar(supervision.starts_on, supervision.ends_on, per_month)
        for checkin in supervision.checkins.all():
            assert checkin.version == 1
            assert (checkin.reported_at is not None) == (checkin.status == CheckIn.Status.DONE)

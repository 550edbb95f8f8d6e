"""Entities resolved on shared values, facts and links with provenance, bad input refused clearly."""

from __future__ import annotations

import datetime as dt

import pytest

from mahalla.audit.models import AuditEvent
from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.links.models import Entity, Fact, Link, SourceKind
from mahalla.links.services import detections_store, entity_resolve, link_create, source_create

from .factories import cameras_create, narcotics_officer, two_mahallas

pytestmark = pytest.mark.django_db


def _source(officer, mahalla, reference="case 12/2026"):
    return source_create(
        actor=officer,
        kind=SourceKind.DOCUMENT,
        reference=reference,
        legal_basis="Criminal Procedure Code art. 166",
        mahalla=mahalla,
    )


def test_the_same_phone_written_two_ways_by_two_sources_is_one_entity_with_both_facts_sourced():
    mahalla, _b = two_mahallas()
    officer = narcotics_officer(mahalla)
    first, second = _source(officer, mahalla), _source(officer, mahalla, "seizure 7")
    a = entity_resolve(
        actor=officer, schema_name="Phone", properties={"number": "+998 90 123-45-67"}, source=first
    )
    b = entity_resolve(
        actor=officer,
        schema_name="Phone",
        properties={"number": "901234567", "operator": "Ucell"},
        source=second,
    )
    assert a.pk == b.pk and a.key == "Phone:+998901234567"
    facts = {
        (f.prop, f.value, f.source.reference, f.entered_by.username) for f in Fact.objects.filter(entity=a)
    }
    assert facts == {
        ("number", "+998901234567", "case 12/2026", officer.username),
        ("number", "+998901234567", "seizure 7", officer.username),
        ("operator", "Ucell", "seizure 7", officer.username),
    }
    assert a.mahalla_id == mahalla.pk
    assert AuditEvent.objects.filter(object_type="links.entity", object_id=str(a.pk)).count() == 2


def test_a_card_hash_a_wallet_and_a_handle_are_pivots_too():
    mahalla, _b = two_mahallas()
    officer = narcotics_officer(mahalla)
    source = _source(officer, mahalla)
    assert entity_resolve(
        actor=officer, schema_name="Account", properties={"handle": "@Shop_Bot"}, source=source
    ).pk == (
        entity_resolve(
            actor=officer, schema_name="Account", properties={"handle": "t.me/shop_bot"}, source=source
        ).pk
    )
    assert Entity.objects.filter(schema="Account").count() == 1
    persons = [
        entity_resolve(actor=officer, schema_name="Person", properties={"name": "A"}, source=source)
        for _ in "ab"
    ]
    assert persons[0].pk != persons[1].pk  # no pivot: two people of one name stay two


def test_bad_input_is_refused_with_the_field_and_nothing_is_written():
    mahalla, _b = two_mahallas()
    officer = narcotics_officer(mahalla)
    source = _source(officer, mahalla)
    before = Entity.objects.count()
    with pytest.raises(ApplicationError, match="Unknown entity type Drone"):
        entity_resolve(actor=officer, schema_name="Drone", properties={}, source=source)
    with pytest.raises(ApplicationError, match="Phone has no property colour") as error:
        entity_resolve(
            actor=officer, schema_name="Phone", properties={"number": "1", "colour": "red"}, source=source
        )
    assert error.value.extra["field"] == "colour"
    with pytest.raises(ApplicationError, match="Phone needs its number"):
        entity_resolve(actor=officer, schema_name="Phone", properties={"operator": "x"}, source=source)
    with pytest.raises(ApplicationError, match="not a valid kind"):
        entity_resolve(actor=officer, schema_name="Place", properties={"kind": "castle"}, source=source)
    assert Entity.objects.count() == before
    with pytest.raises(ApplicationError, match="legal basis"):
        source_create(actor=officer, kind=SourceKind.DOCUMENT, reference="x", legal_basis="  ")


def test_a_link_must_fit_its_type_and_carries_its_source_date_and_author():
    mahalla, _b = two_mahallas()
    officer = narcotics_officer(mahalla)
    source = _source(officer, mahalla)
    person = entity_resolve(actor=officer, schema_name="Person", properties={"name": "A"}, source=source)
    phone = entity_resolve(
        actor=officer, schema_name="Phone", properties={"number": "+998901112233"}, source=source
    )
    with pytest.raises(ApplicationError, match="A call link goes from Phone to Phone"):
        link_create(
            actor=officer,
            schema_name="call",
            source_entity=person,
            target_entity=phone,
            source=source,
            date=dt.date(2026, 1, 1),
        )
    link = link_create(
        actor=officer,
        schema_name="owns",
        source_entity=person,
        target_entity=phone,
        source=source,
        date=dt.date(2026, 1, 2),
    )
    assert (link.source.reference, link.date, link.entered_by) == (
        "case 12/2026",
        dt.date(2026, 1, 2),
        officer,
    )
    assert Link.objects.count() == 1


def test_only_narcotics_officers_write():
    from mahalla.accounts.tests.factories import UserFactory
    from mahalla.core.roles import Role

    mahalla, _b = two_mahallas()
    analyst = UserFactory(role=Role.NATIONAL_ANALYST)
    with pytest.raises(AccessDenied):
        source_create(actor=analyst, kind=SourceKind.DOCUMENT, reference="x", legal_basis="y")


def test_detections_from_an_unknown_camera_are_refused_with_a_clear_reason_and_the_rest_stored_once():
    mahalla, _b = two_mahallas()
    cameras_create(mahalla, ["CAM-1"])
    events = [
        {
            "event_id": "1",
            "camera": "cam-1",
            "plate": "01 A 123 BC",
            "observed_at": "2026-01-01T08:00:00+05:00",
        },
        {"event_id": "2", "camera": "CAM-9", "plate": "01A124BC", "observed_at": "2026-01-01T08:00:00+05:00"},
        {"event_id": "3", "camera": "CAM-1", "plate": "01A125BC", "observed_at": "2026-01-01T08:00:00"},
    ]
    result = detections_store(events=events, origin="test")
    assert result.inserted == 1
    assert [r["reason"] for r in result.rejected] == [
        "unknown camera 'CAM-9': register it before sending its detections",
        "malformed: observed_at has no time zone",
    ]
    again = detections_store(events=events[:1], origin="test")
    assert (again.inserted, again.duplicates) == (0, 1)


def test_bulk_import_of_historic_detections_reports_bad_lines(tmp_path):
    from io import StringIO

    from django.core.management import call_command

    from mahalla.links.models import Detection

    mahalla, _b = two_mahallas()
    cameras_create(mahalla, ["CAM-1"])
    path = tmp_path / "detections.csv"
    path.write_text(
        "event_id,camera,plate,observed_at\n"
        "h1,CAM-1,01A123BC,2025-12-01T08:00:00+00:00\n"
        "h2,CAM-7,01A123BC,2025-12-01T08:01:00+00:00\n"
        "h3,CAM-1,01A777BC,2025-12-01T08:02:00+00:00\n",
        encoding="utf-8",
    )
    out, err = StringIO(), StringIO()
    call_command("links-import-detections", str(path), stdout=out, stderr=err)
    assert "stored 2" in out.getvalue()
    assert "line 3: unknown camera 'CAM-7'" in err.getvalue()
    assert Detection.objects.count() == 2
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="line 3: unknown camera"):
        call_command("links-import-detections", str(path), "--strict")

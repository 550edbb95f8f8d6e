"""Offence selectors: exact visible sets over roles and scopes, counts for everyone with a scope, the
audit trail of person-level reads, and filters."""

from __future__ import annotations

import datetime as dt

import pytest

from mahalla.audit.models import AuditEvent
from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.core.roles import Role
from mahalla.incidents.models import OffenceCategory
from mahalla.incidents.selectors import offence_counts, offence_get, offence_list, offence_reads_record
from mahalla.territory.tests.factories import BROKEN_SCOPES, VALID_SCOPES, world_mahallas, world_user

from .factories import TASHKENT, OffenceFactory, world_offences
from .test_access import RECORD_READING_ROLES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", RECORD_READING_ROLES)
@pytest.mark.parametrize("scope_name", list(VALID_SCOPES))
def test_offence_list_holds_exactly_the_offences_of_the_scope(role, scope_name):
    mahallas = world_mahallas()
    world_offences(mahallas)
    actor = world_user(role, VALID_SCOPES[scope_name], mahallas)
    listed = set(offence_list(actor=actor).values_list("registration_number", flat=True))
    assert listed == VALID_SCOPES[scope_name][4]


@pytest.mark.parametrize("scope_name", list(VALID_SCOPES))
def test_a_mahalla_seven_member_is_refused_the_list_but_gets_the_counts_of_its_scope(scope_name):
    mahallas = world_mahallas()
    world_offences(mahallas)
    member = world_user(Role.MAHALLA_SEVEN, VALID_SCOPES[scope_name], mahallas)
    with pytest.raises(AccessDenied):
        offence_list(actor=member)
    counts = offence_counts(actor=member, group_by="mahalla")
    assert {row["code"].removeprefix("M"): row["count"] for row in counts} == dict.fromkeys(
        VALID_SCOPES[scope_name][4], 1
    )


@pytest.mark.parametrize("scope_name", list(BROKEN_SCOPES))
def test_a_broken_scope_lists_and_counts_nothing(scope_name):
    mahallas = world_mahallas()
    world_offences(mahallas)
    analyst = world_user(Role.NATIONAL_ANALYST, BROKEN_SCOPES[scope_name], mahallas)
    assert not offence_list(actor=analyst).exists()
    assert offence_counts(actor=analyst, group_by="region") == []


def test_counts_group_by_region_and_category_inside_the_scope():
    mahallas = world_mahallas()
    world_offences(mahallas)
    OffenceFactory(mahalla=mahallas["A1a"], category=OffenceCategory.objects.get(code="fraud"), article="168")
    chief = world_user(Role.REGIONAL_CHIEF, VALID_SCOPES["region A"], mahallas)
    assert offence_counts(actor=chief, group_by="region") == [
        {"code": "1703", "name": "Andijon viloyati", "count": 5}
    ]
    by_category = {row["code"]: row["count"] for row in offence_counts(actor=chief, group_by="category")}
    assert by_category == {"theft": 4, "fraud": 1}
    with pytest.raises(ApplicationError) as error:
        offence_counts(actor=chief, group_by="person")
    assert error.value.extra == {"field": "group_by", "value": "person"}


def test_reading_an_offence_requires_a_purpose_and_records_it_in_the_audit_log():
    mahallas = world_mahallas()
    offences = world_offences(mahallas)
    inspector = world_user(Role.PREVENTIVE_INSPECTOR, VALID_SCOPES["mahallas A1a and B2b"], mahallas)
    with pytest.raises(ApplicationError) as error:
        offence_get(actor=inspector, offence_id=offences["A1a"].pk, purpose="   ")
    assert error.value.extra == {"field": "purpose"}
    assert not AuditEvent.objects.exists()

    assert (
        offence_get(actor=inspector, offence_id=offences["A1a"].pk, purpose="case review 12")
        == offences["A1a"]
    )
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.object_type, event.object_id, event.purpose) == (
        inspector,
        "read",
        "incidents.offence",
        str(offences["A1a"].pk),
        "case review 12",
    )


def test_an_attempt_to_read_an_offence_outside_the_scope_is_refused_and_logged_as_denied():
    mahallas = world_mahallas()
    offences = world_offences(mahallas)
    chief = world_user(Role.DISTRICT_CHIEF, VALID_SCOPES["district A1"], mahallas)
    with pytest.raises(AccessDenied):
        offence_get(actor=chief, offence_id=offences["B2a"].pk, purpose="curiosity")
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id, event.purpose) == ("denied", str(offences["B2a"].pk), "curiosity")


def test_a_page_of_the_list_writes_one_read_row_per_record_shown():
    mahallas = world_mahallas()
    world_offences(mahallas)
    chief = world_user(Role.REGIONAL_CHIEF, VALID_SCOPES["region B"], mahallas)
    page = list(offence_list(actor=chief)[:3])
    assert offence_reads_record(actor=chief, offences=page, purpose="weekly review") == 3
    events = AuditEvent.objects.filter(action="read")
    assert sorted(events.values_list("object_id", flat=True)) == sorted(str(o.pk) for o in page)
    assert set(events.values_list("purpose", "actor_username")) == {("weekly review", chief.username)}


def test_date_filters_are_whole_days_in_tashkent_time():
    mahallas = world_mahallas()
    # 00:30 on 1 March in Tashkent is still 28 February in UTC.
    early = OffenceFactory(
        mahalla=mahallas["A1a"], occurred_at=dt.datetime(2026, 3, 1, 0, 30, tzinfo=TASHKENT)
    )
    late = OffenceFactory(
        mahalla=mahallas["A1a"], occurred_at=dt.datetime(2026, 3, 31, 23, 50, tzinfo=TASHKENT)
    )
    OffenceFactory(mahalla=mahallas["A1a"], occurred_at=dt.datetime(2026, 2, 28, 23, 50, tzinfo=TASHKENT))
    OffenceFactory(mahalla=mahallas["A1a"], occurred_at=dt.datetime(2026, 4, 1, 0, 10, tzinfo=TASHKENT))
    analyst = world_user(Role.NATIONAL_ANALYST, VALID_SCOPES["country"], mahallas)
    march = offence_list(actor=analyst, filters={"occurred_from": "2026-03-01", "occurred_to": "2026-03-31"})
    assert set(march) == {early, late}


def test_flag_category_and_territory_filters_narrow_the_list():
    mahallas = world_mahallas()
    offences = world_offences(mahallas)
    minor = OffenceFactory(mahalla=mahallas["B1b"], involves_minor=True)
    fraud = OffenceFactory(
        mahalla=mahallas["B1b"],
        category=OffenceCategory.objects.get(code="fraud"),
        article="168",
        bank_card=True,
    )
    analyst = world_user(Role.NATIONAL_ANALYST, VALID_SCOPES["country"], mahallas)
    assert set(offence_list(actor=analyst, filters={"involves_minor": "true"})) == {minor}
    assert set(offence_list(actor=analyst, filters={"category": "fraud", "bank_card": "true"})) == {fraud}
    assert set(offence_list(actor=analyst, filters={"mahalla": "MB1b"})) == {offences["B1b"], minor, fraud}
    assert (
        offence_list(actor=analyst, filters={"district": "1706204", "involves_minor": "false"}).count() == 3
    )
    with pytest.raises(ApplicationError) as error:
        offence_list(actor=analyst, filters={"occurred_from": "yesterday"})
    assert "occurred_from" in error.value.extra["fields"]

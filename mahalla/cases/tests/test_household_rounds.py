"""Household rounds planned on the inspector's worklist: planned for a household of the mahalla, shown for
today and this week, recorded as done with the outcome (offline edits carry the version), in the API and on
the page, scoped to the mahalla and audited; bad input names the field and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from mahalla.audit.models import AuditEvent
from mahalla.core.errors import AccessDenied, ApplicationError, Conflict
from mahalla.core.roles import Role

from .. import services
from ..access import access_round_by_id
from ..models import HouseholdRound
from ..selectors import worklist_for
from .factories import user_for
from .test_apis import client_for


def plan(place, *, days: int = 0, person=True, **kwargs) -> HouseholdRound:
    return services.household_round_plan(
        actor=place.inspector,
        mahalla=place.home,
        address=kwargs.pop("address", "Navoiy ko'chasi, 12-uy"),
        planned_on=timezone.localdate() + dt.timedelta(days=days),
        purpose=kwargs.pop("purpose", "family"),
        person=place.person if person else None,
        **kwargs,
    )


def _listed_until_2016(place) -> None:
    """The person's only register entry ended ten years ago: due for anonymisation unless busy."""
    entry = services.register_entry_add(
        actor=place.inspector,
        person=place.person,
        category_code="preventive_register",
        basis_document="d1",
        starts_on=dt.date(2015, 1, 1),
        term_ends_on=dt.date(2016, 1, 1),
        decided_by="dept",
    )
    services.register_entry_end(
        actor=place.inspector, entry=entry, ended_on=dt.date(2016, 1, 1), reason="term"
    )


def test_a_planned_round_is_made_by_the_planner_and_audited(place):
    household_round = plan(place)
    assert household_round.inspector == place.inspector
    assert household_round.status == HouseholdRound.Status.PLANNED
    assert (household_round.mahalla, household_round.district) == (place.home, place.district)
    assert AuditEvent.objects.filter(
        action="create", object_type="cases.householdround", object_id=str(household_round.pk)
    ).exists()


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("address", {"address": "  "}),
        ("purpose", {"purpose": "opinion"}),
        ("planned_on", {"days": -1}),
    ],
)
def test_bad_input_names_the_field_and_plans_nothing(place, field, change):
    with pytest.raises(ApplicationError) as error:
        plan(place, **change)
    assert error.value.extra["field"] == field
    assert not HouseholdRound.objects.exists()


def test_a_round_for_a_person_of_another_mahalla_or_by_an_outside_inspector_is_refused(place):
    with pytest.raises(ApplicationError) as error:
        services.household_round_plan(
            actor=place.inspector,
            mahalla=place.home,
            address="Bobur ko'chasi, 3-uy",
            planned_on=timezone.localdate(),
            purpose="family",
            person=place.far_person,
        )
    assert error.value.extra["field"] == "person"
    outsider = user_for(Role.PREVENTIVE_INSPECTOR, mahallas=[place.far])
    with pytest.raises(ApplicationError) as error:
        plan(place, inspector=outsider)
    assert error.value.extra["field"] == "inspector"
    analyst = user_for(Role.NATIONAL_ANALYST)
    with pytest.raises(ApplicationError) as error:
        plan(place, inspector=analyst)
    assert error.value.extra["field"] == "inspector"
    assert not HouseholdRound.objects.exists()


def test_an_inspector_cannot_plan_rounds_in_another_mahalla(place):
    with pytest.raises(AccessDenied):
        services.household_round_plan(
            actor=place.inspector,
            mahalla=place.far,
            address="Bobur ko'chasi, 3-uy",
            planned_on=timezone.localdate(),
            purpose="prevention",
        )


def test_the_worklist_shows_todays_and_this_weeks_rounds_not_later_or_done_ones(place):
    today_round = plan(place)
    week_round = plan(place, days=3, person=False, purpose="prevention")
    later = plan(place, days=9)
    done = plan(place, days=1)
    services.household_round_record(
        actor=place.inspector, household_round=done, done_on=timezone.localdate(), outcome="Family at home"
    )
    # Planned yesterday and still not recorded: today's work.
    overdue = plan(place, days=2)
    HouseholdRound.objects.filter(pk=overdue.pk).update(
        planned_on=timezone.localdate() - dt.timedelta(days=1)
    )
    work = worklist_for(actor=place.inspector, mahalla=place.home)
    assert [r.pk for r in work.rounds_today] == [overdue.pk, today_round.pk]
    assert [r.pk for r in work.rounds_week] == [week_round.pk]
    assert later.pk not in {r.pk for r in work.rounds_today + work.rounds_week}
    assert place.person in work.persons()


def test_recording_a_round_keeps_the_outcome_and_refuses_a_stale_or_empty_edit(place):
    household_round = plan(place)
    with pytest.raises(ApplicationError) as error:
        services.household_round_record(
            actor=place.inspector, household_round=household_round, done_on=timezone.localdate(), outcome=" "
        )
    assert error.value.extra["field"] == "outcome"
    with pytest.raises(ApplicationError) as error:
        services.household_round_record(
            actor=place.inspector,
            household_round=household_round,
            done_on=timezone.localdate() + dt.timedelta(days=1),
            outcome="Visited",
        )
    assert error.value.extra["field"] == "done_on"
    household_round.refresh_from_db()
    assert household_round.status == HouseholdRound.Status.PLANNED and household_round.version == 1

    done = services.household_round_record(
        actor=place.inspector,
        household_round=household_round,
        done_on=timezone.localdate(),
        outcome="Visited; the son goes to college",
        version=1,
    )
    assert (done.status, done.outcome, done.version) == ("done", "Visited; the son goes to college", 2)
    with pytest.raises(Conflict) as conflict:
        services.household_round_record(
            actor=place.inspector,
            household_round=household_round,
            done_on=timezone.localdate(),
            outcome="Nobody at home",
            version=1,
        )
    assert conflict.value.extra["server"]["outcome"] == "Visited; the son goes to college"
    household_round.refresh_from_db()
    assert household_round.outcome == "Visited; the son goes to college"


def test_a_round_is_reached_only_by_the_mahallas_workers(place):
    household_round = plan(place)
    assert access_round_by_id(place.inspector, household_round.pk) == household_round
    for outsider in (
        user_for(Role.PREVENTIVE_INSPECTOR, mahallas=[place.far]),
        user_for(Role.DISTRICT_CHIEF, district=place.district),
        user_for(Role.WOMENS_AFFAIRS_INSPECTOR, district=place.district),
    ):
        with pytest.raises(AccessDenied):
            access_round_by_id(outsider, household_round.pk)
    with pytest.raises(AccessDenied):
        access_round_by_id(place.inspector, "1; DROP")


def test_the_api_plans_lists_and_records_a_round_and_answers_a_stale_edit_with_409(place):
    client = client_for(place.inspector)
    response = client.post(
        reverse("cases:round-list"),
        {
            "mahalla": place.home.code,
            "address": "Mustaqillik ko'chasi, 7-uy",
            "planned_on": timezone.localdate().isoformat(),
            "purpose": "supervision",
            "person": place.person.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    round_id = response.json()["id"]
    assert response.json()["inspector"] == place.inspector.pk

    listed = client.get(reverse("cases:round-list"), {"mahalla": place.home.code, "purpose": "rounds"})
    assert [row["id"] for row in listed.json()["results"]] == [round_id]
    assert AuditEvent.objects.filter(action="read", object_id=str(place.person.pk), purpose="rounds").exists()

    worklist = client.get(reverse("cases:worklist", args=[place.home.code])).json()
    assert [row["id"] for row in worklist["rounds_today"]] == [round_id]
    url = worklist["rounds_today"][0]["url"]
    body = {"done_on": timezone.localdate().isoformat(), "outcome": "At home, all well", "version": 1}
    response = client.post(url, body, format="json")
    assert response.status_code == 200
    assert response.json() == {"id": round_id, "status": "done", "outcome": "At home, all well", "version": 2}
    stale = client.post(url, {**body, "outcome": "Changed offline"}, format="json")
    assert stale.status_code == 409
    assert stale.json()["extra"]["server"]["outcome"] == "At home, all well"


def test_the_api_refuses_bad_input_naming_the_field_and_another_mahallas_round(place):
    client = client_for(place.inspector)
    response = client.post(
        reverse("cases:round-list"),
        {"mahalla": place.home.code, "address": "x", "planned_on": "2020-01-01", "purpose": "family"},
        format="json",
    )
    assert response.status_code == 400 and response.json()["extra"]["field"] == "planned_on"
    assert not HouseholdRound.objects.exists()
    far_inspector = user_for(Role.PREVENTIVE_INSPECTOR, mahallas=[place.far])
    household_round = plan(place)
    response = client_for(far_inspector).post(
        reverse("cases:round-record", args=[household_round.pk]),
        {"done_on": timezone.localdate().isoformat(), "outcome": "Visited"},
        format="json",
    )
    assert response.status_code == 404
    assert client_for(user_for(Role.DISTRICT_CHIEF, district=place.district)).get(
        reverse("cases:round-list"), {"purpose": "rounds"}
    ).status_code in (403, 404)


def test_the_worklist_page_shows_the_rounds_with_an_offline_edit_form(client, place):
    household_round = plan(place)
    client.force_login(place.inspector)
    response = client.get(reverse("cases-web:worklist", args=[place.home.code]))
    text = response.content.decode()
    assert f'data-kind="round" data-id="{household_round.pk}"' in text
    assert reverse("cases:round-record", args=[household_round.pk]) in text
    assert 'data-field="outcome"' in text and "Navoiy ko&#x27;chasi, 12-uy" in text


def test_merging_a_person_moves_the_rounds_and_anonymising_clears_the_address(place):
    from ..tests.factories import person_make

    household_round = plan(place)
    duplicate = person_make(place.home, "Каримова Малика")
    HouseholdRound.objects.filter(pk=household_round.pk).update(person=duplicate)
    services.person_merge(actor=place.inspector, kept=place.person, merged=duplicate)
    household_round.refresh_from_db()
    assert household_round.person == place.person
    # Once the person's entries ended long ago and the round was made, anonymising clears the address.
    services.household_round_record(
        actor=place.inspector, household_round=household_round, done_on=timezone.localdate(), outcome="Seen"
    )
    _listed_until_2016(place)
    assert services.retention_anonymise(today=timezone.localdate(), years=5) == 1
    household_round.refresh_from_db()
    assert (household_round.address, household_round.outcome) == ("—", "—")


def test_a_planned_round_keeps_the_person_from_anonymisation(place):
    plan(place)
    _listed_until_2016(place)
    assert services.retention_anonymise(today=timezone.localdate(), years=5) == 0


def test_the_person_card_shows_the_persons_household_rounds(client, place):
    household_round = plan(place, days=2, address="Bobur ko'chasi, 7-uy")
    other = plan(place, days=1, person=False, address="Mustaqillik ko'chasi, 1-uy")
    client.force_login(place.inspector)
    card = client.get(reverse("cases-web:person", args=[place.person.pk]), {"purpose": "case work"})
    assert card.status_code == 200
    assert f'data-round="{household_round.pk}"'.encode() in card.content
    assert b"Bobur ko&#x27;chasi, 7-uy" in card.content
    assert f'data-round="{other.pk}"'.encode() not in card.content

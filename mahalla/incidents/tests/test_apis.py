"""The offence API over every role and scope: the same exact sets as the selectors, through HTTP."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from mahalla.audit.models import AuditEvent
from mahalla.core.roles import Role
from mahalla.incidents.models import CauseCode
from mahalla.incidents.selectors import offence_list
from mahalla.territory.tests.factories import BROKEN_SCOPES, VALID_SCOPES, world_mahallas, world_user

from .factories import OffenceFactory, world_offences
from .test_access import RECORD_READING_ROLES

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def listed(client: APIClient, **params) -> set[str]:
    response = client.get("/api/offences/", params)
    assert response.status_code == 200, response.content
    return {row["registration_number"] for row in response.json()["results"]}


def opened(client: APIClient, offences) -> set[str]:
    labels = set()
    for label, offence in offences.items():
        response = client.get(f"/api/offences/{offence.pk}/", {"purpose": "table test"})
        assert response.status_code in (200, 404), response.content
        if response.status_code == 200:
            assert response.json()["registration_number"] == label
            labels.add(label)
    return labels


def counted(client: APIClient) -> dict[str, int]:
    response = client.get("/api/offences/counts/", {"group_by": "mahalla"})
    assert response.status_code == 200, response.content
    return {row["code"].removeprefix("M"): row["count"] for row in response.json()}


# One test per role and scope covers list, detail and counts: the world is built once per case.
@pytest.mark.parametrize("role", RECORD_READING_ROLES)
@pytest.mark.parametrize("scope_name", list(VALID_SCOPES))
def test_through_the_api_a_record_reader_lists_opens_and_counts_exactly_its_scope(role, scope_name):
    mahallas = world_mahallas()
    offences = world_offences(mahallas)
    client = client_for(world_user(role, VALID_SCOPES[scope_name], mahallas))
    expected = VALID_SCOPES[scope_name][4]
    assert listed(client) == expected
    assert opened(client, offences) == expected
    assert counted(client) == dict.fromkeys(expected, 1)


@pytest.mark.parametrize("scope_name", list(VALID_SCOPES))
def test_a_mahalla_seven_member_is_refused_offence_records_through_the_api(scope_name):
    mahallas = world_mahallas()
    offences = world_offences(mahallas)
    client = client_for(world_user(Role.MAHALLA_SEVEN, VALID_SCOPES[scope_name], mahallas))
    assert client.get("/api/offences/").status_code == 403
    assert opened(client, offences) == set()
    # Aggregates, though, are theirs.
    assert counted(client) == dict.fromkeys(VALID_SCOPES[scope_name][4], 1)


@pytest.mark.parametrize("scope_name", list(BROKEN_SCOPES))
def test_a_broken_scope_gets_an_empty_list_and_no_record_through_the_api(scope_name):
    mahallas = world_mahallas()
    offences = world_offences(mahallas)
    client = client_for(world_user(Role.NATIONAL_ANALYST, BROKEN_SCOPES[scope_name], mahallas))
    assert listed(client) == set()
    assert client.get(f"/api/offences/{offences['A1a'].pk}/", {"purpose": "x"}).status_code == 404
    assert client.get("/api/offences/counts/", {"group_by": "region"}).json() == []


def test_an_anonymous_request_is_refused():
    mahallas = world_mahallas()
    offences = world_offences(mahallas)
    client = APIClient()
    assert client.get("/api/offences/").status_code in (401, 403)
    assert client.get(f"/api/offences/{offences['A1a'].pk}/", {"purpose": "x"}).status_code in (401, 403)
    assert client.get("/api/offences/counts/", {"group_by": "region"}).status_code in (401, 403)


def test_opening_an_offence_without_a_purpose_is_a_400_naming_the_purpose():
    mahallas = world_mahallas()
    offences = world_offences(mahallas)
    client = client_for(world_user(Role.INVESTIGATOR, VALID_SCOPES["country"], mahallas))
    response = client.get(f"/api/offences/{offences['A1a'].pk}/")
    assert response.status_code == 400
    assert response.json()["extra"] == {"field": "purpose"}
    assert not AuditEvent.objects.filter(action="read").exists()


def test_the_purpose_header_is_accepted_and_stored():
    mahallas = world_mahallas()
    offences = world_offences(mahallas)
    investigator = world_user(Role.INVESTIGATOR, VALID_SCOPES["country"], mahallas)
    response = client_for(investigator).get(
        f"/api/offences/{offences['B1a'].pk}/", HTTP_X_PURPOSE="case 2026/17", REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="read")
    assert (event.actor_username, event.object_id, event.purpose, event.ip_address) == (
        investigator.username,
        str(offences["B1a"].pk),
        "case 2026/17",
        "10.1.2.3",
    )
    assert event.request_path == f"/api/offences/{offences['B1a'].pk}/"


def test_a_list_page_writes_one_read_row_per_record_shown_and_none_for_other_pages():
    mahallas = world_mahallas()
    world_offences(mahallas)
    analyst = world_user(Role.NATIONAL_ANALYST, VALID_SCOPES["country"], mahallas)
    response = client_for(analyst).get("/api/offences/", {"page_size": 3, "page": 2, "purpose": "weekly"})
    shown = {str(row["id"]) for row in response.json()["results"]}
    assert response.json()["count"] == 8
    assert len(shown) == 3
    reads = AuditEvent.objects.filter(action="read")
    assert set(reads.values_list("object_id", flat=True)) == shown
    assert reads.count() == 3
    assert set(reads.values_list("purpose", flat=True)) == {"weekly"}


def test_list_filters_work_through_the_api_and_cannot_widen_the_scope():
    mahallas = world_mahallas()
    world_offences(mahallas)
    OffenceFactory(registration_number="A1a-minor", mahalla=mahallas["A1a"], involves_minor=True)
    chief = client_for(world_user(Role.DISTRICT_CHIEF, VALID_SCOPES["district A1"], mahallas))
    assert listed(chief, involves_minor="true") == {"A1a-minor"}
    assert listed(chief, mahalla="MA1b") == {"A1b"}
    assert listed(chief, district="1706204") == set()
    assert listed(chief, region="1706") == set()
    response = chief.get("/api/offences/", {"occurred_from": "not-a-date"})
    assert response.status_code == 400
    assert "occurred_from" in response.json()["extra"]["fields"]


def test_offence_output_nests_category_and_territory_and_lists_causes():
    mahallas = world_mahallas()
    offence = OffenceFactory(registration_number="X1", mahalla=mahallas["B2b"])
    offence.causes.add(*CauseCode.objects.filter(code__in=["SOCIAL", "SOCIAL.UNEMPLOYMENT"]))
    client = client_for(world_user(Role.PROSECUTOR, VALID_SCOPES["region B"], mahallas))
    body = client.get(f"/api/offences/{offence.pk}/", {"purpose": "oversight"}).json()
    assert body["category"]["code"] == "theft"
    assert body["mahalla"] == {"code": "MB2b", "name_uz": "Mahalla B2b"}
    assert body["region"]["code"] == "1706"
    assert sorted(body["causes"]) == ["SOCIAL", "SOCIAL.UNEMPLOYMENT"]


# The two sentences of the issue, spelled out (the tables above cover every role and scope).


def test_a_district_chief_of_one_district_sees_none_of_another_districts_offences():
    mahallas = world_mahallas()
    offences = world_offences(mahallas)
    chief = world_user(Role.DISTRICT_CHIEF, VALID_SCOPES["district A1"], mahallas)
    other_district = {label for label in offences if not label.startswith("A1")}
    assert not other_district & set(offence_list(actor=chief).values_list("registration_number", flat=True))
    client = client_for(chief)
    assert not other_district & listed(client)
    for label in other_district:
        assert client.get(f"/api/offences/{offences[label].pk}/", {"purpose": "probe"}).status_code == 404
    assert listed(client) == {"A1a", "A1b"}


def test_a_preventive_inspector_sees_only_their_mahallas():
    mahallas = world_mahallas()
    offences = world_offences(mahallas)
    inspector = world_user(Role.PREVENTIVE_INSPECTOR, VALID_SCOPES["mahallas A1a and B2b"], mahallas)
    assert set(offence_list(actor=inspector).values_list("registration_number", flat=True)) == {"A1a", "B2b"}
    client = client_for(inspector)
    assert listed(client) == {"A1a", "B2b"}
    assert opened(client, offences) == {"A1a", "B2b"}

"""The officials API through HTTP: scoped lists, decisions by chiefs only in their territory, audit rows,
the accountability views."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from mahalla.accounts.tests.factories import UserFactory
from mahalla.audit.models import AuditEvent
from mahalla.core.roles import Role, ScopeLevel
from mahalla.officials.models import Assignment, AssignmentRuleConfig, Official
from mahalla.territory.tests.factories import reference_district

from .factories import DISTRICT_CODE, OTHER_DISTRICT_CODE, classes_write, mahallas_in, official_create

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def world():
    AssignmentRuleConfig.objects.exclude(code="grave_red").update(active=False)
    district = reference_district(DISTRICT_CODE)
    other = reference_district(OTHER_DISTRICT_CODE)
    here = mahallas_in(DISTRICT_CODE, 2, "A")
    there = mahallas_in(OTHER_DISTRICT_CODE, 1, "B")
    classes_write({2025: {here[0]: "red", here[1]: "green", there[0]: "red"}})
    hokim = official_create("hokim", territory=district, name="Hokim here")
    prosecutor = official_create("prosecutor", territory=district, name="Prosecutor here")
    official_create("hokim", territory=other, name="Hokim there")
    chief = UserFactory(role=Role.DISTRICT_CHIEF, scope_level=ScopeLevel.DISTRICT, scope_district=district)
    analyst = UserFactory(role=Role.NATIONAL_ANALYST, scope_level=ScopeLevel.COUNTRY)
    inspector = UserFactory(
        role=Role.PREVENTIVE_INSPECTOR, scope_level=ScopeLevel.MAHALLAS, mahallas=[here[1]]
    )
    return {
        "district": district,
        "here": here,
        "there": there,
        "hokim": hokim,
        "prosecutor": prosecutor,
        "chief": chief,
        "analyst": analyst,
        "inspector": inspector,
    }


def propose(user, **data):
    return client_for(user).post("/api/officials/assignments/propose/", {"year": 2025, **data}, format="json")


def test_an_analyst_proposes_for_the_country_and_a_dry_run_stores_nothing(world):
    dry = propose(world["analyst"], dry_run=True)
    assert dry.status_code == 200 and dry.json()["proposed_count"] == 2 and Assignment.objects.count() == 0
    response = propose(world["analyst"])
    assert response.status_code == 201, response.json()
    assert Assignment.objects.filter(status="proposed").count() == 2
    assert AuditEvent.objects.filter(object_type="officials.assignment", action="create").count() == 1


def test_a_district_chief_proposes_only_for_their_district(world):
    response = propose(world["chief"])
    assert response.status_code == 201
    assert [row["code"] for row in response.json()["proposed"]] == [world["here"][0].code]


def test_an_inspector_may_not_propose(world):
    assert propose(world["inspector"]).status_code == 404
    assert Assignment.objects.count() == 0


def test_the_list_shows_only_the_actors_territory(world):
    propose(world["analyst"])
    rows = client_for(world["chief"]).get("/api/officials/assignments/?year=2025").json()["results"]
    assert [row["mahalla"] for row in rows] == [world["here"][0].code]
    assert client_for(world["analyst"]).get("/api/officials/assignments/?year=2025").json()["count"] == 2
    assert client_for(world["inspector"]).get("/api/officials/assignments/").json()["results"] == []


def test_a_chief_confirms_in_their_district_and_gets_404_elsewhere(world):
    propose(world["analyst"])
    mine = Assignment.objects.get(mahalla=world["here"][0])
    theirs = Assignment.objects.get(mahalla=world["there"][0])
    client = client_for(world["chief"])

    response = client.post(f"/api/officials/assignments/{mine.pk}/confirm/")
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    assert response.json()["confirmed_by"] == world["chief"].username
    assert client.post(f"/api/officials/assignments/{theirs.pk}/confirm/").status_code == 404
    assert (
        client.post(f"/api/officials/assignments/{mine.pk}/confirm/").status_code == 400
    )  # already confirmed
    assert Assignment.objects.get(pk=theirs.pk).status == "proposed"


def test_a_chief_hands_over_through_the_api_and_a_bad_choice_is_a_400_naming_the_reason(world):
    propose(world["analyst"])
    mine = Assignment.objects.get(mahalla=world["here"][0])
    client = client_for(world["chief"])
    other = world["hokim"] if mine.official_id != world["hokim"].pk else world["prosecutor"]

    bad = client.post(
        f"/api/officials/assignments/{mine.pk}/change/",
        {"official": mine.official_id, "reason": "x"},
        format="json",
    )
    assert bad.status_code == 400 and "already names this official" in bad.json()["message"]
    response = client.post(
        f"/api/officials/assignments/{mine.pk}/change/",
        {"official": other.pk, "reason": "Transfer"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["official"] == other.pk
    old = client.get("/api/officials/assignments/?year=2025&status=changed").json()["results"]
    assert [(row["id"], row["replaced_by"], row["end_reason"]) for row in old] == [
        (mine.pk, response.json()["id"], "Transfer")
    ]


def test_the_official_view_lists_their_mahallas_with_classes_and_is_audited(world):
    propose(world["analyst"])
    official = Assignment.objects.get(mahalla=world["here"][0]).official
    response = client_for(world["chief"]).get(f"/api/officials/{official.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["mahallas"] == [
        {"code": world["here"][0].code, "name": world["here"][0].name_uz, "classes": ["red"]}
    ]
    assert body["dates"] == ["2025-12-31"] and body["active"] == 1
    assert AuditEvent.objects.filter(
        action="read", object_type="officials.official", object_id=str(official.pk)
    ).exists()


def test_an_official_of_another_district_is_not_found(world):
    hokim_there = Official.objects.get(name="Hokim there")
    assert client_for(world["chief"]).get(f"/api/officials/{hokim_there.pk}/").status_code == 404
    names = [row["name"] for row in client_for(world["chief"]).get("/api/officials/").json()["results"]]
    assert sorted(names) == ["Hokim here", "Prosecutor here"]


def test_the_district_view_gives_the_share_of_red_mahallas_with_an_official(world):
    client = client_for(world["analyst"])
    before = {
        row["code"]: row for row in client.get("/api/officials/districts/?year=2025").json()["districts"]
    }
    assert (before[DISTRICT_CODE]["red"], before[DISTRICT_CODE]["red_with_official"]) == (1, 0)
    propose(world["analyst"])
    after = {
        row["code"]: row for row in client.get("/api/officials/districts/?year=2025").json()["districts"]
    }
    assert after[DISTRICT_CODE]["share"] == 1.0 and after[OTHER_DISTRICT_CODE]["share"] == 1.0
    chief_rows = client_for(world["chief"]).get("/api/officials/districts/?year=2025").json()["districts"]
    assert [row["code"] for row in chief_rows] == [DISTRICT_CODE]

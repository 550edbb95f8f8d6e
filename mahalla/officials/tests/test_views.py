"""The pages through Django's test client: what a chief sees and may do, and what stays hidden."""

from __future__ import annotations

import pytest

from mahalla.accounts.tests.factories import UserFactory
from mahalla.core.roles import Role, ScopeLevel
from mahalla.officials.models import Assignment, AssignmentRuleConfig, Official
from mahalla.officials.services import assignments_propose
from mahalla.territory.tests.factories import reference_district

from .factories import DISTRICT_CODE, OTHER_DISTRICT_CODE, classes_write, mahallas_in, official_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client):
    AssignmentRuleConfig.objects.exclude(code="grave_red").update(active=False)
    district = reference_district(DISTRICT_CODE)
    here = mahallas_in(DISTRICT_CODE, 1, "V")
    there = mahallas_in(OTHER_DISTRICT_CODE, 1, "W")
    classes_write({2025: {here[0]: "red", there[0]: "red"}})
    official_create("hokim", territory=district, name="Hokim here")
    official_create("prosecutor", territory=district, name="Prosecutor here")
    official_create("hokim", territory=reference_district(OTHER_DISTRICT_CODE), name="Hokim there")
    assignments_propose(year=2025)
    chief = UserFactory(role=Role.DISTRICT_CHIEF, scope_level=ScopeLevel.DISTRICT, scope_district=district)
    client.force_login(chief)
    return {
        "mine": Assignment.objects.get(mahalla=here[0]),
        "theirs": Assignment.objects.get(mahalla=there[0]),
        "chief": chief,
    }


def test_a_chief_sees_the_proposals_of_their_district_with_confirm_and_hand_over(client, world):
    page = client.get("/officials/?year=2025").content.decode()
    assert (
        f'id="assignment-{world["mine"].pk}"' in page and f'id="assignment-{world["theirs"].pk}"' not in page
    )
    assert 'confirm"' in page and "Prosecutor here" in page  # the hand-over choice
    assert "Hokim there" not in page


def test_confirming_in_the_page_confirms_and_another_districts_proposal_is_404(client, world):
    response = client.post(f"/officials/assignments/{world['mine'].pk}/confirm/", {"year": 2025})
    assert response.status_code == 302
    assert Assignment.objects.get(pk=world["mine"].pk).confirmed_by == world["chief"]
    assert client.post(f"/officials/assignments/{world['theirs'].pk}/confirm/").status_code == 404


def test_handing_over_in_the_page_without_a_reason_shows_the_error_and_changes_nothing(client, world):
    prosecutor = Official.objects.get(name="Prosecutor here")
    response = client.post(
        f"/officials/assignments/{world['mine'].pk}/change/",
        {"official": prosecutor.pk, "reason": ""},
        follow=True,
    )
    assert "Give the reason for the change." in response.content.decode()
    assert Assignment.objects.get(pk=world["mine"].pk).status == "proposed"


def test_the_official_and_district_pages_show_mahallas_and_coverage(client, world):
    page = client.get(f"/officials/{world['mine'].official_id}/").content.decode()
    assert world["mine"].mahalla.code in page and "class-red" in page
    districts = client.get("/officials/districts/?year=2025").content.decode()
    assert (
        f'data-code="{DISTRICT_CODE}"' in districts and f'data-code="{OTHER_DISTRICT_CODE}"' not in districts
    )
    assert "100\u00a0%" in districts
    assert client.get(f"/officials/{world['theirs'].official_id}/").status_code == 404


def test_a_district_chief_gets_no_buttons_on_a_regional_officials_assignment(client, world):
    district = world["mine"].district
    guard = official_create("national_guard_head", level="region", territory=district.region, name="Guard")
    rule = AssignmentRuleConfig.objects.get(code="red_streak_5")
    mahalla = world["mine"].mahalla
    regional_one = Assignment.objects.create(
        official=guard, year=2025, rule=rule, target="mahalla", mahalla=mahalla, district=district,
        region=district.region, target_key=f"m{mahalla.pk}", reason="Red 5 years in a row",
    )  # fmt: skip
    page = client.get("/officials/?year=2025").content.decode()
    row = page.split(f'id="assignment-{regional_one.pk}"')[1].split("</tr>")[0]
    assert "Guard" in row and 'confirm"' not in row and "<details" not in row
    mine = page.split(f'id="assignment-{world["mine"].pk}"')[1].split("</tr>")[0]
    assert 'confirm"' in mine

"""The top navigation links the officials' and the roadmaps' pages for the roles that work with them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string

from mahalla.accounts.tests.factories import UserFactory
from mahalla.core.roles import Role, ScopeLevel

pytestmark = pytest.mark.django_db

# role: (Officials linked, Roadmaps linked)
EXPECTED = {
    Role.NATIONAL_ANALYST: (True, True),
    Role.REGIONAL_CHIEF: (True, True),
    Role.DISTRICT_CHIEF: (True, True),
    Role.RESPONSIBLE_OFFICIAL: (True, True),
    Role.PREVENTIVE_INSPECTOR: (False, True),
    Role.MAHALLA_SEVEN: (False, True),
    Role.PROSECUTOR: (True, True),
    Role.ADMINISTRATOR: (True, True),
    Role.AGENCY_OFFICER: (False, False),
    Role.NARCOTICS_OFFICER: (False, False),
    Role.WOMENS_AFFAIRS_INSPECTOR: (False, False),
    Role.WOMENS_AFFAIRS_INSPECTOR: (False, False),
    Role.INVESTIGATOR: (False, False),
    Role.CYBER_OFFICER: (False, False),
}


def test_every_role_is_decided():
    assert set(EXPECTED) == set(Role)


@pytest.mark.parametrize("role", list(EXPECTED), ids=lambda role: str(role))
def test_the_top_navigation_links_officials_and_roadmaps_for_the_roles_that_use_them(client, role):
    client.force_login(UserFactory(role=role, scope_level=ScopeLevel.COUNTRY))
    # Any page on web/base.html: the roadmaps' overdue list renders for every signed-in user.
    page = client.get("/roadmaps/alerts/").content.decode()
    officials, roadmaps = EXPECTED[role]

    assert ('href="/officials/" id="nav-officials"' in page) is officials
    assert ('href="/roadmaps/" id="nav-roadmaps"' in page) is roadmaps


@pytest.mark.parametrize("user", ["anonymous", "inactive"])
def test_a_signed_out_or_inactive_user_gets_neither_link(rf, user):
    request = rf.get("/")
    request.user = (
        AnonymousUser()
        if user == "anonymous"
        else UserFactory(role=Role.NATIONAL_ANALYST, scope_level=ScopeLevel.COUNTRY, is_active=False)
    )
    page = render_to_string("web/base.html", {"user": request.user}, request=request)
    assert "nav-officials" not in page and "nav-roadmaps" not in page


def test_the_officials_link_leads_to_the_officials_page(client):
    client.force_login(UserFactory(role=Role.NATIONAL_ANALYST, scope_level=ScopeLevel.COUNTRY))
    page = client.get("/roadmaps/").content.decode()
    assert 'href="/officials/" id="nav-officials"' in page
    assert client.get("/officials/").status_code == 200

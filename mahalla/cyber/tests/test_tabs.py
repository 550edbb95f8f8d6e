"""Every tab of the cyber section that a role is shown opens for that role: no tab leads to a 404."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    "who",
    [
        "analyst",
        "administrator",
        "prosecutor",
        "officer_a",
        "investigator_a",
        "chief_a",
        "inspector_a",
        "official_a",
        "seven_a",
        "regional_chief_a",
    ],
)
def test_every_tab_shown_opens(client, world, who):
    client.force_login(world.users[who])
    page = client.get(reverse("cyber:index"))
    assert page.status_code == 200
    tabs = re.findall(
        r'<li class="nav-item"><a class="nav-link(?: active)?" href="(/cyber/[^"]*)"', page.content.decode()
    )
    assert reverse("cyber:index") in tabs
    for url in tabs:
        assert client.get(url).status_code == 200, (who, url)


def test_a_mahalla_seven_member_is_not_shown_the_reports_or_blocking(client, world):
    client.force_login(world.users["seven_a"])
    body = client.get(reverse("cyber:index")).content.decode()
    assert f'href="{reverse("cyber:reports")}"' not in body
    assert f'href="{reverse("cyber:blocking")}"' not in body
    assert f'href="{reverse("cyber:bulletins")}"' in body

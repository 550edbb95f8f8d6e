"""territory_filter_for and the access_* funnels, over every role and every kind of scope."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from mahalla.core.errors import AccessDenied
from mahalla.core.roles import Role
from mahalla.territory.access import (
    access_district_by_code,
    access_mahalla_by_code,
    access_region_by_code,
    territory_filter_for,
)
from mahalla.territory.models import Mahalla

from .factories import BROKEN_SCOPES, VALID_SCOPES, WORLD_DISTRICTS, world_mahallas, world_user

pytestmark = pytest.mark.django_db

ROLES = list(Role.values)


def visible_labels(actor) -> set[str]:
    scope = territory_filter_for(actor)
    return {
        code.removeprefix("M")
        for code in Mahalla.objects.filter(scope.q(mahalla="pk")).values_list("code", flat=True)
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("scope_name", list(VALID_SCOPES))
def test_every_role_sees_exactly_the_mahallas_of_its_scope(role, scope_name):
    mahallas = world_mahallas()
    actor = world_user(role, VALID_SCOPES[scope_name], mahallas)
    assert visible_labels(actor) == VALID_SCOPES[scope_name][4]


@pytest.mark.parametrize("scope_name", list(BROKEN_SCOPES))
def test_a_missing_or_inconsistent_scope_sees_nothing(scope_name):
    mahallas = world_mahallas()
    actor = world_user(Role.NATIONAL_ANALYST, BROKEN_SCOPES[scope_name], mahallas)
    scope = territory_filter_for(actor)
    assert scope.sees_nothing
    assert scope.reason
    assert visible_labels(actor) == set()


@pytest.mark.parametrize("role", ["", "superhero", "NATIONAL_ANALYST"])
def test_an_unknown_role_sees_nothing_even_at_country_scope(role):
    mahallas = world_mahallas()
    actor = world_user(role, VALID_SCOPES["country"], mahallas)
    assert territory_filter_for(actor).reason == "unknown role"
    assert visible_labels(actor) == set()


def test_an_inactive_account_sees_nothing():
    mahallas = world_mahallas()
    actor = world_user(Role.NATIONAL_ANALYST, VALID_SCOPES["country"], mahallas, is_active=False)
    assert visible_labels(actor) == set()


def test_an_anonymous_visitor_sees_nothing():
    world_mahallas()
    assert visible_labels(AnonymousUser()) == set()
    assert visible_labels(None) == set()


def test_a_model_without_mahalla_level_shows_nothing_to_a_mahallas_scope():
    mahallas = world_mahallas()
    actor = world_user(Role.PREVENTIVE_INSPECTOR, VALID_SCOPES["mahallas A1a and B2b"], mahallas)
    scope = territory_filter_for(actor)
    assert not Mahalla.objects.filter(scope.q(mahalla=None)).exists()


def test_a_district_chief_gets_their_own_mahalla_and_not_found_for_a_neighbouring_district():
    mahallas = world_mahallas()
    chief = world_user(Role.DISTRICT_CHIEF, VALID_SCOPES["district A1"], mahallas)
    assert access_mahalla_by_code(chief, "MA1a") == mahallas["A1a"]
    with pytest.raises(AccessDenied) as outside:
        access_mahalla_by_code(chief, "MA2a")
    with pytest.raises(AccessDenied) as missing:
        access_mahalla_by_code(chief, "M-does-not-exist")
    # Outside the scope and non-existent are indistinguishable.
    assert outside.value.message == missing.value.message


def test_a_district_chief_can_open_their_district_and_region_but_no_sibling():
    mahallas = world_mahallas()
    chief = world_user(Role.DISTRICT_CHIEF, VALID_SCOPES["district A1"], mahallas)
    assert access_district_by_code(chief, WORLD_DISTRICTS["A1"]).code == WORLD_DISTRICTS["A1"]
    assert access_region_by_code(chief, "1703").code == "1703"
    with pytest.raises(AccessDenied):
        access_district_by_code(chief, WORLD_DISTRICTS["A2"])
    with pytest.raises(AccessDenied):
        access_region_by_code(chief, "1706")


def test_an_inspector_of_listed_mahallas_can_open_their_parents_only():
    mahallas = world_mahallas()
    inspector = world_user(Role.PREVENTIVE_INSPECTOR, VALID_SCOPES["mahalla A2b in its district"], mahallas)
    assert access_mahalla_by_code(inspector, "MA2b") == mahallas["A2b"]
    assert access_district_by_code(inspector, WORLD_DISTRICTS["A2"]).code == WORLD_DISTRICTS["A2"]
    for code in ("MA2a", "MA1a", "MB2b"):
        with pytest.raises(AccessDenied):
            access_mahalla_by_code(inspector, code)
    with pytest.raises(AccessDenied):
        access_district_by_code(inspector, WORLD_DISTRICTS["A1"])

"""Territory lists over every role and scope: a unit is visible when it is inside the scope or above it."""

from __future__ import annotations

import pytest

from mahalla.core.errors import ApplicationError
from mahalla.core.roles import Role
from mahalla.territory.models import District
from mahalla.territory.selectors import district_list, mahalla_list, region_list

from .factories import BROKEN_SCOPES, VALID_SCOPES, WORLD_DISTRICTS, world_mahallas, world_user

pytestmark = pytest.mark.django_db

A, B = "1703", "1706"
A1, A2, B1, B2 = (WORLD_DISTRICTS[label] for label in ("A1", "A2", "B1", "B2"))


def districts_of(region_code: str) -> set[str]:
    return set(District.objects.filter(region__code=region_code).values_list("code", flat=True))


# scope name -> (regions visible, districts visible); None means "every reference unit".
EXPECTED_UNITS = {
    "country": (None, None),
    "region A": ({A}, "districts of A"),
    "region B": ({B}, "districts of B"),
    "district A1": ({A}, {A1}),
    "district B2": ({B}, {B2}),
    "district A2 naming its region": ({A}, {A2}),
    "mahallas A1a and B2b": ({A, B}, {A1, B2}),
    "mahalla A2b in its district": ({A}, {A2}),
}


@pytest.mark.parametrize("role", list(Role.values))
@pytest.mark.parametrize("scope_name", list(VALID_SCOPES))
def test_territory_lists_show_the_scope_and_its_parents_only(role, scope_name):
    mahallas = world_mahallas()
    actor = world_user(role, VALID_SCOPES[scope_name], mahallas)
    regions, districts = EXPECTED_UNITS[scope_name]
    if regions is None:
        regions = {
            "1703",
            "1706",
            "1708",
            "1710",
            "1712",
            "1714",
            "1718",
            "1722",
            "1724",
            "1726",
            "1727",
            "1730",
            "1733",
            "1735",
        }
    if districts is None:
        districts = set(District.objects.values_list("code", flat=True))
        assert len(districts) == 209
    elif districts == "districts of A":
        districts = districts_of(A)
    elif districts == "districts of B":
        districts = districts_of(B)

    assert set(region_list(actor=actor).values_list("code", flat=True)) == regions
    assert set(district_list(actor=actor).values_list("code", flat=True)) == districts
    assert {m.code.removeprefix("M") for m in mahalla_list(actor=actor)} == VALID_SCOPES[scope_name][4]


@pytest.mark.parametrize("scope_name", list(BROKEN_SCOPES))
def test_territory_lists_are_empty_for_a_broken_scope(scope_name):
    mahallas = world_mahallas()
    actor = world_user(Role.REGIONAL_CHIEF, BROKEN_SCOPES[scope_name], mahallas)
    assert not region_list(actor=actor).exists()
    assert not district_list(actor=actor).exists()
    assert not mahalla_list(actor=actor).exists()


def test_mahallas_filter_by_parent_district_and_region_within_the_scope():
    mahallas = world_mahallas()
    analyst = world_user(Role.NATIONAL_ANALYST, VALID_SCOPES["country"], mahallas)
    assert {m.code for m in mahalla_list(actor=analyst, filters={"district": A2})} == {"MA2a", "MA2b"}
    assert {m.code for m in mahalla_list(actor=analyst, filters={"region": B})} == {
        "MB1a",
        "MB1b",
        "MB2a",
        "MB2b",
    }
    chief = world_user(Role.DISTRICT_CHIEF, VALID_SCOPES["district A1"], mahallas)
    # A filter narrows the scope; it never widens it.
    assert not mahalla_list(actor=chief, filters={"district": A2}).exists()


def test_territory_search_matches_any_script_and_the_code_prefix():
    mahallas = world_mahallas()
    analyst = world_user(Role.NATIONAL_ANALYST, VALID_SCOPES["country"], mahallas)
    assert {d.code for d in district_list(actor=analyst, filters={"search": "Olot"})} == {B1}
    assert {d.code for d in district_list(actor=analyst, filters={"search": "Алтынкуль"})} == {A1}
    assert {d.code for d in district_list(actor=analyst, filters={"search": "Олтинкўл"})} == {A1}
    assert {r.code for r in region_list(actor=analyst, filters={"search": "1706"})} == {B}
    assert {m.code for m in mahalla_list(actor=analyst, filters={"search": "Mahalla B2"})} == {"MB2a", "MB2b"}


def test_an_invalid_filter_value_is_an_error_naming_the_field():
    mahallas = world_mahallas()
    analyst = world_user(Role.NATIONAL_ANALYST, VALID_SCOPES["country"], mahallas)
    with pytest.raises(ApplicationError) as error:
        list(region_list(actor=analyst, filters={"kind": "galaxy"}))
    assert "kind" in error.value.extra["fields"]

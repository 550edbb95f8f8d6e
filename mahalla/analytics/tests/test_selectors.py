"""Reads of the stored results are limited to the reader's territory (fail-closed)."""

from __future__ import annotations

import datetime as dt

import pytest

from mahalla.accounts.tests.factories import UserFactory
from mahalla.analytics import selectors
from mahalla.analytics.services import analysis_run
from mahalla.core.errors import AccessDenied
from mahalla.core.roles import Role, ScopeLevel
from mahalla.territory.tests.factories import reference_district, reference_region

from .factories import DISTRICT_CODE, OTHER_DISTRICT_CODE, add_offences, days_back, grid_mahallas

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 10)


@pytest.fixture
def analysed():
    places = {m.code: m for m in grid_mahallas(rows=2, cols=2)}
    places.update({m.code: m for m in grid_mahallas(OTHER_DISTRICT_CODE, rows=1, cols=2, prefix="H")})
    for mahalla in places.values():
        add_offences(mahalla, days_back(DAY, 5, step=20))
    analysis_run(date=DAY, parameters={"scan_permutations": 9})
    return places


def user(level, *, region=None, district=None, mahallas=()):
    return UserFactory(
        role=Role.DISTRICT_CHIEF if level != ScopeLevel.MAHALLAS else Role.MAHALLA_SEVEN,
        scope_level=level,
        scope_region=reference_region(region) if region else None,
        scope_district=reference_district(district) if district else None,
        mahallas=list(mahallas),
    )


def test_mahalla_results_are_limited_to_the_scope(analysed):
    district_chief = user(ScopeLevel.DISTRICT, district=DISTRICT_CODE)
    member = user(ScopeLevel.MAHALLAS, mahallas=[analysed["H00"]])
    nobody = UserFactory(
        role=Role.DISTRICT_CHIEF,
        scope_level=ScopeLevel.DISTRICT,
        is_active=False,
        scope_district=reference_district(DISTRICT_CODE),
    )

    def codes(actor):
        return {r.mahalla.code for r in selectors.mahalla_result_list(actor=actor, date=DAY)}

    assert codes(district_chief) == {"G00", "G01", "G10", "G11"}
    assert codes(member) == {"H00"}
    assert codes(nobody) == set()
    assert selectors.latest_date(actor=nobody) is None


@pytest.mark.parametrize(
    ("level", "region", "district", "country", "region_1703", "district_own", "district_other"),
    [
        (ScopeLevel.COUNTRY, None, None, True, True, True, True),
        (ScopeLevel.REGION, "1703", None, False, True, True, False),
        (ScopeLevel.DISTRICT, None, DISTRICT_CODE, False, False, True, False),
    ],
)
def test_territory_totals_are_shown_only_for_territories_wholly_inside_the_scope(
    analysed, level, region, district, country, region_1703, district_own, district_other
):
    actor = user(level, region=region, district=district)

    def allowed(**territory):
        try:
            return selectors.aggregate_get(actor=actor, date=DAY, **territory) is not None
        except AccessDenied:
            return False

    assert allowed() is country
    assert allowed(region=reference_region("1703")) is region_1703
    assert allowed(district=reference_district(DISTRICT_CODE)) is district_own
    assert allowed(district=reference_district(OTHER_DISTRICT_CODE)) is district_other


def test_a_mahalla_member_sees_no_territory_totals(analysed):
    member = user(ScopeLevel.MAHALLAS, mahallas=[analysed["G00"]])

    with pytest.raises(AccessDenied):
        selectors.aggregate_get(actor=member, date=DAY, district=reference_district(DISTRICT_CODE))
    assert list(selectors.aggregate_children(actor=member, date=DAY)) == []

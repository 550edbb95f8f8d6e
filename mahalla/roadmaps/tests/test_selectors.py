"""Reads: roadmaps and alerts inside the reader's territory, progress per territory, the Pareto of causes
with its recommended measures, and recurrence (repeat places, victims, offenders)."""

from __future__ import annotations

import datetime as dt

import pytest
from pyproj import Geod

from mahalla.accounts.tests.factories import UserFactory
from mahalla.core.errors import AccessDenied
from mahalla.core.roles import Role, ScopeLevel
from mahalla.roadmaps import selectors, services
from mahalla.territory.models import District

from .factories import TASHKENT, district_chief, inspector, mahallas_create, offence_create

DISTRICT = "1703202"
OTHER_DISTRICT = "1706204"
GEOD = Geod(ellps="WGS84")
FIRST, LAST = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


def test_pareto_orders_causes_and_marks_the_fewest_covering_80_percent():
    rows = selectors.pareto({"A": 50, "B": 30, "C": 10, "D": 6, "E": 4})
    assert [r["code"] for r in rows] == ["A", "B", "C", "D", "E"]
    assert [r["cumulative_share"] for r in rows] == [0.5, 0.8, 0.9, 0.96, 1.0]
    # A and B reach exactly 80 %: they are the vital few.
    assert [r["vital"] for r in rows] == [True, True, False, False, False]
    rows = selectors.pareto({"A": 40, "B": 39, "C": 21})
    assert [r["vital"] for r in rows] == [True, True, True]  # 79 % is not yet 80 %
    assert [r["code"] for r in selectors.pareto({"B": 5, "A": 5})] == ["A", "B"]  # ties by code


def _point(lat: float, lon: float, metres: float, bearing: float = 90.0) -> tuple[float, float]:
    """The point `metres` from (lat, lon) along `bearing`, by the geodesic on WGS 84 (pyproj), an
    independent reference for the haversine threshold of repeat_places."""
    lon2, lat2, _ = GEOD.fwd(lon, lat, bearing, metres)
    return lat2, lon2


def test_repeat_places_link_offences_within_the_radius_and_the_window():
    at = dt.datetime(2025, 5, 1, 12, tzinfo=TASHKENT)
    lat, lon = 40.78, 72.35
    near = _point(lat, lon, 45)
    beyond = _point(lat, lon, 56, bearing=270.0)  # west: 101 m from `near`
    chained = _point(*near, 45)  # 90 m from the first, 45 m from the second: joins through it
    rows = [
        (1, 1, "street", lat, lon, at),
        (2, 1, "street", *near, at + dt.timedelta(days=20)),
        (3, 1, "street", *beyond, at + dt.timedelta(days=1)),
        (4, 1, "street", *chained, at + dt.timedelta(days=30)),
        (5, 1, "street", lat, lon, at + dt.timedelta(days=200)),  # same spot, far outside the window
        (6, 2, "home", None, None, at),
        (7, 2, "home", None, None, at + dt.timedelta(days=60)),
        (8, 2, "shop", None, None, at + dt.timedelta(days=61)),
        (9, 3, "home", None, None, at + dt.timedelta(days=61)),
    ]
    places = selectors.repeat_places(rows, radius_m=50, window_days=90)
    assert places == [[1, 2, 4], [6, 7]]
    # Offence 3 joins when the radius grows past its distance (56 m by the geodesic on WGS 84).
    assert selectors.repeat_places(rows, radius_m=60, window_days=90)[0] == [1, 2, 3, 4]


@pytest.mark.django_db
def test_recurrence_counts_repeat_places_victims_and_offenders_in_the_territory():
    mahalla, other = mahallas_create(DISTRICT, 2)
    lat, lon = 40.78, 72.35
    day = dt.date(2025, 3, 1)
    offence_create(mahalla, day, latitude=lat, longitude=lon, victim_ref="V1", offender_ref="P1")
    offence_create(mahalla, day + dt.timedelta(days=3), latitude=lat, longitude=lon + 0.0003, victim_ref="V1")
    offence_create(
        mahalla, day + dt.timedelta(days=9), victim_ref="V1", offender_ref="P1", repeat_offender=True
    )
    offence_create(other, day, victim_ref="V2", offender_ref="P2")
    offence_create(other, day + dt.timedelta(days=400), victim_ref="V2")  # outside the period
    chief = district_chief(District.objects.get(code=DISTRICT))
    figures = selectors.recurrence(actor=chief, level="district", code=DISTRICT, first=FIRST, last=LAST)
    assert figures["offences"] == 4
    assert (figures["repeat_places"], figures["offences_at_repeat_places"]) == (1, 2)
    assert (figures["repeat_victims"], figures["offences_against_repeat_victims"]) == (1, 3)
    assert (figures["repeat_offenders"], figures["offences_by_repeat_offenders"]) == (1, 2)
    assert figures["flagged_repeat_offender"] == 1
    assert figures["places"][0]["latitude"] == pytest.approx(lat, abs=1e-4)
    # A Mahalla Seven member sees the counts but not where the place is (it may be a home).
    member = UserFactory(role=Role.MAHALLA_SEVEN, scope_level=ScopeLevel.MAHALLAS, mahallas=[mahalla])
    counts = selectors.recurrence(actor=member, level="mahalla", code=mahalla.code, first=FIRST, last=LAST)
    assert counts["repeat_places"] == 1 and counts["places"][0]["latitude"] is None
    with pytest.raises(AccessDenied):
        selectors.recurrence(actor=member, level="mahalla", code=other.code, first=FIRST, last=LAST)


@pytest.mark.django_db
def test_the_cause_pareto_of_a_territory_carries_the_recommended_measures():
    mahalla, _ = mahallas_create(DISTRICT, 2)
    day = dt.date(2025, 6, 1)
    for _ in range(6):
        offence_create(mahalla, day, causes=("SITUATION.POOR_LIGHTING",))
    for _ in range(3):
        offence_create(mahalla, day, causes=("VICTIM.SHARED_CARD_CODE", "DIGITAL.TELEGRAM"))
    offence_create(mahalla, day, causes=("BEHAVIOUR.GAMBLING",))
    offence_create(mahalla, day)  # no cause recorded
    chief = district_chief(District.objects.get(code=DISTRICT))
    result = selectors.cause_pareto(actor=chief, level="mahalla", code=mahalla.code, first=FIRST, last=LAST)
    assert (result["offences"], result["offences_with_cause"], result["mentions"]) == (11, 10, 13)
    rows = {r["code"]: r for r in result["rows"]}
    assert [r["code"] for r in result["rows"]][:1] == ["SITUATION.POOR_LIGHTING"]
    assert rows["SITUATION.POOR_LIGHTING"]["share"] == pytest.approx(6 / 13)
    # 6 + 3 + 3 = 12 of 13 mentions (92 %) before the lone gambling cause; 6 + 3 = 9 (69 %) is short of 80.
    assert result["vital_few"] == ["SITUATION.POOR_LIGHTING", "DIGITAL.TELEGRAM", "VICTIM.SHARED_CARD_CODE"]
    assert [m["measure"] for m in rows["SITUATION.POOR_LIGHTING"]["recommended"]] == ["lamps_repair"]
    assert rows["BEHAVIOUR.GAMBLING"]["recommended"] == []


@pytest.mark.django_db
def test_roadmaps_and_overdue_alerts_are_seen_only_inside_the_scope(settings, tmp_path):
    mine = mahallas_create(DISTRICT, 2)
    theirs = mahallas_create(OTHER_DISTRICT, 1)
    chief = district_chief(District.objects.get(code=DISTRICT))
    other_chief = district_chief(District.objects.get(code=OTHER_DISTRICT))
    start = dt.date(2026, 1, 1)
    own = services.roadmap_create_from_template(
        actor=chief,
        level="mahalla",
        code=mine[0].code,
        period_kind="month",
        period_start=start,
        template_keys=["lighting_cctv"],
    )
    services.roadmap_create_from_template(
        actor=other_chief,
        level="district",
        code=OTHER_DISTRICT,
        period_kind="month",
        period_start=start,
        template_keys=["lighting_cctv"],
    )
    services.measures_overdue_alert(today=dt.date(2026, 6, 1))
    assert [r.pk for r in selectors.roadmap_list(actor=chief)] == [own.pk]
    assert {a.measure.roadmap_id for a in selectors.measure_alert_list(actor=chief)} == {own.pk}
    helper = inspector(mine[1])
    assert list(selectors.roadmap_list(actor=helper)) == []
    assert list(selectors.measure_alert_list(actor=helper)) == []
    outsider = inspector(theirs[0])
    assert selectors.measure_alert_list(actor=outsider, mine=True).count() == 0
    assert selectors.measure_alert_list(actor=other_chief, mine=True).count() == 3


@pytest.mark.django_db
def test_progress_gives_the_share_done_and_the_overdue_per_mahalla():
    first, second = mahallas_create(DISTRICT, 2)
    chief = district_chief(District.objects.get(code=DISTRICT))
    start = dt.date(2026, 1, 1)
    roadmaps = [
        services.roadmap_create_from_template(
            actor=chief,
            level="mahalla",
            code=m.code,
            period_kind="quarter",
            period_start=start,
            template_keys=["lighting_cctv"],
        )
        for m in (first, second)
    ]
    measures = list(roadmaps[0].measures.order_by("deadline"))
    services.measure_update(actor=chief, measure_id=measures[0].pk, status="done")
    services.measure_update(actor=chief, measure_id=measures[1].pk, status="cancelled")
    # Deadlines (a quarter, none cut by its end): 14, 45 and 60 days from 1 January; on 20 February
    # the 14- and 45-day ones have passed.
    progress = selectors.roadmap_progress(
        actor=chief, level="district", code=DISTRICT, today=dt.date(2026, 2, 20)
    )
    assert progress["overall"] == {"total": 5, "done": 1, "overdue": 2, "share_done": 0.2}
    units = {u["code"]: u for u in progress["units"]}
    assert (units[first.code]["total"], units[first.code]["done"], units[first.code]["overdue"]) == (2, 1, 0)
    assert units[first.code]["share_done"] == 0.5
    assert (units[second.code]["total"], units[second.code]["overdue"]) == (3, 2)


@pytest.mark.django_db
def test_a_mahalla_is_covered_by_its_own_or_its_districts_roadmap_of_the_current_period():
    first, second, third = mahallas_create(DISTRICT, 3)
    chief = district_chief(District.objects.get(code=DISTRICT))
    services.roadmap_create_from_template(
        actor=chief,
        level="mahalla",
        code=first.code,
        period_kind="month",
        period_start=dt.date(2026, 3, 1),
        template_keys=["safe_street"],
    )
    ids = [first.pk, second.pk, third.pk]
    assert selectors.mahallas_with_current_roadmap(actor=chief, mahalla_ids=ids, on=dt.date(2026, 3, 31)) == {
        first.pk
    }
    assert (
        selectors.mahallas_with_current_roadmap(actor=chief, mahalla_ids=ids, on=dt.date(2026, 4, 1)) == set()
    )
    services.roadmap_create_from_template(
        actor=chief,
        level="district",
        code=DISTRICT,
        period_kind="quarter",
        period_start=dt.date(2026, 4, 1),
        template_keys=["cyber_awareness"],
    )
    assert selectors.mahallas_with_current_roadmap(
        actor=chief, mahalla_ids=ids, on=dt.date(2026, 6, 30)
    ) == set(ids)
    outsider = district_chief(District.objects.get(code=OTHER_DISTRICT))
    assert (
        selectors.mahallas_with_current_roadmap(actor=outsider, mahalla_ids=ids, on=dt.date(2026, 6, 30))
        == set()
    )

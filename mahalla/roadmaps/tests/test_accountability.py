"""What roadmaps add to the officials' accountability views through the officials' hooks (registered in
RoadmapsConfig.ready): overdue measures per official, and per district the red mahallas that have both a
responsible official and a current roadmap."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mahalla.accounts.tests.factories import UserFactory
from mahalla.officials.models import Assignment, AssignmentRuleConfig
from mahalla.officials.selectors import district_accountability, official_accountability
from mahalla.officials.tests.factories import (
    DISTRICT_CODE,
    NEIGHBOUR_DISTRICT_CODE,
    classes_write,
    mahallas_in,
    official_create,
)
from mahalla.roadmaps.models import Measure, Roadmap
from mahalla.territory.models import District

from .factories import district_chief, regional_chief

pytestmark = pytest.mark.django_db


def _assign(official, mahalla, year: int = 2025) -> Assignment:
    return Assignment.objects.create(
        official=official,
        year=year,
        rule=AssignmentRuleConfig.objects.get(code="grave_red"),
        target="mahalla",
        mahalla=mahalla,
        district_id=mahalla.district_id,
        region_id=mahalla.region_id,
        target_key=f"mahalla:{mahalla.pk}",
        reason="red",
    )


def _roadmap(creator, *, mahalla=None, district=None, start: dt.date, kind: str = "month") -> Roadmap:
    territory = mahalla or district
    return Roadmap.objects.create(
        level="mahalla" if mahalla else "district",
        region_id=territory.region_id,
        district_id=mahalla.district_id if mahalla else district.pk,
        mahalla=mahalla,
        period_kind=kind,
        period_start=start,
        title=f"Roadmap {territory.code}",
        created_by=creator,
    )


def _measure(roadmap: Roadmap, title: str, deadline: dt.date, status: str = "planned", owner=None) -> Measure:
    return Measure.objects.create(roadmap=roadmap, title=title, deadline=deadline, status=status, owner=owner)


def test_an_officials_page_lists_the_overdue_measures_of_the_mahallas_they_answer_for(client):
    district = District.objects.get(code=DISTRICT_CODE)
    mine, other = mahallas_in(DISTRICT_CODE, 2, "V")
    chief = district_chief(district)
    account = UserFactory(username="hokim-account")
    official = official_create("hokim", territory=district, name="Hokim", user=account)
    _assign(official, mine)
    today = timezone.localdate()
    late = today - dt.timedelta(days=10)
    plan = _roadmap(chief, mahalla=mine, start=late.replace(day=1))
    _measure(plan, "Fix the street lamps", late)
    _measure(plan, "Already done", late, status="done")
    _measure(plan, "Not yet due", today + dt.timedelta(days=30))
    elsewhere = _roadmap(chief, mahalla=other, start=late.replace(day=1))
    _measure(elsewhere, "Someone else's lamps", late)
    _measure(elsewhere, "Owned by the official's account", late - dt.timedelta(days=5), owner=account)

    view = official_accountability(actor=chief, official=official)

    panel = next(p for p in view["panels"] if p["title"] == "Overdue measures")
    assert panel["rows"][0] == {"label": "Overdue measures", "value": 2}
    # Oldest deadline first, with the territory and how late.
    assert [row["label"] for row in panel["rows"][1:]] == [
        f"Owned by the official's account ({other.code})",
        f"Fix the street lamps ({mine.code})",
    ]
    assert panel["rows"][2]["value"] == f"deadline {late.isoformat()}, 10 days late"
    client.force_login(chief)
    page = client.get(f"/officials/{official.pk}/").content.decode()
    assert "Fix the street lamps" in page and "Someone else&#x27;s lamps" not in page


def test_overdue_measures_outside_the_actors_territory_stay_hidden_from_the_officials_page():
    district = District.objects.get(code=DISTRICT_CODE)
    (mine,) = mahallas_in(DISTRICT_CODE, 1, "V")
    (theirs,) = mahallas_in(NEIGHBOUR_DISTRICT_CODE, 1, "N")
    official = official_create("hokim", territory=district, name="Hokim")
    _assign(official, mine)
    _assign(official, theirs)
    late = timezone.localdate() - dt.timedelta(days=3)
    creator = regional_chief(district)
    _measure(_roadmap(creator, mahalla=mine, start=late.replace(day=1)), "Here", late)
    _measure(_roadmap(creator, mahalla=theirs, start=late.replace(day=1)), "There", late)

    for actor, expected in ((district_chief(district), 1), (creator, 2)):
        panel = official_accountability(actor=actor, official=official)["panels"][0]
        assert panel["rows"][0]["value"] == expected


def test_the_district_view_counts_red_mahallas_with_an_official_and_a_current_roadmap(client):
    district = District.objects.get(code=DISTRICT_CODE)
    neighbour = District.objects.get(code=NEIGHBOUR_DISTRICT_CODE)
    v = mahallas_in(DISTRICT_CODE, 5, "V")
    (n,) = mahallas_in(NEIGHBOUR_DISTRICT_CODE, 1, "N")
    classes_write({2025: {v[0]: "red", v[1]: "red", v[2]: "red", v[3]: "red", v[4]: "green", n: "red"}})
    official = official_create("hokim", territory=district, name="Hokim")
    for mahalla in (v[0], v[1], v[2], n):
        _assign(official, mahalla)
    chief = regional_chief(district)
    _roadmap(chief, mahalla=v[0], start=dt.date(2025, 12, 1))  # current on 31 December: counts
    _roadmap(chief, mahalla=v[1], start=dt.date(2025, 10, 1))  # ended in October: does not
    _roadmap(chief, mahalla=v[3], start=dt.date(2025, 12, 1))  # a roadmap but no official: does not
    _roadmap(chief, district=neighbour, start=dt.date(2025, 10, 1), kind="quarter")  # the district's plan

    view = district_accountability(actor=chief, year=2025)

    assert "Red with an official and a current roadmap" in view["columns"]
    column = view["columns"].index("Red with an official and a current roadmap")
    extra = {row["district"].code: row["extra"][column] for row in view["rows"]}
    assert extra[DISTRICT_CODE] == "1 (25 %)"
    assert extra[NEIGHBOUR_DISTRICT_CODE] == "1 (100 %)"
    assert all(value is None for code, value in extra.items() if code not in (DISTRICT_CODE, n.district.code))
    client.force_login(chief)
    page = client.get("/officials/districts/?year=2025").content.decode()
    assert "Red with an official and a current roadmap" in page and "1 (25 %)" in page

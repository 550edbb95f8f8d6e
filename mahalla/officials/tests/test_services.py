"""The assignment rules on constructed cases, the chiefs' decisions within their territory, and the history
(hand-over, turning green, turning red)."""

from __future__ import annotations

import datetime as dt

import pytest

from mahalla.accounts.tests.factories import UserFactory
from mahalla.analytics.tests.factories import add_offences
from mahalla.audit.models import AuditEvent
from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.core.roles import Role, ScopeLevel
from mahalla.officials.models import Assignment, AssignmentRuleConfig, ConflictOfInterest
from mahalla.officials.services import assignment_change, assignment_confirm, assignments_propose
from mahalla.territory.tests.factories import reference_district

from .factories import (
    DISTRICT_CODE,
    NEIGHBOUR_DISTRICT_CODE,
    OTHER_DISTRICT_CODE,
    classes_write,
    mahallas_in,
    official_create,
)

pytestmark = pytest.mark.django_db


def only_rules(*codes: str) -> None:
    AssignmentRuleConfig.objects.exclude(code__in=codes).update(active=False)


def proposed(year: int) -> dict[tuple[str, str], str]:
    """(rule, target code) -> official name of the active assignments of the year."""
    rows = Assignment.objects.filter(year=year, status__in=Assignment.ACTIVE).select_related(
        "rule", "mahalla", "district", "official"
    )
    return {(a.rule.code, a.mahalla.code if a.mahalla else a.district.code): a.official.name for a in rows}


@pytest.fixture
def district():
    return reference_district(DISTRICT_CODE)


def test_red_three_years_running_goes_to_an_institution_and_two_years_do_not(district):
    only_rules("red_streak_3")
    three, two, broken = mahallas_in(DISTRICT_CODE, 3, "S")
    classes_write(
        {
            2023: {three: "red", two: "yellow", broken: "red"},
            2024: {three: "red", two: "red", broken: "green"},
            2025: {three: "red", two: "red", broken: "red"},
        }
    )
    official_create("criminological_institute_researcher", level="country", name="Researcher")

    outcome = assignments_propose(year=2025)

    assert proposed(2025) == {("red_streak_3", three.code): "Researcher"}
    assert outcome.unassigned == []
    reason = Assignment.objects.get().reason
    assert "3 years in a row" in reason and "2023-2025" in reason


def test_red_five_years_running_goes_to_regional_leadership_as_well_as_an_institution(district):
    only_rules("red_streak_3", "red_streak_5")
    five, four = mahallas_in(DISTRICT_CODE, 2, "F")
    classes_write(
        {year: {five: "red", four: "red" if year > 2021 else "green"} for year in range(2021, 2026)}
    )
    official_create("national_guard_head", level="region", territory=district.region, name="Guard")
    official_create("law_university_head", level="country", name="Dean")

    assignments_propose(year=2025)

    assert proposed(2025) == {
        ("red_streak_5", five.code): "Guard",
        ("red_streak_3", five.code): "Dean",
        ("red_streak_3", four.code): "Dean",
    }


def test_a_year_without_analysis_breaks_the_streak(district):
    only_rules("red_streak_3")
    (mahalla,) = mahallas_in(DISTRICT_CODE, 1, "Y")
    classes_write({2022: {mahalla: "red"}, 2023: {mahalla: "red"}, 2025: {mahalla: "red"}})
    official_create("ministry_academy_head", level="country")

    outcome = assignments_propose(year=2025)

    assert outcome.demands == 0 and proposed(2025) == {}


def test_grave_mahallas_go_to_district_leaders_up_to_the_workload_limit(district):
    only_rules("grave_red")
    reds = mahallas_in(DISTRICT_CODE, 3, "R")
    (green,) = mahallas_in(DISTRICT_CODE, 1, "G")
    classes_write({2025: {**{m: "red" for m in reds}, green: "green"}})
    official_create("hokim", territory=district, name="Hokim", max_assignments=2)

    outcome = assignments_propose(year=2025)

    assert len(proposed(2025)) == 2 and all(name == "Hokim" for name in proposed(2025).values())
    assert [(row["why"], row["rule"]) for row in outcome.unassigned] == [("workload_limit", "grave_red")]
    assert "workload limit" in outcome.unassigned[0]["why_text"]


def test_an_official_living_in_the_mahalla_is_not_named_to_it(district):
    only_rules("grave_red")
    home, other = mahallas_in(DISTRICT_CODE, 2, "C")
    classes_write({2025: {home: "red", other: "red"}})
    hokim = official_create("hokim", territory=district, name="Hokim")
    ConflictOfInterest.objects.create(official=hokim, mahalla=home, kind=ConflictOfInterest.Kind.RESIDENCE)

    outcome = assignments_propose(year=2025)

    assert proposed(2025) == {("grave_red", other.code): "Hokim"}
    assert [(row["code"], row["why"]) for row in outcome.unassigned] == [(home.code, "conflict_of_interest")]


def test_officials_of_another_district_or_level_are_not_named(district):
    only_rules("grave_red")
    (red,) = mahallas_in(DISTRICT_CODE, 1, "T")
    classes_write({2025: {red: "red"}})
    official_create("hokim", territory=reference_district(OTHER_DISTRICT_CODE), name="Neighbour")
    official_create("hokim", level="region", territory=district.region, name="Regional hokim")

    outcome = assignments_propose(year=2025)

    assert proposed(2025) == {}
    assert [row["why"] for row in outcome.unassigned] == ["no_official_in_territory"]


def test_the_worst_district_of_the_region_goes_to_the_regional_first_deputy_prosecutor(district):
    only_rules("worst_district")
    AssignmentRuleConfig.objects.filter(code="worst_district").update(top_per_region=1)
    other = reference_district(NEIGHBOUR_DISTRICT_CODE)
    here = mahallas_in(DISTRICT_CODE, 4, "W")
    there = mahallas_in(NEIGHBOUR_DISTRICT_CODE, 4, "X")
    # One red of four here, three of four in the other district: the other one is worse.
    classes_write(
        {
            2025: {
                **dict.fromkeys(here, "green"),
                here[0]: "red",
                **dict.fromkeys(there, "red"),
                there[0]: "yellow",
            }
        }
    )
    official_create("first_deputy_prosecutor", level="region", territory=district.region, name="First deputy")

    assignments_propose(year=2025)

    assert proposed(2025) == {("worst_district", other.code): "First deputy"}
    assert "3 of 4 mahallas red" in Assignment.objects.get().reason


@pytest.mark.parametrize(
    ("rule", "flags", "position"),
    [
        ("women_share", {"involves_woman": True}, "deputy_hokim_family_women"),
        ("alcohol_drugs_share", {"under_drugs": True}, "health_department_head"),
        ("conflict_family_share", {"family_relation": True}, "justice_department_head"),
    ],
)
def test_the_mahalla_with_the_highest_share_goes_to_the_regional_department_head(
    district, rule, flags, position
):
    only_rules(rule)
    AssignmentRuleConfig.objects.filter(code=rule).update(top_per_region=1, min_offences=5)
    high, low, few = mahallas_in(DISTRICT_CODE, 3, "H")
    classes_write({2025: {high: "yellow", low: "yellow", few: "green"}})
    days = [dt.date(2025, 6, d) for d in range(1, 11)]
    add_offences(high, days[:6], **flags)  # 6 of 10
    add_offences(high, days[6:])
    add_offences(low, days[:2], **flags)  # 2 of 10
    add_offences(low, days[2:])
    add_offences(few, days[:2], **flags)  # 2 of 2: too few crimes to rank
    official_create(position, level="region", territory=district.region, name="Head")

    assignments_propose(year=2025)

    assert proposed(2025) == {(rule, high.code): "Head"}
    assert "6 of 10 crimes (60 %)" in Assignment.objects.get().reason


def test_a_dry_run_stores_nothing_and_reports_the_same_proposals(district):
    only_rules("grave_red")
    (red,) = mahallas_in(DISTRICT_CODE, 1, "D")
    classes_write({2025: {red: "red"}})
    official_create("hokim", territory=district, name="Hokim")

    dry = assignments_propose(year=2025, dry_run=True)
    assert Assignment.objects.count() == 0 and [r["official_name"] for r in dry.proposed] == ["Hokim"]
    real = assignments_propose(year=2025)
    assert real.proposed == dry.proposed and Assignment.objects.count() == 1


def test_a_year_without_analysis_is_refused_with_the_reason():
    with pytest.raises(ApplicationError, match="No finished daily analysis in 2019"):
        assignments_propose(year=2019)
    with pytest.raises(ApplicationError, match="Year must be"):
        assignments_propose(year=1900)


@pytest.fixture
def world(district):
    only_rules("grave_red")
    here = mahallas_in(DISTRICT_CODE, 2, "P")
    (there,) = mahallas_in(OTHER_DISTRICT_CODE, 1, "Q")
    classes_write({2025: {here[0]: "red", here[1]: "red", there: "red"}})
    hokim = official_create("hokim", territory=district, name="Hokim")
    prosecutor = official_create("prosecutor", territory=district, name="Prosecutor")
    official_create("hokim", territory=reference_district(OTHER_DISTRICT_CODE), name="Other hokim")
    assignments_propose(year=2025)
    chief = UserFactory(role=Role.DISTRICT_CHIEF, scope_level=ScopeLevel.DISTRICT, scope_district=district)
    other_chief = UserFactory(
        role=Role.DISTRICT_CHIEF,
        scope_level=ScopeLevel.DISTRICT,
        scope_district=reference_district(OTHER_DISTRICT_CODE),
    )
    regional = UserFactory(
        role=Role.REGIONAL_CHIEF, scope_level=ScopeLevel.REGION, scope_region=district.region
    )
    return {
        "here": here,
        "there": there,
        "hokim": hokim,
        "prosecutor": prosecutor,
        "chief": chief,
        "other_chief": other_chief,
        "regional": regional,
        "mine": Assignment.objects.filter(mahalla__in=here).order_by("pk").first(),
        "theirs": Assignment.objects.get(mahalla=there),
    }


def test_a_district_chief_confirms_a_proposal_in_their_district(world):
    assignment = assignment_confirm(actor=world["chief"], assignment_id=world["mine"].pk)
    assert assignment.status == Assignment.Status.CONFIRMED and assignment.confirmed_by == world["chief"]
    assert AuditEvent.objects.filter(
        object_type="officials.assignment", object_id=str(assignment.pk)
    ).exists()
    with pytest.raises(ApplicationError, match="Only a proposed assignment"):
        assignment_confirm(actor=world["chief"], assignment_id=world["mine"].pk)


def test_a_district_chief_cannot_confirm_in_another_district(world):
    with pytest.raises(AccessDenied):
        assignment_confirm(actor=world["chief"], assignment_id=world["theirs"].pk)
    assert Assignment.objects.get(pk=world["theirs"].pk).status == Assignment.Status.PROPOSED


def test_a_district_chief_cannot_decide_on_a_regional_officials_assignment(world, district):
    only_rules("red_streak_5")
    guard = official_create("national_guard_head", level="region", territory=district.region)
    rule = AssignmentRuleConfig.objects.get(code="red_streak_5")
    mahalla = world["here"][0]
    regional_one = Assignment.objects.create(
        official=guard, year=2025, rule=rule, target="mahalla", mahalla=mahalla, district=district,
        region=district.region, target_key=f"m{mahalla.pk}", reason="test",
    )  # fmt: skip
    with pytest.raises(AccessDenied):
        assignment_confirm(actor=world["chief"], assignment_id=regional_one.pk)
    assert assignment_confirm(actor=world["regional"], assignment_id=regional_one.pk).status == "confirmed"


def test_other_roles_cannot_confirm(world):
    analyst = UserFactory(role=Role.NATIONAL_ANALYST, scope_level=ScopeLevel.COUNTRY)
    with pytest.raises(AccessDenied):
        assignment_confirm(actor=analyst, assignment_id=world["mine"].pk)


def test_a_hand_over_keeps_the_old_assignment_and_points_to_the_new_one(world):
    old = world["mine"]
    new = assignment_change(
        actor=world["chief"],
        assignment_id=old.pk,
        official_id=world["prosecutor"].pk,
        reason="Hokim on leave",
    )
    old.refresh_from_db()
    assert (
        old.status == Assignment.Status.CHANGED
        and old.replaced_by == new
        and old.end_reason == "Hokim on leave"
    )
    assert new.status == Assignment.Status.CONFIRMED and new.official == world["prosecutor"]
    assert new.confirmed_by == world["chief"] and new.reason_detail["changed_from"] == old.pk
    assert Assignment.objects.filter(mahalla=old.mahalla).count() == 2  # history is never deleted


def test_a_hand_over_to_an_ineligible_official_is_refused_with_the_reason(world):
    ConflictOfInterest.objects.create(
        official=world["prosecutor"], mahalla=world["mine"].mahalla, kind=ConflictOfInterest.Kind.DECLARED
    )
    with pytest.raises(ApplicationError, match="conflict of interest"):
        assignment_change(
            actor=world["chief"],
            assignment_id=world["mine"].pk,
            official_id=world["prosecutor"].pk,
            reason="x",
        )
    with pytest.raises(ApplicationError, match="Give the reason"):
        assignment_change(
            actor=world["chief"], assignment_id=world["mine"].pk, official_id=world["hokim"].pk, reason=" "
        )
    assert Assignment.objects.get(pk=world["mine"].pk).status == Assignment.Status.PROPOSED


def test_turning_green_ends_the_assignment_and_turning_red_proposes_one(world, district):
    confirmed = assignment_confirm(actor=world["chief"], assignment_id=world["mine"].pk)
    (newcomer,) = mahallas_in(DISTRICT_CODE, 1, "N")
    first, second = world["here"]
    turned_green = first if confirmed.mahalla == first else second
    still_red = second if turned_green == first else first
    # The year's verdict is re-analysed: one mahalla turned green, a new one turned red.
    classes_write({2025: {turned_green: "green", still_red: "red", newcomer: "red", world["there"]: "red"}})
    outcome = assignments_propose(year=2025)

    ended = Assignment.objects.get(pk=confirmed.pk)
    assert ended.status == Assignment.Status.ENDED and "Turned green on 2025-12-31" in ended.end_reason
    assert [row["mahalla"] for row in outcome.ended] == [turned_green.code]
    assert ("grave_red", newcomer.code) in proposed(2025)
    assert outcome.kept == 2  # the still-red mahalla and the other district's keep their assignments

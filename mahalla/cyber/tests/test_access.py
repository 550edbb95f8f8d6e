"""Every role against reports of its own and of another territory: exact visible sets, fail closed."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from mahalla.core.errors import AccessDenied
from mahalla.cyber import selectors
from mahalla.cyber.access import access_campaign_by_id, access_report_by_id

from .factories import report_input, report_submitted

# role -> which of (report in district A, report in district B) it reads at person level.
EXPECTED = {
    "analyst": {"a", "b"},
    "administrator": {"a", "b"},
    "prosecutor": {"a", "b"},
    "officer_a": {"a"},
    "officer_b": {"b"},
    "investigator_a": {"a"},
    "chief_a": {"a"},
    "regional_chief_a": {"a"},
    "inspector_a": set(),
    "official_a": set(),
    "seven_a": set(),
}


@pytest.fixture
def two_reports(world):
    a = report_submitted(data=report_input(world.mahalla_a1), address="1")
    b = report_submitted(data=report_input(world.mahalla_b1), address="2")
    return {"a": a, "b": b}


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_each_role_reads_exactly_its_territorys_reports(world, two_reports, username):
    user = world.users[username]
    visible = {key for key, report in two_reports.items() if report in selectors.report_list(user)}
    assert visible == EXPECTED[username]
    for key, report in two_reports.items():
        if key in EXPECTED[username]:
            assert access_report_by_id(user, report.pk) == report
        else:
            with pytest.raises(AccessDenied):
                access_report_by_id(user, report.pk)


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_a_campaign_is_visible_to_a_reader_of_one_of_its_reports(world, two_reports, username):
    campaign = two_reports["a"].campaign_member.campaign  # both reports share the card: one campaign
    user = world.users[username]
    if EXPECTED[username]:
        assert access_campaign_by_id(user, campaign.pk) == campaign
        listed = set(selectors.report_list(user, campaign_id=campaign.pk))
        assert listed == {two_reports[k] for k in EXPECTED[username]}
    else:
        with pytest.raises(AccessDenied):
            access_campaign_by_id(user, campaign.pk)


def test_anonymous_and_inactive_users_see_nothing(world, two_reports):
    assert not selectors.report_list(AnonymousUser()).exists()
    analyst = world.users["analyst"]
    analyst.is_active = False
    analyst.save()
    assert not selectors.report_list(analyst).exists()
    assert selectors.dashboard(analyst)["reports"] == 0


def test_dashboard_counts_are_suppressed_below_five_for_roles_without_person_access(world, two_reports):
    assert selectors.dashboard(world.users["seven_a"])["reports"] == "<5"
    assert selectors.dashboard(world.users["officer_a"])["reports"] == 1
    assert selectors.dashboard(world.users["analyst"])["reports"] == 2


def test_reading_a_report_is_audited_with_its_purpose(world, two_reports):
    from mahalla.audit.models import AuditEvent

    selectors.reports_read_audit(world.users["officer_a"], [two_reports["a"]], purpose="follow-up call")
    event = AuditEvent.objects.get(action="read", object_id=str(two_reports["a"].pk))
    assert event.purpose == "follow-up call" and event.actor_username == "officer_a"

"""The mahalla page's analysis sections are rendered once per analysis run and kept (web/views.py,
_mahalla_analysis): a new run, or a re-run of an earlier date, shows at once; a reader who may see the
counts never gets the suppressed rendering cached for a role that may not, nor the other way round."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from mahalla.accounts.tests.factories import UserFactory
from mahalla.analytics import selectors as analytics
from mahalla.analytics.services import analysis_run
from mahalla.analytics.tests.factories import DISTRICT_CODE, add_offences, days_back, grid_mahallas
from mahalla.core.roles import Role, ScopeLevel
from mahalla.territory.tests.factories import reference_district

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 10)


@pytest.fixture
def analysed():
    mahallas = {m.code: m for m in grid_mahallas(rows=2, cols=2)}
    for mahalla in mahallas.values():
        add_offences(mahalla, days_back(DAY - dt.timedelta(days=3), 6, step=60))
    # Two more offences in G00's last 28 days: three in all, a count a member sees as "<5".
    add_offences(mahallas["G00"], days_back(DAY, 2, step=20), involves_minor=True)
    analysis_run(date=DAY, parameters={"scan_permutations": 19})
    return mahallas


def chief():
    return UserFactory(
        role=Role.DISTRICT_CHIEF,
        scope_level=ScopeLevel.DISTRICT,
        scope_district=reference_district(DISTRICT_CODE),
    )


def page(client, user, code="G00"):
    client.force_login(user)
    response = client.get(reverse("web:mahalla", args=[code]), headers={"Accept-Language": "en"})
    assert response.status_code == 200
    return response.content.decode()


def comparisons(html):
    start = html.index('id="comparisons"')
    return html[start : html.index("</table>", start)]


def test_a_new_run_shows_on_the_mahalla_page_at_once(client, analysed):
    user = chief()
    before = page(client, user)
    assert "Class on 2026-03-10" in before
    assert before.count('data-date="') == 1

    analysis_run(date=DAY + dt.timedelta(days=1), parameters={"scan_permutations": 19})

    after = page(client, user)
    assert "Class on 2026-03-11" in after
    assert after.count('data-date="') == 2  # the class history has the new date


def test_a_burst_of_offences_and_a_new_run_turn_the_cached_page_red(client, analysed):
    user = chief()
    assert 'class="red"' not in page(client, user, "G01")

    add_offences(analysed["G01"], [DAY + dt.timedelta(days=1)], category="violent", per_day=30)
    analysis_run(date=DAY + dt.timedelta(days=1), parameters={"scan_permutations": 19})

    assert 'class="red"' in page(client, user, "G01")


def test_the_marker_of_the_runs_changes_when_an_earlier_date_is_re_analysed(analysed):
    user = chief()
    analysis_run(date=DAY + dt.timedelta(days=1), parameters={"scan_permutations": 19})
    marker = analytics.finished_runs_marker(actor=user)

    analysis_run(date=DAY, parameters={"scan_permutations": 19})  # the history's earlier date, again

    assert analytics.finished_runs_marker(actor=user) != marker


def test_the_marker_is_none_for_an_actor_who_sees_nothing(analysed):
    nobody = chief()
    nobody.is_active = False
    assert analytics.finished_runs_marker(actor=nobody) == "none"


def test_the_suppressed_and_the_full_counts_are_cached_apart(client, analysed):
    member = UserFactory(role=Role.MAHALLA_SEVEN, scope_level=ScopeLevel.MAHALLAS, mahallas=[analysed["G00"]])
    reader = chief()

    assert "&lt;5" in comparisons(page(client, member))
    # The reader comes second, after the member's rendering was cached: the reader's own is built.
    shown = comparisons(page(client, reader))
    assert "&lt;5" not in shown and ">3</td>" in shown
    # And the member, third, still gets the suppressed one.
    assert "&lt;5" in comparisons(page(client, member))

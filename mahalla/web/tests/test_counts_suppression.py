"""The Mahalla Seven's social-prevention panels suppress small counts (issue 12, part 8): a role that cannot
read the offence records behind a count sees 1-4 as "<5"; a role that can read them sees the number."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from mahalla.accounts.tests.factories import UserFactory
from mahalla.analytics.services import analysis_run
from mahalla.analytics.tests.factories import DISTRICT_CODE, add_offences, days_back, grid_mahallas
from mahalla.core.roles import Role, ScopeLevel
from mahalla.territory.tests.factories import reference_district
from mahalla.web.templatetags.web_counts import suppress_small

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 10)


@pytest.fixture
def analysed():
    mahallas = {m.code: m for m in grid_mahallas(rows=2, cols=2)}
    for mahalla in mahallas.values():
        add_offences(mahalla, days_back(DAY - dt.timedelta(days=3), 6, step=60))
    # Three offences involving minors in G00: a count small enough to point at a family.
    add_offences(mahallas["G00"], days_back(DAY, 3, step=20), involves_minor=True)
    analysis_run(date=DAY, parameters={"scan_permutations": 19})
    return mahallas


def _panel(client, user, code):
    client.force_login(user)
    page = client.get(reverse("web:district", args=[code]), {"date": DAY.isoformat()})
    assert page.status_code == 200
    html = page.content.decode()
    start = html.index('id="social-panels"')
    return html[start : html.index("</section>", start)]


def test_a_mahalla_seven_member_sees_small_counts_as_less_than_5(client, analysed):
    member = UserFactory(
        role=Role.MAHALLA_SEVEN,
        scope_level=ScopeLevel.DISTRICT,
        scope_district=reference_district(DISTRICT_CODE),
    )
    panel = _panel(client, member, DISTRICT_CODE)
    assert '<div class="n">&lt;5</div>' in panel
    assert '<div class="n">3</div>' not in panel


def test_a_chief_who_reads_the_records_sees_the_number(client, analysed):
    chief = UserFactory(
        role=Role.DISTRICT_CHIEF,
        scope_level=ScopeLevel.DISTRICT,
        scope_district=reference_district(DISTRICT_CODE),
    )
    panel = _panel(client, chief, DISTRICT_CODE)
    assert '<div class="n">3</div>' in panel


def test_the_mahalla_page_suppresses_small_category_counts_for_a_member(client, analysed):
    member = UserFactory(role=Role.MAHALLA_SEVEN, scope_level=ScopeLevel.MAHALLAS, mahallas=[analysed["G01"]])
    client.force_login(member)
    html = client.get(reverse("web:mahalla", args=["G01"]), {"date": DAY.isoformat()}).content.decode()
    # G01 has 6 offences of one category: shown; no category of 1-4 is shown as a number.
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    assert "6" in cells
    for small in range(1, 5):
        assert str(small) not in cells


@pytest.mark.parametrize("value,shown", [(0, 0), (1, "<5"), (4, "<5"), (5, 5), (120, 120), (None, None)])
def test_the_suppression_rule(value, shown):
    member = UserFactory.build(role=Role.MAHALLA_SEVEN)
    assert suppress_small(value, member) == shown


def _comparison_rows(client, user, code):
    client.force_login(user)
    html = client.get(reverse("web:mahalla", args=[code]), {"date": DAY.isoformat()}).content.decode()
    start = html.index('id="comparisons"')
    table = html[start : html.index("</table>", start)]
    return [re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", table)[1:]]


def test_the_mahalla_page_hides_the_z_that_would_give_a_suppressed_count_away(client, analysed):
    member = UserFactory(role=Role.MAHALLA_SEVEN, scope_level=ScopeLevel.MAHALLAS, mahallas=[analysed["G00"]])
    rows = _comparison_rows(client, member, "G00")
    # Columns: label, now, previous period, a year before, z (of now against a year before).
    suppressed = [row for row in rows if "&lt;5" in (row[1], row[3])]
    # G00's last 28 days hold 1-4 crimes: without the rule, z = 2 (sqrt(now) - sqrt(before)) beside the
    # shown "before" gives "now" back.
    assert suppressed, rows
    for row in suppressed:
        assert row[4] == "·", row
    chief = UserFactory(
        role=Role.DISTRICT_CHIEF,
        scope_level=ScopeLevel.DISTRICT,
        scope_district=reference_district(DISTRICT_CODE),
    )
    for row in _comparison_rows(client, chief, "G00"):
        assert "&lt;5" not in row and row[4] != "·", row
        float(row[4].replace(",", ".").replace("\u2212", "-"))  # a number


@pytest.mark.parametrize(
    "current,year_before,hidden",
    [(2, 0, True), (2, 40, True), (40, 3, True), (0, 40, False), (12, 40, False), (0, 0, False)],
)
def test_the_z_of_a_comparison_is_hidden_where_either_count_is_suppressed(current, year_before, hidden):
    from mahalla.web.templatetags.web_counts import comparison_z

    z = 2 * (current**0.5 - year_before**0.5)
    comparison = {"current": current, "year_before": year_before, "z_year_before": z}
    member = UserFactory.build(role=Role.MAHALLA_SEVEN)
    chief = UserFactory.build(role=Role.DISTRICT_CHIEF)
    assert comparison_z(comparison, member) == ("·" if hidden else z)
    assert comparison_z(comparison, chief) == z

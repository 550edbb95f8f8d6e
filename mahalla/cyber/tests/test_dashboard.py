"""The cyber dashboard as charts: the figures of the actor's territory only, the time from report to block in
hour groups, suppressed counts drawn as no bar, and the page that draws them from the platform's own
Chart.js."""

from __future__ import annotations

import datetime as dt
import json

from django.urls import reverse
from django.utils import timezone

from mahalla.cyber import selectors, services
from mahalla.cyber.charts import dashboard_charts, svg_bars
from mahalla.cyber.models import BlockRequest, CampaignMember

from .factories import report_input, report_submitted


def _two_districts_and_a_block(world):
    a1 = report_submitted(data=report_input(world.mahalla_a1), address="1")
    a2 = report_submitted(data=report_input(world.mahalla_a2), address="2")
    b1 = report_submitted(
        data=report_input(world.mahalla_b1, narrative="Kredit olishibdi mening nomimga", loss_amount="900"),
        address="3",
    )
    campaign = CampaignMember.objects.get(report=a1).campaign
    requests = services.block_requests_for_campaign(actor=world.users["analyst"], campaign=campaign)
    card_request = next(r for r in requests if r.organisation_id == world.bank.pk)
    services.block_request_status_set(
        organisation=world.bank,
        block_request=card_request,
        status=BlockRequest.Status.BLOCKED,
        at=card_request.first_reported_at + dt.timedelta(hours=30),
    )
    return a1, a2, b1


def test_the_dashboard_counts_only_the_actors_territory_and_groups_the_time_to_block(world):
    _two_districts_and_a_block(world)
    country = selectors.dashboard(world.users["analyst"])
    district_a = selectors.dashboard(world.users["officer_a"])
    district_b = selectors.dashboard(world.users["officer_b"])
    assert (country["reports"], district_a["reports"], district_b["reports"]) == (3, 2, 1)
    assert country["loss_total"] == 1500000 * 2 + 900
    assert district_b["loss_total"] == 900
    # The card was blocked 30 hours after its first report: the 24 to 72 hours group, seen in district A only.
    assert [b["requests"] for b in district_a["block_hours"]] == [0, 0, 1, 0, 0]
    assert [b["requests"] for b in district_b["block_hours"]] == [0, 0, 0, 0, 0]
    assert district_a["time_to_block_hours_median"] == 30
    assert [c["size"] for c in district_a["campaigns"]] == [2] and district_b["campaigns"] == []
    # The briefing of one district narrows a country-wide reader's figures to it.
    narrowed = selectors.dashboard(world.users["analyst"], district=world.district_b)
    assert narrowed["reports"] == 1 and narrowed["by_district"][0]["code"] == world.district_b.code


def test_the_charts_carry_translated_axes_and_draw_suppressed_counts_as_no_bar(world):
    _two_districts_and_a_block(world)
    charts = dashboard_charts(selectors.dashboard(world.users["officer_a"]))
    assert charts["methods"]["reports"] == [2.0] and charts["methods"]["axis_y"] == "Reports"
    assert charts["block"]["requests"] == [0.0, 0.0, 1.0, 0.0, 0.0]
    assert charts["block"]["labels"][2] == "24 to 72 h"
    assert charts["campaigns"]["before"] == [0] and charts["campaigns"]["growth"] == [2]
    seven = selectors.dashboard(world.users["seven_a"])
    assert seven["reports"] == "<5"
    seven_charts = dashboard_charts(seven)
    assert seven_charts["methods"]["reports"] == [None]
    assert seven_charts["districts"]["reports"] == [None]


def test_the_dashboard_page_draws_its_charts_with_the_platforms_own_chart_library(world, client):
    _two_districts_and_a_block(world)
    client.force_login(world.users["officer_a"])
    page = client.get(reverse("cyber:index")).content.decode()
    assert "/static/vendor/chartjs/chart.umd.min.js" in page
    assert "/static/cyber/dashboard.js" in page
    for kind in ("share", "methods", "campaigns", "block", "districts", "monthly"):
        assert f'data-cyber-chart="{kind}"' in page
    start = page.index('<script id="cyber-charts" type="application/json">') + len(
        '<script id="cyber-charts" type="application/json">'
    )
    charts = json.loads(page[start : page.index("</script>", start)])
    assert charts["methods"]["reports"] == [2.0]
    assert "http://" not in page.split("<body", 1)[1].replace("http://www.w3.org", "")


def test_the_briefing_bars_escape_labels_and_print_suppressed_values():
    svg = svg_bars([("<b>District</b>", 10), ("Small", "<5"), ("None", 0)], title="T & U")
    assert "<b>" not in svg and "&lt;b&gt;District&lt;/b&gt;" in svg
    assert svg.count("<rect") == 1 and "&lt;5" in svg
    assert 'aria-label="T &amp; U"' in svg


def test_the_dashboard_of_a_year_ago_leaves_out_reports_before_its_window(world):
    report_submitted(data=report_input(world.mahalla_a1), address="1")
    later = timezone.localdate() + dt.timedelta(days=400)
    assert selectors.dashboard(world.users["analyst"], today=later)["reports"] == 0


def test_the_blocked_total_and_campaign_sizes_are_suppressed_for_roles_without_person_access(world, client):
    _two_districts_and_a_block(world)
    assert selectors.dashboard(world.users["officer_a"])["blocked"] == 1
    seven = selectors.dashboard(world.users["seven_a"])
    # One block, and one campaign of 2 reports: neither may be read as a count by the Mahalla Seven.
    assert seven["blocked"] == "<5" and seven["campaigns"] == []
    client.force_login(world.users["seven_a"])
    page = client.get(reverse("cyber:index")).content.decode()
    assert '<span id="kpi-blocked">&lt;5</span>' in page
    client.force_login(world.users["officer_a"])
    assert '<span id="kpi-blocked">1</span>' in client.get(reverse("cyber:index")).content.decode()

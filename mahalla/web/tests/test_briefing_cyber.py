"""The daily briefing's cyber section: the cyber dashboard of the briefing's territory, as figures and bar
charts drawn on the server, in the page and in the PDF; absent for roles outside the cyber dashboard."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from django.utils import timezone

from mahalla.accounts.tests.factories import UserFactory
from mahalla.core.roles import Role, ScopeLevel
from mahalla.cyber.tests.factories import report_input, report_submitted, world_create
from mahalla.web.briefing import briefing_context, briefing_html, briefing_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def cyber_world(settings):
    settings.CYBER_CARD_HASH_KEY = "test-card-hash-key"
    world = world_create()
    report_submitted(data=report_input(world.mahalla_a1), address="1")
    report_submitted(data=report_input(world.mahalla_a2), address="2")
    report_submitted(data=report_input(world.mahalla_b1, loss_amount="700"), address="3")
    return world


def _context(actor, district):
    return briefing_context(
        actor=actor,
        date=timezone.localdate() + dt.timedelta(days=1),
        region=district.region,
        district=district,
        site_url="http://127.0.0.1:8000",
    )


def test_the_briefing_of_a_district_has_its_cyber_figures_and_charts(cyber_world):
    world = cyber_world
    context = _context(world.users["chief_a"], world.district_a)
    section = context["cyber"]
    assert section["data"]["reports"] == 2
    assert section["data"]["loss_total"] == 3_000_000
    html = briefing_html(context)
    assert 'id="briefing-cyber"' in html
    assert html.count('class="briefing-bars"') == 4
    # Only district A's two reports: a bar of 2 for the one method, nothing of district B.
    assert world.district_b.name_uz not in html.split('id="briefing-cyber"', 1)[1]


def test_a_country_reader_briefed_on_one_district_sees_that_district_only(cyber_world):
    world = cyber_world
    context = _context(world.users["analyst"], world.district_b)
    assert context["cyber"]["data"]["reports"] == 1
    assert context["cyber"]["data"]["loss_total"] == 700


def test_roles_outside_the_cyber_dashboard_get_no_cyber_section(cyber_world):
    world = cyber_world
    narcotics = UserFactory(
        username="narcotics_a",
        role=Role.NARCOTICS_OFFICER,
        scope_level=ScopeLevel.DISTRICT,
        scope_district=world.district_a,
    )
    context = _context(narcotics, world.district_a)
    assert context["cyber"] is None
    assert 'id="briefing-cyber"' not in briefing_html(context)


def test_the_briefing_pdf_prints_the_cyber_section(cyber_world, tmp_path):
    world = cyber_world
    pdf = briefing_pdf(_context(world.users["chief_a"], world.district_a))
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    path = tmp_path / "briefing.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Cybercrime" in text and "Method mix" in text and "Time from report to block" in text

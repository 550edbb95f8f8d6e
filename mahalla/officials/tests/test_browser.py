"""Assigning in Debian's chromium through Playwright: a district chief confirms a proposed official on the
tiny nation (its officials imported, its last day analysed). The live-server fixtures are
mahalla/conftest.py's; run with `pytest -m browser`."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from mahalla.officials.models import Assignment
from mahalla.officials.services import assignments_propose

# Skipped where Debian's chromium is absent (mahalla/conftest.py).
pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_district_chief_confirms_a_proposed_official_in_the_web(
    browser_page, analysed_tiny_nation, sign_in
):
    nation = analysed_tiny_nation
    page = browser_page
    call_command("import-officials", str(nation["tiny"].directory / "officials.csv"), verbosity=0)
    year = nation["tiny"].as_of.year
    outcome = assignments_propose(year=year)
    assert outcome.proposed, "the tiny nation's red mahallas get proposals"

    sign_in(page, "chief")
    page.goto(f"/officials/?year={year}")
    row = page.locator("#assignment-table tbody tr[data-status=proposed]:has(button.confirm)").first
    assignment_id = int(row.get_attribute("id").split("-")[1])
    row.locator("button.confirm").click()
    page.wait_for_selector(f"#assignment-{assignment_id}[data-status=confirmed]")

    assignment = Assignment.objects.get(pk=assignment_id)
    assert assignment.status == Assignment.Status.CONFIRMED
    assert assignment.confirmed_by == nation["chief"]
    assert "Confirmed" in page.inner_text("main")

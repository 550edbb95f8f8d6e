"""The cyber pages in Debian's chromium driven by Playwright against a live server: a victim reports through
the public form in Uzbek and in Russian, an officer confirms a campaign, an analyst downloads a bank's
blocking list. Run with `pytest -m browser` (needs /usr/bin/chromium; plumbing in mahalla/conftest.py)."""

from __future__ import annotations

import pytest

from mahalla.cyber import services
from mahalla.cyber.models import Campaign, CyberReport

from .factories import CARD_UZCARD, report_input, report_submitted, world_create

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def world(transactional_db, settings):
    settings.CYBER_CARD_HASH_KEY = "browser-test-key"
    return world_create()


@pytest.mark.parametrize(
    ("language", "button_text", "cyrillic"),
    [("uz", "UZ", False), ("ru", "RU", True)],
)
def test_a_victim_reports_through_the_public_form(world, browser_page, language, button_text, cyrillic):
    page = browser_page
    page.goto("/cyber/report/")
    page.click(f"#lang-{language}")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.lang") == language
    page.fill("#id_narrative", f"Telegramda havola keldi, pul {CARD_UZCARD} kartasiga ketdi")
    page.fill("#id_message_text", "Tabriklaymiz! Sovg'ani oling: paymе-bonus.site")
    page.fill("#id_loss_amount", "2500000")
    page.select_option("#id_channel", "telegram")
    page.select_option("#id_region", world.mahalla_a1.region.code)
    page.wait_for_selector(f"#id_district option[value='{world.mahalla_a1.district.code}']", state="attached")
    page.select_option("#id_district", world.mahalla_a1.district.code)
    page.wait_for_selector(f"#id_mahalla_select option[value='{world.mahalla_a1.code}']", state="attached")
    page.select_option("#id_mahalla_select", world.mahalla_a1.code)
    page.click("#public-report-submit")
    page.wait_for_selector("#report-reference")
    reference = page.inner_text("#report-reference")
    report = CyberReport.objects.get(reference=reference)
    assert CARD_UZCARD not in report.narrative
    assert page.evaluate("document.documentElement.lang") == language
    # Nothing was fetched from outside the server.
    assert all(url.startswith(page.url.split("/cyber/")[0]) for url in page.requested_urls)


def test_a_loss_that_is_not_a_number_is_shown_on_the_form(world, browser_page):
    page = browser_page
    page.goto("/cyber/report/")
    page.fill("#id_narrative", "Pulimni olishdi")
    page.fill("#id_loss_amount", "juda ko'p")
    page.select_option("#id_region", world.mahalla_a1.region.code)
    page.wait_for_selector(f"#id_district option[value='{world.mahalla_a1.district.code}']", state="attached")
    page.select_option("#id_district", world.mahalla_a1.district.code)
    page.wait_for_selector(f"#id_mahalla_select option[value='{world.mahalla_a1.code}']", state="attached")
    page.select_option("#id_mahalla_select", world.mahalla_a1.code)
    page.click("#public-report-submit")
    page.wait_for_selector("#form-error")
    assert "juda ko'p" in page.inner_text("#form-error")
    assert CyberReport.objects.count() == 0


def test_an_officer_confirms_a_campaign(world, browser_page, sign_in):
    reports = [report_submitted(data=report_input(world.mahalla_a1), address=str(i)) for i in range(3)]
    campaign = reports[0].campaign_member.campaign
    sign_in(browser_page, "officer_a", next="/cyber/campaigns/")
    browser_page.goto("/cyber/campaigns/")
    browser_page.click(f"text={campaign.code}")
    browser_page.wait_for_selector("#campaign-indicators")
    assert "860012******9012" in browser_page.inner_text("#campaign-indicators")
    browser_page.click("#campaign-confirm")
    browser_page.wait_for_load_state("networkidle")
    assert "Confirmed" in browser_page.inner_text("#campaign-status")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CONFIRMED


def test_an_analyst_downloads_a_banks_blocking_list(world, browser_page, sign_in):
    reports = [report_submitted(data=report_input(world.mahalla_a1), address=str(i)) for i in range(2)]
    services.block_requests_for_campaign(
        actor=world.users["analyst"], campaign=reports[0].campaign_member.campaign
    )
    sign_in(browser_page, "analyst", next="/cyber/blocking/")
    browser_page.goto("/cyber/blocking/")
    browser_page.select_option("#block-organisation", "kapitalbank")
    browser_page.click("#block-filter button")
    browser_page.wait_for_load_state("networkidle")
    assert "860012******9012" in browser_page.inner_text("#block-table")
    with browser_page.expect_download() as download_info:
        browser_page.click("#block-export")
    content = open(download_info.value.path(), encoding="utf-8").read()
    assert content.startswith("request_id,organisation,kind,indicator")
    assert "kapitalbank,card,860012******9012,requested" in content
    assert CARD_UZCARD not in content

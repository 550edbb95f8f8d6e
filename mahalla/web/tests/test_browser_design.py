"""The design in a real browser (Debian's chromium): every role's start page, paging, sorting and the error
pages, in the three languages, and nothing requested from another host."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from mahalla.accounts.tests.factories import UserFactory
from mahalla.core.roles import Role, ScopeLevel
from mahalla.territory.models import Mahalla

# Skipped where Debian's chromium is absent (mahalla/conftest.py).
pytestmark = [pytest.mark.browser, pytest.mark.slow]

LANGUAGES = ("uz", "ru", "en")


@pytest.fixture
def people(analysed_tiny_nation):
    """One user per role of the start page, each in the tiny nation's district or one of its mahallas."""
    district = analysed_tiny_nation["district"]
    mahalla = Mahalla.objects.filter(district=district).order_by("code").first()
    users = {
        "analyst": analysed_tiny_nation["analyst"],
        "chief": analysed_tiny_nation["chief"],
        "regional": UserFactory(
            username="regional",
            role=Role.REGIONAL_CHIEF,
            scope_level=ScopeLevel.REGION,
            scope_region=district.region,
        ),
        "prosecutor": UserFactory(
            username="prosecutor",
            role=Role.PROSECUTOR,
            scope_level=ScopeLevel.DISTRICT,
            scope_district=district,
        ),
    }
    for role in (Role.PREVENTIVE_INSPECTOR, Role.MAHALLA_SEVEN, Role.RESPONSIBLE_OFFICIAL):
        users[role.value] = UserFactory(
            username=role.value, role=role, scope_level=ScopeLevel.MAHALLAS, mahallas=[mahalla]
        )
    return {**analysed_tiny_nation, "users": users, "mahalla": mahalla}


def _language(page, live_server, language):
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])


def _only_this_server(page, live_server):
    server = urlsplit(live_server.url).netloc
    return {urlsplit(u).netloc for u in page.requested_urls if not u.startswith(("data:", "blob:"))} == {
        server
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_role_s_start_page_in_each_language(browser_page, people, live_server, sign_in, language):
    page = browser_page
    _language(page, live_server, language)
    for username in people["users"]:
        page.context.clear_cookies()
        _language(page, live_server, language)
        sign_in(page, username)
        page.goto("/")
        page.wait_for_selector("#home-title")

        assert page.get_attribute("html", "lang") == language
        assert page.locator("#attention-new-alerts .n").inner_text().strip().replace("\u00a0", "").isdigit()
        # The situation page of the user's territory is one click away, and it opens.
        page.click("#home-situation")
        page.wait_for_selector("#territory-title, #mahalla-title, #my-mahallas")
        if username in ("inspector", "preventive_inspector", "mahalla_seven", "responsible_official"):
            assert people["mahalla"].code in page.url
    assert _only_this_server(page, live_server)


def test_the_offences_of_a_mahalla_page_with_a_count_and_sort_by_a_click(browser_page, people, sign_in):
    page = browser_page
    sign_in(page, "chief")
    mahalla = people["mahalla"]
    page.goto(f"/mahalla/{mahalla.code}/")
    counter = page.locator(".pagination-count").first.inner_text()
    first_rows = page.locator("#offences tbody tr").count()
    total = int(re.search(r"of\s+([\d,]+)", counter).group(1).replace(",", ""))
    assert counter.strip().startswith("1-") and first_rows == min(total, 20)
    if total > 20:
        page.click(".pagination a[rel=next]")
        page.wait_for_url(re.compile(r"page=2"))
        assert page.locator(".pagination-count").first.inner_text().strip().startswith("21-")

    page.goto(f"/district/{people['district'].code}/")
    header = page.locator("#mahalla-table thead th").nth(2)  # crimes in 12 months
    header.click()
    values = [
        int(text.replace(",", "").replace("\u00a0", "") or 0)
        for text in page.locator("#mahalla-table tbody tr td:nth-child(3)").all_inner_texts()
    ]
    assert values == sorted(values) and header.get_attribute("aria-sort") == "ascending"
    header.click()
    values = [
        int(text.replace(",", "").replace("\u00a0", "") or 0)
        for text in page.locator("#mahalla-table tbody tr td:nth-child(3)").all_inner_texts()
    ]
    assert values == sorted(values, reverse=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_error_pages_are_friendly_in_each_language(browser_page, people, live_server, sign_in, language):
    page = browser_page
    _language(page, live_server, language)
    response = page.goto("/no-such-page/")

    assert response.status == 404
    assert page.get_attribute("html", "lang") == language
    assert page.locator("#error-page[data-status='404']").count() == 1
    assert "URLconf" not in page.content()

    sign_in(page, "chief")
    response = page.goto("/mahalla/0000000000/")  # no such mahalla, or outside the territory
    assert response.status == 404 and page.locator("#error-page").count() == 1
    page.click("#error-home")
    page.wait_for_selector("#home-title")
    assert _only_this_server(page, live_server)


def test_the_api_documentation_asks_no_other_host(browser_page, people, live_server, sign_in):
    page = browser_page
    sign_in(page, "analyst")
    page.goto("/api/redoc/")
    page.wait_for_selector("text=API docs by Redocly", timeout=30_000)
    page.wait_for_load_state("networkidle")

    assert _only_this_server(page, live_server)
    assert not any("redoc.ly" in url for url in page.requested_urls)

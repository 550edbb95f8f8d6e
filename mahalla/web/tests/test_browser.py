"""The pages in Debian's chromium driven by Playwright, against a live server with the tiny nation loaded
and analysed. Run with `pytest -m browser`; they need /usr/bin/chromium (installed by .ci/run)."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from mahalla.accounts.tests.factories import PASSWORD, UserFactory
from mahalla.analytics.models import Alert, MahallaDayResult
from mahalla.analytics.services import analysis_run
from mahalla.core.roles import Role, ScopeLevel
from mahalla.territory.models import District, Mahalla

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
COLOURS = {"red": "#c62828", "yellow": "#f9a825", "green": "#2e7d32"}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]

# Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself are still plain
# synchronous code, so Django's async-safety guard is lifted for this module's process.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


_TRIGGERS = importlib.import_module("mahalla.audit.migrations.0002_append_only_triggers")
_REFERENCE_LOADERS = [
    importlib.import_module("mahalla.territory.migrations.0002_reference_regions_districts").load,
    importlib.import_module("mahalla.incidents.migrations.0002_reference_categories_articles_causes").load,
]


def _reference_data() -> None:
    """The live server needs committed data, so these tests run in transactional mode, which ends each
    test with a flush of every table, the reference tables of the migrations included (regions, districts,
    categories, articles, causes). They are loaded again with the migrations' own loaders."""
    from django.apps import apps

    from mahalla.territory.models import Region

    if not Region.objects.exists():
        for load in _REFERENCE_LOADERS:
            load(apps, None)


def _audit_triggers(*, present: bool) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        on = " ON audit_auditevent" if connection.vendor == "postgresql" else ""
        for name in ("audit_event_no_update", "audit_event_no_delete", "audit_event_no_truncate"):
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on}")
        if present:
            for statement in _TRIGGERS.POSTGRES if connection.vendor == "postgresql" else _TRIGGERS.SQLITE:
                cursor.execute(statement)


@pytest.fixture(scope="module", autouse=True)
def audit_triggers_restored(django_db_blocker):
    """Puts the append-only triggers and the reference data back once this module's live-server tests are
    done (see below)."""
    yield
    with django_db_blocker.unblock():
        _audit_triggers(present=True)
        _reference_data()


@pytest.fixture
def audit_triggers_lifted(transactional_db):
    """A live-server test ends with a flush of every table, which the audit log's triggers refuse by
    design: they are in place while the test runs and lifted for the flush only."""
    _audit_triggers(present=True)
    _reference_data()
    yield
    _audit_triggers(present=False)


@pytest.fixture
def nation(audit_triggers_lifted, tiny_nation, transactional_db):
    """The tiny nation analysed on its last day, and a national analyst and the district's chief."""
    analysis_run(date=tiny_nation.as_of, parameters={"scan_permutations": 19})
    district = District.objects.get(code=tiny_nation.district_code)
    analyst = UserFactory(username="analyst", role=Role.NATIONAL_ANALYST, scope_level=ScopeLevel.COUNTRY)
    chief = UserFactory(
        username="chief", role=Role.DISTRICT_CHIEF, scope_level=ScopeLevel.DISTRICT, scope_district=district
    )
    return {"tiny": tiny_nation, "district": district, "analyst": analyst, "chief": chief}


@pytest.fixture
def browser_page(chromium, live_server) -> Iterator[object]:
    context = chromium.new_context(base_url=live_server.url, accept_downloads=True, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.requested_urls = []  # every request the page makes, for the no-outside-request check
    page.on("request", lambda request: page.requested_urls.append(request.url))
    yield page
    context.close()


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/?next=/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url, page.inner_text("main")


def test_an_analyst_signs_in_and_drills_down_from_the_country_to_a_mahalla(browser_page, nation):
    page = browser_page
    district = nation["district"]
    sign_in(page, "analyst")
    assert page.url.endswith("/country/")

    page.click(f"#children a[href='/region/{district.region.code}/']")
    page.wait_for_selector("#territory-title")
    page.click(f"#children a[href='/district/{district.code}/']")
    page.wait_for_selector("#mahalla-table")
    first = page.locator("#mahalla-table tbody tr").first
    code = first.get_attribute("data-code")
    first.locator("a").click()
    page.wait_for_selector("#mahalla-title")

    assert page.url.endswith(f"/mahalla/{code}/")
    assert code in page.inner_text("#mahalla-title")
    assert page.inner_text("#why").strip() != ""


def test_the_district_map_colours_every_mahalla_by_its_class(browser_page, nation):
    page = browser_page
    district = nation["district"]
    sign_in(page, "chief")
    page.goto(f"/district/{district.code}/")
    page.wait_for_selector("#map.map-ready")
    shapes = page.eval_on_selector_all(
        "path.mahalla-shape",
        "paths => paths.map(p => [p.getAttribute('class'), p.getAttribute('fill')])",
    )
    stored = dict(
        MahallaDayResult.objects.filter(date=nation["tiny"].as_of).values_list("mahalla__code", "crime_class")
    )

    assert len(shapes) == len(stored) == Mahalla.objects.filter(district=district).count()
    seen = {}
    for classes, fill in shapes:
        code = next(c for c in classes.split() if c.startswith("mahalla-") and c != "mahalla-shape")[8:]
        seen[code] = fill
        assert fill == COLOURS[stored[code]], code
    assert set(seen) == set(stored)
    assert page.locator(".legend").count() == 1


def test_a_chief_acknowledges_an_alert_in_the_inbox(browser_page, nation):
    page = browser_page
    sign_in(page, "chief")
    page.goto("/alerts/")
    row = page.locator("#alert-table tbody tr[data-status=open]").first
    alert_id = int(row.get_attribute("id").split("-")[1])
    row.locator("button.acknowledge").click()
    page.wait_for_selector(f"#alert-{alert_id}[data-status=acknowledged]")

    alert = Alert.objects.get(pk=alert_id)
    assert alert.status == Alert.Status.ACKNOWLEDGED
    assert alert.acknowledged_by == nation["chief"]


def test_the_briefing_pdf_downloads_and_reads(browser_page, nation, tmp_path):
    page = browser_page
    district = nation["district"]
    sign_in(page, "chief")
    page.goto(f"/district/{district.code}/")
    with page.expect_download() as download_info:
        page.click("#briefing-pdf")
    path = tmp_path / "briefing.pdf"
    download_info.value.save_as(path)

    assert path.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()
    assert district.name_uz in text
    assert nation["tiny"].as_of.isoformat() in text


def test_switching_the_language_to_russian_shows_russian_names(browser_page, nation):
    page = browser_page
    district = nation["district"]
    sign_in(page, "chief")
    page.goto(f"/district/{district.code}/")
    page.select_option("#language-select", "ru")
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("html[lang=ru]")

    assert page.inner_text("#territory-title").strip() == (district.name_ru or district.name_uz)


def test_no_page_requests_anything_outside_the_server(browser_page, nation, live_server):
    page = browser_page
    district = nation["district"]
    mahalla = Mahalla.objects.filter(district=district).order_by("code").first()
    sign_in(page, "analyst")
    for path in (
        "/country/",
        f"/region/{district.region.code}/",
        f"/district/{district.code}/",
        f"/mahalla/{mahalla.code}/",
        "/alerts/",
        "/search/?q=" + mahalla.code[:5],
    ):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        if page.locator("#map").count():
            page.wait_for_selector("#map.map-ready")

    server = urlsplit(live_server.url).netloc
    hosts = {urlsplit(url).netloc for url in page.requested_urls if not url.startswith(("data:", "blob:"))}
    assert hosts == {server}
    assert any("/static/vendor/leaflet/leaflet.js" in url for url in page.requested_urls)

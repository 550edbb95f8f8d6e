"""Roadmaps in Debian's chromium driven by Playwright against a live server: a chief creates a roadmap from
a template, an inspector completes a measure with a photo as evidence, and the overdue alert appears for
the owner. Run with `pytest -m browser`; they need /usr/bin/chromium.

The live-server plumbing (reference data and audit triggers around the flush of transactional tests) is
the same as mahalla/web/tests/test_browser.py's; it is repeated here because roadmaps sits below web in the
import layers, so its tests may not import web's."""

from __future__ import annotations

import datetime as dt
import importlib
import os
from collections.abc import Iterator

import pytest

from mahalla.accounts.tests.factories import PASSWORD
from mahalla.roadmaps.models import Measure, MeasureAlert, MeasureEvidence, Roadmap
from mahalla.roadmaps.services import measures_overdue_alert
from mahalla.territory.models import District

from .factories import district_chief, inspector, mahallas_create

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
DISTRICT = "1703202"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls stay synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

_TRIGGERS = importlib.import_module("mahalla.audit.migrations.0002_append_only_triggers")
_REFERENCE_LOADERS = [
    importlib.import_module("mahalla.territory.migrations.0002_reference_regions_districts").load,
    importlib.import_module("mahalla.incidents.migrations.0002_reference_categories_articles_causes").load,
]


def _reference_data() -> None:
    """A transactional test ends with a flush of every table, reference tables included: load them again."""
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
    yield
    with django_db_blocker.unblock():
        _audit_triggers(present=True)
        _reference_data()


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    """The append-only triggers stand while the test runs and are lifted for the closing flush only."""
    settings.MEDIA_ROOT = tmp_path / "media"
    _audit_triggers(present=True)
    _reference_data()
    mahallas = mahallas_create(DISTRICT, 2)
    district = District.objects.get(code=DISTRICT)
    chief = district_chief(district, username="chief")
    owner = inspector(mahallas[0], username="inspector")
    yield {"mahallas": mahallas, "district": district, "chief": chief, "owner": owner}
    _audit_triggers(present=False)


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server) -> Iterator[object]:
    context = chromium.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/?next=/roadmaps/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url, page.inner_text("main")


def test_a_chief_creates_a_roadmap_from_a_template(page, world):
    sign_in(page, "chief")
    page.goto("/roadmaps/new/")
    page.select_option("#level", "mahalla")
    page.fill("#code", world["mahallas"][0].code)
    page.select_option("#period_kind", "quarter")
    page.fill("#period_start", "2026-04-01")
    page.select_option("#owner", label="inspector")
    page.check("input[name=template_keys][value=safe_street]")
    page.click("#create-roadmap")
    page.wait_for_selector("#measure-table")

    roadmap = Roadmap.objects.get()
    assert page.url.endswith(f"/roadmaps/{roadmap.pk}/")
    assert (roadmap.level, roadmap.mahalla, roadmap.period_kind) == (
        "mahalla",
        world["mahallas"][0],
        "quarter",
    )
    assert page.locator("#measure-table tbody tr").count() == roadmap.measures.count() == 5
    assert "Close attics and basements" in page.inner_text("#measure-table")
    assert set(roadmap.measures.values_list("owner__username", flat=True)) == {"inspector"}


def _roadmap(world) -> Roadmap:
    from mahalla.roadmaps.services import roadmap_create_from_template

    return roadmap_create_from_template(
        actor=world["chief"],
        level="mahalla",
        code=world["mahallas"][0].code,
        period_kind="month",
        period_start=dt.date(2026, 1, 1),
        template_keys=["lighting_cctv"],
        owner=world["owner"],
    )


def test_the_owner_completes_a_measure_with_a_photo_as_evidence(page, world, tmp_path):
    roadmap = _roadmap(world)
    measure = roadmap.measures.order_by("deadline").first()
    photo = tmp_path / "new-lamps.png"
    photo.write_bytes(PNG)
    sign_in(page, "inspector")
    page.goto(f"/roadmaps/{roadmap.pk}/")
    row = page.locator(f"#measure-{measure.pk}")
    row.locator("input[type=file]").set_input_files(str(photo))
    row.locator(".evidence-form button").click()
    page.wait_for_selector(f"#measure-{measure.pk} ul.evidence li")
    row = page.locator(f"#measure-{measure.pk}")
    row.locator("select[name=status]").select_option("done")
    row.locator(".status-form button").click()
    page.wait_for_selector(f"#measure-{measure.pk}[data-status=done]")

    measure.refresh_from_db()
    assert measure.status == Measure.Status.DONE and measure.completed_at is not None
    evidence = MeasureEvidence.objects.get(measure=measure)
    assert (evidence.kind, evidence.original_name, evidence.size) == ("photo", "new-lamps.png", len(PNG))
    assert "new-lamps.png" in page.inner_text(f"#measure-{measure.pk} ul.evidence")


def test_the_overdue_alert_appears_for_the_owner_and_is_acknowledged(page, world):
    roadmap = _roadmap(world)
    first = roadmap.measures.order_by("deadline").first()
    measures_overdue_alert(today=first.deadline + dt.timedelta(days=1))
    alert = MeasureAlert.objects.get()
    sign_in(page, "inspector")
    assert first.title in page.inner_text("#my-overdue")
    page.goto("/roadmaps/alerts/")
    row = page.locator(f"#measure-alert-{alert.pk}")
    assert first.title in row.inner_text() and "chief" in row.inner_text()
    row.locator("button").click()
    page.wait_for_selector(f"#measure-alert-{alert.pk}[data-status=acknowledged]")
    alert.refresh_from_db()
    assert alert.status == MeasureAlert.Status.ACKNOWLEDGED

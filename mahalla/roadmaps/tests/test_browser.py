"""Roadmaps in Debian's chromium driven by Playwright against a live server: a chief creates a roadmap from
a template, an inspector completes a measure with a photo as evidence, and the overdue alert appears for
the owner. Run with `pytest -m browser`; they need /usr/bin/chromium. The live-server plumbing (chromium,
browser_page, sign_in, the flush that keeps the reference data and the audit triggers) is
mahalla/conftest.py's."""

from __future__ import annotations

import datetime as dt

import pytest

from mahalla.roadmaps.models import Measure, MeasureAlert, MeasureEvidence, Roadmap
from mahalla.roadmaps.services import measures_overdue_alert
from mahalla.territory.models import District

from .factories import district_chief, inspector, mahallas_create

DISTRICT = "1703202"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

# Skipped where Debian's chromium is absent (mahalla/conftest.py).
pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def world(transactional_db):
    mahallas = mahallas_create(DISTRICT, 2)
    district = District.objects.get(code=DISTRICT)
    chief = district_chief(district, username="chief")
    owner = inspector(mahallas[0], username="inspector")
    return {"mahallas": mahallas, "district": district, "chief": chief, "owner": owner}


@pytest.fixture
def page(browser_page, sign_in):
    browser_page.sign_in = lambda username: sign_in(browser_page, username, next="/roadmaps/")
    return browser_page


def test_a_chief_creates_a_roadmap_from_a_template(page, world):
    page.sign_in("chief")
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
    page.sign_in("inspector")
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
    page.sign_in("inspector")
    assert first.title in page.inner_text("#my-overdue")
    page.goto("/roadmaps/alerts/")
    row = page.locator(f"#measure-alert-{alert.pk}")
    assert first.title in row.inner_text() and "chief" in row.inner_text()
    row.locator("button").click()
    page.wait_for_selector(f"#measure-alert-{alert.pk}[data-status=acknowledged]")
    alert.refresh_from_db()
    assert alert.status == MeasureAlert.Status.ACKNOWLEDGED

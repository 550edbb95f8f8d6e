"""Casework in Debian's chromium driven by Playwright against a live server: issuing a protection order,
recording a check-in, a referral with consent, and the worklist offline (an edit queued while offline, sent
on reconnect, a conflicting edit shown and not overwritten). Run with `pytest -m browser`."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mahalla.territory.models import District

from .. import services
from ..models import CheckIn, Conclusion, ProtectionOrder, Referral
from .factories import inspector, mahalla_make, person_make

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def wait_until(page, predicate, timeout_ms=15_000):
    """Poll a DOM condition read through selectors (the pages' CSP forbids evaluated strings)."""
    waited = 0
    while not predicate():
        assert waited < timeout_ms, "condition not met in time"
        page.wait_for_timeout(100)
        waited += 100


def queue_count(page):
    return page.get_attribute("#queue-state", "data-count")


@pytest.fixture
def world(transactional_db):
    district = District.objects.order_by("code").first()
    home = mahalla_make(district, f"{district.code}951")
    person = person_make(home, "Karimova Malika")
    worker = inspector(home)
    worker.username = "inspector"
    worker.save()
    return {"home": home, "person": person, "inspector": worker}


@pytest.fixture
def page(browser_page, sign_in):
    browser_page.sign_in = lambda username, next="/cases/": sign_in(browser_page, username, next=next)
    return browser_page


def test_an_inspector_issues_a_protection_order(page, world):
    report = services.violence_report_create(
        actor=world["inspector"],
        kind="domestic_violence",
        victim=world["person"],
        reported_at=timezone.now() - dt.timedelta(hours=3),
    )
    page.sign_in("inspector", next=f"/cases/persons/{world['person'].pk}/?purpose=protection+order")
    page.fill(f"#activist-{report.pk}", "Yusupova Nodira")
    page.click("form.issue-order button[type=submit]")
    page.wait_for_selector(".order .order-status")
    order = ProtectionOrder.objects.get(report=report)
    assert (order.ends_on - order.starts_on).days + 1 == 30 and order.womens_activist == "Yusupova Nodira"
    assert "Active" in page.inner_text(".order")


def test_an_inspector_records_a_check_in(page, world):
    supervision = services.supervision_create(
        actor=world["inspector"],
        person=world["person"],
        court_decision="C-7",
        decided_on=timezone.localdate() - dt.timedelta(days=30),
        starts_on=timezone.localdate() - dt.timedelta(days=29),
        ends_on=timezone.localdate() + dt.timedelta(days=200),
        checkins_per_month=2,
    )
    first = supervision.checkins.order_by("due_on").first()
    page.sign_in("inspector", next=f"/cases/persons/{world['person'].pk}/?purpose=supervision")
    row = page.locator(f"tr.checkin[data-checkin='{first.pk}']")
    row.locator("input[name=note]").fill("came on time")
    row.locator("button[type=submit]").click()
    page.wait_for_selector(f"tr.checkin[data-checkin='{first.pk}'] .text-bg-success")
    first.refresh_from_db()
    assert first.status == CheckIn.Status.DONE and first.note == "came on time"


def test_a_referral_needs_consent_and_is_made_with_it(page, world):
    page.sign_in("inspector", next=f"/cases/persons/{world['person'].pk}/?purpose=referral")
    deadline = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    page.select_option("#service", "employment")
    page.fill("#agency", "Chilonzor job centre")
    page.fill("#deadline", deadline)
    page.click("#referral-form button[type=submit]")
    assert page.get_attribute("#form-error", "data-error-field") == "consent_given"
    assert not Referral.objects.exists()
    page.fill("#agency", "Chilonzor job centre")
    page.fill("#deadline", deadline)
    page.check("#consent_given")
    page.click("#referral-form button[type=submit]")
    page.wait_for_selector("tr.referral")
    referral = Referral.objects.get()
    assert referral.consent_given and referral.agency == "Chilonzor job centre"
    assert "consent recorded" in page.inner_text("tr.referral")


def test_the_worklist_works_offline_sends_queued_edits_on_reconnect_and_shows_a_conflict(page, world):
    worker = world["inspector"]
    supervision = services.supervision_create(
        actor=worker,
        person=world["person"],
        court_decision="C-8",
        decided_on=timezone.localdate() - dt.timedelta(days=20),
        starts_on=timezone.localdate() - dt.timedelta(days=19),
        ends_on=timezone.localdate() + dt.timedelta(days=200),
        checkins_per_month=4,
    )
    checkin = (
        supervision.checkins.filter(due_on__lte=timezone.localdate() + dt.timedelta(days=7))
        .order_by("due_on")
        .first()
    )
    from ..models import PersonSourceRef
    from .test_services import _admin_offence

    PersonSourceRef.objects.create(person=world["person"], source_system="E-MAMURIY", ref="W-1")
    _admin_offence(world["home"], offender_ref="W-1", days_ago=30)
    services.conclusions_generate(day=timezone.localdate())
    conclusion = Conclusion.objects.get()

    page.sign_in("inspector", next=f"/cases/worklist/{world['home'].code}/")
    page.wait_for_function("document.getElementById('worklist').dataset.saved === '1'")
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")

    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector("#worklist")
    assert page.inner_text("#connection-state") == "offline"
    # The person card linked from the worklist is readable offline too.
    card = page.context.new_page()
    card.goto(f"/cases/persons/{world['person'].pk}/?purpose=worklist")
    assert world["person"].pinfl in card.inner_text("main")
    card.close()

    item = page.locator(f".worklist-item[data-kind='checkin'][data-id='{checkin.pk}']")
    item.locator("input[name=note]").fill("reported at the post")
    item.locator("button[type=submit]").click()
    concl = page.locator(f".worklist-item[data-kind='conclusion'][data-id='{conclusion.pk}']")
    concl.locator("input[name=note]").fill("talk held (mine)")
    concl.locator("button[type=submit]").click()
    wait_until(page, lambda: queue_count(page) == "2")
    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.DUE  # nothing reached the server while offline

    # Meanwhile a colleague records the same conclusion on the server.
    services.conclusion_execute(
        actor=worker, conclusion=conclusion, executed_on=timezone.localdate(), note="talk held (colleague)"
    )

    page.context.set_offline(False)
    wait_until(page, lambda: queue_count(page) == "0")
    page.wait_for_selector("#conflict-list .conflict")
    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.DONE and checkin.note == "reported at the post"
    conclusion.refresh_from_db()
    assert conclusion.execution_note == "talk held (colleague)"  # not overwritten silently
    assert page.inner_text("#conflict-list .conflict-server") == "talk held (colleague)"
    assert page.inner_text("#conflict-list .conflict-mine") == "talk held (mine)"
    # The person chooses to keep theirs: a deliberate overwrite on the version just seen.
    page.click("#conflict-list .conflict-keep-mine")
    wait_until(
        page, lambda: queue_count(page) == "0" and page.locator("#conflict-list .conflict").count() == 0
    )
    conclusion.refresh_from_db()
    assert conclusion.execution_note == "talk held (mine)"


def test_a_household_round_is_recorded_offline_and_a_conflicting_outcome_is_shown(page, world):
    worker = world["inspector"]
    rounds = [
        services.household_round_plan(
            actor=worker,
            mahalla=world["home"],
            address=address,
            planned_on=timezone.localdate() + dt.timedelta(days=days),
            purpose="family",
            person=world["person"],
        )
        for address, days in (("Navoiy ko'chasi, 12-uy", 0), ("Bobur ko'chasi, 3-uy", 2))
    ]
    page.sign_in("inspector", next=f"/cases/worklist/{world['home'].code}/")
    page.wait_for_function("document.getElementById('worklist').dataset.saved === '1'")
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    assert "Navoiy ko'chasi, 12-uy" in page.inner_text("#household-rounds")

    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector("#household-rounds")
    for household_round, outcome in zip(rounds, ("all well (mine)", "nobody at home"), strict=True):
        item = page.locator(f".worklist-item[data-kind='round'][data-id='{household_round.pk}']")
        item.locator("input[name=note]").fill(outcome)
        item.locator("button[type=submit]").click()
    wait_until(page, lambda: queue_count(page) == "2")
    rounds[1].refresh_from_db()
    assert rounds[1].status == "planned"  # nothing reached the server while offline

    # Meanwhile a colleague records the first round on the server.
    services.household_round_record(
        actor=worker, household_round=rounds[0], done_on=timezone.localdate(), outcome="all well (colleague)"
    )
    page.context.set_offline(False)
    wait_until(page, lambda: queue_count(page) == "0")
    page.wait_for_selector("#conflict-list .conflict")
    for household_round in rounds:
        household_round.refresh_from_db()
    assert (rounds[1].status, rounds[1].outcome) == ("done", "nobody at home")
    assert rounds[0].outcome == "all well (colleague)"  # not overwritten silently
    assert page.inner_text("#conflict-list .conflict-server") == "all well (colleague)"
    assert page.inner_text("#conflict-list .conflict-mine") == "all well (mine)"
    page.click("#conflict-list .conflict-take-server")
    wait_until(page, lambda: page.locator("#conflict-list .conflict").count() == 0)
    item = page.locator(f".worklist-item[data-kind='round'][data-id='{rounds[0].pk}']")
    assert item.locator("input[name=note]").input_value() == "all well (colleague)"

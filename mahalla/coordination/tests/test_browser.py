"""Browser tests (Debian chromium): a council meeting from its proposed agenda to the minutes PDF, a task
accepted and closed across two agencies, an escalation on the task's page, and the training plan."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from django.utils import timezone

from mahalla.coordination.models import AgencyKind, Task, TaskType
from mahalla.coordination.services import task_create, tasks_remind_and_escalate
from mahalla.core.roles import Role

from .factories import agency_create, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def agencies(analysed_tiny_nation):
    district = analysed_tiny_nation["district"]
    police = agency_create(district, AgencyKind.INTERNAL_AFFAIRS, "IIB Mirobod")
    inson = agency_create(district, AgencyKind.SOCIAL_CENTRE, "Inson Mirobod")
    prosecution = agency_create(district, AgencyKind.PROSECUTOR, "Prokuratura Mirobod")
    return {
        **analysed_tiny_nation,
        "police": police,
        "inson": inson,
        "officer": staff_user(police, role=Role.PREVENTIVE_INSPECTOR, username="officer"),
        "worker": staff_user(inson, username="worker"),
        "prosecutor": staff_user(prosecution, role=Role.PROSECUTOR, username="prosecutor"),
    }


def test_a_task_is_sent_accepted_done_and_closed_across_two_agencies(agencies, browser_page, sign_in):
    page = browser_page
    sign_in(page, "officer", next="/coordination/tasks/new/")
    page.select_option("#to_agency", label="Inson Mirobod")
    page.fill("#title", "Help the family")
    page.click("#task-send")
    assert "Help the family" in page.inner_text("h1")
    number = Task.objects.get().number
    page.context.clear_cookies()
    sign_in(page, "worker", next="/coordination/tasks/?box=incoming")
    page.click(f"text={number}")
    page.click("#task-accept")
    page.fill("#progress-text", "Coal delivered")
    page.click("#task-done")
    assert "Done" in page.inner_text("#task-status")
    page.context.clear_cookies()
    sign_in(page, "officer", next=f"/coordination/tasks/{Task.objects.get().pk}/")
    page.click("#task-close")
    assert "Closed" in page.inner_text("#task-status")
    history = page.inner_text("#task-history")
    assert all(word in history for word in ("Created", "Accepted", "Coal delivered", "Closed"))


def test_an_escalated_task_shows_its_escalation_and_the_late_mark(agencies, browser_page, sign_in):
    today = timezone.localdate()
    task = task_create(
        actor=agencies["officer"],
        to_agency=agencies["inson"],
        task_type=TaskType.objects.get(key="mahalla-visit"),
        title="Visit the mahalla",
        deadline=today - dt.timedelta(days=1),
        today=today - dt.timedelta(days=5),
    )
    tasks_remind_and_escalate(today=today)
    browser_page_ = browser_page
    sign_in(browser_page_, "officer", next=f"/coordination/tasks/{task.pk}/")
    assert "Escalated" in browser_page_.inner_text("#task-history")
    assert "late" in browser_page_.inner_text("#task-status")
    assert (
        "Escalation" in browser_page_.inner_text("#task-notifications")
        or browser_page_.locator("#task-notifications tr").count() >= 2
    )


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_a_council_meeting_from_its_proposed_agenda_to_the_minutes(agencies, browser_page, sign_in, tmp_path):
    page = browser_page
    sign_in(page, "prosecutor", next="/coordination/council/")
    page.select_option("#district", value=agencies["district"].code)
    page.fill("#date", agencies["tiny"].as_of.isoformat())
    page.click("#meeting-create")
    assert page.locator("#agenda li").count() >= 1
    form = page.locator(".decision-form").first
    form.locator("input[name=text]").fill("Light the streets")
    form.locator("select[name=to_agency]").select_option(label="Inson Mirobod")
    form.locator("input[name=deadline]").fill((timezone.localdate() + dt.timedelta(days=30)).isoformat())
    form.locator("button").click()
    assert "Light the streets" in page.inner_text("#decisions"), page.inner_text("main")
    page.fill("#attendees", "IIB, Inson")
    page.click("#meeting-hold")
    with page.expect_download() as download:
        page.click("#minutes-ru")
    path = tmp_path / "minutes.pdf"
    download.value.save_as(path)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "Light the streets" in text and "Inson Mirobod" in text


def test_a_chief_sees_the_training_plan_of_the_district(agencies, browser_page, sign_in):
    page = browser_page
    sign_in(page, "chief", next="/coordination/training/")
    assert page.locator("#training-plan").is_visible()
    assert page.locator("#training-effects").is_visible()

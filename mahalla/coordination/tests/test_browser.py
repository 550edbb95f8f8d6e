"""Browser tests (Debian chromium): a council meeting from its proposed agenda to the minutes PDF, a task
accepted and closed across two agencies, an escalation on the task's page, and a training plan derived for a
district."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from django.utils import timezone

from mahalla.coordination.models import AgencyKind, Certificate, Course, Task, TaskType
from mahalla.coordination.services import task_create, tasks_remind_and_escalate
from mahalla.core.roles import Role
from mahalla.territory.models import District

from .factories import agency_create, contact, staff_user

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


def _next_quarter(day: dt.date) -> str:
    quarter = (day.month - 1) // 3 + 2
    return f"{day.year + (quarter > 4)}-Q{(quarter - 1) % 4 + 1}"


def test_an_analyst_derives_the_training_plan_of_a_district_explained_per_person(
    agencies, browser_page, sign_in
):
    """The plan is derived for the chosen district only; each person's need names its reason with its number,
    a valid certificate removes the need, and the plan counts the people per district, course and quarter."""
    today = timezone.localdate()
    district = agencies["district"]
    inson = agencies["inson"]
    late_worker = contact(inson, channel="email", email="late@inson.test", full_name="Nodira Late")
    certified = contact(inson, channel="email", email="cert@inson.test", full_name="Dilnoza Certified")
    kind = TaskType.objects.get(key="mahalla-visit")
    for member in (late_worker, certified):
        task_create(
            actor=agencies["officer"],
            to_agency=inson,
            task_type=kind,
            title=f"Visit for {member.full_name}",
            assignee=member,
            deadline=today - dt.timedelta(days=2),
            today=today - dt.timedelta(days=9),
        )
    Certificate.objects.create(
        member=certified,
        course=Course.objects.get(key="casework"),
        issued_on=today - dt.timedelta(days=30),
        expires_on=today + dt.timedelta(days=300),
    )
    other_district = District.objects.exclude(pk=district.pk).order_by("code").first()
    far_agency = agency_create(other_district, AgencyKind.SOCIAL_CENTRE, "Inson far away")
    far_worker = contact(far_agency, channel="email", email="far@inson.test", full_name="Far Worker")
    task_create(
        actor=staff_user(agency_create(other_district), role=Role.PREVENTIVE_INSPECTOR, username="far"),
        to_agency=far_agency,
        task_type=kind,
        title="Far visit",
        assignee=far_worker,
        deadline=today - dt.timedelta(days=2),
        today=today - dt.timedelta(days=9),
    )

    page = browser_page
    sign_in(page, "analyst", next="/coordination/training/")
    page.select_option("#plan-district", value=district.code)
    page.click("#plan-derive")
    page.wait_for_load_state("networkidle")
    assert f"district={district.code}" in page.url
    assert district.name_uz in page.inner_text("#plan-title")

    needs = page.locator("#training-needs tbody tr")
    rows = [needs.nth(i).inner_text() for i in range(needs.count())]
    casework = "Social-prevention conclusions and casework"
    late_rows = [row for row in rows if "Nodira Late" in row]
    assert len(late_rows) == 1 and casework in late_rows[0] and "Specialist" in late_rows[0]
    assert "1 inter-agency tasks assigned to this person are past their deadline" in late_rows[0]
    assert not any("Dilnoza Certified" in row and casework in row for row in rows)
    assert not any("Far Worker" in row for row in rows)

    plan = page.locator("#training-plan tbody tr")
    plan_rows = [plan.nth(i).inner_text() for i in range(plan.count())]
    assert all(district.name_uz in row and _next_quarter(today) in row for row in plan_rows)
    casework_rows = [row for row in plan_rows if casework in row]
    assert len(casework_rows) == 1
    people = sum(1 for row in rows if casework in row)
    assert f"\t{people}\t" in casework_rows[0] and "past their deadline" in casework_rows[0]
    assert page.locator("#training-effects").is_visible()

    # The whole territory again: the far district's worker is planned too.
    page.select_option("#plan-district", value="")
    page.click("#plan-derive")
    page.wait_for_load_state("networkidle")
    assert "Far Worker" in page.inner_text("#training-needs")

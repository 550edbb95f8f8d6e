"""The council's agenda from the analysis, decisions as tasks, minutes in Uzbek and Russian, the report on
the last meeting's decisions; oversight rules finding exactly their cases; training needs with reasons."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from django.utils import timezone

from mahalla.accounts.tests.factories import UserFactory
from mahalla.analytics.models import AggregateDayResult, DailyRun
from mahalla.audit.services import audit_record_reads
from mahalla.coordination import council, oversight, services, training
from mahalla.coordination.models import (
    AgencyKind,
    AgendaItem,
    Course,
    OversightFinding,
    StaffMember,
    Task,
    TaskType,
)
from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.core.roles import Role, ScopeLevel
from mahalla.roadmaps.tests.factories import district_chief
from mahalla.territory.models import District

from .factories import agency_create, staff_user


@pytest.fixture
def analysed(tiny_nation):
    from mahalla.analytics.services import analysis_run

    analysis_run(date=tiny_nation.as_of, parameters={"scan_permutations": 19})
    district = District.objects.get(code=tiny_nation.district_code)
    police = agency_create(district, AgencyKind.INTERNAL_AFFAIRS, "IIB Mirobod")
    hokimiyat = agency_create(district, AgencyKind.HOKIMIYAT, "Mirobod hokimiyati")
    prosecutor = staff_user(
        agency_create(district, AgencyKind.PROSECUTOR, "Mirobod prokuraturasi"),
        role=Role.PROSECUTOR,
        username="prosecutor",
    )
    return {
        "tiny": tiny_nation,
        "district": district,
        "police": police,
        "hokimiyat": hokimiyat,
        "prosecutor": prosecutor,
        "hokim_staff": staff_user(hokimiyat, username="hokim"),
    }


def test_the_proposed_agenda_comes_from_the_analysis_of_the_meetings_territory(analysed):
    meeting = council.meeting_create(
        actor=analysed["prosecutor"],
        level="district",
        date=analysed["tiny"].as_of,
        district=analysed["district"],
    )
    kinds = list(meeting.agenda.values_list("kind", flat=True))
    assert AgendaItem.Kind.CYBER in kinds
    from mahalla.analytics.models import MahallaDayResult

    red_turned = (
        MahallaDayResult.objects.filter(date=analysed["tiny"].as_of, crime_class="red")
        .exclude(previous_class__in=["red", ""])
        .count()
    )
    assert (AgendaItem.Kind.TURNED_RED in kinds) == (red_turned > 0)


def test_decisions_become_tasks_and_the_next_meeting_reports_on_them(analysed):
    first = council.meeting_create(
        actor=analysed["prosecutor"],
        level="district",
        date=analysed["tiny"].as_of,
        district=analysed["district"],
    )
    council.decision_record(
        actor=analysed["prosecutor"],
        meeting=first,
        text="Light the streets of the red mahallas",
        to_agency=analysed["hokimiyat"],
        deadline=analysed["tiny"].as_of + dt.timedelta(days=20),
    )
    task = Task.objects.get(decision__meeting=first)
    assert (task.to_agency, task.subject, task.status) == (analysed["hokimiyat"], "decision", "sent")
    second = council.meeting_create(
        actor=analysed["prosecutor"],
        level="district",
        date=analysed["tiny"].as_of + dt.timedelta(days=30),
        district=analysed["district"],
    )
    report = second.agenda.get(kind=AgendaItem.Kind.PREVIOUS_DECISIONS)
    assert report.detail["decisions"][0]["decision"] == "Light the streets of the red mahallas"
    assert report.detail["decisions"][0]["late"] is True


def test_only_a_prosecutor_of_the_territory_chairs(analysed):
    chief = district_chief(analysed["district"])
    with pytest.raises(AccessDenied):
        council.meeting_create(
            actor=chief, level="district", date=analysed["tiny"].as_of, district=analysed["district"]
        )
    other = (
        District.objects.exclude(pk=analysed["district"].pk)
        .exclude(region=analysed["district"].region)
        .first()
    )
    with pytest.raises(AccessDenied):
        council.meeting_create(
            actor=analysed["prosecutor"], level="district", date=analysed["tiny"].as_of, district=other
        )


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_minutes_are_written_in_uzbek_and_in_russian(analysed, tmp_path):
    meeting = council.meeting_create(
        actor=analysed["prosecutor"],
        level="district",
        date=analysed["tiny"].as_of,
        district=analysed["district"],
    )
    council.decision_record(
        actor=analysed["prosecutor"],
        meeting=meeting,
        text="Umumiy qaror",
        to_agency=analysed["hokimiyat"],
        deadline=analysed["tiny"].as_of + dt.timedelta(days=20),
    )
    texts = {}
    for language in ("uz", "ru"):
        path = tmp_path / f"{language}.pdf"
        path.write_bytes(council.minutes_pdf(meeting=meeting, language=language))
        texts[language] = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "Umumiy qaror" in texts["uz"] and "Umumiy qaror" in texts["ru"]
    assert "Mirobod hokimiyati" in texts["ru"]
    assert texts["uz"] != texts["ru"]
    with pytest.raises(ApplicationError):
        council.minutes_pdf(meeting=meeting, language="de")


def test_each_oversight_rule_finds_its_planted_cases_and_nothing_else(analysed):
    # The audit rules look at the last 30 days of reads, which are written now: the run is for today.
    today = timezone.localdate()
    prosecutor = analysed["prosecutor"]
    officer = staff_user(analysed["police"], role=Role.PREVENTIVE_INSPECTOR, username="officer")
    kind = TaskType.objects.get(key="mahalla-visit")
    late = services.task_create(
        actor=officer,
        to_agency=analysed["hokimiyat"],
        task_type=kind,
        title="late",
        deadline=today - dt.timedelta(days=1),
        today=today - dt.timedelta(days=10),
    )
    services.task_create(
        actor=officer, to_agency=analysed["hokimiyat"], task_type=kind, title="on time", today=today
    )
    from mahalla.incidents.models import Offence

    offences = list(Offence.objects.all()[:3])
    audit_record_reads(actor=officer, objects=offences, purpose="")
    audit_record_reads(actor=prosecutor, objects=offences, purpose="inspection of the post")
    outcome = oversight.oversight_run(today=today, actor=prosecutor)
    found = sorted((f.rule.key, f.object_id) for f in OversightFinding.objects.all())
    assert found == [
        ("person-read-without-purpose", f"{officer.pk}:{today}"),
        ("task-past-deadline", str(late.pk)),
    ]
    assert outcome.created == 2 and outcome.per_rule["measure-overdue"] == 0
    assert outcome.per_rule["person-read-volume"] == 0
    assert oversight.oversight_run(today=today).created == 0
    services.task_accept(actor=analysed["hokim_staff"], task=late)
    services.task_progress(actor=analysed["hokim_staff"], task=late, text="visited", done=True)
    oversight.oversight_run(today=today)
    assert OversightFinding.objects.get(rule__key="task-past-deadline").status == "resolved"


def test_a_chief_answers_a_finding_and_the_prosecutor_reads_the_answer(analysed):
    today = analysed["tiny"].as_of
    officer = staff_user(analysed["police"], role=Role.PREVENTIVE_INSPECTOR, username="officer2")
    services.task_create(
        actor=officer,
        to_agency=analysed["hokimiyat"],
        task_type=TaskType.objects.get(key="mahalla-visit"),
        title="late",
        deadline=today,
        today=today - dt.timedelta(days=5),
    )
    oversight.oversight_run(today=today + dt.timedelta(days=3))
    finding = OversightFinding.objects.get()
    chief = district_chief(analysed["district"])
    with pytest.raises(ApplicationError):
        oversight.finding_respond(actor=chief, finding=finding, response=" ")
    oversight.finding_respond(actor=chief, finding=finding, response="The hokimiyat was reminded")
    from mahalla.coordination.selectors import finding_list

    assert finding_list(actor=analysed["prosecutor"]).get().response == "The hokimiyat was reminded"
    other_chief = UserFactory(
        role=Role.DISTRICT_CHIEF,
        scope_level=ScopeLevel.DISTRICT,
        scope_district=District.objects.exclude(pk=analysed["district"].pk).first(),
    )
    assert not finding_list(actor=other_chief).exists()


def test_training_needs_follow_the_crime_mix_and_are_explained(db):
    district = District.objects.order_by("code").first()
    run = DailyRun.objects.create(date=dt.date(2026, 3, 1), status="done")
    earlier = DailyRun.objects.create(date=dt.date(2025, 11, 1), status="done")
    for day_run, share in ((earlier, 0.40), (run, 0.47)):
        AggregateDayResult.objects.create(
            run=day_run,
            date=day_run.date,
            level="district",
            region=district.region,
            district=district,
            total_window=100,
            cyber_share=share,
            counts={"domestic_violence": 2, "drugs": 0},
            minors=1,
        )
    police = agency_create(district, AgencyKind.INTERNAL_AFFAIRS)
    cyber = StaffMember.objects.create(
        agency=police,
        full_name="Cyber officer",
        post="cyber_officer",
        channel="email",
        email="c@x.test",
        district=district,
        region=district.region,
    )
    inspector = StaffMember.objects.create(
        agency=police,
        full_name="Inspector",
        post="preventive_inspector",
        channel="email",
        email="i@x.test",
        district=district,
        region=district.region,
    )
    needs = training.training_needs(members=StaffMember.objects.all(), today=dt.date(2026, 3, 2))
    assert {(n.member_name, n.course_key) for n in needs} == {
        ("Cyber officer", "cyber-fraud"),
        ("Inspector", "cyber-fraud"),
    }
    assert "rose by 7.0 points" in needs[0].reasons[0]
    from mahalla.coordination.models import Certificate

    Certificate.objects.create(
        member=cyber,
        course=Course.objects.get(key="cyber-fraud"),
        issued_on=dt.date(2026, 1, 1),
        expires_on=dt.date(2028, 1, 1),
    )
    needs = training.training_needs(members=StaffMember.objects.all(), today=dt.date(2026, 3, 2))
    assert [(n.member_name, n.course_key) for n in needs] == [("Inspector", "cyber-fraud")]
    chief = UserFactory(role=Role.DISTRICT_CHIEF, scope_level=ScopeLevel.DISTRICT, scope_district=district)
    plan = training.training_plan(actor=chief, today=dt.date(2026, 3, 2))
    assert plan["quarter"] == "2026-Q2"
    assert [(row["course"].key, row["people"]) for row in plan["plan"]] == [("cyber-fraud", 1)]
    assert inspector.pk == plan["needs"][0].member_id

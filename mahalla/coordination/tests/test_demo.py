"""The demo's coordination data on the tiny nation: every page has data, and each oversight rule finds the
planted cases and nothing else."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
from django.utils import timezone

from mahalla.accounts.models import User
from mahalla.audit.models import AuditAction, AuditEvent
from mahalla.cases.models import Conclusion, ProtectionOrder, Supervision, ViolenceReport
from mahalla.coordination.models import (
    CouncilMeeting,
    OversightFinding,
    OversightRule,
    StaffMember,
    Task,
    TrainingClass,
)
from mahalla.coordination.oversight import oversight_check_available
from mahalla.coordination.selectors import finding_list, findings_read
from mahalla.demo.coordination import coordination_demo_build
from mahalla.demo.services import cases_demo_load, demo_users_create
from mahalla.territory.models import District


@pytest.fixture
def demo(tiny_nation):
    demo_users_create()
    return coordination_demo_build(seed=2026, as_of=timezone.localdate())


def test_the_demo_has_agencies_staff_tasks_meetings_and_classes(demo, tiny_nation):
    assert demo["agencies"] == 7 and demo["staff"] == 5 + 6 + 3 * len(tiny_nation.mahalla_codes)
    assert Task.objects.count() == demo["tasks"] + 6
    assert CouncilMeeting.objects.count() == 4 and TrainingClass.objects.count() == 2
    assert StaffMember.objects.filter(user__username="demo_prosecutor").exists()
    assert demo["planted_late_tasks"], "the demo plants late tasks"


def test_each_oversight_rule_finds_the_planted_cases_of_the_demo_and_nothing_else(demo):
    late = set(
        Task.objects.filter(
            pk__in=[int(f.object_id) for f in OversightFinding.objects.filter(rule__key="task-past-deadline")]
        ).values_list("number", flat=True)
    )
    assert late == set(demo["planted_late_tasks"])
    readers = {
        f.evidence["username"]
        for f in OversightFinding.objects.filter(rule__key="person-read-without-purpose")
    }
    assert readers == set(demo["planted_reads_without_purpose"])
    assert not OversightFinding.objects.filter(
        rule__key__in=["person-read-volume", "measure-overdue"]
    ).exists()


def test_building_twice_adds_nothing(demo):
    before = Task.objects.count()
    again = coordination_demo_build(seed=2026, as_of=timezone.localdate() + dt.timedelta(days=1))
    assert again.get("already_built") and Task.objects.count() == before


@pytest.fixture
def casework_demo(tiny_nation, tmp_path):
    """The demo with the casework registers loaded (the casework generator plants late orders, missed
    check-ins and overdue conclusions), built for the nation's last day, as `make demo` does."""
    for name in ("territories.csv", "offences.csv"):
        shutil.copy(tiny_nation.directory / name, tmp_path / name)
    demo_users_create()
    cases_demo_load(directory=tmp_path, seed=2026, as_of=tiny_nation.as_of)
    built = coordination_demo_build(seed=2026, as_of=tiny_nation.as_of)
    truth = json.loads((tmp_path / "truth_cases.json").read_text(encoding="utf-8"))
    return {"built": built, "truth": truth}


def _found(key: str) -> set[str]:
    return set(OversightFinding.objects.filter(rule__key=key).values_list("object_id", flat=True))


def test_every_casework_oversight_rule_finds_its_planted_cases_on_the_demo_and_nothing_else(casework_demo):
    truth, built = casework_demo["truth"], casework_demo["built"]
    assert truth["late_orders"] and truth["reports_without_order"] and truth["missed_checkins"]
    assert truth["overdue_conclusions"] and len(built["planted_register_entries_past_term"]) == 3
    assert all(oversight_check_available(rule.key) for rule in OversightRule.objects.filter(enabled=True))

    late = OversightFinding.objects.filter(rule__key="protection-order-late")
    orders = [int(f.object_id) for f in late if f.object_type == "cases.protection-order"]
    reports = [int(f.object_id) for f in late if f.object_type == "cases.violence-report"]
    assert set(
        ProtectionOrder.objects.filter(pk__in=orders).values_list("report__description", flat=True)
    ) == set(truth["late_orders"]) and len(orders) == len(truth["late_orders"])
    assert set(ViolenceReport.objects.filter(pk__in=reports).values_list("description", flat=True)) == set(
        truth["reports_without_order"]
    ) and len(reports) == len(truth["reports_without_order"])
    order = ProtectionOrder.objects.get(pk=orders[0])
    evidence = late.get(object_type="cases.protection-order", object_id=str(order.pk)).evidence
    assert evidence["hours"] > 24 and evidence["report"] == order.report_id

    supervisions = [int(pk) for pk in _found("checkin-not-held")]
    assert set(
        Supervision.objects.filter(pk__in=supervisions).values_list("person__pinfl", flat=True)
    ) == set(truth["missed_checkins"]) and len(supervisions) == len(truth["missed_checkins"])

    conclusions = Conclusion.objects.filter(pk__in=[int(pk) for pk in _found("conclusion-overdue")])
    assert {f"{c.offence.source_system}:{c.offence.registration_number}" for c in conclusions} == set(
        truth["overdue_conclusions"]
    )
    assert _found("register-entry-past-term") == {
        str(pk) for pk in built["planted_register_entries_past_term"]
    }
    entry = OversightFinding.objects.filter(rule__key="register-entry-past-term").first()
    assert entry.evidence["category"] == "preventive_register" and entry.evidence["days_past_term"] > 0

    late_tasks = Task.objects.filter(pk__in=[int(pk) for pk in _found("task-past-deadline")])
    assert set(late_tasks.values_list("number", flat=True)) == set(built["planted_late_tasks"])
    readers = {
        f.evidence["username"]
        for f in OversightFinding.objects.filter(rule__key="person-read-without-purpose")
    }
    assert readers == set(built["planted_reads_without_purpose"])
    assert not _found("person-read-volume") and not _found("measure-overdue")


def test_the_prosecutor_reads_every_casework_finding_of_the_territory_and_each_read_is_audited(
    casework_demo, tiny_nation
):
    prosecutor = User.objects.get(username="demo_prosecutor")
    district = District.objects.get(code=casework_demo["built"]["district"])
    in_district = OversightFinding.objects.filter(district=district)
    listed = finding_list(actor=prosecutor)
    assert set(listed.values_list("pk", flat=True)) == set(in_district.values_list("pk", flat=True))
    assert listed.filter(rule__key="checkin-not-held").exists()
    findings = list(listed.filter(rule__key__in=["protection-order-late", "conclusion-overdue"]))
    findings_read(actor=prosecutor, findings=findings)
    reads = AuditEvent.objects.filter(
        action=AuditAction.READ, actor=prosecutor, object_type="coordination.oversightfinding"
    )
    assert set(reads.values_list("object_id", flat=True)) == {str(f.pk) for f in findings}
    assert set(reads.values_list("purpose", flat=True)) == {"prosecutor's oversight"}
    # An inspector reads no finding: the oversight belongs to prosecutors and the chiefs who answer.
    assert not finding_list(actor=User.objects.get(username="demo_preventive_inspector")).exists()

"""The demo's coordination data on the tiny nation: every page has data, and each oversight rule finds the
planted cases and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mahalla.coordination.models import CouncilMeeting, OversightFinding, StaffMember, Task, TrainingClass
from mahalla.demo.coordination import coordination_demo_build
from mahalla.demo.services import demo_users_create


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

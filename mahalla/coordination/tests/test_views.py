"""Pages of coordination through Django's test client: a class recorded from the training page, bad values
named on the page, and findings' reads audited."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from mahalla.accounts.tests.factories import UserFactory
from mahalla.audit.models import AuditEvent
from mahalla.coordination.models import (
    Certificate,
    OversightFinding,
    OversightRule,
    StaffMember,
    TrainingClass,
)
from mahalla.core.roles import Role, ScopeLevel


def _member(world, post, name):
    return StaffMember.objects.create(
        agency=world["police"],
        full_name=name,
        post=post,
        channel="email",
        email=f"{name}@x.test",
        district=world["a1"],
        region_id=world["a1"].region_id,
    )


def test_a_chief_records_a_class_and_a_pass_earns_a_certificate(world, client):
    chief = UserFactory(role=Role.DISTRICT_CHIEF, scope_level=ScopeLevel.DISTRICT, scope_district=world["a1"])
    passed, failed = _member(world, "cyber_officer", "Passed"), _member(world, "investigator", "Failed")
    client.force_login(chief)
    assert client.get("/coordination/training/").status_code == 200
    day = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    response = client.post(
        "/coordination/training/",
        {
            "course": "cyber-fraud",
            "district": world["a1"].code,
            "date": day,
            "trainer": "Academy",
            "member": [passed.pk, failed.pk],
            f"score_{passed.pk}": "85",
            f"score_{failed.pk}": "40",
        },
        follow=True,
    )
    assert "Class recorded" in response.content.decode()
    assert TrainingClass.objects.get().attendance.count() == 2
    assert list(Certificate.objects.values_list("member__full_name", flat=True)) == ["Passed"]


def test_a_bad_score_or_a_district_of_another_territory_records_nothing(world, client):
    chief = UserFactory(role=Role.DISTRICT_CHIEF, scope_level=ScopeLevel.DISTRICT, scope_district=world["a1"])
    member = _member(world, "cyber_officer", "Someone")
    client.force_login(chief)
    day = timezone.localdate().isoformat()
    response = client.post(
        "/coordination/training/",
        {
            "course": "cyber-fraud",
            "district": world["a1"].code,
            "date": day,
            "member": [member.pk],
            f"score_{member.pk}": "abc",
        },
        follow=True,
    )
    assert "score" in response.content.decode()
    response = client.post(
        "/coordination/training/",
        {"course": "cyber-fraud", "district": world["b2"].code, "date": day},
        follow=True,
    )
    assert "district" in response.content.decode()
    response = client.post(
        "/coordination/training/",
        {"course": "cyber-fraud", "district": world["a1"].code, "date": "2026-13-40"},
        follow=True,
    )
    assert "date" in response.content.decode()
    assert not TrainingClass.objects.exists()


def test_the_oversight_page_audits_every_finding_shown(world, client):
    prosecutor = UserFactory(
        role=Role.PROSECUTOR, scope_level=ScopeLevel.DISTRICT, scope_district=world["a1"]
    )
    rule = OversightRule.objects.get(key="task-past-deadline")
    for index in range(3):
        OversightFinding.objects.create(
            rule=rule,
            object_type="coordination.task",
            object_id=str(index),
            summary=f"finding {index}",
            found_on=timezone.localdate(),
            region_id=world["a1"].region_id,
            district=world["a1"],
        )
    client.force_login(prosecutor)
    assert client.get("/coordination/oversight/").status_code == 200
    assert AuditEvent.objects.filter(action="read", object_type="coordination.oversightfinding").count() == 3


def test_mistyped_ids_and_values_are_not_found_not_errors(world, client):
    client.force_login(world["officer"])
    assert client.get("/coordination/tasks/999999/").status_code == 404
    assert client.get("/coordination/council/999999/").status_code == 404
    assert client.get("/coordination/tasks/?status=nonsense&box=nonsense&page=abc").status_code == 200


def test_the_oversight_page_shows_the_legal_basis_and_coded_evidence_in_the_reader_s_language(world, client):
    prosecutor = UserFactory(
        role=Role.PROSECUTOR, scope_level=ScopeLevel.DISTRICT, scope_district=world["a1"]
    )
    task_rule = OversightRule.objects.get(key="task-past-deadline")
    measure_rule = OversightRule.objects.get(key="measure-overdue")
    for rule, object_type in ((task_rule, "coordination.task"), (measure_rule, "roadmaps.measure")):
        OversightFinding.objects.create(
            rule=rule,
            object_type=object_type,
            object_id="1",
            summary="finding",
            found_on=timezone.localdate(),
            evidence={"status": "in_progress" if rule == measure_rule else "accepted", "days_late": 3},
            region_id=world["a1"].region_id,
            district=world["a1"],
        )
    client.force_login(prosecutor)
    pages = {}
    for language in ("uz", "ru", "en"):
        client.cookies["django_language"] = language
        pages[language] = client.get(
            "/coordination/oversight/", HTTP_ACCEPT_LANGUAGE=language
        ).content.decode()
    # (apostrophes left out of the expected texts: the page may typeset them)
    assert "Law on Prevention of Offences (2014): coordination by the prosecutor" in pages["en"]
    assert "Закон о профилактике правонарушений (2014): координация органами прокуратуры" in pages["ru"]
    assert "qonun (2014): prokuratura tomonidan muvofiqlashtirish" in pages["uz"]
    assert "coordination by the prosecutor" not in pages["uz"] + pages["ru"]
    for language, page in pages.items():
        assert "in_progress" not in page and ": accepted" not in page, language
    assert "status: In progress" in pages["en"] and "status: Accepted" in pages["en"]


def test_a_rule_without_a_translated_legal_basis_shows_the_english_one():
    rule = OversightRule(legal_basis="Law X", legal_basis_uz="", legal_basis_ru="Закон X")
    assert rule.legal_basis_in("uz") == "Law X"
    assert rule.legal_basis_in("ru") == "Закон X"
    assert rule.legal_basis_in("en") == "Law X"

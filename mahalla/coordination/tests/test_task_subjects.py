"""A task's subject exists and is in the sender's reach: a casework person (need to know, and consent or a
reason, the read audited), a roadmap measure, a cyber campaign, a drug network, a mahalla. Anything else is
refused with an error naming the field, and nothing is written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mahalla.audit.models import AuditAction, AuditEvent
from mahalla.cases.tests.factories import person_make
from mahalla.coordination import services
from mahalla.coordination.models import AgencyKind, Task
from mahalla.core.errors import ApplicationError
from mahalla.core.roles import Role
from mahalla.cyber.models import Campaign, CampaignMember, CyberReport
from mahalla.links.models import Entity
from mahalla.roadmaps.models import Measure, Roadmap

from .factories import agency_create, staff_user

TODAY = dt.date(2026, 3, 2)


def _send(world, **kwargs):
    values = {
        "actor": world["officer"],
        "to_agency": world["inson"],
        "task_type": world["type"],
        "title": "Help the family",
        "today": TODAY,
    }
    values.update(kwargs)
    return services.task_create(**values)


def _refused(world, field: str, **kwargs) -> ApplicationError:
    before = Task.objects.count()
    with pytest.raises(ApplicationError) as caught:
        _send(world, **kwargs)
    assert caught.value.extra["field"] == field, caught.value.message
    assert Task.objects.count() == before
    return caught.value


def test_a_task_about_a_person_needs_the_person_in_reach_and_consent_and_its_read_is_audited(world):
    person = person_make(world["mahallas"]["A1a"])
    task = _send(world, subject="person", subject_reference=str(person.pk), consent_given=True)
    assert (task.subject_reference, task.mahalla_id) == (str(person.pk), person.mahalla_id)
    read = AuditEvent.objects.get(action=AuditAction.READ, object_type="cases.person")
    assert (read.actor_id, read.object_id, read.purpose) == (
        world["officer"].pk,
        str(person.pk),
        "inter-agency task",
    )
    created = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="coordination.task")
    assert created.details["person"] == person.pk and created.details["consent"] is True

    error = _refused(world, "consent_given", subject="person", subject_reference=str(person.pk))
    assert "consent" in error.message
    without = _send(
        world,
        subject="person",
        subject_reference=str(person.pk),
        consent_override_reason="the victim is a minor; the commission decided",
    )
    assert AuditEvent.objects.filter(
        object_type="cases.person", purpose__startswith="inter-agency task without consent: the victim"
    ).exists()
    assert without.status == Task.Status.SENT


def test_a_person_out_of_reach_is_refused_exactly_like_a_missing_one(world):
    elsewhere = person_make(world["mahallas"]["B2a"])
    near = person_make(world["mahallas"]["A1b"])
    out_of_reach = _refused(
        world, "subject_reference", subject="person", subject_reference=str(elsewhere.pk), consent_given=True
    )
    missing = _refused(
        world, "subject_reference", subject="person", subject_reference="987654", consent_given=True
    )
    assert out_of_reach.message.replace(str(elsewhere.pk), "N") == missing.message.replace("987654", "N")
    _refused(world, "subject_reference", subject="person", subject_reference="", consent_given=True)
    # Need to know: a partner agency's officer of the same district reads no casework person.
    _refused(
        world,
        "subject_reference",
        actor=world["worker"],
        to_agency=world["police"],
        subject="person",
        subject_reference=str(near.pk),
        consent_given=True,
    )
    _refused(
        world,
        "mahalla",
        subject="person",
        subject_reference=str(near.pk),
        mahalla=world["mahallas"]["A1a"],
        consent_given=True,
    )
    assert not AuditEvent.objects.filter(object_type="cases.person", object_id=str(elsewhere.pk)).exists()


def test_a_mahalla_by_its_code_must_be_in_the_senders_territory(world):
    task = _send(world, subject="mahalla", subject_reference="MA1b")
    assert (task.mahalla, task.subject_reference) == (world["mahallas"]["A1b"], "MA1b")
    _refused(world, "subject_reference", subject="mahalla", subject_reference="MB2a")
    _refused(world, "subject_reference", subject="mahalla", subject_reference="NO-SUCH")
    _refused(
        world,
        "subject_reference",
        subject="mahalla",
        subject_reference="MA1b",
        mahalla=world["mahallas"]["A1a"],
    )
    _refused(world, "mahalla", subject="mahalla", mahalla=world["mahallas"]["B2a"])


def _measure(world, label: str) -> Measure:
    mahalla = world["mahallas"][label]
    roadmap = Roadmap.objects.create(
        level="mahalla",
        region_id=mahalla.region_id,
        district_id=mahalla.district_id,
        mahalla=mahalla,
        period_kind="quarter",
        period_start=dt.date(2026, 1, 1),
        title=f"Roadmap {label}",
        created_by=world["officer"],
    )
    return Measure.objects.create(roadmap=roadmap, title="Street lighting", deadline=dt.date(2026, 3, 31))


def test_a_roadmap_measure_must_be_visible_to_the_sender(world):
    measure = _measure(world, "A1b")
    task = _send(world, subject="measure", subject_reference=str(measure.pk))
    assert (task.subject_reference, task.mahalla) == (str(measure.pk), world["mahallas"]["A1b"])
    other = _measure(world, "B2a")
    _refused(world, "subject_reference", subject="measure", subject_reference=str(other.pk))
    _refused(world, "subject_reference", subject="measure", subject_reference="abc")
    _refused(world, "subject_reference", subject="measure", subject_reference="")


def _campaign(world, label: str, code: str) -> Campaign:
    mahalla = world["mahallas"][label]
    now = timezone.now()
    report = CyberReport.objects.create(
        reference=f"R-{code}",
        source="bank",
        narrative="card fraud",
        occurred_at=now,
        reported_at=now,
        channel="telegram",
        region_id=mahalla.region_id,
        district_id=mahalla.district_id,
        mahalla=mahalla,
    )
    campaign = Campaign.objects.create(code=code, size=1)
    CampaignMember.objects.create(report=report, campaign=campaign)
    return campaign


def test_a_cyber_campaign_must_have_a_report_the_sender_may_read(world):
    cyber = staff_user(world["police"], role=Role.CYBER_OFFICER, username="cyber")
    campaign = _campaign(world, "A1a", "C-A1")
    by_code = _send(world, actor=cyber, subject="campaign", subject_reference="C-A1")
    by_id = _send(world, actor=cyber, subject="campaign", subject_reference=str(campaign.pk))
    assert by_code.subject_reference == by_id.subject_reference == str(campaign.pk)
    far = _campaign(world, "B2a", "C-B2")
    _refused(world, "subject_reference", actor=cyber, subject="campaign", subject_reference=far.code)
    _refused(world, "subject_reference", actor=cyber, subject="campaign", subject_reference="C-NONE")
    # A preventive inspector reads no cyber report: the campaign is out of his reach.
    _refused(world, "subject_reference", subject="campaign", subject_reference="C-A1")


def test_a_drug_network_must_be_in_the_narcotics_officers_territory(world):
    drugs = staff_user(world["police"], role=Role.NARCOTICS_OFFICER, username="narcotics")
    a1, b2 = world["mahallas"]["A1a"], world["mahallas"]["B2a"]
    shop = Entity.objects.create(
        schema="Shop", key="Shop:a1", caption="shop A1", region_id=a1.region_id, district_id=a1.district_id
    )
    far = Entity.objects.create(
        schema="Shop", key="Shop:b2", caption="shop B2", region_id=b2.region_id, district_id=b2.district_id
    )
    task = _send(world, actor=drugs, subject="network", subject_reference=str(shop.pk))
    assert task.subject_reference == str(shop.pk)
    _refused(world, "subject_reference", actor=drugs, subject="network", subject_reference=str(far.pk))
    _refused(world, "subject_reference", subject="network", subject_reference=str(shop.pk))


def test_a_council_decision_is_only_a_subject_through_the_council_and_an_unknown_subject_is_refused(world):
    _refused(world, "subject", subject="decision", subject_reference="1")
    _refused(world, "subject", subject="rumour", subject_reference="1")


def test_the_api_names_the_field_of_a_subject_out_of_reach(world, client):
    person = person_make(world["mahallas"]["A1a"])
    client.force_login(world["officer"])
    payload = {
        "to_agency": world["inson"].pk,
        "task_type": world["type"].key,
        "title": "Help",
        "subject": "person",
        "subject_reference": str(person.pk),
    }
    response = client.post("/api/coordination/tasks/", payload, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["extra"]["field"] == "consent_given"
    response = client.post(
        "/api/coordination/tasks/", {**payload, "consent_given": True}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["subject_reference"] == str(person.pk)
    hokimiyat = agency_create(world["b2"], AgencyKind.HOKIMIYAT, "Hokimiyat B2")
    response = client.post(
        "/api/coordination/tasks/",
        {**payload, "to_agency": hokimiyat.pk, "consent_given": True},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["extra"]["field"] == "to_agency"

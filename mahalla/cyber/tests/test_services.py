"""Intake, redaction, campaigns and blocking through the services, on a real database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mahalla.audit.models import AuditEvent
from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.cyber import services
from mahalla.cyber.models import (
    BlockRequest,
    Campaign,
    CampaignMember,
    CyberReport,
    Indicator,
    PublicSubmissionAttempt,
    ReportAttachment,
)
from mahalla.cyber.services import AttachmentInput, RateLimited

from .factories import CARD_HUMO, CARD_UZCARD, CARD_VISA, report_input, report_submitted

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"\x00" * 64


def test_a_public_report_is_stored_with_its_card_masked_and_hashed(world, media):
    report = report_submitted(data=report_input(world.mahalla_a1), address="10.0.0.1")
    report.refresh_from_db()
    assert report.reference.startswith("CY-")
    assert CARD_UZCARD not in report.narrative
    assert "860012******9012" in report.narrative
    card = Indicator.objects.get(kind="card")
    assert card.display == "860012******9012"
    assert card.value == services.ind.card_hash(CARD_UZCARD, b"test-card-hash-key")
    assert report.district_id == world.district_a.pk and report.region_id == world.district_a.region_id
    assert AuditEvent.objects.filter(
        object_type="cyber.cyberreport", object_id=str(report.pk), action="create"
    ).exists()


def test_a_loss_that_is_not_a_number_is_refused_naming_the_value_and_nothing_is_stored(world):
    with pytest.raises(ApplicationError, match="must be a number.*'about two million'") as error:
        report_submitted(
            data=report_input(world.mahalla_a1, loss_amount="about two million"), address="10.0.0.2"
        )
    assert error.value.extra["field"] == "loss_amount"
    assert CyberReport.objects.count() == 0 and Indicator.objects.count() == 0


@pytest.mark.parametrize("value", ["-5", "NaN", "1e20"])
def test_a_negative_or_absurd_loss_is_refused(world, value):
    with pytest.raises(ApplicationError):
        report_submitted(data=report_input(world.mahalla_a1, loss_amount=value), address="10.0.0.3")
    assert CyberReport.objects.count() == 0


def test_a_non_image_attachment_is_refused_by_its_magic_bytes_whatever_its_name(world, media):
    data = report_input(world.mahalla_a1, attachments=[AttachmentInput(name="screenshot.png", content=PDF)])
    with pytest.raises(ApplicationError, match="screenshot.png is not an image"):
        report_submitted(data=data, address="10.0.0.4")
    assert CyberReport.objects.count() == 0 and ReportAttachment.objects.count() == 0


def test_an_oversized_attachment_is_refused(world, media):
    big = PNG + b"\x00" * services.MAX_ATTACHMENT_BYTES
    data = report_input(world.mahalla_a1, attachments=[AttachmentInput(name="big.png", content=big)])
    with pytest.raises(ApplicationError, match="big.png is larger than 5 MB"):
        report_submitted(data=data, address="10.0.0.5")
    assert CyberReport.objects.count() == 0 and ReportAttachment.objects.count() == 0


def test_an_image_attachment_is_stored_and_its_text_yields_indicators(world, media):
    data = report_input(
        world.mahalla_a1,
        narrative="Skrinshotda raqam bor",
        attachments=[
            AttachmentInput(name="s.png", content=PNG, text=f"Karta {CARD_HUMO}, +998 97 111 22 33")
        ],
    )
    report = report_submitted(data=data, address="10.0.0.6")
    attachment = ReportAttachment.objects.get(report=report)
    assert attachment.content_type == "image/png" and attachment.size == len(PNG)
    assert CARD_HUMO not in attachment.text
    assert set(Indicator.objects.values_list("kind", flat=True)) == {"card", "phone"}


def test_a_form_flood_from_one_address_is_stopped_and_the_refused_reports_are_not_stored(world):
    for _ in range(services.public_limit_per_hour()):
        report_submitted(data=report_input(world.mahalla_a1), address="10.9.9.9")
    with pytest.raises(RateLimited, match="Too many reports"):
        report_submitted(data=report_input(world.mahalla_a1), address="10.9.9.9")
    assert CyberReport.objects.count() == services.public_limit_per_hour()
    # Another address is not affected; the address itself is never stored.
    report_submitted(data=report_input(world.mahalla_a1), address="10.9.9.10")
    assert not PublicSubmissionAttempt.objects.filter(address_hash__contains="10.9.9").exists()


def test_invalid_submissions_count_against_the_limit(world):
    for _ in range(services.public_limit_per_hour()):
        with pytest.raises(ApplicationError):
            report_submitted(data=report_input(world.mahalla_a1, loss_amount="x"), address="10.1.1.1")
    with pytest.raises(RateLimited):
        report_submitted(data=report_input(world.mahalla_a1), address="10.1.1.1")


def test_reports_sharing_a_card_join_one_campaign_and_a_warning_list_value_links_nothing(world):
    first = report_submitted(data=report_input(world.mahalla_a1), address="a")
    second = report_submitted(data=report_input(world.mahalla_b1), address="b")
    assert first.campaign_member.campaign_id == second.campaign_member.campaign_id
    hub_1 = report_submitted(
        data=report_input(world.mahalla_a1, narrative="Bankka +998 78 150 00 00 orqali qo'ng'iroq qildim"),
        address="c",
    )
    hub_2 = report_submitted(
        data=report_input(world.mahalla_a2, narrative="Men ham +998 78 150 00 00 ga qo'ng'iroq qildim"),
        address="d",
    )
    assert not CampaignMember.objects.filter(report__in=[hub_1, hub_2]).exists()
    assert Indicator.objects.get(value="+998781500000").warning is True


def test_rebuild_keeps_a_confirmed_campaign_and_an_analysts_split(world):
    reports = [report_submitted(data=report_input(world.mahalla_a1), address=str(i)) for i in range(3)]
    campaign = reports[0].campaign_member.campaign
    services.campaign_confirm(actor=world.users["officer_a"], campaign=campaign)
    services.report_split_from_campaign(
        actor=world.users["officer_a"], campaign=campaign, report=reports[2], reason="other scheme"
    )
    outcome = services.campaigns_rebuild()
    assert outcome.campaigns == 1
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CONFIRMED
    assert set(campaign.members.values_list("report_id", flat=True)) == {reports[0].pk, reports[1].pk}
    assert not CampaignMember.objects.filter(report=reports[2]).exists()


def test_only_analysts_confirm_campaigns(world):
    reports = [report_submitted(data=report_input(world.mahalla_a1), address=str(i)) for i in range(2)]
    with pytest.raises(AccessDenied):
        services.campaign_confirm(actor=world.users["seven_a"], campaign=reports[0].campaign_member.campaign)


def test_blocking_requests_go_to_the_card_issuer_with_evidence_and_time_to_block(world):
    narrative = f"Pul {CARD_UZCARD} va {CARD_VISA} kartalariga ketdi, @fake_uzum_bot yozdi, +998 90 765 43 21"
    reports = [
        report_submitted(data=report_input(world.mahalla_a1, narrative=narrative), address=str(i))
        for i in range(2)
    ]
    campaign = reports[0].campaign_member.campaign
    created = services.block_requests_for_campaign(actor=world.users["officer_a"], campaign=campaign)
    by_org = {(r.organisation.code, r.indicator.kind) for r in created}
    assert by_org == {
        ("kapitalbank", "card"),
        ("visabank", "card"),
        ("telegram", "handle"),
        ("operator", "phone"),
    }
    uzcard_request = BlockRequest.objects.get(organisation=world.bank)
    assert uzcard_request.indicator.display == "860012******9012"
    assert set(uzcard_request.evidence.values_list("pk", flat=True)) == {r.pk for r in reports}
    # Asking again creates nothing new.
    assert services.block_requests_for_campaign(actor=world.users["officer_a"], campaign=campaign) == []
    later = uzcard_request.first_reported_at + dt.timedelta(hours=5)
    services.block_request_status_set(
        organisation=world.bank, block_request=uzcard_request, status="blocked", at=later
    )
    uzcard_request.refresh_from_db()
    assert uzcard_request.hours_to_block == pytest.approx(5.0)
    with pytest.raises(ApplicationError, match="cannot become"):
        services.block_request_status_set(
            organisation=world.bank, block_request=uzcard_request, status="acknowledged"
        )
    visa_request = BlockRequest.objects.get(organisation=world.visa_bank)
    with pytest.raises(AccessDenied):
        services.block_request_status_set(
            organisation=world.bank, block_request=visa_request, status="blocked"
        )


def test_an_officer_correction_is_kept_apart_from_the_models_guess(world):
    report = report_submitted(data=report_input(world.mahalla_a1), address="x")
    services.report_method_correct(actor=world.users["officer_a"], report=report, method="sms_code")
    report.refresh_from_db()
    assert report.method_corrected == "sms_code" and report.method_final == "sms_code"
    with pytest.raises(ApplicationError):
        services.report_method_correct(actor=world.users["officer_a"], report=report, method="magic")


def test_officer_intake_is_refused_outside_the_officers_territory(world):
    with pytest.raises(ApplicationError, match="outside your territory"):
        services.report_create_by_officer(actor=world.users["officer_a"], data=report_input(world.mahalla_b1))
    with pytest.raises(AccessDenied):
        services.report_create_by_officer(actor=world.users["seven_a"], data=report_input(world.mahalla_a1))
    report = services.report_create_by_officer(
        actor=world.users["officer_a"], data=report_input(world.mahalla_a1)
    )
    assert report.source == "officer" and report.created_by == world.users["officer_a"]


def test_a_time_in_the_future_is_refused(world):
    future = timezone.now() + dt.timedelta(days=2)
    with pytest.raises(ApplicationError, match="future"):
        report_submitted(data=report_input(world.mahalla_a1, occurred_at=future), address="f")


# --- queued processing ----------------------------------------------------------------------------------


def test_the_form_stores_the_report_pending_and_its_queued_task_processes_it_after_the_commit(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = services.report_create_public(data=report_input(world.mahalla_a1), address="q1")
    report.refresh_from_db()
    # Stored with its audit row and the card's masked form and keyed hash, nothing extracted or classified.
    assert report.processing == "pending" and report.method == "" and len(callbacks) == 1
    assert report.card_indicators[0]["display"] == "860012******9012"
    assert CARD_UZCARD not in str(report.card_indicators)
    assert Indicator.objects.count() == 0
    assert AuditEvent.objects.filter(object_type="cyber.cyberreport", object_id=str(report.pk)).exists()
    callbacks[0]()  # the commit's callback enqueues the task; Huey runs it at once in the tests
    report.refresh_from_db()
    assert report.processing == "done" and report.processing_attempts == 1
    assert list(Indicator.objects.filter(report_links__report=report).values_list("kind", flat=True)) == [
        "card"
    ]
    assert Indicator.objects.get(kind="card").value == services.ind.card_hash(
        CARD_UZCARD, b"test-card-hash-key"
    )


def test_a_failing_processing_is_retried_then_shown_failed_and_queued_again_by_the_daily_job(
    world, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        report = services.report_create_public(data=report_input(world.mahalla_a1), address="q2")
    # A stored card indicator the extractor cannot read (damaged data): every attempt fails.
    CyberReport.objects.filter(pk=report.pk).update(card_indicators=[{"damaged": True}])
    from mahalla.cyber.tasks import cyber_report_process_task

    cyber_report_process_task(report.pk)  # first attempt: fails, the queue keeps it for a retry
    report.refresh_from_db()
    assert report.processing == "pending" and report.processing_attempts == 1
    assert "KeyError" in report.processing_error
    with pytest.raises(services.ProcessingFailed):
        services.report_process(report_id=report.pk, final_attempt=True)
    report.refresh_from_db()
    assert report.processing == "failed" and report.processing_attempts == 2
    assert Indicator.objects.count() == 0 and not CampaignMember.objects.filter(report=report).exists()
    client.force_login(world.users["officer_a"])
    page = client.get(f"/cyber/reports/{report.pk}/").content.decode()
    assert 'id="report-processing"' in page and "Processing failed" in page
    # Repaired, the daily job queues it again and it is processed.
    CyberReport.objects.filter(pk=report.pk).update(card_indicators=[])
    assert services.reports_processing_requeue() == 1
    report.refresh_from_db()
    assert report.processing == "done" and report.processing_attempts == 3 and report.processing_error == ""
    assert services.reports_processing_requeue() == 0

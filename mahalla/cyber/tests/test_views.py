"""The pages and the API through HTTP: public form (CSRF, languages, errors, flood), officers' pages,
the blocking export, and the bank API where each token sees only its own requests."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mahalla.cyber import services
from mahalla.cyber.models import BlockRequest, Campaign, CyberReport

from .factories import CARD_UZCARD, CARD_VISA, report_input, report_submitted

PDF = b"%PDF-1.7\n" + b"\x00" * 64


def form_data(world, **overrides):
    data = {
        "narrative": f"Telegramda havola keldi, pul {CARD_UZCARD} kartasiga ketdi",
        "message_text": "",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "loss_amount": "1500000",
        "currency": "UZS",
        "channel": "telegram",
        "region": world.mahalla_a1.region.code,
        "district": world.mahalla_a1.district.code,
        "mahalla": world.mahalla_a1.code,
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("language", "title"), [("uz", "form"), ("ru", "form"), ("en", "Report an online fraud")]
)
def test_the_public_form_opens_without_sign_in_in_each_language(world, client, language, title):
    response = client.get(reverse("cyber:public-report"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert response.headers["Content-Language"] == language


def test_the_public_form_refuses_a_post_without_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("cyber:public-report"), form_data(world))
    assert response.status_code == 403
    assert CyberReport.objects.count() == 0


def test_a_valid_public_report_is_confirmed_with_its_reference(world, client):
    response = client.post(reverse("cyber:public-report"), form_data(world))
    assert response.status_code == 200
    report = CyberReport.objects.get()
    assert report.reference.encode() in response.content
    assert CARD_UZCARD.encode() not in response.content


def test_a_loss_that_is_not_a_number_is_a_clear_error_on_the_form(world, client):
    response = client.post(reverse("cyber:public-report"), form_data(world, loss_amount="ikki million"))
    assert response.status_code == 400
    assert "ikki million" in response.content.decode()
    assert CyberReport.objects.count() == 0


def test_a_non_image_attachment_is_refused_on_the_form(world, client, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("photo.jpg", PDF, content_type="image/jpeg")
    response = client.post(reverse("cyber:public-report"), {**form_data(world), "attachments": [upload]})
    assert response.status_code == 400
    assert "photo.jpg is not an image" in response.content.decode()
    assert CyberReport.objects.count() == 0


def test_a_flood_from_one_address_gets_429(world, client, settings):
    settings.CYBER_PUBLIC_LIMIT_PER_HOUR = 2
    for _ in range(2):
        assert client.post(reverse("cyber:public-report"), form_data(world)).status_code == 200
    response = client.post(reverse("cyber:public-report"), form_data(world))
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    assert CyberReport.objects.count() == 2


def test_district_and_mahalla_choices_cascade(world, client):
    response = client.get(reverse("cyber:public-mahallas"), {"district": world.mahalla_a1.district.code})
    assert (
        world.mahalla_a1.code in response.content.decode()
        and world.mahalla_b1.code not in response.content.decode()
    )


def test_officer_pages_show_only_the_officers_territory(world, client):
    a = report_submitted(data=report_input(world.mahalla_a1), address="1")
    b = report_submitted(data=report_input(world.mahalla_b1, narrative="boshqa hodisa"), address="2")
    client.force_login(world.users["officer_a"])
    listing = client.get(reverse("cyber:reports")).content.decode()
    assert a.reference in listing and b.reference not in listing
    assert client.get(reverse("cyber:report", args=[a.pk])).status_code == 200
    assert client.get(reverse("cyber:report", args=[b.pk])).status_code == 404
    assert client.get(reverse("cyber:index")).status_code == 200


def test_mahalla_seven_sees_the_dashboard_but_no_report(world, client):
    a = report_submitted(data=report_input(world.mahalla_a1), address="1")
    client.force_login(world.users["seven_a"])
    assert client.get(reverse("cyber:index")).status_code == 200
    assert client.get(reverse("cyber:reports")).status_code == 404
    assert client.get(reverse("cyber:report", args=[a.pk])).status_code == 404


def test_an_officer_confirms_a_campaign_and_requests_blocking(world, client):
    reports = [report_submitted(data=report_input(world.mahalla_a1), address=str(i)) for i in range(2)]
    campaign = reports[0].campaign_member.campaign
    client.force_login(world.users["officer_a"])
    page = client.get(reverse("cyber:campaign", args=[campaign.pk])).content.decode()
    assert "860012******9012" in page and CARD_UZCARD not in page
    client.post(reverse("cyber:campaign-action", args=[campaign.pk, "confirm"]))
    client.post(reverse("cyber:campaign-action", args=[campaign.pk, "block"]))
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CONFIRMED
    assert BlockRequest.objects.filter(organisation=world.bank).count() == 1


def _blocked_world(world):
    narrative = f"Pul {CARD_UZCARD} va {CARD_VISA} kartalariga ketdi"
    reports = [
        report_submitted(data=report_input(world.mahalla_a1, narrative=narrative), address=str(i))
        for i in range(2)
    ]
    services.block_requests_for_campaign(
        actor=world.users["analyst"], campaign=reports[0].campaign_member.campaign
    )
    return reports


def test_the_blocking_export_has_masked_cards_and_evidence(world, client):
    reports = _blocked_world(world)
    client.force_login(world.users["analyst"])
    response = client.get(reverse("cyber:blocking-export"), {"organisation": "kapitalbank"})
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "860012******9012" in body and CARD_UZCARD not in body
    assert "411111******1111" not in body  # the Visa card is the other bank's
    assert all(r.reference in body for r in reports)


def test_each_bank_token_sees_and_updates_only_its_own_requests(world, client):
    _blocked_world(world)
    token = services.organisation_token_set(organisation=world.bank)
    other_token = services.organisation_token_set(organisation=world.visa_bank)
    listing = client.get("/api/cyber/bank/requests/", HTTP_AUTHORIZATION=f"Bank {token}").json()
    assert [r["value"] for r in listing["results"]] == ["860012******9012"]
    visa_request = BlockRequest.objects.get(organisation=world.visa_bank)
    refused = client.post(
        f"/api/cyber/bank/requests/{visa_request.pk}/status/",
        {"status": "blocked"},
        HTTP_AUTHORIZATION=f"Bank {token}",
    )
    assert refused.status_code == 404
    accepted = client.post(
        f"/api/cyber/bank/requests/{visa_request.pk}/status/",
        {"status": "blocked"},
        HTTP_AUTHORIZATION=f"Bank {other_token}",
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "blocked"
    assert client.get("/api/cyber/bank/requests/", HTTP_AUTHORIZATION="Bank wrong").status_code in (401, 403)
    export = client.get(
        "/api/cyber/bank/requests.csv", HTTP_AUTHORIZATION=f"Bank {other_token}"
    ).content.decode()
    assert "411111******1111" in export and "860012" not in export


def test_the_officer_api_lists_only_the_territorys_reports(world, client):
    a = report_submitted(data=report_input(world.mahalla_a1), address="1")
    report_submitted(data=report_input(world.mahalla_b1), address="2")
    client.force_login(world.users["officer_b"])
    listing = client.get("/api/cyber/reports/").json()
    assert listing["count"] == 1 and a.reference not in [r["reference"] for r in listing["results"]]


def test_the_public_form_in_uzbek_cyrillic_keeps_form_values_and_posts(world, client):
    client.cookies["django_language"] = "uz"
    response = client.get(reverse("cyber:public-report") + "?script=cyrl", HTTP_ACCEPT_LANGUAGE="uz")
    page = response.content.decode()
    assert response.headers["Content-Language"] == "uz-Cyrl"
    assert "Лотин" in page  # the switch back to Latin, itself transliterated
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert token.isascii()
    posted = client.post(reverse("cyber:public-report"), form_data(world), HTTP_ACCEPT_LANGUAGE="uz")
    assert posted.status_code == 200 and posted.headers["Content-Language"] == "uz-Cyrl"
    assert CyberReport.objects.get().reference in posted.content.decode()

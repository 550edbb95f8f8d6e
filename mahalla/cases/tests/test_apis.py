from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from mahalla.audit.models import AuditEvent
from mahalla.core.roles import Role

from .. import services
from ..models import CheckIn, Person, Referral, Supervision
from .factories import user_for


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_creating_a_person_with_a_bad_pinfl_names_the_field_and_creates_nothing(place):
    before = Person.objects.count()
    response = client_for(place.inspector).post(
        reverse("cases:person-create"),
        {
            "pinfl": "12345",
            "name_latin": "Qodirov O'ktam",
            "birth_date": "2000-01-01",
            "sex": "M",
            "mahalla": place.home.code,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["extra"]["field"] == "pinfl"
    assert Person.objects.count() == before


def test_a_person_of_another_mahalla_is_a_404(place):
    response = client_for(place.inspector).get(
        reverse("cases:person-detail", args=[place.far_person.pk]), {"purpose": "case work"}
    )
    assert response.status_code == 404


def test_a_person_read_without_a_purpose_is_refused_and_with_one_is_audited(place):
    url = reverse("cases:person-detail", args=[place.person.pk])
    assert client_for(place.inspector).get(url).status_code == 400
    response = client_for(place.inspector).get(url, {"purpose": "case work"})
    assert response.status_code == 200 and response.json()["pinfl"] == place.person.pinfl
    assert (
        AuditEvent.objects.filter(action="read", object_id=str(place.person.pk), purpose="case work").count()
        == 1
    )


def test_a_stale_edit_is_a_409_with_the_servers_value(place):
    client = client_for(place.inspector)
    url = reverse("cases:person-detail", args=[place.person.pk])
    assert client.patch(url, {"version": 1, "phone": "111"}, format="json").status_code == 200
    response = client.patch(url, {"version": 1, "phone": "222"}, format="json")
    assert response.status_code == 409
    assert response.json()["extra"]["server"]["phone"] == "111"
    place.person.refresh_from_db()
    assert place.person.phone == "111"


def test_a_referral_without_consent_is_a_400_naming_the_field(place):
    response = client_for(place.inspector).post(
        reverse("cases:referral-create", args=[place.person.pk]),
        {
            "service": "employment",
            "agency": "Job centre",
            "deadline": (timezone.localdate() + dt.timedelta(days=9)).isoformat(),
            "consent_given": False,
        },
        format="json",
    )
    assert response.status_code == 400 and response.json()["extra"]["field"] == "consent_given"
    assert not Referral.objects.exists()


def test_a_supervision_term_outside_6_to_12_months_is_a_400(place):
    response = client_for(place.inspector).post(
        reverse("cases:supervision-create", args=[place.person.pk]),
        {
            "court_decision": "C-1",
            "decided_on": "2026-01-01",
            "starts_on": "2026-01-02",
            "ends_on": "2026-03-01",
            "checkins_per_month": 2,
        },
        format="json",
    )
    assert response.status_code == 400 and response.json()["extra"]["field"] == "ends_on"
    assert not Supervision.objects.exists()


def test_a_check_in_before_the_supervision_starts_is_a_400_and_a_stale_one_a_409(place):
    supervision = services.supervision_create(
        actor=place.inspector,
        person=place.person,
        court_decision="C-1",
        decided_on=dt.date(2025, 12, 1),
        starts_on=dt.date(2025, 12, 2),
        ends_on=dt.date(2026, 6, 2),
        checkins_per_month=1,
    )
    checkin = supervision.checkins.order_by("due_on").first()
    client = client_for(place.inspector)
    url = reverse("cases:checkin-record", args=[checkin.pk])
    response = client.post(url, {"reported_at": "2025-12-01T10:00:00+05:00", "version": 1}, format="json")
    assert response.status_code == 400 and response.json()["extra"]["field"] == "reported_at"
    assert (
        client.post(
            url, {"reported_at": "2025-12-03T10:00:00+05:00", "note": "came", "version": 1}, format="json"
        ).status_code
        == 200
    )
    stale = client.post(
        url, {"reported_at": "2025-12-03T11:00:00+05:00", "note": "other", "version": 1}, format="json"
    )
    assert stale.status_code == 409 and stale.json()["extra"]["server"]["note"] == "came"
    assert CheckIn.objects.get(pk=checkin.pk).note == "came"


def test_the_worklist_api_lists_the_mahallas_work_for_its_inspector_only(place):
    services.supervision_create(
        actor=place.inspector,
        person=place.person,
        court_decision="C-1",
        decided_on=timezone.localdate() - dt.timedelta(days=40),
        starts_on=timezone.localdate() - dt.timedelta(days=35),
        ends_on=timezone.localdate() + dt.timedelta(days=200),
        checkins_per_month=4,
    )
    response = client_for(place.inspector).get(reverse("cases:worklist", args=[place.home.code]))
    assert response.status_code == 200
    assert {c["person"]["id"] for c in response.json()["checkins"]} == {place.person.pk}
    chief = user_for(Role.DISTRICT_CHIEF, district=place.district)
    assert client_for(chief).get(reverse("cases:worklist", args=[place.home.code])).status_code == 404
    assert (
        client_for(place.inspector).get(reverse("cases:worklist", args=[place.far.code])).status_code == 404
    )


def test_counts_and_results_are_suppressed_for_a_chief(place):
    report = services.violence_report_create(
        actor=place.inspector, kind="harassment", victim=place.person, reported_at=timezone.now()
    )
    services.protection_order_issue(actor=place.inspector, report=report, womens_activist="Yusupova Nodira")
    chief = user_for(Role.DISTRICT_CHIEF, district=place.district)
    counts = client_for(chief).get(reverse("cases:counts")).json()
    assert counts["orders_active"] == "<5"
    results = client_for(chief).get(reverse("cases:results"), {"group_by": "mahalla"}).json()["results"]
    assert results and all(row["registered"] in ("<5", 0) for row in results)
    assert client_for(chief).get(reverse("cases:person-list"), {"purpose": "x"}).status_code == 404


@pytest.mark.parametrize("name", ["index", "persons", "orders", "results"])
def test_pages_open_for_an_inspector(client, place, name):
    client.force_login(place.inspector)
    assert client.get(reverse(f"cases-web:{name}")).status_code == 200


def test_the_worklist_page_and_a_person_card_with_a_purpose(client, place):
    client.force_login(place.inspector)
    response = client.get(reverse("cases-web:worklist", args=[place.home.code]))
    assert response.status_code == 200 and b'id="worklist"' in response.content
    asked = client.get(reverse("cases-web:person", args=[place.person.pk]))
    assert b'name="purpose"' in asked.content and place.person.pinfl.encode() not in asked.content
    card = client.get(reverse("cases-web:person", args=[place.person.pk]), {"purpose": "case work"})
    assert place.person.pinfl.encode() in card.content


def test_a_referral_form_without_consent_shows_the_field_and_changes_nothing(client, place):
    client.force_login(place.inspector)
    response = client.post(
        reverse("cases-web:person-action", args=[place.person.pk, "referral"]),
        {
            "service": "employment",
            "agency": "Job centre",
            "deadline": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            "purpose": "referral",
        },
    )
    assert response.status_code == 400 and b'data-error-field="consent_given"' in response.content
    assert not Referral.objects.exists()


def test_the_results_page_shows_small_counts_as_less_than_5_to_a_chief(client, place):
    services.register_entry_add(
        actor=place.inspector,
        person=place.person,
        category_code="preventive_register",
        basis_document="d",
        starts_on=timezone.localdate(),
        decided_by="x",
    )
    client.force_login(user_for(Role.DISTRICT_CHIEF, district=place.district))
    assert "&lt;5" in client.get(reverse("cases-web:results")).content.decode()
    assert "&lt;5" in client.get(reverse("cases-web:index")).content.decode()


def test_the_service_worker_is_served_for_the_casework_scope(client):
    response = client.get(reverse("cases-web:service-worker"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/cases/"


def test_a_transfer_is_accepted_by_its_receiver_only_through_the_api(place):
    from .factories import inspector

    colleague = inspector(place.neighbour)
    created = client_for(place.inspector).post(
        reverse("cases:transition-create", args=[place.person.pk]),
        {"kind": "transfer", "to_user": colleague.pk, "note": "moving posts"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["status"] == "pending"
    url = reverse("cases:transition-respond", args=[created.json()["id"]])
    assert client_for(place.inspector).post(url, {"action": "accept"}, format="json").status_code == 404
    accepted = client_for(colleague).post(url, {"action": "accept"}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    place.person.refresh_from_db()
    assert place.person.ownership.owner_id == colleague.pk

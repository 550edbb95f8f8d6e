"""The cyber module's reference data in the admin: country administrators only, every edit audited, a clear
error for a bad value, and a change in use at once (a new BIN range, a new warning-list value)."""

from __future__ import annotations

import pytest
from django.test import Client

from mahalla.accounts.tests.factories import UserFactory
from mahalla.audit.models import AuditEvent
from mahalla.core.roles import Role, ScopeLevel
from mahalla.cyber.models import CardRange, ClassifierVersion, Organisation, WarningListEntry
from mahalla.cyber.reference_data import reference_forget

from .factories import report_input, report_submitted

# Passes Luhn; its prefix 777000 is in no range of the shipped BIN table.
UNKNOWN_SCHEME_NUMBER = "7770001234567890"


@pytest.fixture(autouse=True)
def _shipped_tables_afterwards():
    yield
    # The tables installed in this process must not outlive the test's (rolled back) rows.
    reference_forget()


@pytest.fixture
def country_admin(world):
    user = UserFactory(
        username="country_admin",
        is_staff=True,
        is_superuser=True,
        role=Role.ADMINISTRATOR,
        scope_level=ScopeLevel.COUNTRY,
    )
    client = Client()
    client.force_login(user)
    return client, user


def test_the_shipped_reference_files_are_in_the_tables(world):
    assert CardRange.objects.filter(prefix_from=860000, scheme="UzCard").exists()
    assert WarningListEntry.objects.filter(kind="domain", value="t.me").exists()
    assert CardRange.objects.count() == 7


@pytest.mark.parametrize(
    "role, scope", [(Role.ADMINISTRATOR, ScopeLevel.REGION), (Role.PROSECUTOR, ScopeLevel.COUNTRY)]
)
def test_only_country_administrators_open_the_cyber_reference_data(world, role, scope):
    district = world.district_a
    user = UserFactory(
        username=f"staff_{role}_{scope}",
        is_staff=True,
        is_superuser=True,
        role=role,
        scope_level=scope,
        scope_region=district.region if scope == ScopeLevel.REGION else None,
    )
    client = Client()
    client.force_login(user)
    for page in ("cardrange", "protectedbrand", "warninglistentry", "organisation", "classifierversion"):
        assert client.get(f"/admin/cyber/{page}/").status_code in (302, 403), page
    response = client.post(
        "/admin/cyber/warninglistentry/add/", {"kind": "phone", "value": "+998901112233", "reason": "x"}
    )
    assert response.status_code in (302, 403)
    assert not WarningListEntry.objects.filter(value="+998901112233").exists()


def test_a_new_bin_range_added_in_the_admin_makes_a_number_a_card_at_once_and_is_audited(
    country_admin, world
):
    client, user = country_admin
    before = report_submitted(
        data=report_input(world.mahalla_a1, narrative=f"Pul {UNKNOWN_SCHEME_NUMBER} kartasiga ketdi"),
        address="a",
    )
    assert not before.indicator_links.filter(indicator__kind="card").exists()
    response = client.post(
        "/admin/cyber/cardrange/add/",
        {"prefix_from": "777000", "prefix_to": "777099", "scheme": "TestPay", "country": "UZ", "note": ""},
    )
    assert response.status_code == 302
    after = report_submitted(
        data=report_input(world.mahalla_a2, narrative=f"Pul {UNKNOWN_SCHEME_NUMBER} kartasiga ketdi"),
        address="b",
    )
    card = after.indicator_links.get(indicator__kind="card").indicator
    assert card.display == "777000******7890"
    event = AuditEvent.objects.get(action="create", object_type="cyber.cardrange")
    assert event.actor == user and event.details["via"] == "admin"


def test_a_card_range_out_of_order_is_refused_naming_the_field_and_nothing_is_stored(country_admin):
    client, _ = country_admin
    count = CardRange.objects.count()
    response = client.post(
        "/admin/cyber/cardrange/add/",
        {"prefix_from": "777099", "prefix_to": "777000", "scheme": "TestPay", "country": "", "note": ""},
    )
    assert response.status_code == 200
    assert "prefix_to" in response.context["adminform"].form.errors
    response = client.post(
        "/admin/cyber/cardrange/add/",
        {"prefix_from": "77", "prefix_to": "777000", "scheme": "TestPay", "country": "", "note": ""},
    )
    assert "prefix_from" in response.context["adminform"].form.errors
    assert CardRange.objects.count() == count


def test_a_phone_put_on_the_warning_list_stops_linking_reports_already_stored(country_admin, world):
    client, _ = country_admin
    narrative = "Qo'ng'iroq +998 90 777 12 34 raqamidan bo'ldi"
    first = report_submitted(data=report_input(world.mahalla_a1, narrative=narrative), address="a")
    indicator = first.indicator_links.get(indicator__kind="phone").indicator
    assert indicator.warning is False
    response = client.post(
        "/admin/cyber/warninglistentry/add/",
        {"kind": "phone", "value": "+998907771234", "reason": "the bank's new hotline"},
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.warning is True
    second = report_submitted(data=report_input(world.mahalla_b1, narrative=narrative), address="b")
    assert second.indicator_links.get(indicator__kind="phone").indicator.warning is True
    entry = WarningListEntry.objects.get(value="+998907771234")
    response = client.post(f"/admin/cyber/warninglistentry/{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.warning is False
    assert AuditEvent.objects.filter(action="delete", object_type="cyber.warninglistentry").exists()


def test_a_warning_list_phone_in_another_form_is_refused(country_admin):
    client, _ = country_admin
    response = client.post(
        "/admin/cyber/warninglistentry/add/", {"kind": "phone", "value": "90 777 12 34", "reason": ""}
    )
    assert response.status_code == 200
    assert "value" in response.context["adminform"].form.errors
    assert not WarningListEntry.objects.filter(reason="", kind="phone").exists()


def test_classifier_versions_are_read_only_and_tokens_are_never_shown(country_admin, world):
    client, _ = country_admin
    assert client.get("/admin/cyber/classifierversion/add/").status_code == 403
    world.bank.token_hash = "f" * 64
    world.bank.save()
    page = client.get(f"/admin/cyber/organisation/{world.bank.pk}/change/")
    assert page.status_code == 200
    assert b"token_hash" not in page.content and b"f" * 64 not in page.content
    assert Organisation.objects.get(pk=world.bank.pk).token_hash == "f" * 64
    assert ClassifierVersion.objects.count() == 0

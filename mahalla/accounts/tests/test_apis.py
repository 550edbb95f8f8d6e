"""Accounts API: tokens (obtain, use, expire, revoke), who am I, account management."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from mahalla.accounts.models import User
from mahalla.audit.models import AuditEvent
from mahalla.core.roles import Role, ScopeLevel

from .factories import PASSWORD, UserFactory, territory_model

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


def test_a_token_is_obtained_with_the_password_and_then_authenticates_api_calls():
    user = UserFactory(username="karim", role=Role.INVESTIGATOR)
    client = APIClient()
    response = client.post("/api/auth/token/", {"username": "karim", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert Token.objects.get(user=user).key == body["token"]
    assert AuditEvent.objects.filter(action="login", actor=user).exists()
    me = client.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert me.status_code == 200
    assert me.json()["username"] == "karim"
    assert me.json()["can_read_offence_records"] is True
    assert me.json()["can_search_audit_log"] is False


def test_a_wrong_password_gets_no_token():
    UserFactory(username="karim")
    response = APIClient().post("/api/auth/token/", {"username": "karim", "password": "nope"}, format="json")
    assert response.status_code == 401
    assert response.json()["message"] == "Wrong username or password."
    assert not Token.objects.exists()


def test_an_inactive_account_gets_no_token_and_its_old_token_stops_working():
    user = UserFactory(username="karim")
    token = Token.objects.create(user=user)
    user.is_active = False
    user.save()
    client = APIClient()
    assert client.post("/api/auth/token/", {"username": "karim", "password": PASSWORD}).status_code == 401
    assert client.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code in (401, 403)


@override_settings(TOKEN_SECONDS=3600)
def test_a_token_expires_after_its_lifetime_and_a_new_one_is_issued():
    user = UserFactory(username="karim")
    old = Token.objects.create(user=user)
    Token.objects.filter(pk=old.pk).update(created=timezone.now() - dt.timedelta(seconds=3601))
    client = APIClient()
    expired = client.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Token {old.key}")
    # 403 rather than 401: session authentication comes first and offers no WWW-Authenticate challenge.
    assert expired.status_code == 403
    assert "expired" in expired.json()["message"]
    fresh = client.post("/api/auth/token/", {"username": "karim", "password": PASSWORD}).json()["token"]
    assert fresh != old.key
    assert client.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Token {fresh}").status_code == 200


def test_a_token_can_be_revoked_by_its_owner():
    user = UserFactory()
    token = Token.objects.create(user=user)
    client = APIClient()
    assert client.post("/api/auth/token/revoke/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 204
    assert client.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 403


def test_an_administrator_creates_changes_and_deactivates_an_account_through_the_api():
    admin = UserFactory(role=Role.ADMINISTRATOR, scope_level=ScopeLevel.COUNTRY)
    client = APIClient()
    client.force_login(admin)
    created = client.post(
        "/api/auth/users/",
        {
            "username": "inspector.olot",
            "password": "a long and unusual passphrase 7",
            "role": "district_chief",
            "scope_level": "district",
            "scope_district": "1706204",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["scope_district"] == {"code": "1706204", "name_uz": "Olot tumani"}
    user_id = created.json()["id"]
    changed = client.post(
        f"/api/auth/users/{user_id}/scope/",
        {"role": "regional_chief", "scope_level": "region", "scope_region": "1703"},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    user = User.objects.get(pk=user_id)
    assert (user.role, user.scope_region, user.scope_district) == (
        "regional_chief",
        territory_model("scope_region").objects.get(code="1703"),
        None,
    )
    assert client.post(f"/api/auth/users/{user_id}/deactivate/").status_code == 200
    user.refresh_from_db()
    assert not user.is_active


def test_an_unknown_territory_code_is_a_400_naming_the_field():
    admin = UserFactory(role=Role.ADMINISTRATOR, scope_level=ScopeLevel.COUNTRY)
    client = APIClient()
    client.force_login(admin)
    response = client.post(
        "/api/auth/users/",
        {"username": "x", "role": "district_chief", "scope_level": "district", "scope_district": "9999999"},
        format="json",
    )
    assert response.status_code == 400
    assert "scope_district" in response.json()["extra"]["fields"]


@pytest.mark.parametrize("role", [role for role in Role.values if role != Role.ADMINISTRATOR])
def test_account_management_is_forbidden_to_every_other_role(role):
    actor = UserFactory(role=role, scope_level=ScopeLevel.COUNTRY)
    target = UserFactory()
    client = APIClient()
    client.force_login(actor)
    payload = {"username": "x", "role": "national_analyst", "scope_level": "country"}
    assert client.post("/api/auth/users/", payload, format="json").status_code == 403
    assert client.post(f"/api/auth/users/{target.pk}/deactivate/").status_code == 403
    target.refresh_from_db()
    assert target.is_active


def test_a_regional_administrator_gets_404_for_an_account_of_another_region():
    andijon = territory_model("scope_region").objects.get(code="1703")
    admin = UserFactory(role=Role.ADMINISTRATOR, scope_level=ScopeLevel.REGION, scope_region=andijon)
    other = UserFactory(
        role=Role.DISTRICT_CHIEF,
        scope_level=ScopeLevel.DISTRICT,
        scope_district=territory_model("scope_district").objects.get(code="1706204"),
    )
    client = APIClient()
    client.force_login(admin)
    assert client.post(f"/api/auth/users/{other.pk}/deactivate/").status_code == 404

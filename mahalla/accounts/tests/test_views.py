"""Sign-in pages, session expiry, CSRF on session-authenticated API writes, and the security headers."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from mahalla.audit.models import AuditEvent
from mahalla.core.roles import Role, ScopeLevel

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_USER = {"username": "new.analyst", "role": "national_analyst", "scope_level": "country"}


def test_the_login_page_extends_the_base_and_loads_nothing_from_outside():
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<html lang="' in html
    references = re.findall(r"""(?:src|href|action)\s*=\s*["']([^"']*)["']""", html)
    assert [ref for ref in references if re.match(r"^(https?:)?//", ref)] == []


def test_signing_in_and_out_is_audited():
    user = UserFactory(username="karim")
    client = Client()
    response = client.post("/accounts/login/", {"username": "karim", "password": PASSWORD})
    assert response.status_code == 302
    assert client.post("/accounts/logout/").status_code == 302
    assert list(AuditEvent.objects.order_by("id").values_list("action", "actor")) == [
        ("login", user.pk),
        ("logout", user.pk),
    ]


def test_sessions_are_configured_to_expire():
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_activity_pushes_the_session_expiry_forward():
    # The age counts from the last activity, not from sign-in, whichever way the session gets refreshed.
    client = APIClient()
    client.force_login(UserFactory())
    Session.objects.update(expire_date=timezone.now() + dt.timedelta(seconds=60))
    assert client.get("/api/auth/me/").status_code == 200
    remaining = Session.objects.get().expire_date - timezone.now()
    assert remaining > dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 120)


def test_an_expired_session_is_signed_out():
    user = UserFactory()
    client = APIClient()
    client.force_login(user)
    assert client.get("/api/auth/me/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/api/auth/me/").status_code == 403


def test_a_session_authenticated_api_write_without_a_csrf_token_is_refused():
    admin = UserFactory(role=Role.ADMINISTRATOR, scope_level=ScopeLevel.COUNTRY)
    client = APIClient(enforce_csrf_checks=True)
    client.get("/accounts/login/")  # sets the CSRF cookie, as a browser's first page does
    client.force_login(admin)
    refused = client.post("/api/auth/users/", NEW_USER, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["message"]
    # With the token from the CSRF cookie the same write goes through.
    accepted = client.post(
        "/api/auth/users/", NEW_USER, format="json", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value
    )
    assert accepted.status_code == 201, accepted.content


def test_a_token_authenticated_api_write_needs_no_csrf_token():
    admin = UserFactory(role=Role.ADMINISTRATOR, scope_level=ScopeLevel.COUNTRY)
    token = Token.objects.create(user=admin)
    client = APIClient(enforce_csrf_checks=True)
    response = client.post(
        "/api/auth/users/", NEW_USER, format="json", HTTP_AUTHORIZATION=f"Token {token.key}"
    )
    assert response.status_code == 201


def test_security_headers_are_set_on_every_response():
    response = Client().get("/accounts/login/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_responses_to_a_signed_in_user_are_not_stored_in_caches():
    client = APIClient()
    client.force_login(UserFactory())
    response = client.get("/api/auth/me/")
    assert response.headers["Cache-Control"] == "no-store"

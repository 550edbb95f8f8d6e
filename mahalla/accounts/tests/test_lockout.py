"""Lock-out after repeated failed sign-ins, per username and per address, on every door: the sign-in
page, Django's authenticate() (admin) and the API token endpoint."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from mahalla.accounts.models import LoginFailure
from mahalla.accounts.selectors import login_locked_until
from mahalla.audit.models import AuditEvent

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle():
    # The token endpoint's rate limit lives in the cache; each test starts with none used.
    cache.clear()


def sign_in(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_wrong_passwords_lock_the_account_and_the_page_says_so():
    user = UserFactory(username="karim")
    client = Client()
    for _ in range(5):
        response = sign_in(client, "karim", "wrong password")
        assert response.status_code == 200
        assert "Wrong username or password" in response.content.decode()
    response = sign_in(client, "karim", PASSWORD)
    assert response.status_code == 200
    assert "Too many failed sign-ins. Try again in 15 minutes." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.filter(username="karim").count() == 5
    assert user.last_login is None


def test_four_wrong_passwords_do_not_lock_and_a_success_clears_the_count():
    UserFactory(username="karim")
    client = Client()
    for _ in range(4):
        sign_in(client, "karim", "wrong password")
    response = sign_in(client, "karim", PASSWORD)
    assert response.status_code == 302
    assert not LoginFailure.objects.filter(username="karim").exists()


def test_the_lock_counts_the_username_in_any_letter_case():
    UserFactory(username="karim")
    client = Client()
    for spelling in ("Karim", "KARIM", "karim", "kArim", "KarIm"):
        sign_in(client, spelling, "wrong password")
    assert login_locked_until(username="karim", ip_address=None) is not None


def test_the_lock_ends_when_the_failures_are_older_than_the_lockout_window():
    UserFactory(username="karim")
    client = Client()
    for _ in range(5):
        sign_in(client, "karim", "wrong password")
    until = login_locked_until(username="karim", ip_address=None)
    assert until is not None
    assert dt.timedelta(minutes=14) < until - timezone.now() <= dt.timedelta(minutes=15)
    # Sixteen minutes later: the oldest failures have left the 15-minute window.
    LoginFailure.objects.update(at=timezone.now() - dt.timedelta(minutes=16))
    assert sign_in(client, "karim", PASSWORD).status_code == 302


def test_attempts_while_locked_are_audited_but_do_not_extend_the_lock():
    UserFactory(username="karim")
    client = Client()
    for _ in range(5):
        sign_in(client, "karim", "wrong password")
    for _ in range(3):
        sign_in(client, "karim", "wrong password")
    assert LoginFailure.objects.filter(username="karim").count() == 5
    assert AuditEvent.objects.filter(action="login_failed").count() >= 5


@override_settings(LOGIN_FAILURE_LIMIT_PER_ADDRESS=3)
def test_many_usernames_tried_from_one_address_lock_that_address_only():
    UserFactory(username="karim")
    client = Client()
    for username in ("aziz", "bobur", "dilnoza"):
        sign_in(client, username, "guess", address="203.0.113.9")
    locked = sign_in(client, "karim", PASSWORD, address="203.0.113.9")
    assert "Too many failed sign-ins" in locked.content.decode()
    assert sign_in(client, "karim", PASSWORD, address="198.51.100.7").status_code == 302


def test_authenticate_itself_refuses_a_locked_account_so_the_admin_is_covered_too():
    user = UserFactory(username="karim")
    request = RequestFactory().post("/admin/login/", REMOTE_ADDR="10.0.0.1")
    for _ in range(5):
        assert authenticate(request, username="karim", password="wrong") is None
    assert authenticate(request, username="karim", password=PASSWORD) is None
    user.refresh_from_db()
    assert user.is_active


def test_the_token_endpoint_counts_failures_and_refuses_a_locked_account():
    UserFactory(username="karim")
    client = Client()
    for _ in range(5):
        response = client.post("/api/auth/token/", {"username": "karim", "password": "wrong"})
        assert response.status_code == 401
    response = client.post("/api/auth/token/", {"username": "karim", "password": PASSWORD})
    assert response.status_code == 403
    assert response.json()["message"] == "Too many failed sign-ins. Try again later."
    assert "locked_until" in response.json()["extra"]


def test_the_token_endpoint_is_rate_limited():
    client = Client()
    statuses = [
        client.post(
            "/api/auth/token/", {"username": f"u{i}", "password": "x"}, REMOTE_ADDR="10.9.9.9"
        ).status_code
        for i in range(11)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429

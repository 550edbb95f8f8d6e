"""Single sign-on: the real mozilla-django-oidc code flow against a mocked provider (no provider runs
here). The ID token is a genuine HS256 JWT, so signature and nonce checks are exercised."""

from __future__ import annotations

from unittest import mock

import jwt
import pytest
from django.core.exceptions import SuspiciousOperation
from django.test import RequestFactory, override_settings

from mahalla.accounts.models import User
from mahalla.accounts.oidc import MahallaOIDCBackend
from mahalla.audit.models import AuditEvent
from mahalla.core.roles import Role, ScopeLevel

from .factories import UserFactory

pytestmark = pytest.mark.django_db

SECRET = "shared-client-secret-for-the-tests-only"
OIDC_SETTINGS = {
    "ROOT_URLCONF": "mahalla.accounts.tests.oidc_urls",
    "OIDC_RP_CLIENT_ID": "mahalla",
    "OIDC_RP_CLIENT_SECRET": SECRET,
    "OIDC_RP_SIGN_ALGO": "HS256",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://sso.example.test/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://sso.example.test/token",
    "OIDC_OP_USER_ENDPOINT": "https://sso.example.test/userinfo",
}


class FakeResponse:
    def __init__(self, body: dict) -> None:
        self.body = body
        self.status_code = 200
        self.headers = {"content-type": "application/json"}

    def json(self) -> dict:
        return self.body

    def raise_for_status(self) -> None:
        return None


def sign_on(claims: dict, *, key: str = SECRET, nonce: str = "n-1", token_nonce: str = "n-1"):  # noqa: S107
    """Run the backend's authenticate() for a callback carrying a code, with the provider mocked."""
    id_token = jwt.encode({"sub": claims.get("sub", "x"), "nonce": token_nonce}, key, algorithm="HS256")
    request = RequestFactory().get("/oidc/callback/", {"code": "auth-code", "state": "s"})
    request.session = {}
    with (
        mock.patch("mozilla_django_oidc.auth.requests.post") as token_endpoint,
        mock.patch("mozilla_django_oidc.auth.requests.get") as userinfo_endpoint,
    ):
        token_endpoint.return_value = FakeResponse({"id_token": id_token, "access_token": "at-1"})
        userinfo_endpoint.return_value = FakeResponse(claims)
        user = MahallaOIDCBackend().authenticate(request, nonce=nonce)
    posted = token_endpoint.call_args.kwargs["data"]
    assert posted["code"] == "auth-code"
    assert posted["client_id"] == "mahalla"
    return user


@override_settings(**OIDC_SETTINGS)
def test_a_first_sign_on_creates_an_account_with_no_role_and_no_scope_that_sees_nothing():
    user = sign_on(
        {"sub": "abc", "preferred_username": "dilnoza", "email": "d@example.test", "given_name": "Dilnoza"}
    )
    assert user is not None
    assert (user.username, user.email, user.first_name, user.role, user.scope_level) == (
        "dilnoza",
        "d@example.test",
        "Dilnoza",
        "",
        "",
    )
    assert not user.has_usable_password()
    # An empty role sees nothing: territory/tests/test_access.py checks that for territory_filter_for.
    event = AuditEvent.objects.get(action="create")
    assert event.details["via"] == "single sign-on"


@override_settings(**OIDC_SETTINGS)
def test_a_known_user_keeps_role_and_scope_and_gets_fresh_names():
    existing = UserFactory(
        username="dilnoza", sign_on_subject="abc", role=Role.DISTRICT_CHIEF, scope_level=ScopeLevel.COUNTRY
    )
    user = sign_on(
        {"sub": "abc", "preferred_username": "dilnoza", "family_name": "Karimova", "role": "administrator"}
    )
    assert user == existing
    user.refresh_from_db()
    assert (user.role, user.scope_level, user.last_name) == ("district_chief", "country", "Karimova")
    assert User.objects.count() == 1


@override_settings(**OIDC_SETTINGS)
def test_a_deactivated_account_cannot_sign_on():
    UserFactory(username="dilnoza", sign_on_subject="abc", is_active=False)
    assert sign_on({"sub": "abc", "preferred_username": "dilnoza"}) is None


@override_settings(**OIDC_SETTINGS)
def test_a_token_signed_with_another_key_or_nonce_is_rejected():
    with pytest.raises(SuspiciousOperation):
        sign_on({"sub": "abc", "preferred_username": "mallory"}, key="not-the-secret-but-long-enough-key")
    with pytest.raises(SuspiciousOperation):
        sign_on({"sub": "abc", "preferred_username": "mallory"}, token_nonce="replayed")
    assert not User.objects.filter(username="mallory").exists()


@override_settings(**OIDC_SETTINGS)
def test_claims_without_a_username_create_nobody():
    assert sign_on({"email": "x@example.test"}) is None
    assert not User.objects.exists()


@override_settings(**OIDC_SETTINGS)
def test_a_chosen_username_never_takes_over_an_existing_account():
    """Issue 9: matching was on preferred_username, which some providers let people choose."""
    chief = UserFactory(username="dilnoza", role=Role.DISTRICT_CHIEF, scope_level=ScopeLevel.COUNTRY)
    user = sign_on({"sub": "someone-else", "preferred_username": "dilnoza"})
    assert user is not None and user != chief
    assert (user.role, user.scope_level, user.sign_on_subject) == ("", "", "someone-else")
    assert user.username != "dilnoza"
    again = sign_on({"sub": "someone-else", "preferred_username": "another-name"})
    assert again == user

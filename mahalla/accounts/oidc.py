"""Single sign-on through OpenID Connect (mozilla-django-oidc), enabled by MAHALLA_OIDC_ENABLED.

The identity provider says who a person is, never what they may see: a first sign-on creates an account
with no role and no scope (it sees nothing) until an administrator grants access; later sign-ons refresh
names and e-mail only. Accounts are matched by the provider's stable subject (claim ``sub``, stored in
``User.sign_on_subject``), never by username (some providers let people choose ``preferred_username``) nor
by e-mail (addresses get reassigned). An existing local account is linked to a subject by an administrator
(the admin's account form), never by a name that happens to match.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .models import User
from .services import USERNAME_PATTERN, user_create_from_sign_on


def subject_from_claims(claims: dict[str, Any]) -> str:
    return str(claims.get("sub") or "")[:255]


def username_from_claims(claims: dict[str, Any]) -> str:
    """A free username for a new account: the provider's preferred one when nobody holds it, else one
    made from the subject (a chosen name never takes over another account)."""
    wanted = str(claims.get("preferred_username") or "")[:150]
    if (
        wanted
        and USERNAME_PATTERN.fullmatch(wanted)
        and not User.objects.filter(username__iexact=wanted).exists()
    ):
        return wanted
    import hashlib

    return f"sso-{hashlib.sha256(subject_from_claims(claims).encode()).hexdigest()[:16]}"


class MahallaOIDCBackend(OIDCAuthenticationBackend):
    def verify_claims(self, claims: dict[str, Any]) -> bool:
        # The stable subject is all we need; the mozilla default would insist on an e-mail address.
        return bool(subject_from_claims(claims))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[User]:
        subject = subject_from_claims(claims)
        if not subject:
            return User.objects.none()
        return User.objects.filter(sign_on_subject=subject)

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User | None:
        user = super().get_or_create_user(access_token, id_token, payload)
        # A deactivated account stays closed whatever the provider says.
        if user is not None and not user.is_active:
            return None
        return user

    def create_user(self, claims: dict[str, Any]) -> User:
        return user_create_from_sign_on(
            username=username_from_claims(claims),
            subject=subject_from_claims(claims),
            email=str(claims.get("email", ""))[:254],
            first_name=str(claims.get("given_name", ""))[:150],
            last_name=str(claims.get("family_name", ""))[:150],
        )

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        # Names and e-mail follow the provider; role and scope never do.
        user.email = str(claims.get("email", user.email))[:254]
        user.first_name = str(claims.get("given_name", user.first_name))[:150]
        user.last_name = str(claims.get("family_name", user.last_name))[:150]
        user.save(update_fields=["email", "first_name", "last_name"])
        return user

"""Single sign-on through OpenID Connect (mozilla-django-oidc), enabled by MAHALLA_OIDC_ENABLED.

The identity provider says who a person is, never what they may see: a first sign-on creates an account
with no role and no scope (it sees nothing) until an administrator grants access; later sign-ons refresh
names and e-mail only. Accounts are matched by username (claim ``preferred_username``, falling back to
``sub``), not by e-mail, because e-mail addresses get reassigned.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .models import User
from .services import user_create_from_sign_on


def username_from_claims(claims: dict[str, Any]) -> str:
    return str(claims.get("preferred_username") or claims.get("sub") or "")[:150]


class MahallaOIDCBackend(OIDCAuthenticationBackend):
    def verify_claims(self, claims: dict[str, Any]) -> bool:
        # A usable username is all we need; the mozilla default would insist on an e-mail address.
        return bool(username_from_claims(claims))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[User]:
        username = username_from_claims(claims)
        if not username:
            return User.objects.none()
        return User.objects.filter(username=username)

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User | None:
        user = super().get_or_create_user(access_token, id_token, payload)
        # A deactivated account stays closed whatever the provider says.
        if user is not None and not user.is_active:
            return None
        return user

    def create_user(self, claims: dict[str, Any]) -> User:
        return user_create_from_sign_on(
            username=username_from_claims(claims),
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

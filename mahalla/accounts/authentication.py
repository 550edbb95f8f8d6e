"""API tokens that expire like sessions do: a token older than MAHALLA_TOKEN_SECONDS (default: the session
age) is refused and must be obtained again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def token_lifetime() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "TOKEN_SECONDS", settings.SESSION_COOKIE_AGE)))


def token_expires_at(token: Token) -> dt.datetime:
    return token.created + token_lifetime()


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if token_expires_at(token) <= timezone.now():
            raise exceptions.AuthenticationFailed(_("The token has expired; obtain a new one."))
        return user, token

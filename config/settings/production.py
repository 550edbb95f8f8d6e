"""Production: PostgreSQL and Redis required, secrets from the environment, HTTPS-only cookies."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CYBER_CARD_HASH_KEY, DATABASE_URL, REDIS_URL, SECRET_KEY, env_bool

# Django's own rule for --deploy (security.W009): at least 50 characters and 5 distinct ones. A short or
# guessable secret lets anyone forge sessions, password-reset links and the audit chain's key.
SECRET_KEY_MIN_LENGTH = 50
if not SECRET_KEY:
    raise ImproperlyConfigured("MAHALLA_SECRET_KEY must be set in production")
if (
    len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH
    or len(set(SECRET_KEY)) < 5
    or SECRET_KEY.startswith("django-insecure-")
):
    raise ImproperlyConfigured(
        f"MAHALLA_SECRET_KEY is too weak: it needs at least {SECRET_KEY_MIN_LENGTH} characters, 5 of them "
        "different (python -c 'import secrets; print(secrets.token_urlsafe(64))')"
    )
if not CYBER_CARD_HASH_KEY:
    raise ImproperlyConfigured(
        "MAHALLA_CYBER_CARD_HASH_KEY must be set in production (card numbers are matched by it)"
    )
if not DATABASE_URL:
    raise ImproperlyConfigured("DATABASE_URL must name the production PostgreSQL database")
if not REDIS_URL:
    raise ImproperlyConfigured("MAHALLA_REDIS_URL must name the Redis server of the task queue")

DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("MAHALLA_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("MAHALLA_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

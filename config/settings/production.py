"""Production: PostgreSQL and Redis required, secrets from the environment, HTTPS-only cookies."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CYBER_CARD_HASH_KEY, DATABASE_URL, REDIS_URL, SECRET_KEY, env_bool

if not SECRET_KEY:
    raise ImproperlyConfigured("MAHALLA_SECRET_KEY must be set in production")
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

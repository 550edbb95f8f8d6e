"""The embedded demo and a developer's machine: SQLite under var/, a generated local secret. DEBUG is off
unless asked for (MAHALLA_DEBUG=true): a demo reachable from a network must not show tracebacks and
settings. Static files are served by WhiteNoise from the apps (WHITENOISE_USE_FINDERS) either way."""

from __future__ import annotations

import secrets

from .base import *  # noqa: F403
from .base import SECRET_KEY, VAR_DIR, env_bool

DEBUG = env_bool("MAHALLA_DEBUG", False)
VAR_DIR.mkdir(parents=True, exist_ok=True)
if not SECRET_KEY:
    # Never in the repository: a random key is made once per machine and kept under var/.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text().strip()

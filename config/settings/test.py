"""The test suite: fast hashing, tasks run inline, a throwaway var/ directory."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, HUEY

SECRET_KEY = "test-only-not-a-secret"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {**HUEY, "immediate": True}
# In memory, per test process: nothing is left behind between runs.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests assert messages in English, the source language; mahalla/accounts/tests/test_languages.py checks the
# Uzbek and Russian catalogues. (The default for users stays Uzbek: base.LANGUAGE_CODE.)
LANGUAGE_CODE = "en"
VAR_DIR = Path(os.environ.get("MAHALLA_TEST_VAR_DIR", tempfile.mkdtemp(prefix="mahalla-test-")))
MEDIA_ROOT = VAR_DIR / "media"
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["NAME"] = str(VAR_DIR / "test.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
# Static files come from the apps through WhiteNoise's finders; an empty collected root keeps it quiet.
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

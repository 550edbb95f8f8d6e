"""The test suite: fast hashing, tasks run inline, a throwaway var/ directory."""

from __future__ import annotations

import atexit
import os
import shutil
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


def _throwaway_var_dir() -> Path:
    """A temporary var/ removed when the process that made it exits. Forked children (the serve tests'
    workers) inherit the exit hook, so it only removes the directory in the process that made it."""
    path = Path(tempfile.mkdtemp(prefix="mahalla-test-"))
    owner = os.getpid()

    def remove() -> None:
        if os.getpid() == owner:
            shutil.rmtree(path, ignore_errors=True)

    atexit.register(remove)
    return path


_given_var_dir = os.environ.get("MAHALLA_TEST_VAR_DIR")
VAR_DIR = Path(_given_var_dir) if _given_var_dir else _throwaway_var_dir()
MEDIA_ROOT = VAR_DIR / "media"
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["NAME"] = str(VAR_DIR / "test.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
# Static files come from the apps through WhiteNoise's finders; an empty collected root keeps it quiet.
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

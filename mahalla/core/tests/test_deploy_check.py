"""`manage.py check --deploy` with the production settings reports nothing but W021 (HSTS preload, a choice
the deployment makes; docs/access.md): drf-spectacular's enum warnings (two names for one choice set, fields
of one name with different choice sets) used to appear there too."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
EXPLAINED = {"security.W021"}


def test_the_deploy_check_of_the_production_settings_reports_only_the_explained_warning():
    key = secrets.token_urlsafe(64)
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process (Playwright); a deployment does not.
    env = {
        **{name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "MAHALLA_SECRET_KEY": key,
        "MAHALLA_CYBER_CARD_HASH_KEY": secrets.token_urlsafe(64),
        # Named only: the check does not connect to either.
        "DATABASE_URL": "postgres://mahalla@127.0.0.1:5432/mahalla",
        "MAHALLA_REDIS_URL": "redis://127.0.0.1:6379/0",
        "MAHALLA_ALLOWED_HOSTS": "127.0.0.1",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = done.stdout + done.stderr
    reported = set(re.findall(r"\(([a-z_]+\.[EW]\d+)\)", output))
    assert reported - EXPLAINED == set(), output
    assert done.returncode == 0, output

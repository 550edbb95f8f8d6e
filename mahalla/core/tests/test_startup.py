"""A server worker starts without the science: loading the URL configuration, as a worker does before its
first answer, imports none of pandas, scipy, scikit-learn or igraph (they cost seconds on a fresh install and
are imported by the functions that use them)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HEAVY = ("pandas", "scipy", "sklearn", "igraph")


def test_loading_the_url_configuration_imports_no_science(tmp_path):
    probe = (
        "import os, sys\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings.local'\n"
        "import django\n"
        "django.setup()\n"
        "import config.urls\n"
        "from django.urls import get_resolver\n"
        "get_resolver().url_patterns\n"
        f"heavy = {HEAVY!r}\n"
        "print('HEAVY', [m for m in heavy if m in sys.modules])\n"
    )
    root = Path(__file__).resolve().parents[3]
    environment = {"MAHALLA_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "HEAVY []" in done.stdout, done.stdout[-400:]

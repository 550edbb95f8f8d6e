"""A server worker starts without the science: loading the URL configuration, as a worker does before its
first answer, imports none of numpy, pandas, scipy, scikit-learn, igraph, shapely, phonenumbers, the importers
or drf-spectacular's schema generator (they cost seconds on a fresh install and are imported by the
functions that use them), nor the clients of a queue or database that is not configured."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HEAVY = (
    "numpy",
    "pandas",
    "scipy",
    "sklearn",
    "igraph",
    "shapely",
    "phonenumbers",
    "mahalla.incidents.importing",
    "drf_spectacular.generators",
    # The schema class: the views' annotations are applied when a schema is generated (core/api_schema.py).
    "drf_spectacular.openapi",
    "django.test",
    # Imported by huey.storage whether used or not; on SQLite without Redis neither is configured.
    "redis",
    "psycopg",
)


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
        # A module marked absent (None in sys.modules) was not imported.
        "print('HEAVY', [m for m in heavy if sys.modules.get(m) is not None])\n"
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

"""A server worker starts without the science and without the API's machinery: loading the URL
configuration and answering the sign-in page, as a worker does before its first answer, imports none of
numpy, pandas, scipy, scikit-learn, igraph, shapely, phonenumbers, the importers, DRF's serializers (and
their optional companions requests, PyYAML and psycopg), drf-spectacular's schema class (and Django's test
framework) or Huey's queue clients: they cost seconds on a fresh install and are imported by the functions
and requests that use them."""

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
    # The API views are built on their first request (core/lazy.py), DRF's template tags on their first
    # {% load %} (core/templates.py): rest_framework.compat imports requests, PyYAML and psycopg.
    "rest_framework.compat",
    "rest_framework.serializers",
    "requests",
    "yaml",
    "psycopg",
    # Huey's app builds its queue client, and huey.storage imports redis and psycopg (run-huey.py).
    "huey",
    "redis",
)


def test_a_worker_s_first_answer_imports_no_science_and_no_api_machinery(tmp_path):
    probe = (
        "import os, sys\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings.local'\n"
        "import django\n"
        "django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from config.wsgi import application\n"
        "from mahalla.core.management.commands.serve import warm_up_pages\n"
        "print('STATUS', warm_up_pages(application, ['/accounts/login/', '/cyber/report/']))\n"
        f"heavy = {HEAVY!r}\n"
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
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "STATUS ['200 OK', '200 OK']" in done.stdout, done.stdout[-400:]
    assert "HEAVY []" in done.stdout, done.stdout[-400:]

"""The demo nation for the nation-scale benchmarks: one environment, one build, one way to call `mahalla`.

Used by the benchmarks that need the whole pipeline (generate + import through the real importers) in a
var directory of their own, on SQLite or on a scratch PostgreSQL database of the local server.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def mahalla(env: dict[str, str], *args: str) -> float:
    """Run the console script in a child process; return its wall time in seconds."""
    started = time.perf_counter()
    subprocess.run([str(ROOT / ".venv" / "bin" / "mahalla"), *args], env=env, check=True, cwd=ROOT)
    return time.perf_counter() - started


def nation_environment(*, var_dir: str, database: str, postgres_database: str) -> dict[str, str]:
    """The child processes' environment: their own var directory, and on PostgreSQL a scratch database
    (created once, kept as a cache of the build)."""
    env = dict(os.environ)
    env.update(
        MAHALLA_VAR_DIR=var_dir,
        DJANGO_SETTINGS_MODULE="config.settings.local",
        MAHALLA_DEBUG="0",
        MAHALLA_LOG_LEVEL="WARNING",
    )
    if database == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [postgres_database]
            ).fetchone()
            if not exists:
                connection.execute(f"CREATE DATABASE {postgres_database}")
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{postgres_database}"
    Path(var_dir).mkdir(parents=True, exist_ok=True)
    return env


# The core of the demo: generated, migrated and imported (territories, offences, officials) without the
# round-2 loads (drug networks, casework registers, cyber reports), which the daily run and the dashboard, map
# and mahalla pages do not read and which took most of an hour under load.
CORE_BUILD = """
import datetime as dt, sys
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from mahalla.demo.services import nation_generate_cached, nation_import
seed, as_of = int(sys.argv[1]), dt.date.fromisoformat(sys.argv[2])
manifest, _ = nation_generate_cached(
    directory=settings.VAR_DIR / "demo" / str(seed), scale="nation", seed=seed, as_of=as_of
)
call_command("migrate", interactive=False, verbosity=0)
print("imported:", nation_import(directory=settings.VAR_DIR / "demo" / str(seed), manifest=manifest))
"""


def nation_build(env: dict[str, str], *, seed: str, as_of: str, core_only: bool = False) -> float:
    """Generate and import the nation (cached in the var directory after the first time); seconds taken.
    core_only: without the round-2 loads (see CORE_BUILD)."""
    if core_only:
        started = time.perf_counter()
        subprocess.run(
            [str(ROOT / ".venv" / "bin" / "python"), "-c", CORE_BUILD, seed, as_of],
            env=env,
            check=True,
            cwd=ROOT,
        )
        return time.perf_counter() - started
    return mahalla(
        env, "demo", "--scale", "nation", "--seed", seed, "--as-of", as_of, "--no-serve", "--no-analyze"
    )


# A demo nation at any scale with the demo accounts, for the benchmarks that sign in or act as a demo role;
# with_cases also loads the casework registers (generate + import + monitoring) and times that step.
SCALED_BUILD = """
import django, datetime as dt, json, time
django.setup()
from django.conf import settings
from django.core.management import call_command
from mahalla.accounts.models import User
from mahalla.demo.services import cases_demo_load, demo_users_create, nation_generate_cached, nation_import

as_of = dt.date.fromisoformat(as_of_text)
directory = settings.VAR_DIR / "demo" / str(seed)
if scale != "nation":
    directory = directory / scale
steps = {}
started = time.perf_counter()
manifest, _generated = nation_generate_cached(directory=directory, scale=scale, seed=seed, as_of=as_of)
steps["generate"] = time.perf_counter() - started
started = time.perf_counter()
call_command("migrate", interactive=False, verbosity=0)
steps["migrate"] = time.perf_counter() - started
started = time.perf_counter()
nation_import(directory=directory, manifest=manifest)
steps["import territories and offences"] = time.perf_counter() - started
started = time.perf_counter()
if not User.objects.filter(username__startswith="demo_").exists():
    demo_users_create()
steps["demo accounts"] = time.perf_counter() - started
loaded, cases_cpu = None, 0.0
if with_cases:
    started, cpu = time.perf_counter(), time.process_time()
    loaded = cases_demo_load(directory=directory, seed=seed, as_of=as_of)
    steps["casework registers (import + monitoring)"] = time.perf_counter() - started
    cases_cpu = time.process_time() - cpu
print(json.dumps({"steps": steps, "cases_cpu": cases_cpu, "directory": str(directory), "loaded": loaded}))
"""


def scaled_build_script(*, as_of: str, seed: int, scale: str, with_cases: bool) -> str:
    """The Python source of a child that builds SCALED_BUILD; it prints one JSON line (steps, directory)."""
    values = f"as_of_text, seed, scale, with_cases = {as_of!r}, {seed!r}, {scale!r}, {with_cases!r}\n"
    return values + SCALED_BUILD

"""Benchmark: the national daily run, from the database to stored results (issue 5: within 2 minutes).

Machine of record: 2 cores, 24 GiB (shared with other work). Builds the synthetic nation (9,000+ mahallas,
three years of offences) with the demo generator and imports it through the real importers into a fresh
SQLite file (`mahalla demo --no-serve --no-analyze`), then times `mahalla analyze --date AS_OF` twice in a
child process (the second run replaces the first, as a re-run does) and prints the steps of the run record.

    .venv/bin/python bench/bench_daily_run.py                      # SQLite under /tmp/mahalla-bench-daily
    .venv/bin/python bench/bench_daily_run.py --database postgres  # a scratch PostgreSQL database

The build is cached in the var directory, so a second invocation only times the analysis. --core-only
builds the nation without the round-2 loads (drug networks, casework, cyber reports: most of an hour under
load), which the daily run does not read; the dashboard, map and mahalla pages of bench_web_load.py do not
need them either.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys

from _nation import ROOT, mahalla, nation_build, nation_environment

TARGET_SECONDS = 120.0
BUDGET_SECONDS = 5.0  # issue 16: the nation's daily run, wall time
PG_BENCH_DB = "mahalla_bench_daily"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_record(env: dict[str, str], date: str) -> dict[str, object]:
    code = (
        "import django, json; django.setup();"
        "from mahalla.analytics.models import DailyRun;"
        f"r = DailyRun.objects.filter(date='{date}', status='done').order_by('-started_at').first();"
        "print(json.dumps({'duration': r.duration_seconds, 'timings': r.timings, 'mahallas': r.mahallas,"
        " 'offences': r.offences_read, 'alerts': r.alerts}))"
    )
    out = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-c", code],
        env=env,
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--var-dir", default="/tmp/mahalla-bench-daily")
    parser.add_argument("--as-of", default="2026-01-01")
    parser.add_argument("--seed", default="2026")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-database", default=PG_BENCH_DB, help="the scratch PostgreSQL database's name")
    parser.add_argument(
        "--core-only",
        action="store_true",
        help="build the nation without the round-2 loads (see _nation.CORE_BUILD); the daily run reads none",
    )
    args = parser.parse_args()

    env = nation_environment(var_dir=args.var_dir, database=args.database, postgres_database=args.pg_database)

    load = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} cores, 24 GiB (shared); database: {args.database}; "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    build = nation_build(env, seed=args.seed, as_of=args.as_of, core_only=args.core_only)
    print(f"build (generate + import, cached after the first time): {build:.1f} s")
    for attempt in ("first run", "re-run (replaces the date)"):
        cpu = children_cpu()
        wall = mahalla(env, "analyze", "--date", args.as_of)
        cpu = children_cpu() - cpu
        record = run_record(env, args.as_of)
        print(
            f"{attempt}: {wall:.1f} s wall for the command (process start included), "
            f"{record['duration']:.1f} s inside the run; {record['mahallas']} mahallas, "
            f"{record['offences']} offences read, {record['alerts']} alerts"
        )
        print("  steps (s): " + ", ".join(f"{k} {v}" for k, v in record["timings"].items()))
        print(f"  CPU of the command (process start included): {cpu:.1f} s")
        print(
            f"  ratio to the 120 s target: {wall / TARGET_SECONDS:.2f}; to the 5 s budget of issue 16: "
            f"{record['duration'] / BUDGET_SECONDS:.2f} inside the run (wall), "
            f"{cpu / BUDGET_SECONDS:.2f} in CPU"
        )
    load = os.getloadavg()
    print(f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()

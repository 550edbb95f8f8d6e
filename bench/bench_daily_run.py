"""Benchmark: the national daily run, `mahalla analyze --date AS_OF`, the figure a user waits for (issue 5:
within 2 minutes; issue 16: the whole command at most 5 s of wall time on a quiet machine, on SQLite and on
PostgreSQL).

Machine of record: 2 cores, 24 GiB (shared with other work). Builds the synthetic nation (9,000+ mahallas,
three years of offences) with the demo generator and imports it through the real importers
(`mahalla demo --no-serve --no-analyze`, or --core-only), then times the command in a child process, process
start included, `--rounds` times. With --baseline ROOT (default: the main checkout, /work/main, with its own
installed .venv) every round runs the baseline's command first and this checkout's second on the same
database, so that the ratio is measured under the same load; after each pair the stored results of the date
(9,002 mahalla rows, 224 aggregates, clusters, forecast cells, alerts, the forecast choice) are dumped and
compared (bench/_daily_results.py): the run fails if this checkout stores anything different.

    .venv/bin/python bench/bench_daily_run.py                      # SQLite under /tmp/mahalla-bench-daily
    .venv/bin/python bench/bench_daily_run.py --database postgres  # a scratch PostgreSQL database

Each round replaces the date's results (a re-run), which is what a daily re-run does. The build is cached in
the var directory (--no-build skips it for a copy of a built nation). --core-only builds the nation without
the round-2 loads (drug networks, casework, cyber reports: most of an hour under load), which the daily run
does not read; the dashboard, map and mahalla pages of bench_web_load.py do not need them either.

Figures: wall time of the command; CPU (user + system) of the command's process and its children; the steps
of the run record (inside the run, wall). On PostgreSQL the server's own CPU is not in the client's CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _nation import ROOT, nation_build, nation_environment

TARGET_SECONDS = 120.0
BUDGET_SECONDS = 5.0  # issue 16: the nation's daily run, the whole command, wall time on a quiet machine
PG_BENCH_DB = "mahalla_bench_daily"
RESULTS = Path(__file__).resolve().parent / "_daily_results.py"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def analyze(root: Path, env: dict[str, str], date: str) -> tuple[float, float]:
    """`mahalla analyze --date` of the checkout `root`; (wall, CPU of the child and its children)."""
    cpu = children_cpu()
    started = time.perf_counter()
    subprocess.run(
        [str(root / ".venv" / "bin" / "mahalla"), "analyze", "--date", date],
        env=env,
        check=True,
        cwd=root,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started, children_cpu() - cpu


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


def results_dump(env: dict[str, str], date: str, path: str) -> None:
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), str(RESULTS), "dump", date, path],
        env=env,
        check=True,
        cwd=ROOT,
    )


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


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
    parser.add_argument("--no-build", action="store_true", help="the var directory / database is built")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--without-overlap-too",
        action="store_true",
        help="also time this checkout with MAHALLA_DAILY_RUN_OVERLAP=0 (its steps one after another)",
    )
    parser.add_argument(
        "--baseline",
        default="/work/main",
        help="another checkout with its .venv, timed in the same rounds and compared ('' for none)",
    )
    args = parser.parse_args()

    env = nation_environment(var_dir=args.var_dir, database=args.database, postgres_database=args.pg_database)
    print(f"machine: {os.cpu_count()} cores, 24 GiB, shared; database {args.database}; load average {load()}")
    if not args.no_build:
        build = nation_build(env, seed=args.seed, as_of=args.as_of, core_only=args.core_only)
        print(f"build (generate + import, cached after the first time): {build:.1f} s")
    checkouts = [("this checkout", ROOT, env)]
    if args.without_overlap_too:
        checkouts.append(("this checkout, no overlap", ROOT, {**env, "MAHALLA_DAILY_RUN_OVERLAP": "0"}))
    if args.baseline:
        checkouts.insert(0, ("baseline", Path(args.baseline), env))
    walls: dict[str, list[float]] = {name: [] for name, _root, _env in checkouts}
    cpus: dict[str, list[float]] = {name: [] for name, _root, _env in checkouts}
    identical = True
    with tempfile.TemporaryDirectory(prefix="bench-daily-") as scratch:
        for round_number in range(1, args.rounds + 1):
            dumps = []
            for name, root, variant in checkouts:
                wall, cpu = analyze(root, variant, args.as_of)
                record = run_record(env, args.as_of)
                walls[name].append(wall)
                cpus[name].append(cpu)
                print(
                    f"round {round_number}, {name} ({root}): {wall:.2f} s wall for the command, "
                    f"{cpu:.2f} s CPU; {record['duration']:.2f} s inside the run; {record['mahallas']} "
                    f"mahallas, {record['offences']} offences read, {record['alerts']} alerts; load {load()}"
                )
                print("  steps (s): " + ", ".join(f"{k} {v}" for k, v in record["timings"].items()))
                if len(checkouts) > 1:
                    dumps.append(os.path.join(scratch, f"{round_number}-{len(dumps)}.json"))
                    results_dump(env, args.as_of, dumps[-1])
            for (name, _root, _env), dumped in zip(checkouts[1:], dumps[1:], strict=True):
                print(f"  stored results, {name} against {checkouts[0][0]}:")
                python = str(ROOT / ".venv" / "bin" / "python")
                compared = subprocess.run([python, str(RESULTS), "compare", dumps[0], dumped], cwd=ROOT)
                identical = identical and compared.returncode == 0
    print(f"summary ({args.database}, {args.rounds} rounds, load average at the end {load()}):")
    for name, _root, _env in checkouts:
        print(
            f"  {name}: wall {' '.join(f'{w:.2f}' for w in walls[name])} s (median "
            f"{statistics.median(walls[name]):.2f}); CPU {' '.join(f'{c:.2f}' for c in cpus[name])} s; "
            f"median wall / the 5 s budget: {statistics.median(walls[name]) / BUDGET_SECONDS:.2f}; "
            f"/ the 120 s target: {statistics.median(walls[name]) / TARGET_SECONDS:.3f}"
        )
    if args.baseline:
        wall_ratio = statistics.median(
            [mine / theirs for mine, theirs in zip(walls["this checkout"], walls["baseline"], strict=True)]
        )
        cpu_ratio = statistics.median(
            [mine / theirs for mine, theirs in zip(cpus["this checkout"], cpus["baseline"], strict=True)]
        )
        print(f"  this checkout / baseline, median of the rounds: wall {wall_ratio:.2f}, CPU {cpu_ratio:.2f}")
        print(f"  stored results identical to the baseline's in every round: {identical}")
    print(
        "to re-measure on a quiet machine: .venv/bin/python bench/bench_daily_run.py "
        + " ".join(sys.argv[1:])
    )
    sys.stdout.flush()
    if not identical:
        sys.exit(1)


if __name__ == "__main__":
    main()

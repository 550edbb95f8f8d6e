# ruff: noqa: E501  (the child script reads better unbroken)
"""Benchmark: the casework registers step of `make demo` (issue 12, issue 10's demo time), before and after.

The step generates the persons and registers of the demo nation (`generate_cases`), loads them through the
casework importer (`cases_import`: persons, register entries, reports and orders, supervisions and their
check-in calendars, referrals, household rounds, conclusions) and runs the monitoring of the last day.

Builds once (cached in the var directory) the part of the demo the step needs: the generated nation,
migrations, territories and offences through the real importers, the demo accounts. Then, for each code
tree given (by default this one; ``--baseline /work/main`` adds main's code as the baseline, measured in the
same run against the same database), a child process times each part of the step in CPU (user+sys) and wall
inside one transaction that is rolled back, so every run starts from the same database.

    .venv/bin/python bench/bench_cases_load.py --scale region --baseline /work/main
    .venv/bin/python bench/bench_cases_load.py --scale nation
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from _nation import ROOT, nation_environment, scaled_build_script

CHILD = """
import django, datetime as dt, json, os, resource, shutil, tempfile, time
from pathlib import Path
django.setup()
from django.db import transaction
from mahalla.accounts.models import User
from mahalla.cases.importing import cases_import
from mahalla.cases.models import Person
from mahalla.cases.services import monitoring_run
from mahalla.demo.generator.cases import generate_cases

def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime

def timed(function):
    wall, started = time.perf_counter(), cpu()
    value = function()
    return value, time.perf_counter() - wall, cpu() - started

as_of, seed = dt.date.fromisoformat({as_of!r}), {seed}
source = Path({directory!r})
work = Path(tempfile.mkdtemp(prefix="bench-cases-load-"))
for name in ("territories.csv", "offences.csv"):
    shutil.copy(source / name, work / name)
assert not Person.objects.exists(), "the casework registers are already loaded in this database"
out = {{"load": os.getloadavg()}}
_truth, out["generate_wall"], out["generate_cpu"] = timed(lambda: generate_cases(work, seed=seed, as_of=as_of))
actor = User.objects.filter(username="demo_administrator").first()

class Rollback(Exception):
    pass

try:
    with transaction.atomic():
        counts, out["import_wall"], out["import_cpu"] = timed(lambda: cases_import(work / "cases.json", actor=actor))
        _outcome, out["monitoring_wall"], out["monitoring_cpu"] = timed(lambda: monitoring_run(day=as_of))
        out["counts"] = counts
        raise Rollback
except Rollback:
    pass
shutil.rmtree(work)
out["load_after"] = os.getloadavg()
print(json.dumps(out))
"""


def _child(env: dict[str, str], script: str, code_root: str) -> dict:
    child = subprocess.run(
        [sys.executable, "-c", script],
        env={**env, "PYTHONPATH": code_root},
        cwd=code_root,
        check=False,
        capture_output=True,
        text=True,
    )
    if child.returncode != 0:
        sys.exit(f"the child process failed:\n{child.stderr[-3000:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--var-dir", default=None, help="default /tmp/mahalla-bench-cases-load-<scale>")
    parser.add_argument("--scale", choices=["tiny", "region", "nation"], default="region")
    parser.add_argument("--as-of", default="2026-01-01")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--baseline", default=None, help="a code tree measured first as the baseline")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    var_dir = args.var_dir or f"/tmp/mahalla-bench-cases-load-{args.scale}"
    env = nation_environment(var_dir=var_dir, database="sqlite", postgres_database="unused")
    env["MAHALLA_ALLOWED_HOSTS"] = "localhost,127.0.0.1"
    print(f"machine: {os.cpu_count()} cores, {_load()}; scale {args.scale}", flush=True)
    started = time.perf_counter()
    build = _child(
        env,
        scaled_build_script(as_of=args.as_of, seed=args.seed, scale=args.scale, with_cases=False),
        str(ROOT),
    )
    print(
        f"build (cached after the first run): {time.perf_counter() - started:.0f} s wall; {_load()}",
        flush=True,
    )
    trees = ([("baseline", args.baseline)] if args.baseline else []) + [("this tree", str(ROOT))]
    totals: dict[str, float] = {}
    for _ in range(args.repeat):
        for label, tree in trees:
            out = _child(
                env, CHILD.format(as_of=args.as_of, seed=args.seed, directory=build["directory"]), tree
            )
            parts = ("generate", "import", "monitoring")
            cpu = sum(out[f"{part}_cpu"] for part in parts)
            wall = sum(out[f"{part}_wall"] for part in parts)
            totals[label] = min(totals.get(label, cpu), cpu)
            figures = ", ".join(
                f"{part} {out[f'{part}_cpu']:.1f} s CPU / {out[f'{part}_wall']:.1f} s wall" for part in parts
            )
            print(
                f"{label} ({tree}): step {cpu:.1f} s CPU / {wall:.1f} s wall ({figures}); "
                f"load before {out['load'][0]:.2f}, after {out['load_after'][0]:.2f}; rows {out['counts']}",
                flush=True,
            )
    if args.baseline:
        print(
            f"ratio (baseline CPU / this tree's CPU, best runs): {totals['baseline'] / totals['this tree']:.2f}x"
        )
    print(f"after: {_load()}")


if __name__ == "__main__":
    main()

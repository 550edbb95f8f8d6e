"""Benchmark: proposing the nation's responsible officials for a year (issue 6: within 10 seconds).

Machine of record: 2 cores, 24 GiB (shared with other work). Builds the synthetic nation (9,000+ mahallas,
three years of offences, 65,000 officials) with the demo generator and imports it through the real importers
into a fresh SQLite file (`mahalla demo --no-serve --no-analyze`, which also runs `mahalla import-officials`),
analyses the last day of each of the three years (`mahalla analyze`, so that red streaks have a history),
then times `assignments_propose` for the last year twice in a child process: a dry run (inputs, rules,
engine; nothing stored) and the real run (proposals stored, audited), and prints the counts.

    .venv/bin/python bench/bench_assign_nation.py                      # SQLite, /tmp/mahalla-bench-assign
    .venv/bin/python bench/bench_assign_nation.py --database postgres  # a scratch PostgreSQL database

The build and the analyses are cached in the var directory; proposals are removed before each timing so
that every invocation times a full proposal. The nation has three years of data, so the 5-year rule has
nothing to propose (a streak can be at most 3).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from _nation import ROOT, mahalla, nation_build, nation_environment

TARGET_SECONDS = 10.0
PG_BENCH_DB = "mahalla_bench_assign"

CHILD = """
import django, json, time
django.setup()
from mahalla.officials.models import Assignment, Official
from mahalla.officials.services import assignments_propose
# Each invocation times a full proposal: earlier proposals of the year are removed first (bench database).
Assignment.objects.filter(year={year}).delete()
out = {{"officials_in_database": Official.objects.count()}}
for label, dry in (("dry_run", True), ("stored", False)):
    started = time.perf_counter()
    outcome = assignments_propose(year={year}, dry_run=dry)
    wall = time.perf_counter() - started
    rules = {{}}
    for row in outcome.proposed:
        rules[row["rule"]] = rules.get(row["rule"], 0) + 1
    why = {{}}
    for row in outcome.unassigned:
        why[row["why"]] = why.get(row["why"], 0) + 1
    out[label] = {{"seconds": wall, "steps": outcome.seconds, "demands": outcome.demands,
                  "officials": outcome.officials, "proposed": len(outcome.proposed), "by_rule": rules,
                  "unassigned": len(outcome.unassigned), "why": why, "date": outcome.date.isoformat()}}
out["stored_rows"] = Assignment.objects.filter(year={year}).count()
print(json.dumps(out))
"""


def analysed(env: dict[str, str], date: str) -> bool:
    code = (
        "import django; django.setup();"
        "from mahalla.analytics.models import DailyRun;"
        f"print(DailyRun.objects.filter(date='{date}', status='done').exists())"
    )
    out = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-c", code],
        env=env,
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    return out.stdout.decode().strip().splitlines()[-1] == "True"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--var-dir", default="/tmp/mahalla-bench-assign")
    parser.add_argument("--as-of", default="2026-01-01")
    parser.add_argument("--seed", default="2026")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()

    env = nation_environment(var_dir=args.var_dir, database=args.database, postgres_database=PG_BENCH_DB)

    print(f"machine: {os.cpu_count()} cores, 24 GiB (shared); database: {args.database}")
    build = nation_build(env, seed=args.seed, as_of=args.as_of)
    print(f"build (generate + import incl. officials, cached after the first time): {build:.1f} s")
    last_year = int(args.as_of[:4]) - 1
    for year in (last_year - 2, last_year - 1, last_year):
        date = f"{year}-12-31"
        if analysed(env, date):
            print(f"analysis of {date}: cached")
            continue
        print(f"analysis of {date}: {mahalla(env, 'analyze', '--date', date):.1f} s")

    code = CHILD.format(year=last_year)
    out = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-c", code],
        env=env,
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    result = json.loads(out.stdout.decode().strip().splitlines()[-1])
    print(f"officials in the database: {result['officials_in_database']}")
    for label in ("dry_run", "stored"):
        r = result[label]
        print(
            f"{label}: {r['seconds']:.2f} s for year {last_year} (classes of {r['date']}); "
            f"{r['demands']} demands, {r['officials']} eligible officials, {r['proposed']} proposed, "
            f"{r['unassigned']} without an official"
        )
        print("  steps (s): " + ", ".join(f"{k} {v}" for k, v in r["steps"].items()))
        print("  proposed by rule: " + ", ".join(f"{k} {v}" for k, v in sorted(r["by_rule"].items())))
        print(
            "  unassigned by reason: "
            + (", ".join(f"{k} {v}" for k, v in sorted(r["why"].items())) or "none")
        )
        print(f"  ratio to the {TARGET_SECONDS:.0f} s target: {r['seconds'] / TARGET_SECONDS:.2f}")
    print(f"assignments stored for {last_year}: {result['stored_rows']}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()

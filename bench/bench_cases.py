# ruff: noqa: E501  (the child script and the report lines read better unbroken)
"""Benchmark: casework at the nation's scale (issue 12).

Targets: the daily monitoring of the nation's registers in at most 60 s; the inspector's worklist page at
p95 at most 200 ms with the nation loaded; duplicate detection over all persons in at most 60 s.

Builds the synthetic nation (`mahalla demo --scale nation --no-serve --no-analyze`, which loads the casework
registers through the casework importer: about 2 % of the population listed, orders, supervisions), then in
a child process:

- the monitoring from scratch: inside a transaction that is rolled back, every conclusion and alert is
  removed and every missed check-in reset, then `monitoring_run` regenerates the conclusions of all
  administrative offences and raises every alert (the real daily run does less: only what is new);
- duplicate detection over all persons, with recall and precision against the planted pairs;
- the worklist page of the demo inspector's mahalla and of the busiest mahalla, 200 requests each through
  Django's test client (the whole request: middleware, session, audit of the persons shown, template).

Every time is printed with a baseline measured in the same run (reading every person's id and name; the
login page), the machine size and the load average.

    .venv/bin/python bench/bench_cases.py                      # SQLite, /tmp/mahalla-bench-cases
    .venv/bin/python bench/bench_cases.py --database postgres  # a scratch PostgreSQL database
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from _nation import ROOT, nation_build, nation_environment

PG_BENCH_DB = "mahalla_bench_cases"

CHILD = """
import django, json, time, statistics
django.setup()
from django.db import transaction
from django.db.models import Count
from django.test import Client
from mahalla.accounts.models import User
from mahalla.cases.models import CaseAlert, CheckIn, Conclusion, MonitoringRun, Person, Supervision, ProtectionOrder
from mahalla.cases.selectors import duplicate_candidates
from mahalla.cases.services import monitoring_run
import datetime as dt

as_of = dt.date.fromisoformat({as_of!r})
out = {{"persons": Person.objects.count(), "orders": ProtectionOrder.objects.count(),
        "supervisions": Supervision.objects.count(), "conclusions": Conclusion.objects.count()}}

started = time.perf_counter()
rows = list(Person.objects.values_list("pk", "name_latin"))
out["baseline_read_persons_s"] = time.perf_counter() - started

class Rollback(Exception):
    pass

try:
    with transaction.atomic():
        CaseAlert.objects.all().delete()
        Conclusion.objects.all().delete()
        CheckIn.objects.filter(status="missed").update(status="due")
        Supervision.objects.update(escalated_on=None)
        started = time.perf_counter()
        outcome = monitoring_run(day=as_of)
        out["monitoring_s"] = time.perf_counter() - started
        out["monitoring_conclusions_generated"] = outcome.conclusions_generated
        out["monitoring_alerts"] = {{str(k): v for k, v in outcome.alerts.items()}}
        raise Rollback
except Rollback:
    pass

started = time.perf_counter()
pairs = duplicate_candidates(actor=None)
out["duplicates_s"] = time.perf_counter() - started
truth = json.load(open({truth!r}, encoding="utf-8"))
planted = {{frozenset(p) for p in truth["duplicates"]}}
pinfl = dict(Person.objects.values_list("pk", "pinfl"))
found = {{frozenset((pinfl[p.left_id], pinfl[p.right_id])) for p in pairs}}
hits = len(found & planted)
out["duplicates_planted"] = len(planted)
out["duplicates_found"] = len(found)
out["duplicates_recall"] = hits / len(planted) if planted else None
out["duplicates_precision"] = hits / len(found) if found else None

inspector = User.objects.get(username="demo_preventive_inspector")
demo_mahalla = inspector.scope_mahallas.first()
busiest = (Supervision.objects.values("mahalla__code").annotate(n=Count("pk")).order_by("-n").first() or {{}}).get("mahalla__code")
from mahalla.territory.models import Mahalla
busy_inspector, _ = User.objects.get_or_create(username="bench_cases_inspector", defaults={{"role": "preventive_inspector", "scope_level": "mahallas"}})
busy_inspector.scope_mahallas.set(Mahalla.objects.filter(code=busiest))
client = Client()
def p95(url, user, n=200):
    client.force_login(user)
    client.get(url)
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    times.sort()
    return times[int(0.95 * n) - 1], statistics.median(times)
anonymous = Client()
times = []
for _ in range(200):
    started = time.perf_counter()
    anonymous.get("/accounts/login/")
    times.append(time.perf_counter() - started)
times.sort()
out["baseline_login_page_p95_s"] = times[189]
out["worklist_demo_mahalla"] = demo_mahalla.code
out["worklist_demo_p95_s"], out["worklist_demo_median_s"] = p95(f"/cases/worklist/{{demo_mahalla.code}}/", inspector)
out["worklist_busiest_mahalla"] = busiest
out["worklist_busiest_p95_s"], out["worklist_busiest_median_s"] = p95(f"/cases/worklist/{{busiest}}/", busy_inspector)
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--var-dir", default="/tmp/mahalla-bench-cases")
    parser.add_argument("--as-of", default="2026-01-01")
    parser.add_argument("--seed", default="2026")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    env = nation_environment(var_dir=args.var_dir, database=args.database, postgres_database=PG_BENCH_DB)
    build = nation_build(env, seed=args.seed, as_of=args.as_of)
    truth = os.path.join(args.var_dir, "demo", f"nation-{args.seed}", "truth_cases.json")
    if not os.path.exists(truth):
        candidates = [
            os.path.join(root, "truth_cases.json")
            for root, _d, files in os.walk(args.var_dir)
            if "truth_cases.json" in files
        ]
        truth = candidates[0]
    child = subprocess.run(
        [sys.executable, "-c", CHILD.format(as_of=args.as_of, truth=truth)],
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(child.stdout.strip().splitlines()[-1])
    load = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; database {args.database}"
    )
    print(f"build (cached after the first run): {build:.1f} s")
    print(
        f"registers: {result['persons']:,} persons, {result['orders']:,} orders, {result['supervisions']:,} supervisions, "
        f"{result['conclusions']:,} conclusions"
    )
    base = result["baseline_read_persons_s"]
    print(f"baseline: reading every person's id and name {base:.2f} s")
    print(
        f"monitoring from scratch: {result['monitoring_s']:.1f} s (target 60 s; {result['monitoring_s'] / base:.1f}x the baseline); "
        f"{result['monitoring_conclusions_generated']:,} conclusions generated, alerts {result['monitoring_alerts']}"
    )
    print(
        f"duplicate detection: {result['duplicates_s']:.1f} s (target 60 s; {result['duplicates_s'] / base:.1f}x the baseline); "
        f"planted {result['duplicates_planted']}, found {result['duplicates_found']}, "
        f"recall {result['duplicates_recall']:.3f}, precision {result['duplicates_precision']:.3f}"
    )
    login = result["baseline_login_page_p95_s"]
    for key in ("demo", "busiest"):
        p95 = result[f"worklist_{key}_p95_s"]
        print(
            f"worklist of the {key} mahalla ({result[f'worklist_{key}_mahalla']}): p95 {p95 * 1000:.0f} ms, median "
            f"{result[f'worklist_{key}_median_s'] * 1000:.0f} ms (target p95 200 ms; {p95 / login:.1f}x the login page's p95 "
            f"{login * 1000:.0f} ms)"
        )


if __name__ == "__main__":
    main()

# ruff: noqa: E501  (the child script and the report lines read better unbroken)
"""Benchmark: casework at the nation's scale (issue 12).

Targets: the daily monitoring of the nation's registers in at most 60 s; the inspector's worklist page at
p95 at most 200 ms with the nation loaded; duplicate detection over all persons in at most 60 s.

Builds the part of the synthetic nation that casework needs, through the demo's own steps (generate the nation,
migrate, import territories and offences through the real importers, the demo accounts, then the casework
registers through the casework importer: about 2 % of the population listed, orders, supervisions, household
rounds). The full `mahalla demo` also loads the drug networks and cyber reports, which casework does not read
and which take most of its time on this machine. With ``--scale region`` the same at one region, for the
scaling. Then, in a child process:

- the monitoring from scratch: inside a transaction that is rolled back, every conclusion and alert is
  removed and every missed check-in reset, then `monitoring_run` regenerates the conclusions of all
  administrative offences and raises every alert (the real daily run does less: only what is new);
- duplicate detection over all persons, with recall and precision against the planted pairs;
- the worklist page of the demo inspector's mahalla and of the busiest mahalla, 200 requests each through
  Django's test client (the whole request: middleware, session, audit of the persons shown, template).

Every time is printed with a baseline measured in the same run (reading every person's id and name; the
login page), the machine size and the load average.

    .venv/bin/python bench/bench_cases.py                      # SQLite, /tmp/mahalla-bench-cases-nation
    .venv/bin/python bench/bench_cases.py --database postgres  # a scratch PostgreSQL database
    .venv/bin/python bench/bench_cases.py --scale region       # one region, for the scaling
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

from _nation import ROOT, nation_environment, scaled_build_script

PG_BENCH_DB = "mahalla_bench_cases"

CHILD = """
import django, json, time, statistics
django.setup()
from django.db import transaction
from django.db.models import Count
from django.test import Client
from mahalla.accounts.models import User
from mahalla.cases.models import CaseAlert, CheckIn, Conclusion, HouseholdRound, Person, Supervision, ProtectionOrder
from mahalla.cases.selectors import duplicate_candidates
from mahalla.cases.services import monitoring_run
import datetime as dt

as_of = dt.date.fromisoformat({as_of!r})
repeat = {repeat}
out = {{"persons": Person.objects.count(), "orders": ProtectionOrder.objects.count(),
        "supervisions": Supervision.objects.count(), "conclusions": Conclusion.objects.count(),
        "checkins": CheckIn.objects.count(), "rounds": HouseholdRound.objects.count()}}

def timed(function):
    wall, cpu = time.perf_counter(), time.process_time()
    value = function()
    return value, time.perf_counter() - wall, time.process_time() - cpu

_rows, out["baseline_read_persons_s"], out["baseline_read_persons_cpu_s"] = timed(
    lambda: list(Person.objects.values_list("pk", "name_latin")))

class Rollback(Exception):
    pass

out["monitoring"] = []
for _ in range(repeat):
    try:
        with transaction.atomic():
            CaseAlert.objects.all().delete()
            Conclusion.objects.all().delete()
            CheckIn.objects.filter(status="missed").update(status="due")
            Supervision.objects.update(escalated_on=None)
            outcome, wall, cpu = timed(lambda: monitoring_run(day=as_of))
            out["monitoring"].append((wall, cpu))
            out["monitoring_conclusions_generated"] = outcome.conclusions_generated
            out["monitoring_alerts"] = {{str(k): v for k, v in outcome.alerts.items()}}
            raise Rollback
    except Rollback:
        pass

out["duplicates"] = []
for _ in range(repeat):
    pairs, wall, cpu = timed(lambda: duplicate_candidates(actor=None))
    out["duplicates"].append((wall, cpu))
truth = json.load(open({truth!r}, encoding="utf-8"))
planted = {{frozenset(p) for p in truth["duplicates"]}}
pinfl = dict(Person.objects.values_list("pk", "pinfl"))
found = {{frozenset((pinfl[p.left_id], pinfl[p.right_id])) for p in pairs}}
hits = len(found & planted)
out["duplicates_planted"] = len(planted)
out["duplicates_found"] = len(found)
out["duplicates_hits"] = hits
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
    cpu = time.process_time()
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    cpu = (time.process_time() - cpu) / n
    times.sort()
    return times[int(0.95 * n) - 1], statistics.median(times), cpu, response.content.count(b'data-kind="round"')
anonymous = Client()
times = []
for _ in range(200):
    started = time.perf_counter()
    anonymous.get("/accounts/login/")
    times.append(time.perf_counter() - started)
times.sort()
out["baseline_login_page_p95_s"] = times[189]
out["worklist_demo_mahalla"] = demo_mahalla.code
out["worklist_busiest_mahalla"] = busiest
for key, url, user in (("demo", f"/cases/worklist/{{demo_mahalla.code}}/", inspector),
                       ("busiest", f"/cases/worklist/{{busiest}}/", busy_inspector)):
    out[f"worklist_{{key}}"] = [p95(url, user) for _ in range(repeat)]
print(json.dumps(out))
"""


def _child(env: dict[str, str], script: str) -> tuple[dict, float, float]:
    """Run a script in a child process; its last line of output (JSON), wall time and CPU time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-c", script],
        # Django's test client calls itself "testserver".
        env={**env, "PYTHONPATH": str(ROOT), "MAHALLA_ALLOWED_HOSTS": "localhost,127.0.0.1,testserver"},
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    if child.returncode != 0:
        sys.exit(f"the child process failed:\n{child.stderr[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return json.loads(child.stdout.strip().splitlines()[-1]), wall, cpu


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def _runs(pairs: list[list[float]]) -> str:
    return ", ".join(f"{wall:.1f} s wall / {cpu:.1f} s CPU" for wall, cpu in pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--var-dir", default=None, help="default /tmp/mahalla-bench-cases-<scale>")
    parser.add_argument("--scale", choices=["tiny", "region", "nation"], default="nation")
    parser.add_argument("--as-of", default="2026-01-01")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=3, help="how many times each figure is measured")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    var_dir = args.var_dir or f"/tmp/mahalla-bench-cases-{args.scale}"
    env = nation_environment(
        var_dir=var_dir, database=args.database, postgres_database=f"{PG_BENCH_DB}_{args.scale}"
    )
    print(
        f"machine: {os.cpu_count()} cores, {_load()}; database {args.database}; scale {args.scale}",
        flush=True,
    )
    build, build_wall, build_cpu = _child(
        env, scaled_build_script(as_of=args.as_of, seed=args.seed, scale=args.scale, with_cases=True)
    )
    steps = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in build["steps"].items())
    print(f"build: {build_wall:.0f} s wall, {build_cpu:.0f} s CPU ({steps}); {_load()}", flush=True)
    if build["loaded"] is not None:
        print(
            f"casework registers step (generate + import + monitoring): {build['cases_cpu']:.1f} s CPU "
            f"(target well under 60 s); rows {build['loaded']}",
            flush=True,
        )
    else:
        print("casework registers step: already loaded in this var directory (not measured)", flush=True)
    truth = os.path.join(build["directory"], "truth_cases.json")
    result, child_wall, child_cpu = _child(
        env, CHILD.format(as_of=args.as_of, truth=truth, repeat=args.repeat)
    )
    print(f"measurements: {child_wall:.0f} s wall, {child_cpu:.0f} s CPU in the child; {_load()}")
    print(
        f"registers: {result['persons']:,} persons, {result['orders']:,} orders, {result['supervisions']:,} "
        f"supervisions, {result['checkins']:,} check-ins, {result['conclusions']:,} conclusions, "
        f"{result['rounds']:,} household rounds"
    )
    base, base_cpu = result["baseline_read_persons_s"], result["baseline_read_persons_cpu_s"]
    print(f"baseline: reading every person's id and name {base:.2f} s wall / {base_cpu:.2f} s CPU")
    monitoring = result["monitoring"]
    worst = max(wall for wall, _cpu in monitoring)
    print(
        f"monitoring from scratch (target 60 s): {_runs(monitoring)}; worst {worst:.1f} s = "
        f"{worst / base:.0f}x the baseline; {result['monitoring_conclusions_generated']:,} conclusions "
        f"generated, alerts {result['monitoring_alerts']}"
    )
    duplicates = result["duplicates"]
    worst = max(wall for wall, _cpu in duplicates)
    print(
        f"duplicate detection over all persons (target 60 s): {_runs(duplicates)}; worst {worst:.1f} s = "
        f"{worst / base:.0f}x the baseline; planted {result['duplicates_planted']}, found "
        f"{result['duplicates_found']}, of them planted {result['duplicates_hits']}: recall "
        f"{result['duplicates_recall']:.3f}, precision {result['duplicates_precision']:.3f}"
    )
    login = result["baseline_login_page_p95_s"]
    for key in ("demo", "busiest"):
        runs = result[f"worklist_{key}"]
        figures = "; ".join(
            f"p95 {p95 * 1000:.0f} ms ({p95 / login:.1f}x the login page), median {median * 1000:.0f} ms, "
            f"CPU {cpu * 1000:.0f} ms a request"
            for p95, median, cpu, _rounds in runs
        )
        print(
            f"worklist of the {key} mahalla ({result[f'worklist_{key}_mahalla']}, {runs[0][3]} household "
            f"rounds shown; target p95 200 ms): {figures}; login page p95 {login * 1000:.0f} ms"
        )
    print(f"after: {_load()}")


if __name__ == "__main__":
    main()

"""Benchmark: coordination at nation scale (issue 15): the oversight findings for the whole nation
(at most 60 s), the training needs of all staff of the nation (at most 30 s), an agency inbox page
(p95 at most 200 ms).

Machine of record: 2 cores, 24 GiB (shared with other work; the load average is printed). Builds the
synthetic nation with the demo (`mahalla demo --no-serve --no-analyze`, cached in the var directory; the demo
also creates seven agencies per district and the staff of every mahalla post: about 29,000 people), analyses
the last day (so that the training needs see the crime mix), then in a child process adds a national load of
work - 30 tasks per district (a third past their deadline), 200,000 person-level audit reads of 2,000 users
(some without a purpose, one user at unusual volume) - and times:

- `oversight_run` over the nation (every rule), first run (findings created) and second run (nothing new);
- `training_needs` for every member of staff;
- the inbox page of a district police station with 300 tasks, 200 requests through Django's test client
  (in process: the page's own time, no network), p50 and p95.

Each figure is printed with its budget and the ratio to it.

    .venv/bin/python bench/bench_coordination.py                      # SQLite, in /tmp
    .venv/bin/python bench/bench_coordination.py --database postgres  # a scratch PostgreSQL database
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys

from _nation import ROOT, mahalla, nation_build, nation_environment

PG_BENCH_DB = "mahalla_bench_coordination"

CHILD = r"""
import django, json, random, time, datetime as dt
django.setup()
from django.db import connection
from django.test import Client
from django.utils import timezone
from mahalla.accounts.models import User
from mahalla.audit.models import AuditEvent
from mahalla.coordination.models import Agency, StaffMember, Task, TaskType, OversightFinding
from mahalla.coordination.oversight import oversight_run
from mahalla.coordination.training import training_needs
from mahalla.core.roles import Role, ScopeLevel

rng = random.Random(7)
today = timezone.localdate()
out = {"staff": StaffMember.objects.count(), "agencies": Agency.objects.count()}
OversightFinding.objects.all().delete()
if not Task.objects.filter(number__startswith="B-").exists():
    kinds = list(TaskType.objects.all())
    creator = User.objects.filter(username="demo_administrator").first()
    tasks = []
    agencies = list(Agency.objects.order_by("district_id", "kind"))
    by_district = {}
    for agency in agencies:
        by_district.setdefault(agency.district_id, []).append(agency)
    n = 0
    for district_id, group in by_district.items():
        for i in range(30):
            sender, receiver = rng.sample(group, 2)
            sent = today - dt.timedelta(days=rng.randrange(1, 90))
            deadline = sent + dt.timedelta(days=rng.choice([5, 10, 30, 60, 120]))
            n += 1
            tasks.append(Task(number=f"B-{n:07d}", task_type=rng.choice(kinds), subject="mahalla",
                              from_agency=sender, to_agency=receiver, title=f"Bench task {n}",
                              status=rng.choice(["sent", "accepted", "done", "closed"]), accept_by=sent,
                              deadline=deadline, created_by=creator, region_id=receiver.region_id,
                              district_id=district_id))
    Task.objects.bulk_create(tasks, batch_size=5000)
    readers = list(User.objects.filter(username__startswith="bench_reader_"))
    if not readers:
        for i in range(2000):
            readers.append(User(username=f"bench_reader_{i}", role=Role.INVESTIGATOR,
                                scope_level=ScopeLevel.COUNTRY))
        User.objects.bulk_create(readers, batch_size=2000)
        readers = list(User.objects.filter(username__startswith="bench_reader_"))
    events = []
    for i in range(200_000):
        reader = readers[0] if i % 40 == 0 else rng.choice(readers)
        events.append(AuditEvent(actor=reader, actor_username=reader.username, actor_role=reader.role,
                                 action="read", object_type="incidents.offence", object_id=str(i),
                                 purpose="" if i % 97 == 0 else "case work"))
    AuditEvent.objects.bulk_create(events, batch_size=5000)
out["tasks"] = Task.objects.count()
out["audit_reads"] = AuditEvent.objects.filter(action="read").count()
for label in ("first", "second"):
    started, cpu = time.perf_counter(), time.process_time()
    outcome = oversight_run(today=today)
    out[f"oversight_{label}"] = {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu,
                                 "created": outcome.created, "per_rule": outcome.per_rule}
started, cpu = time.perf_counter(), time.process_time()
needs = training_needs(members=StaffMember.objects.all(), today=today)
out["training"] = {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu,
                   "needs": len(needs), "people": len({n.member_id for n in needs})}
station = Agency.objects.filter(kind="internal_affairs").order_by("district_id").first()
chief = User.objects.filter(username="bench_station_chief").first()
if chief is None:
    chief = User.objects.create(username="bench_station_chief", role=Role.DISTRICT_CHIEF,
                                scope_level=ScopeLevel.DISTRICT, scope_district_id=station.district_id)
    StaffMember.objects.create(agency=station, user=chief, full_name="Bench chief", post="chief",
                               region_id=station.region_id, district_id=station.district_id)
missing = 300 - Task.objects.filter(to_agency=station).count()
if missing > 0:
    sender = Agency.objects.filter(district_id=station.district_id).exclude(pk=station.pk).first()
    kind = TaskType.objects.first()
    Task.objects.bulk_create(
        Task(number=f"I-{i:05d}", task_type=kind, subject="mahalla", from_agency=sender, to_agency=station,
             title=f"Inbox task {i}", accept_by=today, deadline=today + dt.timedelta(days=i % 40 - 10),
             created_by=chief, region_id=station.region_id, district_id=station.district_id)
        for i in range(missing)
    )
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(chief)
times = []
cpu = time.process_time()
for i in range(200):
    started = time.perf_counter()
    response = client.get(f"/coordination/tasks/?box=incoming&page={1 + i % 3}")
    times.append(time.perf_counter() - started)
    assert response.status_code == 200, response.status_code
times.sort()
out["inbox"] = {"p50_ms": 1000 * times[99], "p95_ms": 1000 * times[189],
                "cpu_ms_per_request": 1000 * (time.process_time() - cpu) / 200,
                "tasks_in_inbox": Task.objects.filter(to_agency=station).count()}
print(json.dumps(out))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--var-dir", default="/tmp/mahalla-bench-coordination")
    parser.add_argument("--seed", default="2026")
    parser.add_argument("--as-of", default="2026-01-01")
    parser.add_argument(
        "--skip-build",
        action="store_true",
        help="use the database of the var directory as it is (built and analysed before)",
    )
    parser.add_argument("--postgres-database", default=PG_BENCH_DB)
    args = parser.parse_args()
    env = nation_environment(
        var_dir=args.var_dir, database=args.database, postgres_database=args.postgres_database
    )
    if not args.skip_build:
        build = nation_build(env, seed=args.seed, as_of=args.as_of)
        print(f"nation build (cached after the first run): {build:.1f} s")
        analysis_date = "2025-12-31"
        mahalla(env, "analyze", "--date", analysis_date)
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-c", CHILD],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        print(result.stderr, file=sys.stderr)
        return result.returncode
    out = json.loads(result.stdout.strip().splitlines()[-1])
    load = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} cores; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
        f"database {args.database}"
    )
    print(
        f"staff {out['staff']:,}, agencies {out['agencies']:,}, tasks {out['tasks']:,}, "
        f"person reads {out['audit_reads']:,}"
    )
    for label in ("first", "second"):
        row = out[f"oversight_{label}"]
        print(
            f"oversight, {label} run: {row['seconds']:.2f} s wall, {row['cpu']:.2f} s CPU "
            f"(budget 60 s, ratio {row['seconds'] / 60:.3f}); "
            f"{row['created']:,} new findings; per rule {row['per_rule']}"
        )
    row = out["training"]
    print(
        f"training needs of all staff: {row['seconds']:.2f} s wall, {row['cpu']:.2f} s CPU "
        f"(budget 30 s, ratio {row['seconds'] / 30:.3f}); "
        f"{row['needs']:,} needs of {row['people']:,} people"
    )
    row = out["inbox"]
    print(
        f"inbox page ({row['tasks_in_inbox']} tasks): p50 {row['p50_ms']:.1f} ms, p95 {row['p95_ms']:.1f} ms "
        f"wall, {row['cpu_ms_per_request']:.1f} ms CPU a request "
        f"(budget 200 ms, ratio {row['p95_ms'] / 200:.3f})"
    )
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"CPU of the child processes: {children.ru_utime + children.ru_stime:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

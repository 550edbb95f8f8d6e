"""Benchmark: import offences into a fresh SQLite file and a fresh PostgreSQL database, the staged path
against the previous one in the same run.

Machine of record: 2 cores, 24 GiB (shared). Target (issue 16, item 3): at least 30,000 rows/s on both
databases, all-or-nothing and idempotent.

    .venv/bin/python bench/bench_import.py                          # 100,000 and 1,000,000 rows, both DBs
    .venv/bin/python bench/bench_import.py --rows 100000 --runs 3 --databases sqlite

Each import runs in its own child process with a fresh database (so that peak RSS, from resource.getrusage,
is that import's alone): migrate, import a synthetic territory of 300 mahallas in 10 districts through the
territory importer, then time `offence_import` on the generated CSV, then the same file again (idempotency:
every row unchanged). Rows carry a mahalla code and coordinates (80 %, checked by point-in-polygon),
coordinates only (10 %, located by point-in-polygon) or a code only (10 %).

The baseline is the previous path, `mahalla/incidents/importing.py` as of --baseline-commit (every chunk read,
validated and staged in one process), loaded from git into the child; both paths must store the same rows (a
fingerprint of the tables is compared). Reported beside wall time: the child's CPU, its children's CPU (the
validation worker) and, on PostgreSQL, the CPU of the server backend serving the import (from /proc), and the
load average. The machine is shared: wall times under load are misleading, rows per CPU-second less so.
PostgreSQL: a scratch database `mahalla_bench_<pid>` on 127.0.0.1 as user postgres, dropped at the end.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def pg_bench_db() -> str:
    """A scratch database per bench run (its children inherit the name), so that two runs never collide."""
    return os.environ.setdefault("MAHALLA_BENCH_PG_DB", f"mahalla_bench_{os.getpid()}")


# Ten real districts of Andijon region (SOATO codes of the reference list shipped with the project).
DISTRICTS = [
    "1703202",
    "1703203",
    "1703206",
    "1703209",
    "1703210",
    "1703211",
    "1703214",
    "1703217",
    "1703220",
    "1703224",
]
MAHALLAS_PER_DISTRICT = 30
ARTICLES = [
    ("criminal", "168"),
    ("criminal", "169"),
    ("criminal", "277"),
    ("criminal", "276"),
    ("criminal", "126-1"),
    ("criminal", "278-2"),
    ("criminal", "105"),
    ("administrative", "183"),
]
CAUSES = ["SOCIAL.UNEMPLOYMENT", "SOCIAL.POVERTY", "SOCIAL.FAMILY_CONFLICT"]


def box(x0: float, y0: float, x1: float, y1: float) -> str:
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return json.dumps({"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]})


def territory_write(path: Path) -> list[tuple[str, float, float, float, float]]:
    """Districts as 0.3 x 0.3 degree squares side by side, each cut into a 6 x 5 grid of mahallas."""
    mahallas = []
    columns = ["level", "code", "parent_code", "name_uz", "population", "boundary"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerow(["region", "1703", "", "Andijon viloyati", "3300000", box(70.0, 40.0, 75.0, 41.0)])
        for d, code in enumerate(DISTRICTS):
            x0, y0 = 70.2 + 0.3 * (d % 5) * 1.5, 40.1 + 0.4 * (d // 5)
            writer.writerow(
                ["district", code, "1703", f"Tuman {d}", "120000", box(x0, y0, x0 + 0.3, y0 + 0.3)]
            )
            for m in range(MAHALLAS_PER_DISTRICT):
                mx0, my0 = x0 + 0.05 * (m % 6), y0 + 0.06 * (m // 6)
                mahalla_code = f"{code}{m + 1:03d}"
                writer.writerow(
                    [
                        "mahalla",
                        mahalla_code,
                        code,
                        f"Mahalla {d}-{m}",
                        "4000",
                        box(mx0, my0, mx0 + 0.05, my0 + 0.06),
                    ]
                )
                mahallas.append((mahalla_code, mx0, my0, mx0 + 0.05, my0 + 0.06))
    return mahallas


def offences_write(path: Path, rows: int, mahallas: list[tuple[str, float, float, float, float]]) -> None:
    rng = random.Random(20261128)
    columns = [
        "source_system",
        "registration_number",
        "code_kind",
        "article",
        "occurred_at",
        "mahalla_code",
        "latitude",
        "longitude",
        "place_type",
        "computer_means",
        "bank_card",
        "involves_minor",
        "involves_woman",
        "victim_ref",
        "causes",
        "status",
        "solved",
    ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for i in range(rows):
            code, x0, y0, x1, y1 = mahallas[rng.randrange(len(mahallas))]
            kind, article = ARTICLES[rng.randrange(len(ARTICLES))]
            # Interior points, rounded to six decimals as a source system would write them.
            lat = round(rng.uniform(y0 + 1e-4, y1 - 1e-4), 6)
            lon = round(rng.uniform(x0 + 1e-4, x1 - 1e-4), 6)
            mode = rng.random()
            if mode < 0.1:
                code_cell, lat_cell, lon_cell = "", lat, lon
            elif mode < 0.2:
                code_cell, lat_cell, lon_cell = code, "", ""
            else:
                code_cell, lat_cell, lon_cell = code, lat, lon
            day = 1 + rng.randrange(28)
            month = 1 + rng.randrange(12)
            source = "EJR" if kind == "criminal" else "E-MAMURIY"
            writer.writerow(
                [
                    source,
                    f"{2024}-{i:07d}",
                    kind,
                    article,
                    f"2024-{month:02d}-{day:02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00",
                    code_cell,
                    lat_cell,
                    lon_cell,
                    "street",
                    int(rng.random() < 0.4),
                    int(rng.random() < 0.4),
                    int(rng.random() < 0.05),
                    int(rng.random() < 0.2),
                    f"V{rng.randrange(10**6)}",
                    CAUSES[rng.randrange(3)] if rng.random() < 0.3 else "",
                    "registered",
                    int(rng.random() < 0.5),
                ]
            )


# Main before the validation worker process (issue 16, item 3); before the column-wise validation it was
# f85956d, and the path inside one long transaction d96b4a6. The baseline's importing.py runs against the
# current schema and reader (mahalla/core/tabular.py), so the ratio measures the importing module's changes.
BASELINE_COMMIT = "f1675be"


def previous_importer(workdir: Path, commit: str) -> Any:
    """The offence importer as it was at `commit`, loaded from git as a module of its own."""
    import importlib.util

    source = subprocess.run(
        ["git", "show", f"{commit}:mahalla/incidents/importing.py"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout
    source = source.replace("from .formats import", "from mahalla.incidents.formats import")
    source = source.replace("from .models import", "from mahalla.incidents.models import")
    path = workdir / f"importing_{commit}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"importing_{commit}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def backend_cpu_seconds(connection: Any) -> float:
    """CPU (user + system) of the PostgreSQL backend serving this connection, from /proc; 0 on SQLite."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_now(connection: Any) -> tuple[float, float, float, float]:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (
        time.perf_counter(),
        time.process_time(),
        children.ru_utime + children.ru_stime,
        backend_cpu_seconds(connection),
    )


def child(database: str, path_name: str, workdir: Path, territory: Path, offences: Path, commit: str) -> None:
    """In a fresh process: one database, migrate, territory import, timed offence import and re-import."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["MAHALLA_DEBUG"] = "0"
    os.environ["MAHALLA_SECRET_KEY"] = "bench-only"
    os.environ["MAHALLA_VAR_DIR"] = str(workdir / f"{database}-{path_name}")
    if database == "postgresql":
        os.environ["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{pg_bench_db()}"
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from mahalla.incidents.importing import offence_import, territory_file_import

    importer = offence_import if path_name == "staged" else previous_importer(workdir, commit).offence_import
    call_command("migrate", verbosity=0)
    territory_file_import(actor=None, source=territory)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load_before = os.getloadavg()[0]
    start = cpu_now(connection)
    outcome = importer(actor=None, source=offences)
    end = cpu_now(connection)
    load_after = os.getloadavg()[0]
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    found = fingerprint(connection)
    assert outcome.rows_created == found[0], (outcome.summary(), found)

    # Re-import of the same file: idempotency at speed (every key is matched and compared).
    again_start = cpu_now(connection)
    again = importer(actor=None, source=offences)
    again_end = cpu_now(connection)
    assert again.rows_created == 0 and again.rows_unchanged == outcome.rows_created, again.summary()
    assert fingerprint(connection) == found
    seconds = end[0] - start[0]
    again_seconds = again_end[0] - again_start[0]
    result = {
        "database": database_version(connection),
        "path": path_name,
        "rows": outcome.rows_created,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(end[1] - start[1], 2),
        "children_cpu_seconds": round(end[2] - start[2], 2),
        "server_cpu_seconds": round(end[3] - start[3], 2),
        "load_average": [round(load_before, 1), round(load_after, 1)],
        "rows_per_second": round(outcome.rows_created / seconds),
        "reimport_seconds": round(again_seconds, 2),
        "reimport_cpu_seconds": round(again_end[1] - again_start[1] + again_end[3] - again_start[3], 2),
        "reimport_rows_per_second": round(again.rows_unchanged / again_seconds),
        "peak_rss_mib": round(rss_peak),
        "rss_before_import_mib": round(rss_before),
        "fingerprint": found,
    }
    print(json.dumps(result))


def fingerprint(connection: Any) -> list[int]:
    """Counts and sums over the stored offences and causes: equal when both paths stored the same rows."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), SUM(mahalla_id), SUM(category_id), "
            "SUM(CASE WHEN computer_means THEN 1 ELSE 0 END), COUNT(DISTINCT registration_number) "
            "FROM incidents_offence"
        )
        offences = [int(value or 0) for value in cursor.fetchone()]
        cursor.execute("SELECT COUNT(*), SUM(cause_id) FROM incidents_offencecause")
        causes = [int(value or 0) for value in cursor.fetchone()]
    return offences + causes


def database_version(connection: Any) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def line(r: dict[str, Any]) -> str:
    cpu = float(r["cpu_seconds"]) + float(r["children_cpu_seconds"]) + float(r["server_cpu_seconds"])
    rows = int(r["rows"])
    return (
        f"{r['path']:>8}: {int(r['rows_per_second']):>7,} rows/s ({r['seconds']} s wall; "
        f"CPU {r['cpu_seconds']} s "
        f"+ children {r['children_cpu_seconds']} s + server {r['server_cpu_seconds']} s = "
        f"{round(rows / cpu):,} rows per CPU-second); load {r['load_average'][0]} -> {r['load_average'][1]}; "
        f"again {int(r['reimport_rows_per_second']):,} rows/s ({r['reimport_seconds']} s, "
        f"CPU {r['reimport_cpu_seconds']} s); peak RSS {r['peak_rss_mib']} MiB"
    )


def ratio(staged: dict[str, Any], previous: dict[str, Any], *, cpu: bool = False) -> float:
    if not cpu:
        return float(staged["rows_per_second"]) / float(previous["rows_per_second"])

    def total(r: dict[str, Any]) -> float:
        return float(r["cpu_seconds"]) + float(r["children_cpu_seconds"]) + float(r["server_cpu_seconds"])

    return total(previous) / total(staged)


def run_child(
    database: str, path_name: str, work: Path, offences: Path, commit: str
) -> dict[str, Any] | None:
    if database == "postgresql":
        pg_admin(f"DROP DATABASE IF EXISTS {pg_bench_db()}")
        pg_admin(f"CREATE DATABASE {pg_bench_db()}")
    try:
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                f"{database}:{path_name}",
                "--workdir",
                str(work),
                "--offences",
                str(offences),
                "--baseline-commit",
                commit,
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
    finally:
        if database == "postgresql":
            pg_admin(f"DROP DATABASE IF EXISTS {pg_bench_db()} WITH (FORCE)")
        subprocess.run(["rm", "-rf", str(work / f"{database}-{path_name}")], check=False)
    if done.returncode != 0:
        print(f"{database} {path_name}: FAILED\n{done.stderr[-3000:]}")
        return None
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="100000,1000000", help="comma-separated sizes")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--paths", default="previous,staged")
    parser.add_argument("--baseline-commit", default=BASELINE_COMMIT)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--offences", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        database, path_name = args.child.split(":")
        work = Path(args.workdir)
        child(database, path_name, work, work / "territories.csv", Path(args.offences), args.baseline_commit)
        return

    sizes = [int(size) for size in args.rows.split(",")]
    print(
        f"bench_import: {args.rows} offences, {args.runs} run(s); machine: {os.cpu_count()} cores, 24 GiB "
        f"(shared); baseline: the previous path at {args.baseline_commit}"
    )
    with tempfile.TemporaryDirectory(prefix="mahalla-bench-") as tmp:
        work = Path(tmp)
        mahallas = territory_write(work / "territories.csv")
        for rows in sizes:
            offences = work / f"offences-{rows}.csv"
            offences_write(offences, rows, mahallas)
            print(
                f"{rows:,} rows ({offences.stat().st_size / 2**20:.1f} MiB CSV) over {len(mahallas)} mahallas"
            )
            for database in args.databases.split(","):
                for run in range(1, args.runs + 1):
                    results = {}
                    for path_name in args.paths.split(","):
                        result = run_child(database, path_name, work, offences, args.baseline_commit)
                        if result is not None:
                            results[path_name] = result
                    if not results:
                        continue
                    first = next(iter(results.values()))
                    print(f"{first['database']}, {rows:,} rows, run {run}:")
                    for result in results.values():
                        print("  " + line(result))
                    if {"staged", "previous"} <= set(results):
                        staged, previous = results["staged"], results["previous"]
                        same = staged["fingerprint"] == previous["fingerprint"]
                        verdict = "meets" if staged["rows_per_second"] >= 30_000 else "MISSES"
                        print(
                            f"  ratio staged / previous: {ratio(staged, previous):.2f}x rows/s (wall), "
                            f"{ratio(staged, previous, cpu=True):.2f}x rows per CPU-second; "
                            f"same rows stored: {same}; staged {verdict} 30,000 rows/s (wall)"
                        )
                        assert same, (staged["fingerprint"], previous["fingerprint"])
            offences.unlink()
    print(
        "To re-measure on a quiet machine (the decisive figure: 1,000,000 rows, both databases, 3 runs):\n"
        "    .venv/bin/python bench/bench_import.py --rows 1000000 --runs 3"
    )


if __name__ == "__main__":
    main()

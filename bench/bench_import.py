"""Benchmark: import 500,000 offences into a fresh SQLite file and a fresh PostgreSQL database.

Machine of record: 2 cores, 24 GiB (shared). Target (issue 2, item 4): at least 20,000 rows/s on both
databases with the process under 1 GB peak RSS.

    .venv/bin/python bench/bench_import.py                 # both databases, 500,000 rows
    .venv/bin/python bench/bench_import.py --rows 50000 --databases sqlite

Each database runs in its own child process (so that peak RSS, from resource.getrusage, is that import's
alone): migrate, import a synthetic territory of 300 mahallas in 10 districts through the territory importer,
then time `offence_import` on the generated CSV. Rows carry a mahalla code and coordinates (80 %, checked
by point-in-polygon), coordinates only (10 %, located by point-in-polygon) or a code only (10 %). The baseline
is the naive way: per-row `Offence(...).save()` after csv.DictReader, on the first 5,000 rows, in a fresh
database. PostgreSQL: a scratch database `mahalla_bench` on 127.0.0.1 as user postgres, dropped at the end.
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
PG_BENCH_DB = "mahalla_bench"
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


def child(database: str, workdir: Path, territory: Path, offences: Path, baseline: Path) -> None:
    """Runs in a fresh process: one database, migrate, territory import, timed offence import, baseline."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["MAHALLA_DEBUG"] = "0"
    os.environ["MAHALLA_SECRET_KEY"] = "bench-only"
    os.environ["MAHALLA_VAR_DIR"] = str(workdir / database)
    if database == "postgresql":
        os.environ["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{PG_BENCH_DB}"
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from mahalla.incidents.importing import offence_import, territory_file_import
    from mahalla.incidents.models import Offence

    call_command("migrate", verbosity=0)
    territory_file_import(actor=None, source=territory)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    cpu_started = time.process_time()
    outcome = offence_import(actor=None, source=offences)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stored = Offence.objects.count()
    assert outcome.rows_created == stored, (outcome.summary(), stored)

    # Re-import of the same file: idempotency at speed (every key is looked up and compared).
    started = time.perf_counter()
    again = offence_import(actor=None, source=offences)
    reimport_seconds = time.perf_counter() - started
    assert again.rows_created == 0 and again.rows_unchanged == outcome.rows_created, again.summary()

    # Baseline on a clean table: naive per-row ORM save.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM incidents_offencecause")
        cursor.execute("DELETE FROM incidents_offence")
    naive_rows, naive_seconds = naive_import(baseline)
    result = {
        "database": database_version(connection),
        "rows": outcome.rows_created,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "load_average": round(os.getloadavg()[0], 1),
        "rows_per_second": round(outcome.rows_created / seconds),
        "reimport_seconds": round(reimport_seconds, 2),
        "reimport_rows_per_second": round(again.rows_unchanged / reimport_seconds),
        "peak_rss_mib": round(rss_peak),
        "rss_before_import_mib": round(rss_before),
        "naive_rows": naive_rows,
        "naive_rows_per_second": round(naive_rows / naive_seconds),
    }
    print(json.dumps(result))


def database_version(connection: Any) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def naive_import(path: Path) -> tuple[int, float]:
    """What one writes first: DictReader, look-ups per row, Offence(...).save() per row (autocommit)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from mahalla.incidents.models import ArticleCategoryRule, Offence
    from mahalla.territory.models import Mahalla

    tashkent = ZoneInfo("Asia/Tashkent")
    started = time.perf_counter()
    count = 0
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            mahalla = Mahalla.objects.get(code=row["mahalla_code"]) if row["mahalla_code"] else None
            if mahalla is None:
                continue
            flagged = row["computer_means"] == "1" or row["bank_card"] == "1"
            rules = ArticleCategoryRule.objects.filter(code_kind=row["code_kind"], article=row["article"])
            rule = (rules.filter(condition="computer_means").first() if flagged else None) or rules.filter(
                condition=""
            ).first()
            occurred = dt.datetime.fromisoformat(row["occurred_at"]).replace(tzinfo=tashkent)
            Offence(
                source_system=row["source_system"],
                registration_number=row["registration_number"],
                code_kind=row["code_kind"],
                article=row["article"],
                category_id=rule.category_id,
                occurred_at=occurred,
                registered_at=occurred,
                mahalla=mahalla,
                district_id=mahalla.district_id,
                region_id=mahalla.region_id,
                latitude=float(row["latitude"]) if row["latitude"] else None,
                longitude=float(row["longitude"]) if row["longitude"] else None,
                place_type=row["place_type"],
                computer_means=row["computer_means"] == "1",
                bank_card=row["bank_card"] == "1",
            ).save()
            count += 1
    return count, time.perf_counter() - started


def report(r: dict[str, Any]) -> None:
    rows, seconds, cpu = int(r["rows"]), float(r["seconds"]), float(r["cpu_seconds"])
    rate, naive = int(r["rows_per_second"]), int(r["naive_rows_per_second"])
    verdict = "meets" if rate >= 20_000 and int(r["peak_rss_mib"]) < 1024 else "MISSES"
    print(f"{r['database']}:")
    print(f"  import  {rows:,} rows in {seconds} s = {rate:,} rows/s; {verdict} the target")
    print(f"          this process's CPU {cpu} s = {round(rows / cpu):,} rows per CPU-second")
    print(f"          load average {r['load_average']} on 2 cores while it ran")
    print(f"          peak RSS {r['peak_rss_mib']} MiB (before the import {r['rss_before_import_mib']} MiB)")
    print(f"  again   the same file: {r['reimport_seconds']} s = {r['reimport_rows_per_second']:,} rows/s")
    print(f"  naive   per-row save: {naive:,} rows/s on {r['naive_rows']:,} rows; ratio {rate / naive:.0f}x")


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        work = Path(args.workdir)
        child(args.child, work, work / "territories.csv", work / "offences.csv", work / "baseline.csv")
        return

    print(f"bench_import: {args.rows:,} offences; machine: {os.cpu_count()} cores, 24 GiB (shared)")
    with tempfile.TemporaryDirectory(prefix="mahalla-bench-") as tmp:
        work = Path(tmp)
        mahallas = territory_write(work / "territories.csv")
        started = time.perf_counter()
        offences_write(work / "offences.csv", args.rows, mahallas)
        offences_write(work / "baseline.csv", 5_000, mahallas)
        size = (work / "offences.csv").stat().st_size
        print(
            f"generated {args.rows:,} rows ({size / 2**20:.1f} MiB CSV) over {len(mahallas)} mahallas "
            f"in {time.perf_counter() - started:.1f} s"
        )
        for database in args.databases.split(","):
            if database == "postgresql":
                pg_admin(f"DROP DATABASE IF EXISTS {PG_BENCH_DB}")
                pg_admin(f"CREATE DATABASE {PG_BENCH_DB}")
            try:
                done = subprocess.run(
                    [sys.executable, __file__, "--child", database, "--workdir", str(work)],
                    capture_output=True,
                    text=True,
                    cwd=ROOT,
                    check=False,
                )
            finally:
                if database == "postgresql":
                    pg_admin(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
            if done.returncode != 0:
                print(f"{database}: FAILED\n{done.stderr[-3000:]}")
                continue
            result = json.loads(done.stdout.strip().splitlines()[-1])
            report(result)


if __name__ == "__main__":
    main()

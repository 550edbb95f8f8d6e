"""The demo's drug-network load (issue 10: `make demo` in about 3 minutes; this step took 1,183 s wall).

Loads one generated drug-network world (`links_*.csv`, by default the region scale that the nation demo
used until it took the tiny world, mahalla.demo.services.DEMO_LINKS_SCALE: 200 cameras, about 3M
detections, 8,000 entities, 13,000 links; generated here, independent of any demo build) into a fresh
SQLite database (or a scratch PostgreSQL database with `--postgres`) through
`mahalla.links.loading.world_load`, each run in a child process of its own, and prints the wall and CPU
time (user+sys of the child), the counts it stored, and the planted convoys / drop clusters found.

Baseline in the same run: the same load by another tree of the code (`--baseline-tree DIR`, e.g. a
`git archive main` extracted into a temporary directory; made automatically from the `main` branch when the
option is not given) on the first `--baseline-detections` detections (the old path is linear in the
detections; the figure per million is printed for both).

Run: `.venv/bin/python bench/bench_links_load.py [--links DIR] [--postgres] [--baseline-detections 300000]`
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def child(links: Path) -> None:
    """One load in this process (a fresh database); prints one JSON line with the figures."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from mahalla.links.loading import world_load
    from mahalla.links.models import Detection, DropCluster, Link
    from mahalla.territory.models import District, Mahalla

    district = District.objects.get(code="1726273")
    mahallas = [
        Mahalla.objects.create(
            code=f"1726273{n:03d}", name_uz=f"Mahalla {n}", district=district, region=district.region
        )
        for n in range(30)
    ]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    counts = world_load(directory=links, mahallas=mahallas)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu
    truth = json.loads((links / "truth_links.json").read_text(encoding="utf-8"))
    convoy_plates = {p for c in truth.get("convoys", []) if isinstance(c, dict) for p in c.get("plates", [])}
    pairs = Link.objects.filter(schema="co_travel").count() if hasattr(Link, "schema") else None
    print(
        "RESULT "
        + json.dumps(
            {
                "wall": wall,
                "cpu": cpu,
                "detections": Detection.objects.count(),
                "co_travel_pairs": counts.get("co_travel_pairs"),
                "drop_clusters": counts.get("drop_clusters"),
                "drop_clusters_stored": DropCluster.objects.count(),
                "co_travel_links": pairs,
                "convoy_plates_planted": len(convoy_plates),
                "posts": counts.get("posts"),
            }
        ),
        flush=True,
    )


def run(tree: Path, links: Path, *, postgres: bool, label: str) -> dict:
    env = dict(os.environ)
    var = Path(tempfile.mkdtemp(prefix=f"bench_links_{label}_"))
    env.update(
        MAHALLA_VAR_DIR=str(var),
        DJANGO_SETTINGS_MODULE="config.settings.local",
        MAHALLA_DEBUG="0",
        MAHALLA_LOG_LEVEL="WARNING",
        PYTHONPATH=str(tree),
    )
    env.pop("DATABASE_URL", None)
    database = None
    if postgres:
        import psycopg

        database = f"bench_links_{label}_{os.getpid()}"
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {database}")
            connection.execute(f"CREATE DATABASE {database}")
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", str(links)],
        env=env,
        cwd=tree,
        check=True,
        capture_output=True,
        text=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["child_cpu_total"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    shutil.rmtree(var, ignore_errors=True)
    if database:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {database}")
    return result


def truncated(links: Path, detections: int, into: Path) -> Path:
    """A copy of the world with only its first ``detections`` detections."""
    into.mkdir(parents=True, exist_ok=True)
    for path in links.iterdir():
        if path.name != "links_detections.csv":
            shutil.copy(path, into / path.name)
    with (
        (links / "links_detections.csv").open(encoding="utf-8") as src,
        (into / "links_detections.csv").open("w", encoding="utf-8") as dst,
    ):
        for n, line in enumerate(src):
            if n > detections:
                break
            dst.write(line)
    return into


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--links", type=Path, help="a directory with links_*.csv (default: generate region)")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--baseline-tree", type=Path)
    parser.add_argument("--baseline-detections", type=int, default=300_000)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    scratch = Path(tempfile.mkdtemp(prefix="bench_links_"))
    links = args.links
    if links is None:
        sys.path.insert(0, str(ROOT))
        import datetime as dt

        import yaml

        from mahalla.demo.generator.links import links_build, links_write

        slang = yaml.safe_load((ROOT / "mahalla/links/reference/slang.yaml").read_text(encoding="utf-8"))
        links = scratch / "world"
        links_write(links_build(2026, "region", dt.date(2026, 12, 1), slang), links)
    total = sum(1 for _ in (links / "links_detections.csv").open(encoding="utf-8")) - 1
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()}; {links}: {total:,} detections")
    print(f"database: {'PostgreSQL' if args.postgres else 'SQLite'}")

    def show(label: str, r: dict) -> float:
        per_million = r["cpu"] / max(r["detections"], 1) * 1e6
        print(
            f"{label}: wall {r['wall']:.1f} s, CPU {r['cpu']:.1f} s (child process in all "
            f"{r['child_cpu_total']:.1f} s), {r['detections']:,} detections stored "
            f"({per_million:.1f} CPU s per million), co-travel pairs {r['co_travel_pairs']}, "
            f"drop clusters {r['drop_clusters']}, "
            f"posts {r['posts']}; load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        return per_million

    new_full = run(ROOT, links, postgres=args.postgres, label="new")
    new_rate = show(f"new path, all {total:,} detections", new_full)
    if args.skip_baseline:
        return
    tree = args.baseline_tree
    if tree is None:
        tree = scratch / "main"
        tree.mkdir()
        archive = subprocess.run(["git", "archive", "main"], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    part = truncated(links, args.baseline_detections, scratch / "part")
    new_part = run(ROOT, part, postgres=args.postgres, label="newpart")
    show(f"new path, first {args.baseline_detections:,}", new_part)
    old_part = run(tree, part, postgres=args.postgres, label="old")
    old_rate = show(f"baseline ({tree}), first {args.baseline_detections:,}", old_part)
    print(
        f"ratio on the same {args.baseline_detections:,} detections: "
        f"CPU {old_part['cpu'] / new_part['cpu']:.1f}x, "
        f"wall {old_part['wall'] / new_part['wall']:.1f}x; CPU per million detections {old_rate:.1f} s -> "
        f"{new_rate:.1f} s; target for the whole load: well under 60 s CPU -> "
        f"{'PASS' if new_full['cpu'] < 60 else 'FAIL'} ({new_full['cpu']:.1f} s)"
    )
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()

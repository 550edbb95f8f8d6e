"""Benchmark: the country briefing as PDF (issue 10: at most 10 s) and its map (issue 16: linear).

Needs an analysed nation (the var directory of bench_daily_run.py, or of `mahalla demo`) and the date.

1. `mahalla briefing --territory UZ --out FILE.pdf` in a child process, as a user runs it: wall and CPU (of
   the child), against the 10 s budget and against the reference measured in the same run: the same
   briefing rendered the way it was before (the map as 9,000 inline SVG shapes in the HTML).
2. The map alone, in this process: `svg_map` against the former quadratic version (the bounds recomputed
   for every point), on the nation's 9,000 points and on a quarter of them: a linear map takes about a
   quarter of the time on a quarter of the points, a quadratic one about a sixteenth.

    .venv/bin/python bench/bench_briefing.py --var-dir /tmp/mahalla-bench-daily --date 2026-01-01
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_SECONDS = 10.0
INLINE_REFERENCE = """
import datetime as dt, sys, django
django.setup()
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher
from mahalla.accounts.models import User
from mahalla.web.briefing import briefing_context, briefing_html
translation.activate("en")
actor = User(username="operator", role="national_analyst", scope_level="country")
context = briefing_context(actor=actor, date=dt.date.fromisoformat(sys.argv[1]), region=None, district=None)
HTML(string=briefing_html(context), url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf(sys.argv[2])
"""


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    cpu = children_cpu()
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started, children_cpu() - cpu


def svg_map_quadratic(rows: list[dict[str, object]]) -> str:
    """The former map of points: min(xs) and min(ys) recomputed inside the projection of every point."""
    xs = [float(r["mahalla__centroid_lon"]) for r in rows]  # type: ignore[arg-type]
    ys = [float(r["mahalla__centroid_lat"]) for r in rows]  # type: ignore[arg-type]
    x_scale = math.cos(math.radians((min(ys) + max(ys)) / 2))
    scale = min(620 / max((max(xs) - min(xs)) * x_scale, 1e-6), 400 / max(max(ys) - min(ys), 1e-6))

    def project(lon: float, lat: float) -> str:
        return f"{10 + (lon - min(xs)) * x_scale * scale:.1f},{410 - (lat - min(ys)) * scale:.1f}"

    return "".join(f'<circle cx="{project(x, y)}"/>' for x, y in zip(xs, ys, strict=True))


def map_bench(env: dict[str, str], date: str) -> None:
    os.environ.update({k: env[k] for k in ("MAHALLA_VAR_DIR", "DJANGO_SETTINGS_MODULE")})
    if "DATABASE_URL" in env:
        os.environ["DATABASE_URL"] = env["DATABASE_URL"]
    sys.path.insert(0, str(ROOT))
    import datetime as dt

    import django

    django.setup()
    from mahalla.analytics.models import MahallaDayResult
    from mahalla.web.briefing import svg_map

    fields = ["crime_class", "mahalla__code", "mahalla__centroid_lat", "mahalla__centroid_lon"]
    rows = list(MahallaDayResult.objects.filter(date=dt.date.fromisoformat(date)).values(*fields))
    print(f"map of {len(rows)} points (CPU s of this process):")
    for label, function in (
        ("svg_map (now)", lambda r: svg_map(r, polygons=False)),
        ("quadratic (before)", svg_map_quadratic),
    ):
        seconds = {}
        for share in (4, 1):
            part = rows[: len(rows) // share]
            best = float("inf")
            for _ in range(5):  # the best of five: a few milliseconds are at the mercy of the machine
                started = time.process_time()
                function(part)
                best = min(best, time.process_time() - started)
            seconds[share] = best
        print(
            f"  {label:<20} all {seconds[1]:.3f} s, a quarter {seconds[4]:.3f} s: "
            f"ratio all / quarter {seconds[1] / max(seconds[4], 1e-9):.1f} (linear ~4, quadratic ~16)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--var-dir", default="/tmp/mahalla-bench-daily")
    parser.add_argument("--date", default="2026-01-01")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    env = dict(os.environ)
    env.update(
        MAHALLA_VAR_DIR=args.var_dir,
        DJANGO_SETTINGS_MODULE="config.settings.local",
        MAHALLA_LOG_LEVEL="WARNING",
    )
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    python = str(ROOT / ".venv" / "bin" / "python")
    mahalla = str(ROOT / ".venv" / "bin" / "mahalla")
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores (shared); load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    with tempfile.TemporaryDirectory() as out:
        for attempt in range(args.repeat):
            now = timed(
                [
                    mahalla,
                    "--lang",
                    "en",
                    "briefing",
                    "--date",
                    args.date,
                    "--territory",
                    "UZ",
                    "--out",
                    f"{out}/uz.pdf",
                ],
                env,
            )
            before = timed([python, "-c", INLINE_REFERENCE, args.date, f"{out}/uz-inline.pdf"], env)
            size = Path(f"{out}/uz.pdf").stat().st_size
            print(
                f"run {attempt + 1}: country PDF {now[0]:.1f} s wall / {now[1]:.1f} s CPU "
                f"({size // 1024} KiB), {now[1] / BUDGET_SECONDS:.2f} of the 10 s budget in CPU "
                f"({now[0] / BUDGET_SECONDS:.2f} in wall); "
                f"reference (inline SVG map) {before[0]:.1f} s wall / {before[1]:.1f} s CPU: "
                f"ratio now / reference {now[1] / before[1]:.2f} in CPU"
            )
    map_bench(env, args.date)
    load = os.getloadavg()
    print(f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()

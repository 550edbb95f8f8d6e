"""Does the effect estimate recover the demo's planted prevention effect, and stay silent at a placebo date?

For each seed the `region` scale (Andijon, 16 districts, ~860 mahallas) is generated; its largest district
has each place-based crime prevented with probability 0.3 from a stated date (truth.json, "intervention"),
so the true relative effect is -0.30. The monthly panel is built with `mahalla.roadmaps.effect.count_panel`,
mahallas with their own shock are left out of the controls (`shocked_units`), as the service does, and the
engine's matched difference-in-differences is run with 999 placebo draws at the true date and at a placebo
date one year earlier (post-period ending before the true date).

Machine this was written for: 2 cores, 24 GiB, shared with other work (wall and CPU time are printed).

Usage::

    .venv/bin/python bench/bench_effect_planted.py [--seeds 2026 1 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import os  # noqa: E402

import django  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
django.setup()

from mahalla.demo.generator import generate  # noqa: E402
from mahalla.demo.generator.kinds import CRIME_KINDS  # noqa: E402
from mahalla.engine.effect import difference_in_differences  # noqa: E402
from mahalla.roadmaps.effect import count_panel, shocked_units  # noqa: E402

PLACE_BASED = {kind.name for kind in CRIME_KINDS if kind.category != "cyber"}


def estimate(directory: Path, permutations: int) -> list[str]:
    territories = pd.read_csv(directory / "territories.csv", dtype=str)
    mahallas = territories[territories["level"] == "mahalla"].set_index("code")
    offences = pd.read_csv(
        directory / "offences.csv", dtype=str, usecols=["registration_number", "occurred_at", "mahalla_code"]
    )
    kinds = pd.read_csv(directory / "truth_offences.csv", dtype=str, usecols=["registration_number", "kind"])
    crimes = offences.merge(kinds, on="registration_number")
    crimes = crimes[crimes["kind"].isin(PLACE_BASED)]
    truth = json.loads((directory / "truth.json").read_text(encoding="utf-8"))["planted"]["intervention"]
    start = dt.date.fromisoformat(truth["start_date"])
    treated = list(mahallas.index[mahallas["parent_code"] == truth["district_code"]])
    days = pd.to_datetime(crimes["occurred_at"]).dt.normalize()
    first, last = days.min().date(), days.max().date()
    lines = []
    for label, date, end in (
        ("true date", start, last),
        ("placebo -1 year", start - dt.timedelta(days=365), start.replace(day=1) - dt.timedelta(days=1)),
    ):
        panel = count_panel(
            days,
            crimes["mahalla_code"],
            list(mahallas.index),
            period="month",
            intervention=date,
            first_day=max(first, date - dt.timedelta(days=31 * 25)),
            last_day=end,
        )
        wall, cpu = time.perf_counter(), time.process_time()
        shocked = shocked_units(panel.counts, panel.treatment_start, skip=treated)
        result = difference_in_differences(
            panel.counts,
            treated,
            panel.treatment_start,
            population=mahallas["population"].astype(float),
            exclude=shocked,
            permutations=permutations,
            random_state=7,
        )
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        truth_here = -0.30 if date == start else 0.0  # nothing happened at the placebo date
        covered = result.relative_ci_low <= truth_here <= result.relative_ci_high
        lines.append(
            f"  {label:16s} {date}  treated {result.n_treated:3d}  relative {result.relative_effect:+.3f} "
            f"[{result.relative_ci_low:+.3f}, {result.relative_ci_high:+.3f}]  p={result.p_value:.3f}  "
            f"significant={result.significant}  {'covers' if covered else 'MISSES'} {truth_here:+.2f}  "
            f"{len(shocked)} shocked controls left out  "
            f"prevented {truth['offences_prevented']} of {truth['affected_offences_without_measure']}  "
            f"({wall:.1f} s wall, {cpu:.1f} s CPU)"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[2026, 1, 2])
    parser.add_argument("--permutations", type=int, default=999)
    args = parser.parse_args()
    print("Planted: -30 % of place-based crime in the largest district of the region scale (2 cores, 24 GiB)")
    for seed in args.seeds:
        with tempfile.TemporaryDirectory() as directory:
            generate("region", seed, dt.date(2026, 1, 1), Path(directory))
            print(f"seed {seed}:")
            for line in estimate(Path(directory), args.permutations):
                print(line)


if __name__ == "__main__":
    main()

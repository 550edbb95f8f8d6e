"""Benchmark: the space-time permutation scan at nation scale, and the Knox test on 11,701 real burglaries.

Scan: 9,000 synthetic mahallas x 1,095 days (three years) of overdispersed counts, about 37,000 cases a year
(a gamma-Poisson mixture over areas, a weekly cycle and gamma day-to-day noise; centroids clustered around
14 regional centres). Prospective scan with max_neighbors=10, max_days=28 and 999 permutations, run once.
The baseline is the straightforward replicate: shuffle every case's date, rebuild the areas x days matrix and
evaluate every cylinder densely (what the engine does once, for the observed data); it is timed on a few
replicates and the ratio is per replicate.

Knox: Chicago 2016 residential burglaries (the engine's test data), bands 0/1/100/200/300 m x 0/2/4 days,
99 permutations. The baseline finds the pairs within 300 m by brute force (all n (n - 1) / 2 distances, in
blocks) instead of with a KD-tree.

Run:  .venv/bin/python bench/bench_scan.py
Machine of record: 2 cores, 24 GiB RAM, shared with other jobs (single runs, expect noise). Peak memory is
the process's maximum resident set size (resource.getrusage), which includes the input arrays.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mahalla.engine import knox, space_time_permutation_scan  # noqa: E402
from mahalla.engine.scan import _llr, _nearest_areas  # noqa: E402

AREAS, DAYS, CASES_PER_YEAR = 9_000, 1_095, 37_000
MAX_NEIGHBORS, MAX_DAYS, PERMUTATIONS = 10, 28, 999
BASELINE_REPLICATES = 5
CHICAGO = (
    Path(__file__).resolve().parents[1]
    / "mahalla/engine/tests/data/near_repeat/chicago_residential_burglary_2016.csv"
)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def current_rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def synthetic_nation(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    centres = rng.uniform([0, 0], [1_300_000, 700_000], size=(14, 2))
    region = rng.integers(0, 14, size=AREAS)
    coords = centres[region] + rng.normal(0, 40_000, size=(AREAS, 2))
    area_rate = rng.gamma(0.6, 1 / 0.6, size=AREAS)
    weekly = 1 + 0.15 * np.sin(2 * np.pi * np.arange(DAYS) / 7)
    day_rate = weekly * rng.gamma(8.0, 1 / 8.0, size=DAYS)
    base = CASES_PER_YEAR / 365 / AREAS
    counts = rng.poisson(base * area_rate[:, None] * day_rate[None, :]).astype(np.int64)
    return counts, coords


def dense_replicate_max(case_areas: np.ndarray, shuffled_days: np.ndarray, neighbors: np.ndarray) -> float:
    """The straightforward replicate: rebuild the whole matrix, evaluate every prospective cylinder."""
    counts = np.bincount(case_areas * DAYS + shuffled_days, minlength=AREAS * DAYS).reshape(AREAS, DAYS)
    total = float(counts.sum())
    recent = np.cumsum(counts[:, ::-1][:, :MAX_DAYS], axis=1)
    observed = np.cumsum(recent[neighbors], axis=1)
    circle_share = np.cumsum(counts.sum(axis=1)[neighbors], axis=1) / total
    window_totals = np.cumsum(counts.sum(axis=0)[::-1][:MAX_DAYS]).astype(float)
    expected = circle_share[:, :, None] * window_totals[None, None, :]
    excess = observed > expected
    return float(_llr(observed[excess].astype(float), expected[excess], total).max())


def bench_scan() -> None:
    print(
        f"Space-time permutation scan: {AREAS:,} areas x {DAYS:,} days, max_neighbors={MAX_NEIGHBORS}, "
        f"max_days={MAX_DAYS}, {PERMUTATIONS} permutations"
    )
    rng = np.random.default_rng(2026)
    counts, coords = synthetic_nation(rng)
    print(
        f"  cases {counts.sum():,} ({counts.sum() / 3:,.0f} a year), in the last {MAX_DAYS} days "
        f"{counts[:, -MAX_DAYS:].sum():,}; zero area-days {np.mean(counts == 0):.1%}"
    )
    print(f"  resident memory before the scan {current_rss_mib():8.0f} MiB")
    start = time.perf_counter()
    cpu = time.process_time()
    result = space_time_permutation_scan(
        counts,
        coords,
        max_neighbors=MAX_NEIGHBORS,
        max_days=MAX_DAYS,
        permutations=PERMUTATIONS,
        random_state=1,
    )
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu
    print(f"  engine, wall                      {seconds:8.2f} s   (CPU {cpu_seconds:.2f} s)")
    print(f"  per replicate                     {seconds / PERMUTATIONS * 1e3:8.2f} ms")
    print(f"  peak resident memory (process)    {peak_rss_mib():8.0f} MiB")
    top = result.clusters[0]
    print(
        f"  top cluster: {top.areas.size} areas, days {top.start_day}-{top.end_day}, {top.observed} cases vs "
        f"{top.expected:.2f} expected, LLR {top.llr:.2f}, p {top.p_value:.3f}; "
        f"null max LLR median {np.median(result.max_llr_null):.2f}"
    )

    neighbors = _nearest_areas(coords, MAX_NEIGHBORS)
    case_areas = np.repeat(np.arange(AREAS), counts.sum(axis=1))
    case_days = np.repeat(np.arange(DAYS), counts.sum(axis=0))
    start = time.perf_counter()
    cpu = time.process_time()
    baseline = [
        dense_replicate_max(case_areas, rng.permutation(case_days), neighbors)
        for _ in range(BASELINE_REPLICATES)
    ]
    per_baseline = (time.perf_counter() - start) / BASELINE_REPLICATES
    per_baseline_cpu = (time.process_time() - cpu) / BASELINE_REPLICATES
    print(
        f"  baseline dense replicate          {per_baseline * 1e3:8.2f} ms  "
        f"(CPU {per_baseline_cpu * 1e3:.2f} ms; "
        f"x {PERMUTATIONS} = {per_baseline_cpu * PERMUTATIONS:.0f} s CPU)"
    )
    print(f"  baseline replicate maxima {np.round(baseline, 2).tolist()} (same law as the engine's null)")
    print(f"  ratio baseline / engine, wall     {per_baseline / (seconds / PERMUTATIONS):8.1f} x")
    print(f"  ratio baseline / engine, CPU      {per_baseline_cpu / (cpu_seconds / PERMUTATIONS):8.1f} x")

    # Retrospective mode (every window of up to 28 days) touches every case in every replicate.
    small = counts[:2_000, -365:]
    start = time.perf_counter()
    cpu = time.process_time()
    retro = space_time_permutation_scan(
        small,
        coords[:2_000],
        max_neighbors=MAX_NEIGHBORS,
        max_days=MAX_DAYS,
        permutations=99,
        random_state=2,
        prospective=False,
    )
    print(
        f"  retrospective, 2,000 areas x 365 days ({small.sum():,} cases), 99 permutations: "
        f"{time.perf_counter() - start:.2f} s wall, {time.process_time() - cpu:.2f} s CPU; "
        f"top LLR {retro.clusters[0].llr:.2f}, p {retro.clusters[0].p_value:.2f}"
    )


def bench_knox() -> None:
    with CHICAGO.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    xy = np.array([[float(row["x"]), float(row["y"])] for row in rows])
    origin = dt.date(2016, 1, 1)
    days = np.array(
        [(dt.datetime.strptime(row["date_single"], "%d/%m/%Y").date() - origin).days for row in rows],
        dtype=float,
    )
    print(f"\nKnox test: {len(rows):,} Chicago 2016 burglaries, 99 permutations")
    start = time.process_time()
    result = knox(xy, days, [0, 1, 100, 200, 300], [0, 2, 4], permutations=99, random_state=1)
    seconds = time.process_time() - start
    print(f"  engine (KD-tree pairs + 99 shuffles) {seconds:8.3f} s CPU; observed {result.observed.tolist()}")
    start = time.process_time()
    close = 0
    for first in range(0, xy.shape[0], 1_000):
        block = xy[first : first + 1_000]
        distance = np.hypot(block[:, None, 0] - xy[None, :, 0], block[:, None, 1] - xy[None, :, 1])
        upper = np.arange(first, first + block.shape[0])[:, None] < np.arange(xy.shape[0])[None, :]
        close += int(np.count_nonzero((distance < 300) & upper))
    brute = time.process_time() - start
    print(
        f"  baseline brute-force pair search    {brute:8.3f} s ({close:,} pairs < 300 m, engine "
        f"{result.n_pairs_in_range:,})"
    )
    print(f"  ratio baseline pair search / whole engine run {brute / seconds:5.1f} x")


if __name__ == "__main__":
    print(f"machine: {os.cpu_count()} cores visible; machine of record 2 cores, 24 GiB")
    bench_scan()
    bench_knox()

"""Co-travel over a month of a city's plate reads (about 10 million; issue 14: at most 5 minutes).

Generated like the demo (mahalla/demo/generator/links.py) but vectorised for size: 600 cameras with Zipf
popularity, commuters on shared corridors at the rush hours, random trips by hour of day, and 60 planted
convoys; 30 days. Baseline in the same run: sorting the reads by camera and time (numpy lexsort), the floor
of any co-occurrence search; the analysis is reported as a multiple of it, with precision and recall on the
planted convoys. Prints the machine (2 cores, shared) and load average.

Run: `.venv/bin/python bench/bench_links_cotravel.py [reads]`
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from mahalla.engine.cotravel import cotravel_pairs  # noqa: E402

DAYS = 30
CAMERAS = 600
T0 = 1_764_547_200  # 2025-12-01 00:00 UTC


def city(
    rng: np.random.Generator, target_reads: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, set[tuple[int, int]]]:
    popularity = 1.0 / np.arange(1, CAMERAS + 1) ** 0.8
    popularity = popularity[rng.permutation(CAMERAS)] / popularity.sum()
    hour_profile = np.array(
        [
            0.2,
            0.1,
            0.1,
            0.1,
            0.2,
            0.5,
            1.2,
            2.5,
            3.0,
            2.0,
            1.5,
            1.4,
            1.5,
            1.5,
            1.4,
            1.5,
            1.8,
            2.6,
            3.0,
            2.2,
            1.5,
            1.0,
            0.7,
            0.4,
        ]
    )
    hour_p = hour_profile / hour_profile.sum()
    commuters = target_reads // 2 // (DAYS * 5 * 2 * 5 // 7)
    corridor_count = max(10, commuters // 40)
    corridor_length = 5
    corridors = np.stack(
        [rng.choice(CAMERAS, corridor_length, replace=False, p=popularity) for _ in range(corridor_count)]
    )
    parts_v, parts_c, parts_t = [], [], []
    # commuters: every day (weekends too, for simplicity), morning and evening, 5 cameras each way
    corridor_of = rng.integers(corridor_count, size=commuters)
    morning = 3 * 3600 + rng.normal(0, 1800, commuters)  # 08:00 Tashkent = 03:00 UTC
    for day in range(DAYS):
        for base, reverse in ((morning, False), (morning + 10 * 3600, True)):
            leave = T0 + day * 86400 + base + rng.normal(0, 600, commuters)
            steps = np.cumsum(rng.uniform(90, 360, (commuters, corridor_length)), axis=1)
            cams = corridors[corridor_of][:, ::-1] if reverse else corridors[corridor_of]
            parts_v.append(np.repeat(np.arange(commuters), corridor_length))
            parts_c.append(cams.ravel())
            parts_t.append((leave[:, None] + steps).ravel().astype(np.int64))
    used = sum(p.size for p in parts_v)
    trips = max(0, (target_reads - used) // 3)
    pool = commuters + np.arange(max(1, trips // (DAYS * 2)))
    length = 3
    vehicles = rng.choice(pool, size=trips)
    hours = rng.choice(24, size=trips, p=hour_p)
    days = rng.integers(DAYS, size=trips)
    leave = T0 + days * 86400 + hours * 3600 + rng.uniform(0, 3600, trips)
    parts_v.append(np.repeat(vehicles, length))
    parts_c.append(rng.choice(CAMERAS, size=trips * length, p=popularity))
    parts_t.append(
        (leave[:, None] + np.cumsum(rng.uniform(90, 480, (trips, length)), axis=1)).ravel().astype(np.int64)
    )
    next_vehicle = int(pool.max()) + 1
    truth = set()
    for _ in range(60):
        leader, follower = next_vehicle, next_vehicle + 1
        next_vehicle += 2
        truth.add((leader, follower))
        for _trip in range(int(rng.integers(3, 8))):
            n = int(rng.integers(3, 6))
            route = rng.choice(CAMERAS, n, replace=False, p=popularity)
            start = (
                T0 + int(rng.integers(DAYS)) * 86400 + rng.choice(24, p=hour_p) * 3600 + rng.uniform(0, 3600)
            )
            stamps = start + np.cumsum(rng.uniform(90, 480, n))
            parts_v += [np.full(n, leader), np.full(n, follower)]
            parts_c += [route, route]
            parts_t += [stamps.astype(np.int64), (stamps + rng.uniform(3, 40, n)).astype(np.int64)]
    return np.concatenate(parts_v), np.concatenate(parts_c), np.concatenate(parts_t), truth


def main() -> None:
    target = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    rng = np.random.default_rng(14)
    vehicle, camera, ts, truth = city(rng, target)
    print(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; {ts.size:,} reads, "
        f"{np.unique(vehicle).size:,} vehicles, {CAMERAS} cameras, {DAYS} days"
    )
    started = time.perf_counter()
    np.lexsort((ts, camera))
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    cpu = time.process_time()
    result = cotravel_pairs(vehicle, camera, ts, window=60, min_cameras=4)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    print(f"co-travel process CPU time {cpu:.1f} s")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"children's CPU time {children.ru_utime + children.ru_stime:.1f} s")
    found = {(p.vehicle_a, p.vehicle_b) for p in result.pairs}
    hits = len(found & truth)
    print(
        f"baseline sort {baseline:.1f} s; co-travel {elapsed:.1f} s = {elapsed / baseline:.0f} x baseline "
        f"(target <= 300 s: {'PASS' if elapsed <= 300 else 'FAIL'})"
    )
    print(
        f"pairs reported {len(found)}, threshold {result.threshold:.1f}; precision {hits / max(1, len(found)):.3f}, "  # noqa: E501
        f"recall {hits / len(truth):.3f}; load average now {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()

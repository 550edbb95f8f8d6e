"""Benchmark: the engine's spatial statistics against PySAL (libpysal, esda) and pymannkendall, nation scale.

9,000 synthetic mahallas (Voronoi cells of a jittered 90 x 100 grid) with overdispersed, spatially clustered
counts (negative binomial around a smooth surface). Each step runs once; the script prints seconds, the
ratio reference / engine (above 1 = the engine is faster) and a check that the answers agree. Both wall-clock
and process CPU seconds are printed; ratios use CPU seconds, which other jobs on a shared machine disturb
less than the wall clock (everything here runs on one thread).

Run:  .venv/bin/python bench/bench_spatial_vs_esda.py
Machine of record: 2 cores, 24 GiB RAM, shared with other jobs (timings are single runs, expect noise).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from scipy import sparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import esda  # noqa: E402
import libpysal  # noqa: E402
import pymannkendall  # noqa: E402

from mahalla.engine.autocorrelation import gi_star, local_moran, morans_i  # noqa: E402
from mahalla.engine.emerging import emerging_hot_spots  # noqa: E402
from mahalla.engine.trend import mann_kendall  # noqa: E402
from mahalla.engine.weights import queen_weights  # noqa: E402

warnings.filterwarnings("ignore")
ROWS, COLS, WEEKS, PERMUTATIONS = 90, 100, 156, 999


def timed(label: str, func: Callable[[], Any]) -> tuple[Any, float]:
    start, cpu_start = time.perf_counter(), time.process_time()
    value = func()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    print(f"  {label:<48s} {seconds:8.2f} s wall {cpu:8.2f} s cpu", flush=True)
    return value, cpu


def ratio(reference: float, engine: float) -> None:
    print(f"  {'ratio reference / engine':<48s} {reference / engine:9.1f} x", flush=True)


def synthetic_mahallas(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    gx, gy = np.meshgrid(np.arange(COLS, dtype=float), np.arange(ROWS, dtype=float))
    points = np.column_stack([gx.ravel(), gy.ravel()]) + rng.uniform(-0.35, 0.35, size=(ROWS * COLS, 2))
    extent = shapely.box(-0.5, -0.5, COLS - 0.5, ROWS - 0.5)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(points), extend_to=extent))
    cells = shapely.intersection(cells, extent)
    # voronoi_polygons does not keep the input order: match every cell back to its generating point.
    tree = shapely.STRtree(cells)
    point_idx, cell_idx = tree.query(shapely.points(points), predicate="within")
    order = np.empty(points.shape[0], dtype=int)
    order[point_idx] = cell_idx
    return cells[order], points


def main() -> None:
    print(
        f"machine: {os.cpu_count()} cores visible (machine of record: 2 cores, 24 GiB); "
        f"numba installed: {importlib.util.find_spec('numba') is not None} "
        "(without numba esda's conditional randomisation runs as plain Python)"
    )
    rng = np.random.default_rng(20261128)
    cells, points = synthetic_mahallas(rng)
    n = len(cells)
    surface = np.exp(1.0 + 0.8 * np.sin(points[:, 0] / 9) * np.cos(points[:, 1] / 11))
    dispersion = 1.5  # negative binomial size: variance = mean + mean^2 / 1.5
    counts = rng.negative_binomial(dispersion, dispersion / (dispersion + surface)).astype(float)
    print(
        f"{n} polygons, counts: mean {counts.mean():.2f}, variance {counts.var():.2f}, "
        f"zeros {np.mean(counts == 0):.0%}"
    )

    print("\nqueen contiguity")
    w, ours = timed("engine queen_weights (STRtree)", lambda: queen_weights(cells))
    ref_w, theirs = timed(
        "libpysal Queen.from_iterable", lambda: libpysal.weights.Queen.from_iterable(list(cells))
    )
    ratio(theirs, ours)
    same = (sparse.csr_matrix(w) != ref_w.sparse).nnz == 0
    print(f"  identical neighbours: {same}; mean neighbours {w.nnz / n:.2f}")
    pw = libpysal.weights.W.from_sparse(sparse.csr_matrix(w))

    print(f"\nglobal Moran's I, {PERMUTATIONS} permutations")
    m, ours = timed("engine morans_i", lambda: morans_i(counts, w, permutations=PERMUTATIONS, random_state=1))
    rm, theirs = timed("esda.Moran", lambda: esda.Moran(counts, pw, permutations=PERMUTATIONS))
    ratio(theirs, ours)
    print(
        f"  I {m.I:.6f} vs {rm.I:.6f}; z_rand {m.z_rand:.4f} vs {rm.z_rand:.4f}; "
        f"p_sim {m.p_sim} vs {rm.p_sim}"
    )

    print(f"\nGi* (binary weights with self), {PERMUTATIONS} conditional permutations")
    g, ours = timed("engine gi_star", lambda: gi_star(counts, w, permutations=PERMUTATIONS, random_state=2))
    rg, theirs = timed(
        "esda.G_Local(transform='B', star=True)",
        lambda: esda.G_Local(counts, pw, transform="B", star=True, permutations=PERMUTATIONS, seed=2),
    )
    ratio(theirs, ours)
    print(
        f"  max |z - esda Zs| {np.abs(g.z - rg.Zs).max():.2e}; "
        f"p_sim correlation {np.corrcoef(g.p_sim, rg.p_sim)[0, 1]:.4f}"
    )

    print(f"\nlocal Moran, {PERMUTATIONS} conditional permutations")
    lm, ours = timed(
        "engine local_moran", lambda: local_moran(counts, w, permutations=PERMUTATIONS, random_state=3)
    )
    rl, theirs = timed(
        "esda.Moran_Local", lambda: esda.Moran_Local(counts, pw, permutations=PERMUTATIONS, seed=3)
    )
    ratio(theirs, ours)
    print(
        f"  max |Is - esda Is| {np.abs(lm.Is - rl.Is).max():.2e}; "
        f"quadrants equal {bool((lm.q == rl.q).all())}; "
        f"p_sim correlation {np.corrcoef(lm.p_sim, rl.p_sim)[0, 1]:.4f}"
    )

    print(f"\nMann-Kendall over {n} weekly series of {WEEKS} steps")
    weekly = rng.negative_binomial(
        dispersion, dispersion / (dispersion + surface[:, None] / 20 * np.ones(WEEKS))
    )
    weekly = weekly.astype(float)
    mk, ours = timed("engine mann_kendall (with Sen slope)", lambda: mann_kendall(weekly))
    _, ours_fast = timed(
        "engine mann_kendall (test only, no slope)", lambda: mann_kendall(weekly, sen_slope=False)
    )
    ref_mk, theirs = timed(
        "pymannkendall.original_test, loop", lambda: [pymannkendall.original_test(x) for x in weekly]
    )
    ratio(theirs, ours)
    print(f"  ratio for the test without Sen slope {theirs / ours_fast:.1f} x")
    print(
        f"  max |z - pymannkendall z| {np.abs(mk.z - np.array([r.z for r in ref_mk])).max():.2e}; "
        f"max |slope diff| {np.abs(mk.slope - np.array([r.slope for r in ref_mk])).max():.2e}"
    )

    print(f"\nemerging hot spots, {n} x {WEEKS} cube, neighbourhood time step 1 (engine only)")
    ehs, _ = timed("engine emerging_hot_spots", lambda: emerging_hot_spots(weekly, w))
    classes, tally = np.unique(ehs.category, return_counts=True)
    print("  " + ", ".join(f"{c}: {k}" for c, k in zip(classes, tally, strict=True)))
    ehs_perm, _ = timed(
        f"engine emerging_hot_spots, {PERMUTATIONS} permutations",
        lambda: emerging_hot_spots(weekly, w, permutations=PERMUTATIONS, random_state=4),
    )
    agree = np.mean(ehs_perm.category == ehs.category)
    print(f"  classes equal to the analytical run for {agree:.1%} of mahallas")


if __name__ == "__main__":
    main()

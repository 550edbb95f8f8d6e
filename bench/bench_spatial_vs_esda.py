"""Benchmark: the engine's spatial statistics against PySAL (libpysal, esda) and pymannkendall, nation scale.

9,000 synthetic mahallas (Voronoi cells of a jittered 90 x 100 grid) with overdispersed, spatially clustered
counts (negative binomial around a smooth surface), 999 permutations.

Measured honestly (issue 16, item 5):

* every step reports wall seconds and the CPU seconds of every process it used: this process's threads
  (``RUSAGE_SELF``), reaped children (``RUSAGE_CHILDREN``) and live descendants read from ``/proc`` (esda's
  default ``n_jobs=-1`` runs the permutations in loky worker processes that stay alive between calls);
* esda runs as its users run it: with numba installed (the script refuses to run without it), warm - the
  first call, which pays numba's compilation and the worker start-up, is reported apart - once in one
  process (``n_jobs=1``) and once with esda's default ``n_jobs``;
* the deterministic results (Gi, Gi* z, local Moran I and quadrants, Mann-Kendall S, z, p and Sen slope)
  are asserted identical to 1e-10 in the same run; the pseudo p-values come from different random draws,
  so their agreement is printed as a correlation;
* ratios are reference / engine (above 1 = the engine is faster), of wall time and of all-process CPU,
  each warm figure the median of ``--repeat`` calls, printed with the load average of the moment.

Run:  .venv/bin/python bench/bench_spatial_vs_esda.py [--repeat 3] [--emerging]
Machine of record: 2 cores, 24 GiB RAM, shared with other jobs (expect noise; read the load average).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
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


def _descendant_cpu() -> dict[int, float]:
    """CPU seconds (own and reaped children's) of every live descendant of this process, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = sum(int(f) for f in fields[11:15]) / ticks  # utime stime cutime cstime
    me, found, frontier = os.getpid(), {}, [os.getpid()]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid != me and pid not in found:
                found[pid] = times[pid]
                frontier.append(pid)
    return found


def _cpu_snapshot() -> tuple[float, dict[int, float]]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime, _descendant_cpu()


def _cpu_between(before: tuple[float, dict[int, float]], after: tuple[float, dict[int, float]]) -> float:
    # A descendant alive before and reaped since is in RUSAGE_CHILDREN whole: take off what it had used.
    return after[0] - before[0] + sum(after[1].values()) - sum(before[1].values())


def load() -> str:
    return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def once(func: Callable[[], Any]) -> tuple[Any, float, float]:
    before, start = _cpu_snapshot(), time.perf_counter()
    value = func()
    seconds = time.perf_counter() - start
    return value, seconds, _cpu_between(before, _cpu_snapshot())


def timed(label: str, func: Callable[[], Any], repeat: int = 1) -> tuple[Any, float, float]:
    """Run ``func`` once cold, then ``repeat - 1`` more times; return the value and the warm medians."""
    value, seconds, cpu = once(func)
    if repeat <= 1:
        print(f"  {label:<64s} {seconds:8.2f} s wall {cpu:8.2f} s cpu  ({load()})", flush=True)
        return value, seconds, cpu
    print(f"  {label + ', first call':<64s} {seconds:8.2f} s wall {cpu:8.2f} s cpu", flush=True)
    warm = [once(func)[1:] for _ in range(repeat - 1)]
    seconds = float(np.median([w[0] for w in warm]))
    cpu = float(np.median([w[1] for w in warm]))
    print(
        f"  {label + f', warm (median of {len(warm)})':<64s} {seconds:8.2f} s wall {cpu:8.2f} s cpu"
        f"  ({load()})",
        flush=True,
    )
    return value, seconds, cpu


def ratio(label: str, reference: tuple[Any, float, float], engine: tuple[Any, float, float]) -> None:
    print(
        f"  ratio {label:<58s} {reference[1] / engine[1]:6.1f} x wall {reference[2] / engine[2]:6.1f} x cpu"
        f"  ({load()})",
        flush=True,
    )


def same(label: str, ours: Any, theirs: Any, tol: float = 1e-10) -> None:
    ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    diff = float(np.nanmax(np.abs(ours - theirs)))
    assert ours.shape == theirs.shape and np.array_equal(np.isnan(ours), np.isnan(theirs)), label
    assert diff <= tol, f"{label}: max |engine - reference| {diff:.3e} > {tol:g}"
    print(f"  identical {label}: max |diff| {diff:.2e} <= {tol:g}", flush=True)


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
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeat", type=int, default=3, help="calls per timed step; the first is reported apart"
    )
    parser.add_argument(
        "--emerging", action="store_true", help="also time the engine's permuted emerging hot spots"
    )
    args = parser.parse_args()
    if importlib.util.find_spec("numba") is None:
        sys.exit("numba is not installed: esda would run as plain Python (run `make install`)")
    import numba

    print(
        f"machine: {os.cpu_count()} cores visible (machine of record: 2 cores, 24 GiB), {load()}; "
        f"esda {esda.__version__} with numba {numba.__version__}; {PERMUTATIONS} permutations"
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
    engine = timed("engine queen_weights (STRtree)", lambda: queen_weights(cells))
    reference = timed(
        "libpysal Queen.from_iterable", lambda: libpysal.weights.Queen.from_iterable(list(cells))
    )
    ratio("libpysal / engine", reference, engine)
    w = engine[0]
    assert (sparse.csr_matrix(w) != reference[0].sparse).nnz == 0, "neighbours differ from libpysal's"
    print(f"  identical neighbours; mean neighbours {w.nnz / n:.2f}")

    def pysal_w() -> Any:  # esda sets the transform on the W it gets: one W per statistic
        return libpysal.weights.W.from_sparse(sparse.csr_matrix(w))

    repeat = args.repeat
    print(f"\nglobal Moran's I, {PERMUTATIONS} permutations")
    pw = pysal_w()
    engine = timed("engine morans_i", lambda: morans_i(counts, w, permutations=PERMUTATIONS, random_state=1))
    reference = timed("esda.Moran", lambda: esda.Moran(counts, pw, permutations=PERMUTATIONS))
    ratio("esda / engine", reference, engine)
    same("Moran's I", engine[0].I, reference[0].I)
    same("Moran's z_rand", engine[0].z_rand, reference[0].z_rand)

    print(f"\nGi* (binary weights with self), {PERMUTATIONS} conditional permutations")
    pw = pysal_w()
    engine = timed(
        "engine gi_star", lambda: gi_star(counts, w, permutations=PERMUTATIONS, random_state=2), repeat
    )
    one = timed(
        "esda.G_Local star, n_jobs=1",
        lambda: esda.G_Local(
            counts, pw, transform="B", star=True, permutations=PERMUTATIONS, seed=2, n_jobs=1
        ),
        repeat,
    )
    default = timed(
        "esda.G_Local star, default n_jobs=-1",
        lambda: esda.G_Local(counts, pw, transform="B", star=True, permutations=PERMUTATIONS, seed=2),
        repeat,
    )
    ratio("esda n_jobs=1 / engine, warm", one, engine)
    ratio("esda default n_jobs / engine, warm", default, engine)
    g, rg = engine[0], one[0]
    same("Gi* statistic (Gs)", g.Gs, rg.Gs)
    same("Gi* z (Zs)", g.z, rg.Zs)
    same("Gi* normal p (engine two-sided = 2 x esda one-sided)", g.p_norm, 2 * rg.p_norm)
    same("esda's own Gs, n_jobs=1 vs default", rg.Gs, default[0].Gs)
    print(
        f"  p_sim correlation with esda {np.corrcoef(g.p_sim, rg.p_sim)[0, 1]:.4f}; "
        f"mean |p_sim - esda| {np.abs(g.p_sim - rg.p_sim).mean():.4f} (different random draws)"
    )

    print(f"\nlocal Moran, {PERMUTATIONS} conditional permutations")
    pw = pysal_w()
    engine = timed(
        "engine local_moran",
        lambda: local_moran(counts, w, permutations=PERMUTATIONS, random_state=3),
        repeat,
    )
    one = timed(
        "esda.Moran_Local, n_jobs=1 (esda's default)",
        lambda: esda.Moran_Local(counts, pw, permutations=PERMUTATIONS, seed=3, n_jobs=1),
        repeat,
    )
    many = timed(
        "esda.Moran_Local, n_jobs=-1",
        lambda: esda.Moran_Local(counts, pw, permutations=PERMUTATIONS, seed=3, n_jobs=-1),
        repeat,
    )
    ratio("esda n_jobs=1 / engine, warm", one, engine)
    ratio("esda n_jobs=-1 / engine, warm", many, engine)
    lm, rl = engine[0], one[0]
    same("local Moran Is", lm.Is, rl.Is)
    same("local Moran quadrants", lm.q, rl.q, tol=0)
    print(
        f"  p_sim correlation with esda {np.corrcoef(lm.p_sim, rl.p_sim)[0, 1]:.4f}; "
        f"mean |p_sim - esda| {np.abs(lm.p_sim - rl.p_sim).mean():.4f} (different random draws)"
    )

    print(f"\nMann-Kendall (the emerging hot spots' trend test) over {n} weekly series of {WEEKS} steps")
    weekly = rng.negative_binomial(
        dispersion, dispersion / (dispersion + surface[:, None] / 20 * np.ones(WEEKS))
    ).astype(float)
    engine = timed("engine mann_kendall (with Sen slope)", lambda: mann_kendall(weekly), repeat)
    fast = timed(
        "engine mann_kendall (test only, as emerging uses it)",
        lambda: mann_kendall(weekly, sen_slope=False),
        repeat,
    )
    reference = timed(
        "pymannkendall.original_test, loop (always with slope)",
        lambda: [pymannkendall.original_test(x) for x in weekly],
        min(repeat, 2),  # plain Python with nothing to warm up; two calls of a minute each are enough
    )
    ratio("pymannkendall / engine, same outputs", reference, engine)
    ratio("pymannkendall / engine test only", reference, fast)
    mk, ref_mk = engine[0], reference[0]
    same("Mann-Kendall S", mk.S, [r.s for r in ref_mk])
    same("Mann-Kendall z", mk.z, [r.z for r in ref_mk])
    same("Mann-Kendall p", mk.p, [r.p for r in ref_mk])
    same("Sen slope", mk.slope, [r.slope for r in ref_mk])
    same("Mann-Kendall z, test only", fast[0].z, mk.z)

    if args.emerging:
        print(f"\nemerging hot spots, {n} x {WEEKS} cube, neighbourhood time step 1 (engine only)")
        ehs = timed("engine emerging_hot_spots", lambda: emerging_hot_spots(weekly, w))[0]
        classes, tally = np.unique(ehs.category, return_counts=True)
        print("  " + ", ".join(f"{c}: {k}" for c, k in zip(classes, tally, strict=True)))
        ehs_perm = timed(
            f"engine emerging_hot_spots, {PERMUTATIONS} permutations",
            lambda: emerging_hot_spots(weekly, w, permutations=PERMUTATIONS, random_state=4),
        )[0]
        print(f"  classes equal to the analytical run for {np.mean(ehs_perm.category == ehs.category):.1%}")
    print(f"\ndone ({load()})")


if __name__ == "__main__":
    main()

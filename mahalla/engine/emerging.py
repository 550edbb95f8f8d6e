"""Emerging hot spot analysis: space-time Getis-Ord Gi* per time step, Mann-Kendall trend of each location's
Gi* z series, and Esri's 17 pattern classes.

The method follows Esri's description of its Emerging Hot Spot Analysis tool ("How Emerging Hot Spot Analysis
works", ArcGIS Pro tool reference, Space Time Pattern Mining toolbox):

1. Every bin (location ``i``, time step ``t``) gets a Gi* z-score over its space-time neighbourhood: the
   location itself and its spatial neighbours, in step ``t`` and the previous ``neighbourhood_time_step``
   steps (Esri's "Neighborhood Time Step"; 1 = the current and the previous step). With the default
   ``global_window="cube"`` (Esri's "Entire cube") the mean and standard deviation in the z-score are those
   of all bins of the cube, so each bin's local sum is compared with the whole cube.
2. Bins are significant hot (z > 0) or cold (z < 0) spots when their two-sided p-value passes the false
   discovery rate control (Benjamini-Hochberg over all bins), as Esri applies an FDR correction.
3. The Mann-Kendall test on each location's series of Gi* z-scores gives the trend z and p.
4. Each location is classified (hot shown; the cold classes mirror them with cold bins, and with
   "intensifying" meaning z becoming more negative):

   - new: significant hot in the final step and never significant before;
   - consecutive: a single uninterrupted run of at least two significant hot bins ending in the final step,
     nothing significant before the run, and fewer than 90 % of the steps hot;
   - intensifying: hot in at least 90 % of the steps, including the final one, with a significant upward
     trend of the z-scores;
   - persistent: hot in at least 90 % of the steps, including the final one, with no significant trend;
   - diminishing: hot in at least 90 % of the steps, including the final one, with a significant downward
     trend;
   - sporadic: hot in the final step, hot on and off before, fewer than 90 % of the steps hot, never cold;
   - oscillating: hot in the final step, cold in some earlier step, fewer than 90 % of the steps hot;
   - historical: not hot in the final step but hot in at least 90 % of the steps;
   - no pattern detected: none of the above.

   Esri's wording leaves overlaps, resolved here and stated so the results are reproducible: the 90 %
   classes (intensifying, persistent, diminishing, historical) are tested first, hot before cold; a location
   that was ever significantly cold and is hot now is oscillating rather than new or consecutive (the sign
   change is the more informative finding; sfdep makes the same choice).

Inference is analytical by default (normal p-values of the Gi* z with FDR), as in Esri's tool. With
``permutations > 0`` the p-values come from conditional randomisation of every bin over the cube instead
(:func:`space_time_permutation_p`); thanks to the shared-draw engine of :mod:`mahalla.engine.inference`
this stays feasible at nation scale (9,000 mahallas x 156 weeks x 999 permutations: see
``bench/bench_spatial_vs_esda.py``).

References
----------
Esri. How Emerging Hot Spot Analysis works. ArcGIS Pro tool reference, Space Time Pattern Mining toolbox
(pattern definitions; "Neighborhood Time Step"; "Define Global Window"; FDR correction).
Ord, J. K. & Getis, A. (1995). Local spatial autocorrelation statistics: distributional issues and an
application. *Geographical Analysis* 27(4), 286-306. Mann, H. B. (1945); Kendall, M. G. (1975).
Benjamini, Y. & Hochberg, Y. (1995). Parry, J. sfdep (R package), ``emerging_hotspot_analysis``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from mahalla.engine.autocorrelation import binary_star_weights, gi_star_z
from mahalla.engine.distributions import norm_sf
from mahalla.engine.inference import RandomState, check_permutations, conditional_permutation_test, rng_from
from mahalla.engine.multiple_testing import benjamini_hochberg
from mahalla.engine.trend import mann_kendall
from mahalla.engine.weights import as_weights

__all__ = [
    "EMERGING_CLASSES",
    "EmergingHotSpotResult",
    "classify_emerging",
    "emerging_hot_spots",
    "space_time_gi_star",
    "space_time_permutation_p",
    "space_time_weights",
]

_PATTERNS = (
    "new",
    "consecutive",
    "intensifying",
    "persistent",
    "diminishing",
    "sporadic",
    "oscillating",
    "historical",
)
EMERGING_CLASSES: tuple[str, ...] = (
    *(f"{pattern} hot spot" for pattern in _PATTERNS),
    *(f"{pattern} cold spot" for pattern in _PATTERNS),
    "no pattern detected",
)


@dataclass(frozen=True)
class EmergingHotSpotResult:
    """Per-location classes and per-bin Gi* results of emerging hot spot analysis.

    Attributes
    ----------
    category : ndarray of str, shape (n,)
        One of :data:`EMERGING_CLASSES`.
    trend_z, trend_p : ndarray, shape (n,)
        Mann-Kendall z and two-sided p of each location's Gi* z series.
    z, p : ndarray, shape (n, T)
        Gi* z-score and two-sided normal p-value of every bin.
    hot, cold : ndarray of bool, shape (n, T)
        Significant hot / cold bins after the FDR control.
    """

    category: NDArray[np.str_]
    trend_z: NDArray[np.float64]
    trend_p: NDArray[np.float64]
    z: NDArray[np.float64]
    p: NDArray[np.float64]
    hot: NDArray[np.bool_]
    cold: NDArray[np.bool_]


def _final_run(flags: NDArray[np.bool_]) -> NDArray[np.int64]:
    # Length of the uninterrupted run of True that ends in the final step.
    run: NDArray[np.int64] = np.cumprod(flags[:, ::-1], axis=1).sum(axis=1)
    return run


def classify_emerging(
    hot: ArrayLike,
    cold: ArrayLike,
    trend_z: ArrayLike,
    trend_p: ArrayLike,
    *,
    trend_alpha: float = 0.05,
    threshold: float = 0.9,
) -> NDArray[np.str_]:
    """Assign Esri's emerging hot spot pattern to each location.

    Parameters
    ----------
    hot, cold : array_like of bool, shape (n, T)
        Significant hot / cold bins, time steps in order (the last column is the final step).
    trend_z, trend_p : array_like, shape (n,)
        Mann-Kendall z and p of each location's Gi* z series.
    trend_alpha : float, default 0.05
        Level at which the Mann-Kendall trend counts as significant (intensifying / diminishing).
    threshold : float, default 0.9
        Esri's "90 percent of the time-step intervals".

    Returns
    -------
    ndarray of str, shape (n,)
        Names from :data:`EMERGING_CLASSES`.

    References
    ----------
    Esri, How Emerging Hot Spot Analysis works (pattern definitions); see the module docstring for how
    overlapping definitions are resolved.

    Examples
    --------
    >>> import numpy as np
    >>> hot = np.array([[False] * 9 + [True]])
    >>> classify_emerging(hot, np.zeros_like(hot), [1.0], [0.5]).tolist()
    ['new hot spot']
    """
    hot_flags = np.asarray(hot, dtype=bool)
    cold_flags = np.asarray(cold, dtype=bool)
    if hot_flags.ndim != 2 or hot_flags.shape != cold_flags.shape:
        raise ValueError(
            "hot and cold must be boolean (n, T) arrays of one shape, "
            f"got {hot_flags.shape} and {cold_flags.shape}"
        )
    both = hot_flags & cold_flags
    if both.any():
        i, t = np.argwhere(both)[0]
        raise ValueError(f"location {i} is flagged both hot and cold at time step {t}")
    n, steps = hot_flags.shape
    if steps < 2:
        raise ValueError(f"emerging hot spot classes need at least 2 time steps, got {steps}")
    tz = np.broadcast_to(np.asarray(trend_z, dtype=float), (n,))
    tp = np.broadcast_to(np.asarray(trend_p, dtype=float), (n,))
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    if not 0 < trend_alpha < 1:
        raise ValueError(f"trend_alpha must be in (0, 1), got {trend_alpha}")

    upward = (tp < trend_alpha) & (tz > 0)
    downward = (tp < trend_alpha) & (tz < 0)
    category = np.full(n, "no pattern detected", dtype="U24")
    decided = np.zeros(n, dtype=bool)

    def assign(mask: NDArray[np.bool_], name: str) -> None:
        chosen = mask & ~decided
        category[chosen] = name
        decided[chosen] = True

    sides = (
        ("hot", hot_flags, cold_flags, upward, downward),
        ("cold", cold_flags, hot_flags, downward, upward),
    )
    # The 90 % classes first: a long history outweighs what happened in the last steps.
    for side, flags, _, stronger, weaker in sides:
        share = flags.sum(axis=1) / steps
        majority = share >= threshold - 1e-12
        final = flags[:, -1]
        assign(majority & final & stronger, f"intensifying {side} spot")
        assign(majority & final & weaker, f"diminishing {side} spot")
        assign(majority & final, f"persistent {side} spot")
        assign(majority & ~final, f"historical {side} spot")
    for side, flags, opposite, _, _ in sides:
        final = flags[:, -1]
        run = _final_run(flags)
        before_run = np.arange(steps)[None, :] < (steps - run)[:, None]
        same_before = (flags & before_run).any(axis=1)
        opposite_ever = opposite.any(axis=1)
        assign(final & opposite_ever, f"oscillating {side} spot")
        assign(final & (run == 1) & ~same_before, f"new {side} spot")
        assign(final & (run >= 2) & ~same_before, f"consecutive {side} spot")
        assign(final, f"sporadic {side} spot")
    result: NDArray[np.str_] = category.astype(str)
    return result


def space_time_gi_star(
    counts: ArrayLike,
    w: object,
    *,
    neighbourhood_time_step: int = 1,
    global_window: Literal["cube", "time_step"] = "cube",
) -> NDArray[np.float64]:
    """Gi* z-score of every bin of a space-time cube (binary weights, the bin itself included).

    Parameters
    ----------
    counts : array_like, shape (n, T)
        Non-negative counts per location and time step.
    w : sparse or dense (n, n) binary matrix
        Spatial adjacency; each location is added to its own neighbourhood.
    neighbourhood_time_step : int, default 1
        Number of previous time steps in the neighbourhood (0 = purely spatial).
    global_window : {"cube", "time_step"}, default "cube"
        "cube": mean and variance over all bins (Esri's default "Entire cube"). "time_step": each step is
        compared with its own map (requires ``neighbourhood_time_step == 0``).

    Returns
    -------
    ndarray, shape (n, T)
        NaN for a step whose map is constant under ``global_window="time_step"``.

    References
    ----------
    Ord & Getis (1995), eq. 9, applied to the space-time weights of Esri's Emerging Hot Spot Analysis.
    """
    cube = _counts(counts)
    n, steps = cube.shape
    k = _time_step(neighbourhood_time_step, steps)
    star = binary_star_weights(w, n)
    if global_window == "time_step":
        if k != 0:
            raise ValueError(
                "global_window='time_step' compares each step with its own map, so it needs "
                f"neighbourhood_time_step=0, got {k}"
            )
        return gi_star_z(cube, star)
    if global_window != "cube":
        raise ValueError(f"global_window must be 'cube' or 'time_step', got {global_window!r}")
    spatial_sum = star @ cube
    cumulative = np.cumsum(spatial_sum, axis=1)
    window_sum = cumulative.copy()
    window_sum[:, k + 1 :] -= cumulative[:, : steps - k - 1]
    steps_in_window = np.minimum(np.arange(steps), k) + 1
    weight_sum = np.asarray(star.sum(axis=1)).ravel()[:, None] * steps_in_window[None, :]
    bins = n * steps
    mean = cube.mean()
    s = np.sqrt(max(float((cube**2).mean() - mean**2), 0.0))
    if s == 0:
        raise ValueError("counts are the same in every bin, so the Gi* z-score is undefined")
    # Binary weights: the sum of squared weights equals the sum of weights.
    spread = np.sqrt((bins * weight_sum - weight_sum**2) / (bins - 1))
    z: NDArray[np.float64] = (window_sum - mean * weight_sum) / (s * spread)
    return z


def space_time_weights(w: object, steps: int, neighbourhood_time_step: int) -> sparse.csr_array:
    """Binary weights between the bins of a cube, bin ``t * n + i`` for location ``i`` and step ``t``.

    Bin ``(i, t)`` neighbours ``(j, s)`` when ``j`` is ``i`` or a spatial neighbour of ``i`` and
    ``t - neighbourhood_time_step <= s <= t``; the bin itself is left out (conditional permutation holds it
    fixed). Built directly in CSR with 32-bit indices: 9,000 locations x 156 steps with one previous step
    make about 19 million links.

    Parameters
    ----------
    w : sparse or dense (n, n) binary matrix
    steps : int
    neighbourhood_time_step : int

    Returns
    -------
    scipy.sparse.csr_array, shape (n * steps, n * steps)
    """
    matrix = as_weights(w)
    n = matrix.shape[0]
    star = binary_star_weights(matrix, n)
    k = _time_step(neighbourhood_time_step, steps)
    owner = np.repeat(np.arange(n), np.diff(star.indptr))
    neighbour = star.indices.astype(np.int64)
    index_blocks: list[NDArray[np.int32]] = []
    lengths: list[NDArray[np.int64]] = []
    for t in range(steps):
        window = np.arange(max(0, t - k), t + 1)
        # Row-major order: for each location, every step of the window, then its neighbours.
        rows = np.tile(owner, window.size)
        cols = (window[:, None] * n + neighbour[None, :]).ravel()
        is_self = cols == t * n + rows
        rows, cols = rows[~is_self], cols[~is_self]
        order = np.argsort(rows, kind="stable")
        index_blocks.append(cols[order].astype(np.int32))
        lengths.append(np.bincount(rows, minlength=n))
    indptr = np.concatenate([[0], np.cumsum(np.concatenate(lengths))])
    indices = np.concatenate(index_blocks)
    size = n * steps
    return sparse.csr_array((np.ones(indices.size), indices, indptr), shape=(size, size))


def space_time_permutation_p(
    counts: ArrayLike,
    w: object,
    *,
    neighbourhood_time_step: int = 1,
    global_window: Literal["cube", "time_step"] = "cube",
    permutations: int = 999,
    random_state: RandomState = None,
) -> NDArray[np.float64]:
    """Directed conditional-permutation pseudo p-value of the Gi* of every bin, shape (n, T).

    With ``global_window="cube"`` each bin is held fixed and the other members of its space-time
    neighbourhood are drawn from all other bins of the cube (the reference population of the cube-wide
    z-score). With ``"time_step"`` (purely spatial neighbourhoods) each step's map is permuted on its own;
    a step with no counts at all gets NaN. Gi* is increasing in the neighbourhood sum, so the p-value is the
    same for ``G`` and for its z-score.

    References
    ----------
    Anselin (1995) and esda ``crand`` (conditional randomisation); Ord & Getis (1995).
    """
    cube = _counts(counts)
    n, steps = cube.shape
    k = _time_step(neighbourhood_time_step, steps)
    permutations = check_permutations(permutations, allow_zero=False)
    rng = rng_from(random_state)
    if global_window == "time_step":
        if k != 0:
            raise ValueError(f"global_window='time_step' needs neighbourhood_time_step=0, got {k}")
        star = binary_star_weights(w, n)
        p = np.full((n, steps), np.nan)
        for t in range(steps):
            values = cube[:, t]
            total = values.sum()
            if total == 0:
                continue
            result = conditional_permutation_test(
                values,
                star,
                (star @ values) / total,
                slope=np.full(n, 1.0 / total),
                intercept=values / total,
                permutations=permutations,
                random_state=rng,
            )
            p[:, t] = result.p_sim
        return p
    if global_window != "cube":
        raise ValueError(f"global_window must be 'cube' or 'time_step', got {global_window!r}")
    links = space_time_weights(w, steps, k)
    values = cube.T.ravel()
    total = values.sum()
    if total == 0:
        raise ValueError("counts are zero in every bin, so Gi* is undefined")
    result = conditional_permutation_test(
        values,
        links,
        (links @ values + values) / total,
        slope=np.full(values.size, 1.0 / total),
        intercept=values / total,
        permutations=permutations,
        random_state=rng,
    )
    directed: NDArray[np.float64] = result.p_sim.reshape(steps, n).T
    return directed


def _counts(counts: ArrayLike) -> NDArray[np.float64]:
    cube = np.asarray(counts, dtype=float)
    if cube.ndim != 2:
        raise ValueError(f"counts must be a (locations, time steps) matrix, got shape {cube.shape}")
    if cube.shape[0] < 3:
        raise ValueError(f"counts needs at least 3 locations, got {cube.shape[0]}")
    bad = ~np.isfinite(cube) | (cube < 0)
    if bad.any():
        i, t = np.argwhere(bad)[0]
        raise ValueError(f"counts[{i}, {t}] = {cube[i, t]} is not a non-negative number")
    return cube


def _time_step(neighbourhood_time_step: int, steps: int) -> int:
    k = neighbourhood_time_step
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 0 <= k < steps:
        raise ValueError(f"neighbourhood_time_step must be an integer in [0, {steps - 1}], got {k!r}")
    return int(k)


def emerging_hot_spots(
    counts: ArrayLike,
    w: object,
    *,
    neighbourhood_time_step: int = 1,
    global_window: Literal["cube", "time_step"] = "cube",
    alpha: float = 0.05,
    fdr: bool = True,
    trend_alpha: float = 0.05,
    threshold: float = 0.9,
    permutations: int = 0,
    random_state: RandomState = None,
) -> EmergingHotSpotResult:
    """Emerging hot spot analysis of a (locations x time steps) count cube.

    Parameters
    ----------
    counts : array_like, shape (n, T)
        Non-negative counts (e.g. weekly offences per mahalla), time steps in order, the last one the most
        recent. The Mann-Kendall test has little power with fewer than about 10 steps.
    w : sparse or dense (n, n) binary matrix
        Spatial adjacency, e.g. :func:`mahalla.engine.weights.queen_weights`.
    neighbourhood_time_step : int, default 1
        Previous time steps included in each bin's neighbourhood (Esri's default is 1).
    global_window : {"cube", "time_step"}, default "cube"
        See :func:`space_time_gi_star`.
    alpha : float, default 0.05
        Significance level of a hot or cold bin (false discovery rate when ``fdr``).
    fdr : bool, default True
        Benjamini-Hochberg control over all ``n * T`` bins; plain ``p <= alpha`` otherwise.
    trend_alpha : float, default 0.05
        Significance level of the Mann-Kendall trend.
    threshold : float, default 0.9
        Esri's 90 % rule.
    permutations : int, default 0
        0 uses the analytical normal p-values of the Gi* z, as Esri does. A positive number replaces them by
        conditional permutation p-values (see :func:`space_time_permutation_p`), made two-sided as
        ``min(1, 2 p)`` so that they play the same role; 999 permutations of 9,000 x 156 bins take tens of
        seconds.
    random_state : int, numpy.random.Generator or None
        Randomness of the permutations.

    Returns
    -------
    EmergingHotSpotResult

    References
    ----------
    Esri, How Emerging Hot Spot Analysis works; Ord & Getis (1995); Mann (1945); Kendall (1975);
    Benjamini & Hochberg (1995).

    Examples
    --------
    >>> import numpy as np
    >>> from mahalla.engine.weights import queen_weights
    >>> from shapely import box
    >>> cells = [box(x, y, x + 1, y + 1) for y in range(5) for x in range(5)]
    >>> counts = np.ones((25, 12))
    >>> counts[[0, 1, 5, 6], :] = 6.0
    >>> res = emerging_hot_spots(counts, queen_weights(cells), neighbourhood_time_step=0)
    >>> str(res.category[0])
    'persistent hot spot'
    """
    cube = _counts(counts)
    z = space_time_gi_star(
        cube, w, neighbourhood_time_step=neighbourhood_time_step, global_window=global_window
    )
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    permutations = check_permutations(permutations, allow_zero=True)
    if permutations:
        directed = space_time_permutation_p(
            cube,
            w,
            neighbourhood_time_step=neighbourhood_time_step,
            global_window=global_window,
            permutations=permutations,
            random_state=random_state,
        )
        p = np.minimum(1.0, 2 * directed)
    else:
        p = 2 * norm_sf(np.abs(z))
    if fdr:
        significant, _ = benjamini_hochberg(p.ravel(), alpha)
        significant = significant.reshape(p.shape)
    else:
        significant = np.asarray(p <= alpha)
    hot = significant & (z > 0)
    cold = significant & (z < 0)
    # A step whose map is constant has no clustering at all: z = 0 is its neutral value for the trend.
    trend = mann_kendall(np.nan_to_num(z, nan=0.0), alpha=trend_alpha, sen_slope=False)
    category = classify_emerging(hot, cold, trend.z, trend.p, trend_alpha=trend_alpha, threshold=threshold)
    return EmergingHotSpotResult(
        category=category,
        trend_z=np.asarray(trend.z, dtype=float),
        trend_p=np.asarray(trend.p, dtype=float),
        z=z,
        p=p,
        hot=hot,
        cold=cold,
    )

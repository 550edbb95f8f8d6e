"""Permutation inference shared by the spatial statistics.

Two engines:

* :func:`conditional_permutation_test` - conditional randomisation for local statistics (local Moran,
  Getis-Ord Gi / Gi*): the value at location ``i`` is held fixed and its neighbours' values are drawn,
  without replacement, from the other ``n - 1`` values. As in PySAL esda's ``crand``, one matrix of draws
  is made once and reused for every location: here ``permutations x (max_degree + 1)`` ordered samples
  without replacement from ``range(n)``; location ``i`` with ``d`` neighbours takes, in each row, the first
  ``d`` drawn locations other than itself. Those are exactly a uniform ordered sample of ``d`` of the other
  ``n - 1`` locations (esda gets the same distribution by drawing from ``range(n - 1)`` and skipping ``i``
  by index). Because ``i`` appears among a row's first ``d`` draws only with probability ``d / n``, every
  location of a degree group shares one matrix product ``weights @ values[draws].T`` and only those few
  appearances need a correction, so the cost is about ``n x permutations`` instead of
  ``n x permutations x degree``, with no Python loop per location.
* :func:`global_permutations` - full random relabelling for global statistics (Moran's I).

Every local statistic handled here is affine in the weighted sum of the neighbours' values,
``stat_i = slope_i * sum_j w_ij v_j + intercept_i``, which lets the engine simulate the weighted sums once
and never store an ``n x permutations`` matrix for the caller.

References
----------
Anselin, L. (1995). Local indicators of spatial association - LISA. *Geographical Analysis* 27(2), 93-115
(conditional randomisation). Rey, S. J. & Anselin, L. (2007), PySAL; esda ``crand`` (Wolf & Rey) and
``significance._permutation_significance`` (the "directed" pseudo p-value reproduced here).
Hope, A. C. A. (1968). A simplified Monte Carlo significance test procedure. *JRSS B* 30, 582-598
(pseudo p = (1 + #{sim >= obs}) / (1 + R)).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from mahalla.engine.weights import as_weights

__all__ = [
    "Alternative",
    "LocalPermutationResult",
    "RandomState",
    "conditional_permutation_test",
    "global_permutations",
    "pseudo_p_value",
    "rng_from",
]

RandomState = int | np.random.Generator | None
Alternative = Literal["directed", "greater", "lesser"]
_ALTERNATIVES = ("directed", "greater", "lesser")
# Entries per block of the (locations x permutations) work arrays: 400 kB of float64, so a block and its
# temporaries stay in cache; measured several times faster at 9,000 x 999 than 8 MB blocks.
_BLOCK_ELEMENTS = 50_000
# Relative tolerance inside which a simulated statistic counts as equal to the observed one, so that
# rounding in a differently ordered sum cannot decide a tie (count data produce exact ties often).
_TIE_RTOL = 1e-10


def rng_from(random_state: RandomState) -> np.random.Generator:
    """Turn ``random_state`` (int seed, ``numpy.random.Generator`` or None) into a Generator.

    Parameters
    ----------
    random_state : int, numpy.random.Generator or None
        None draws fresh entropy from the operating system.

    Returns
    -------
    numpy.random.Generator
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    if random_state is None or (
        isinstance(random_state, int | np.integer) and not isinstance(random_state, bool)
    ):
        return np.random.default_rng(random_state)
    raise TypeError(
        f"random_state must be an int, a numpy.random.Generator or None, got {type(random_state).__name__}"
    )


def check_permutations(permutations: int, *, allow_zero: bool) -> int:
    """Validate a number of permutations and return it as int."""
    if isinstance(permutations, bool) or not isinstance(permutations, int | np.integer):
        raise TypeError(f"permutations must be an integer, got {type(permutations).__name__}")
    low = 0 if allow_zero else 1
    if permutations < low:
        raise ValueError(f"permutations must be at least {low}, got {permutations}")
    return int(permutations)


def pseudo_p_value(
    n_at_least: NDArray[np.int64] | int,
    n_at_most: NDArray[np.int64] | int,
    permutations: int,
    alternative: Alternative = "directed",
) -> NDArray[np.float64]:
    """Pseudo p-value ``(1 + M) / (1 + R)`` from counts of simulated values on each side of the observed one.

    Parameters
    ----------
    n_at_least : int or ndarray
        Number of simulated statistics ``>=`` the observed one.
    n_at_most : int or ndarray
        Number of simulated statistics ``<=`` the observed one.
    permutations : int
        ``R``, the number of simulations.
    alternative : {"directed", "greater", "lesser"}
        "greater" and "lesser" are the one-sided tests. "directed" (esda's default ``p_sim``) takes the
        tail the observed value falls in, ``M = min(n_at_least, n_at_most)``.

    Returns
    -------
    ndarray of float

    Notes
    -----
    esda folds with ``R - n_at_least``, i.e. the count strictly below; that equals ``n_at_most`` whenever
    no simulated value ties the observed one, so continuous data give identical p-values. With ties (count
    data, or a location whose value equals the mean in local Moran) counting them on both sides keeps the
    p-value honest: a statistic that every simulation reproduces exactly gets p = 1, not 1 / (R + 1).
    """
    at_least = np.asarray(n_at_least, dtype=np.int64)
    at_most = np.asarray(n_at_most, dtype=np.int64)
    if alternative == "greater":
        extreme = at_least
    elif alternative == "lesser":
        extreme = at_most
    elif alternative == "directed":
        extreme = np.minimum(at_least, at_most)
    else:
        raise ValueError(f"alternative must be one of {_ALTERNATIVES}, got {alternative!r}")
    return np.asarray((extreme + 1.0) / (permutations + 1.0), dtype=np.float64)


@dataclass(frozen=True)
class LocalPermutationResult:
    """Per-location output of the conditional permutation test.

    Attributes
    ----------
    p_sim : ndarray
        Pseudo p-values; NaN for islands (no neighbour to permute).
    expected : ndarray
        Mean of the simulated statistics.
    std : ndarray
        Standard deviation (ddof 0, as esda) of the simulated statistics.
    z_sim : ndarray
        ``(observed - expected) / std``; NaN where the simulations have no spread.
    """

    p_sim: NDArray[np.float64]
    expected: NDArray[np.float64]
    std: NDArray[np.float64]
    z_sim: NDArray[np.float64]


def _ordered_samples(
    population: int, size: int, permutations: int, rng: np.random.Generator
) -> NDArray[np.intp]:
    """``permutations`` ordered samples of ``size`` distinct integers from ``range(population)``."""
    if size * (size - 1) / (2 * population) < 0.5:
        # Independent uniform draws conditioned on being distinct are an ordered sample without
        # replacement; with few neighbours among thousands of locations few rows need redrawing, and this
        # avoids a full shuffle of the population per permutation.
        draws = rng.integers(0, population, size=(permutations, size))
        while True:
            ordered = np.sort(draws, axis=1)
            repeated = (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)
            if not repeated.any():
                return draws.astype(np.intp)
            draws[repeated] = rng.integers(0, population, size=(int(repeated.sum()), size))
    result = np.empty((permutations, size), dtype=np.intp)
    for r in range(permutations):
        result[r] = rng.permutation(population)[:size]
    return result


def _neighbour_sums(
    v: NDArray[np.float64],
    draws: NDArray[np.intp],
    locations: NDArray[np.intp],
    weights: NDArray[np.float64],
    slot: NDArray[np.intp],
) -> NDArray[np.float64]:
    """Simulated weighted neighbour sums of locations that all have ``d`` neighbours.

    Parameters
    ----------
    v : values, shape (n,)
    draws : shape (permutations, d + 1), distinct indices per row
    locations : shape (m,)
    weights : shape (m, d), the off-diagonal weights of each location's row in CSR order
    slot : shape (n,), all -1; used as scratch (position of each location in the block) and reset

    Returns
    -------
    ndarray, shape (m, permutations)
    """
    d = weights.shape[1]
    drawn = v[draws]
    if np.all(weights == weights[:, :1]):
        # Contiguity weights (binary or row-standardised) are constant along a row: an outer product.
        sums: NDArray[np.float64] = weights[:, :1] * drawn[:, :d].sum(axis=1)[None, :]
    else:
        # einsum rather than a BLAS product: these products are small, and a threaded BLAS spinning on
        # them cost ten times the work itself on a busy 2-core machine.
        sums = np.einsum("ld,rd->lr", weights, drawn[:, :d])
    # Where location i itself is among a row's first d draws (at position p) its neighbours are the draws
    # at positions 0..p-1 and p+1..d: weight m moves from drawn value m to drawn value m + 1 for m >= p.
    slot[locations] = np.arange(locations.size)
    row, position = np.nonzero(slot[draws[:, :d]] >= 0)
    if row.size:
        owner = slot[draws[row, position]]
        step = drawn[row, 1:] - drawn[row, :-1]
        after_self = np.arange(d)[None, :] >= position[:, None]
        # Draws in a row are distinct, so each (owner, row) pair occurs once and += loses nothing.
        sums[owner, row] += (weights[owner] * step * after_self).sum(axis=1)
    slot[locations] = -1
    return sums


def _count_monotone(
    predicate: Callable[[NDArray[np.intp]], NDArray[np.bool_]], rising: NDArray[np.bool_], size: int
) -> NDArray[np.int64]:
    """For each location, how many of ``size`` sorted positions satisfy a predicate monotone in position.

    ``predicate(k)`` is evaluated at one position per location; it is false then true along the positions
    where ``rising``, true then false elsewhere. A binary search per location, all locations at once:
    ``log2(size)`` evaluations instead of ``size``.
    """
    lo = np.zeros(rising.size, dtype=np.intp)
    hi = np.full(rising.size, size, dtype=np.intp)
    for _ in range(int(size).bit_length()):
        open_ = lo < hi
        if not open_.any():
            break
        mid = (lo + hi) // 2
        # first position where the predicate turns (true where rising, false elsewhere)
        turned = predicate(np.minimum(mid, size - 1)) == rising
        hi = np.where(open_ & turned, mid, hi)
        lo = np.where(open_ & ~turned, mid + 1, lo)
    return np.where(rising, size - lo, lo).astype(np.int64)


def _constant_weight_group(
    v: NDArray[np.float64],
    draws: NDArray[np.intp],
    locations: NDArray[np.intp],
    weights: NDArray[np.float64],
    slot: NDArray[np.intp],
    obs: NDArray[np.float64],
    a: NDArray[np.float64],
    b: NDArray[np.float64],
    value_scale: float,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Tail counts, mean and standard deviation of the simulated statistics of the locations with ``d``
    neighbours whose weights are constant along their row (contiguity weights, binary or row-standardised).

    Location ``i``'s simulated weighted sum in permutation ``r`` is ``w_i * S_r``, with ``S_r`` the sum of
    the row's first ``d`` drawn values - one vector shared by every location of the group - except in the
    few rows where ``i`` itself is among those draws (about ``d / n`` of them). ``a*(w*x)+b`` is monotone in
    ``x`` in floating point too (rounding is monotone), so the number of simulated statistics on each side
    of the observed one is a binary search in the sorted ``S``, evaluated exactly as
    :func:`_neighbour_sums` would, and the rows holding ``i`` are then corrected one by one: the counts are
    those of the full ``locations x permutations`` computation, at ``n log R`` instead of ``n R``. The mean
    and standard deviation come from the shared moments of ``S``, centred, plus the corrections.
    """
    permutations, d = draws.shape[0], draws.shape[1] - 1
    w = weights[:, 0]
    drawn = v[draws]
    shared = drawn[:, :d].sum(axis=1)
    a_loc, b_loc, obs_loc = a[locations], b[locations], obs[locations]
    scale = np.abs(a_loc) * weights.sum(axis=1) * value_scale + np.abs(b_loc)
    tol = _TIE_RTOL * np.maximum(scale, np.abs(obs_loc))
    low, high = obs_loc - tol, obs_loc + tol

    ordered = np.sort(shared)
    rising = np.sign(a_loc) * np.sign(w) >= 0  # the statistic rises with S (or is constant)

    def simulated(k: NDArray[np.intp]) -> NDArray[np.float64]:
        result: NDArray[np.float64] = a_loc * (w * ordered[k]) + b_loc
        return result

    at_least = _count_monotone(lambda k: simulated(k) >= low, rising, permutations)
    at_most = _count_monotone(lambda k: simulated(k) <= high, ~rising, permutations)

    # The rows where location i is among its own first d draws (at position p): its neighbours are the
    # draws at positions 0..p-1 and p+1..d, so weight m moves from drawn value m to drawn value m + 1.
    slot[locations] = np.arange(locations.size)
    row, position = np.nonzero(slot[draws[:, :d]] >= 0)
    owner = slot[draws[row, position]]
    slot[locations] = -1
    step = drawn[row, 1:] - drawn[row, :-1]
    after_self = np.arange(d)[None, :] >= position[:, None]
    correction = (weights[owner] * step * after_self).sum(axis=1)
    base_lag = w[owner] * shared[row]
    before = a_loc[owner] * base_lag + b_loc[owner]
    after = a_loc[owner] * (base_lag + correction) + b_loc[owner]
    m = locations.size
    at_least += np.bincount(owner, (after >= low[owner]).astype(np.int64), m).astype(np.int64)
    at_least -= np.bincount(owner, (before >= low[owner]).astype(np.int64), m).astype(np.int64)
    at_most += np.bincount(owner, (after <= high[owner]).astype(np.int64), m).astype(np.int64)
    at_most -= np.bincount(owner, (before <= high[owner]).astype(np.int64), m).astype(np.int64)

    # Moments of the weighted sums, centred on w_i * mean(S): sum of squares w_i^2 Q plus, for each row
    # holding i, (w_i dS_r + c_r)^2 - (w_i dS_r)^2.
    centre = shared.mean()
    deviation = shared - centre
    squares = float(deviation @ deviation)
    spread = w[owner] * deviation[row]
    shift = np.bincount(owner, correction, m) / permutations
    extra = np.bincount(owner, 2 * spread * correction + correction**2, m) / permutations
    variance = np.maximum(w**2 * (squares / permutations) + extra - shift**2, 0.0)
    expected = a_loc * (w * centre + shift) + b_loc
    std = np.abs(a_loc) * np.sqrt(variance)
    return at_least, at_most, expected, std


def conditional_permutation_test(
    values: ArrayLike,
    w: object,
    observed: ArrayLike,
    *,
    slope: ArrayLike,
    intercept: ArrayLike,
    permutations: int = 999,
    random_state: RandomState = None,
    alternative: Alternative = "directed",
) -> LocalPermutationResult:
    """Conditional randomisation of a local statistic affine in the neighbours' weighted sum.

    For each location ``i`` and each permutation ``r`` the simulated statistic is
    ``slope[i] * sum_m w_i(m) * values[d_i(r, m)] + intercept[i]`` where ``w_i(m)`` are the off-diagonal
    weights of row ``i`` and ``d_i(r, m)`` the ``m``-th index of permutation ``r``, drawn from the other
    ``n - 1`` locations. Any self weight belongs in ``intercept`` (it is conditioned on, never permuted).

    Parameters
    ----------
    values : array_like, shape (n,)
        The values that get permuted (esda permutes the standardised values for local Moran and the raw
        values for Gi*).
    w : sparse or dense (n, n) matrix
        Weights; the diagonal is ignored here.
    observed : array_like, shape (n,)
        Observed statistic per location, computed the same way as the simulated one.
    slope, intercept : array_like, shape (n,)
        Coefficients of the affine map from the weighted neighbour sum to the statistic.
    permutations : int, default 999
    random_state : int, numpy.random.Generator or None
    alternative : {"directed", "greater", "lesser"}, default "directed"
        See :func:`pseudo_p_value`.

    Returns
    -------
    LocalPermutationResult

    References
    ----------
    Anselin (1995), section 4; esda ``crand.crand`` and ``crand.compute_chunk`` (shared draws reused for
    every location).

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    >>> v = np.array([1.0, 2.0, 3.0])
    >>> res = conditional_permutation_test(v, w, w @ v, slope=np.ones(3), intercept=np.zeros(3),
    ...                                    permutations=99, random_state=0)
    >>> res.p_sim.shape
    (3,)
    """
    v = np.asarray(values, dtype=float)
    if v.ndim != 1:
        raise ValueError(f"values must be one-dimensional, got shape {v.shape}")
    n = v.size
    if n < 3:
        raise ValueError(f"a conditional permutation test needs at least 3 locations, got {n}")
    if not np.isfinite(v).all():
        raise ValueError(f"values[{int(np.flatnonzero(~np.isfinite(v))[0])}] is missing or infinite")
    obs = np.broadcast_to(np.asarray(observed, dtype=float), (n,))
    a = np.broadcast_to(np.asarray(slope, dtype=float), (n,))
    b = np.broadcast_to(np.asarray(intercept, dtype=float), (n,))
    permutations = check_permutations(permutations, allow_zero=False)
    if alternative not in _ALTERNATIVES:
        raise ValueError(f"alternative must be one of {_ALTERNATIVES}, got {alternative!r}")
    rng = rng_from(random_state)

    matrix = as_weights(w, n)
    diagonal = matrix.diagonal()
    if np.any(diagonal != 0):
        off = sparse.csr_array(matrix - sparse.diags_array(diagonal))
        off.eliminate_zeros()
        off.sort_indices()
    else:
        off = matrix
    degree = np.diff(off.indptr)
    max_degree = int(degree.max()) if n else 0
    if max_degree > n - 1:
        raise ValueError("a location has more neighbours than there are other locations")

    at_least = np.zeros(n, dtype=np.int64)
    at_most = np.zeros(n, dtype=np.int64)
    expected = np.full(n, np.nan)
    std = np.full(n, np.nan)
    has_neighbours = degree > 0
    if max_degree > 0:
        draws = _ordered_samples(n, max_degree + 1, permutations, rng)
        slot = np.full(n, -1, dtype=np.intp)
        value_scale = float(np.abs(v).max())
        for d in np.unique(degree[has_neighbours]):
            locations = np.flatnonzero(degree == d)
            # Rows of equal degree d are contiguous slices of length d in the CSR data arrays.
            gather = off.indptr[locations][:, None] + np.arange(d)[None, :]
            row_weights = off.data[gather]
            group_draws = draws[:, : d + 1]
            if np.all(row_weights == row_weights[:, :1]):
                group = _constant_weight_group(
                    v, group_draws, locations, row_weights, slot, obs, a, b, value_scale
                )
                at_least[locations], at_most[locations], expected[locations], std[locations] = group
                continue
            block = max(1, _BLOCK_ELEMENTS // permutations)
            for lo in range(0, locations.size, block):
                loc = locations[lo : lo + block]
                weights = row_weights[lo : lo + block]
                lag = _neighbour_sums(v, group_draws, loc, weights, slot)
                sim = a[loc, None] * lag + b[loc, None]
                scale = np.abs(a[loc]) * weights.sum(axis=1) * value_scale + np.abs(b[loc])
                tol = (_TIE_RTOL * np.maximum(scale, np.abs(obs[loc])))[:, None]
                at_least[loc] = (sim >= obs[loc, None] - tol).sum(axis=1)
                at_most[loc] = (sim <= obs[loc, None] + tol).sum(axis=1)
                expected[loc] = sim.mean(axis=1)
                std[loc] = sim.std(axis=1)
    p_sim = pseudo_p_value(at_least, at_most, permutations, alternative)
    p_sim[~has_neighbours] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        z_sim = (obs - expected) / std
    z_sim[~(std > 0)] = np.nan
    return LocalPermutationResult(p_sim=p_sim, expected=expected, std=std, z_sim=z_sim)


def global_permutations(
    values: ArrayLike, permutations: int, random_state: RandomState = None, *, chunk: int = 128
) -> Iterator[NDArray[np.float64]]:
    """Yield blocks of random relabellings of ``values`` (one permutation per row).

    Parameters
    ----------
    values : array_like, shape (n,)
    permutations : int
        Total number of rows yielded across all blocks.
    random_state : int, numpy.random.Generator or None
    chunk : int, default 128
        Rows per block, to bound memory at ``chunk * n`` floats.

    Yields
    ------
    ndarray, shape (m, n)
        ``m <= chunk`` independent uniform permutations of ``values``.
    """
    v = np.asarray(values, dtype=float)
    permutations = check_permutations(permutations, allow_zero=False)
    rng = rng_from(random_state)
    # Shuffling one working copy in place is several times faster than drawing fresh permutations, and a
    # uniform shuffle of any arrangement is again uniform and independent of the previous ones.
    work = v.copy()
    done = 0
    while done < permutations:
        m = min(chunk, permutations - done)
        block = np.empty((m, v.size))
        for row in block:
            rng.shuffle(work)
            row[:] = work
        yield block
        done += m

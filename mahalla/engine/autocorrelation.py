"""Spatial autocorrelation: global Moran's I, local Moran (LISA) and Getis-Ord Gi* hot spots.

All three follow PySAL esda's definitions (``esda.Moran``, ``esda.Moran_Local``,
``esda.G_Local(star=True)``) so that results can be checked against esda to floating-point precision,
and share the conditional permutation engine of :mod:`mahalla.engine.inference`.

References
----------
Moran, P. A. P. (1950). Notes on continuous stochastic phenomena. *Biometrika* 37, 17-23.
Cliff, A. D. & Ord, J. K. (1981). *Spatial Processes: Models and Applications*. Pion (moments of I under
normality and randomisation). Anselin, L. (1995). Local indicators of spatial association - LISA.
*Geographical Analysis* 27(2), 93-115. Getis, A. & Ord, J. K. (1992). The analysis of spatial association by
use of distance statistics. *Geographical Analysis* 24(3), 189-206. Ord, J. K. & Getis, A. (1995). Local
spatial autocorrelation statistics: distributional issues and an application. *Geographical Analysis* 27(4),
286-306. Benjamini, Y. & Hochberg, Y. (1995), for :func:`fdr_significant`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from mahalla.engine.distributions import norm_sf
from mahalla.engine.inference import (
    Alternative,
    RandomState,
    check_permutations,
    conditional_permutation_test,
    global_permutations,
    pseudo_p_value,
)
from mahalla.engine.multiple_testing import benjamini_hochberg
from mahalla.engine.weights import WeightsMatrix, as_weights, row_standardize, with_self_loops

__all__ = [
    "GiStarResult",
    "LocalMoranResult",
    "MoranResult",
    "fdr_significant",
    "gi_star",
    "local_moran",
    "morans_i",
]

Transform = Literal["r", "b", "o"]
_TRANSFORMS = ("r", "b", "o")


def _values(y: ArrayLike, name: str = "y") -> NDArray[np.float64]:
    values = np.asarray(y, dtype=float)
    if values.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional (one value per location), got shape {values.shape}")
    if values.size < 3:
        raise ValueError(f"{name} needs at least 3 locations, got {values.size}")
    missing = ~np.isfinite(values)
    if missing.any():
        raise ValueError(f"{name}[{int(np.flatnonzero(missing)[0])}] is missing or infinite")
    return values


def _transformed(w: object, n: int, transform: str) -> WeightsMatrix:
    if transform not in _TRANSFORMS:
        raise ValueError(
            f"transform must be 'r' (row-standardised), 'b' (binary) or 'o' (as given), got {transform!r}"
        )
    matrix = as_weights(w, n)
    if transform == "b":
        matrix = matrix.copy()
        matrix.data[:] = 1.0
    elif transform == "r":
        matrix = row_standardize(matrix)
    if matrix.nnz == 0:
        raise ValueError("w has no neighbour pairs at all, so spatial autocorrelation is undefined")
    return matrix


def fdr_significant(p_values: ArrayLike, alpha: float = 0.05) -> NDArray[np.bool_]:
    """Mark locations significant while controlling the false discovery rate (Benjamini-Hochberg).

    Parameters
    ----------
    p_values : array_like
        One p-value per location; NaN (e.g. islands) is never significant.
    alpha : float, default 0.05
        False discovery rate.

    Returns
    -------
    ndarray of bool

    References
    ----------
    Benjamini & Hochberg (1995); Caldas de Castro, M. & Singer, B. H. (2006). Controlling the false
    discovery rate: a new application to account for multiple and dependent tests in local statistics of
    spatial association. *Geographical Analysis* 38(2), 180-208.
    """
    rejected, _ = benjamini_hochberg(np.asarray(p_values, dtype=float).ravel(), alpha)
    return rejected.reshape(np.shape(p_values))


@dataclass(frozen=True)
class MoranResult:
    """Global Moran's I with its moments and p-values (attribute names as in esda.Moran).

    ``p_norm`` and ``p_rand`` are two-sided; ``p_sim`` is the directed pseudo p-value (NaN without
    permutations).
    """

    I: float  # noqa: E741 -- the statistic's established name
    EI: float
    VI_norm: float
    VI_rand: float
    z_norm: float
    z_rand: float
    p_norm: float
    p_rand: float
    permutations: int
    p_sim: float
    EI_sim: float
    seI_sim: float
    z_sim: float


def morans_i(
    y: ArrayLike,
    w: object,
    *,
    transform: Transform = "r",
    permutations: int = 0,
    random_state: RandomState = None,
    alternative: Alternative = "directed",
) -> MoranResult:
    """Global Moran's I, ``I = (n / S0) * sum_ij w_ij z_i z_j / sum_i z_i^2`` with ``z = y - mean(y)``.

    Parameters
    ----------
    y : array_like, shape (n,)
        Values per location (e.g. crimes per 100,000 residents).
    w : sparse or dense (n, n) matrix
        Spatial weights, e.g. from :func:`mahalla.engine.weights.queen_weights`.
    transform : {"r", "b", "o"}, default "r"
        Row-standardise, make binary, or use ``w`` as given.
    permutations : int, default 0
        Number of random relabellings for the pseudo p-value; 0 skips them.
    random_state : int, numpy.random.Generator or None
    alternative : {"directed", "greater", "lesser"}, default "directed"

    Returns
    -------
    MoranResult

    References
    ----------
    Moran (1950); Cliff & Ord (1981), eqs. 1.35-1.38 (E[I], Var[I] under normality and randomisation);
    esda ``Moran``.

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]])
    >>> round(morans_i([1.0, 2.0, 3.0, 4.0], w).I, 6)
    0.4
    """
    values = _values(y)
    n = values.size
    matrix = _transformed(w, n, transform)
    permutations = check_permutations(permutations, allow_zero=True)
    z = values - values.mean()
    z2ss = float(z @ z)
    if z2ss == 0:
        raise ValueError("y is constant, so Moran's I is undefined")
    s0 = float(matrix.sum())
    symmetric_sum = matrix + matrix.T
    s1 = 0.5 * float((symmetric_sum.multiply(symmetric_sum)).sum())
    s2 = float(((np.asarray(matrix.sum(axis=1)).ravel() + np.asarray(matrix.sum(axis=0)).ravel()) ** 2).sum())
    statistic = n / s0 * float(z @ (matrix @ z)) / z2ss
    expected = -1.0 / (n - 1)
    s02 = s0 * s0
    n2 = n * n
    var_norm = (n2 * s1 - n * s2 + 3 * s02) / ((n - 1) * (n + 1) * s02) - expected**2
    kurtosis = (n * float((z**4).sum())) / z2ss**2
    a = n * ((n2 - 3 * n + 3) * s1 - n * s2 + 3 * s02)
    b = kurtosis * ((n2 - n) * s1 - 2 * n * s2 + 6 * s02)
    var_rand = (a - b) / ((n - 1) * (n - 2) * (n - 3) * s02) - expected**2
    z_norm = (statistic - expected) / np.sqrt(var_norm)
    z_rand = (statistic - expected) / np.sqrt(var_rand)

    p_sim = ei_sim = se_sim = z_sim = float("nan")
    if permutations:
        simulated = np.concatenate(
            [
                n / s0 * np.einsum("ij,ji->i", block, matrix @ block.T) / z2ss
                for block in global_permutations(z, permutations, random_state)
            ]
        )
        tol = 1e-10 * max(abs(statistic), 1e-300)
        p_sim = float(
            pseudo_p_value(
                int((simulated >= statistic - tol).sum()),
                int((simulated <= statistic + tol).sum()),
                permutations,
                alternative,
            )
        )
        ei_sim = float(simulated.mean())
        se_sim = float(simulated.std())
        z_sim = (statistic - ei_sim) / se_sim if se_sim > 0 else float("nan")
    return MoranResult(
        I=statistic,
        EI=expected,
        VI_norm=var_norm,
        VI_rand=var_rand,
        z_norm=float(z_norm),
        z_rand=float(z_rand),
        p_norm=float(2 * norm_sf(abs(z_norm))),
        p_rand=float(2 * norm_sf(abs(z_rand))),
        permutations=permutations,
        p_sim=p_sim,
        EI_sim=ei_sim,
        seI_sim=se_sim,
        z_sim=z_sim,
    )


@dataclass(frozen=True)
class LocalMoranResult:
    """Local Moran (LISA) per location (attribute names as in esda.Moran_Local).

    Attributes
    ----------
    Is : local statistics.
    q : quadrant of the Moran scatterplot, 1 HH, 2 LH, 3 LL, 4 HL; 0 for an island (no neighbours).
    p_sim, z_sim, EI_sim, seI_sim : conditional permutation inference (NaN when permutations = 0 and for
        islands).
    """

    Is: NDArray[np.float64]
    q: NDArray[np.int64]
    p_sim: NDArray[np.float64]
    z_sim: NDArray[np.float64]
    EI_sim: NDArray[np.float64]
    seI_sim: NDArray[np.float64]
    permutations: int

    def significant(self, alpha: float = 0.05, *, fdr: bool = True) -> NDArray[np.bool_]:
        """Locations whose ``p_sim`` is significant at ``alpha`` (Benjamini-Hochberg control if ``fdr``)."""
        if fdr:
            return fdr_significant(self.p_sim, alpha)
        return np.asarray(self.p_sim <= alpha, dtype=bool)


def local_moran(
    y: ArrayLike,
    w: object,
    *,
    transform: Transform = "r",
    permutations: int = 999,
    random_state: RandomState = None,
    alternative: Alternative = "directed",
) -> LocalMoranResult:
    """Local Moran's I: ``I_i = (n - 1) z_i sum_j w_ij z_j / sum_k z_k^2``, ``z`` standardised.

    Parameters
    ----------
    y : array_like, shape (n,)
    w : sparse or dense (n, n) matrix
    transform : {"r", "b", "o"}, default "r"
    permutations : int, default 999
        Conditional permutations per location; 0 skips inference.
    random_state : int, numpy.random.Generator or None
    alternative : {"directed", "greater", "lesser"}, default "directed"

    Returns
    -------
    LocalMoranResult

    References
    ----------
    Anselin (1995), eq. 12 and section 4 (conditional randomisation); esda ``Moran_Local``.

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]])
    >>> local_moran([1.0, 2.0, 3.0, 4.0], w, permutations=0).q.tolist()
    [3, 3, 1, 1]
    """
    values = _values(y)
    n = values.size
    matrix = _transformed(w, n, transform)
    permutations = check_permutations(permutations, allow_zero=True)
    sd = values.std()
    if sd == 0:
        raise ValueError("y is constant, so local Moran's I is undefined")
    z = (values - values.mean()) / sd
    scaling = (n - 1) / float(z @ z)
    lag = matrix @ z
    local = scaling * z * lag
    degree = np.diff(sparse.csr_array(matrix - sparse.diags_array(matrix.diagonal())).indptr)
    high, high_lag = z > 0, lag > 0
    quadrant = np.where(high, np.where(high_lag, 1, 4), np.where(high_lag, 2, 3)).astype(np.int64)
    quadrant[degree == 0] = 0

    nan = np.full(n, np.nan)
    p_sim, z_sim, ei_sim, se_sim = nan, nan.copy(), nan.copy(), nan.copy()
    if permutations:
        self_weight = matrix.diagonal()
        result = conditional_permutation_test(
            z,
            matrix,
            local,
            slope=scaling * z,
            intercept=scaling * self_weight * z * z,
            permutations=permutations,
            random_state=random_state,
            alternative=alternative,
        )
        p_sim, z_sim, ei_sim, se_sim = result.p_sim, result.z_sim, result.expected, result.std
    return LocalMoranResult(
        Is=local,
        q=quadrant,
        p_sim=p_sim,
        z_sim=z_sim,
        EI_sim=ei_sim,
        seI_sim=se_sim,
        permutations=permutations,
    )


@dataclass(frozen=True)
class GiStarResult:
    """Getis-Ord Gi* per location (attribute names as in esda.G_Local).

    Attributes
    ----------
    Gs : ``sum_j w_ij y_j / sum_j y_j`` with the location in its own neighbourhood.
    z : analytical z-score (Ord & Getis 1995); positive = hot spot, negative = cold spot.
    p_norm : two-sided normal p-value of ``z`` (esda reports the one-sided value, half of this).
    p_sim, z_sim : conditional permutation inference (NaN when permutations = 0).
    """

    Gs: NDArray[np.float64]
    z: NDArray[np.float64]
    p_norm: NDArray[np.float64]
    p_sim: NDArray[np.float64]
    z_sim: NDArray[np.float64]
    permutations: int

    def significant(
        self, alpha: float = 0.05, *, fdr: bool = True, p: Literal["norm", "sim"] = "norm"
    ) -> NDArray[np.bool_]:
        """Significant hot or cold spots at ``alpha``; Benjamini-Hochberg over all locations if ``fdr``."""
        p_values = self.p_norm if p == "norm" else self.p_sim
        if fdr:
            return fdr_significant(p_values, alpha)
        return np.asarray(p_values <= alpha, dtype=bool)


def binary_star_weights(w: object, n: int) -> WeightsMatrix:
    """Validate binary weights and put each location in its own neighbourhood (Gi*)."""
    matrix = as_weights(w, n)
    if not np.all(matrix.data == 1.0):
        raise ValueError(
            "gi_star needs binary weights (every weight 0 or 1); pass contiguity, distance-band or knn "
            "weights before row-standardisation"
        )
    return with_self_loops(matrix, 1.0)


def gi_star_z(y: NDArray[np.float64], star: WeightsMatrix) -> NDArray[np.float64]:
    """Analytical Gi* z for one or many value columns; NaN for a column whose values are all equal.

    ``z_i = (sum_j w_ij x_j - mean * W_i) / (s * sqrt((n * S1_i - W_i^2) / (n - 1)))`` with binary
    ``w`` (so ``S1_i = W_i``) and ``s^2 = sum x^2 / n - mean^2`` (Ord & Getis 1995, eq. 9).
    """
    n = star.shape[0]
    row_sum = np.asarray(star.sum(axis=1)).ravel()
    row_sq = np.asarray(star.multiply(star).sum(axis=1)).ravel()
    columns = y.reshape(n, -1)
    mean = columns.mean(axis=0)
    s = np.sqrt(np.maximum((columns**2).mean(axis=0) - mean**2, 0.0))
    denominator = np.sqrt((n * row_sq - row_sum**2) / (n - 1))[:, None] * s[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (star @ columns - row_sum[:, None] * mean[None, :]) / denominator
    z[:, ~(s > 0)] = np.nan
    result: NDArray[np.float64] = z.reshape(y.shape)
    return result


def gi_star(
    y: ArrayLike,
    w: object,
    *,
    permutations: int = 999,
    random_state: RandomState = None,
    alternative: Alternative = "directed",
) -> GiStarResult:
    """Getis-Ord Gi* hot spot statistic with binary weights that include the location itself.

    Parameters
    ----------
    y : array_like, shape (n,)
        Non-negative values (counts or rates) per location.
    w : sparse or dense (n, n) binary matrix
        Binary adjacency; a missing diagonal is set to 1 (a location is its own neighbour).
    permutations : int, default 999
        Conditional permutations per location; 0 skips them.
    random_state : int, numpy.random.Generator or None
    alternative : {"directed", "greater", "lesser"}, default "directed"

    Returns
    -------
    GiStarResult

    References
    ----------
    Getis & Ord (1992); Ord & Getis (1995), eq. 9 (the z-score used here, equal to esda
    ``G_Local(transform="B", star=True).Zs``); conditional randomisation as esda ``_g_local_star_crand``.

    Examples
    --------
    >>> from mahalla.engine.weights import distance_band_weights
    >>> pts = [(10, 10), (20, 10), (40, 10), (15, 20), (30, 20), (30, 30)]
    >>> res = gi_star([2, 3, 3.2, 5, 8, 7], distance_band_weights(pts, 15), permutations=0)
    >>> round(float(res.z[0]), 8)
    -1.39727626
    """
    values = _values(y)
    n = values.size
    negative = values < 0
    if negative.any():
        raise ValueError(
            f"y[{int(np.flatnonzero(negative)[0])}] = {values[negative][0]} is negative; "
            "Getis-Ord G is defined for non-negative values"
        )
    if values.std() == 0:
        raise ValueError("y is constant, so the Gi* z-score is undefined")
    permutations = check_permutations(permutations, allow_zero=True)
    star = binary_star_weights(w, n)
    total = float(values.sum())
    statistic = (star @ values) / total
    z = gi_star_z(values, star)
    p_norm = 2 * norm_sf(np.abs(z))
    nan = np.full(n, np.nan)
    p_sim, z_sim = nan, nan.copy()
    if permutations:
        result = conditional_permutation_test(
            values,
            star,
            statistic,
            slope=np.full(n, 1.0 / total),
            intercept=values / total,
            permutations=permutations,
            random_state=random_state,
            alternative=alternative,
        )
        p_sim, z_sim = result.p_sim, result.z_sim
    return GiStarResult(Gs=statistic, z=z, p_norm=p_norm, p_sim=p_sim, z_sim=z_sim, permutations=permutations)

"""Empirical-Bayes smoothing of rates for areas with small populations.

A mahalla of 1,500 residents with one offence has a crude rate of 67 per 100,000, another with none has 0:
neither number says much. Marshall's empirical Bayes shrinks each crude rate toward a reference mean (the
whole country, or the area and its neighbours) by a weight that grows with the area's population, so small
areas are pulled hard and large areas keep their own rate. The prior's mean and variance are estimated by the
method of moments from all areas (global) or from each area's neighbourhood (local).

The formulas follow Marshall (1991) as implemented in PySAL (``esda.smoothing.Empirical_Bayes`` and
``Spatial_Empirical_Bayes``); the tests check the results are identical to esda on the same inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray


def _events_and_population(events: ArrayLike, population: ArrayLike) -> tuple[NDArray[np.float64], ...]:
    e = np.asarray(events, dtype=float).reshape(-1)
    b = np.asarray(population, dtype=float).reshape(-1)
    if e.shape != b.shape:
        raise ValueError(f"events and population must have the same length, got {e.size} and {b.size}")
    if e.size == 0:
        raise ValueError("events and population are empty")
    if not np.all(np.isfinite(e)) or np.any(e < 0):
        bad = int(np.flatnonzero(~np.isfinite(e) | (e < 0))[0])
        raise ValueError(f"events[{bad}] = {e[bad]} is not a non-negative count")
    if not np.all(np.isfinite(b)) or np.any(b <= 0):
        bad = int(np.flatnonzero(~np.isfinite(b) | (b <= 0))[0])
        raise ValueError(f"population[{bad}] = {b[bad]} is not positive")
    return e, b


def global_prior_moments(events: ArrayLike, population: ArrayLike) -> tuple[float, float]:
    """Marshall's method-of-moments mean and variance of the area rates (global).

    Returns
    -------
    mean : float
        ``sum(e) / sum(b)``.
    variance : float
        ``sum(b (r - mean)^2) / sum(b) - mean / mean(b)``; it may be negative when the crude rates vary less
        than Poisson noise alone would make them (then there is no evidence of true variation).
    """
    e, b = _events_and_population(events, population)
    mean = e.sum() / b.sum()
    rate = e / b
    variance = float((b * (rate - mean) ** 2).sum() / b.sum() - mean / b.mean())
    return float(mean), variance


def empirical_bayes_rates(
    events: ArrayLike, population: ArrayLike, *, clip_negative_variance: bool = True
) -> NDArray[np.float64]:
    """Global empirical-Bayes smoothed rates (Marshall 1991, method of moments).

    ``r_i* = w_i r_i + (1 - w_i) m`` with ``m = sum e / sum b``, ``w_i = A / (A + m / b_i)`` and ``A`` the
    method-of-moments variance of the rates (see ``global_prior_moments``).

    Parameters
    ----------
    events : array_like
        Event counts per area.
    population : array_like
        Population at risk per area (all positive).
    clip_negative_variance : bool
        When the moment estimate ``A`` is negative, Marshall sets it to 0 (every area gets the global mean).
        esda does not clip in the global estimator and then returns weights below 0; pass False to match it.

    Returns
    -------
    ndarray
        Smoothed rates per head (multiply by 1e5 for rates per 100,000).

    References
    ----------
    Marshall, R. J. (1991). Mapping disease and mortality rates using empirical Bayes estimators.
    Journal of the Royal Statistical Society C 40(2), 283-294.
    PySAL esda, ``esda.smoothing.Empirical_Bayes``.

    Examples
    --------
    >>> empirical_bayes_rates([0, 10], [1000, 1000]).round(4).tolist()
    [0.001, 0.009]
    """
    e, b = _events_and_population(events, population)
    mean, variance = global_prior_moments(e, b)
    if clip_negative_variance:
        variance = max(variance, 0.0)
    rate = e / b
    denominator = variance + mean / b
    # With no events at all, mean and variance are 0: every smoothed rate is 0.
    weight = np.divide(variance, denominator, out=np.zeros_like(b), where=denominator > 0)
    return np.asarray(weight * rate + (1.0 - weight) * mean, dtype=np.float64)


def _binary_adjacency(adjacency: ArrayLike | sp.spmatrix | sp.sparray, n: int) -> sp.csr_matrix:
    matrix = sp.csr_matrix(adjacency, dtype=float)
    if matrix.shape != (n, n):
        raise ValueError(f"adjacency must be {n} x {n} to match the areas, got {matrix.shape}")
    matrix.setdiag(0.0)
    matrix.eliminate_zeros()
    # Neighbourhood membership is what counts: any non-zero weight means "neighbour" (esda's binary 'b').
    matrix.data[:] = 1.0
    return matrix


def spatial_empirical_bayes_rates(
    events: ArrayLike, population: ArrayLike, adjacency: ArrayLike | sp.spmatrix | sp.sparray
) -> NDArray[np.float64]:
    """Local (spatial) empirical-Bayes smoothed rates (Marshall 1991, local method of moments).

    For area ``i`` with neighbourhood ``N_i`` (its neighbours plus itself):
    ``m_i = sum_{N_i} e / sum_{N_i} b``,
    ``A_i = sum_{N_i} b_j (r_j - m_i)^2 / sum_{N_i} b - m_i / (sum_{N_i} b / |N_i|)``, clipped at 0, and
    ``r_i* = m_i + (r_i - m_i) A_i / (A_i + m_i / b_i)``.

    Parameters
    ----------
    events, population : array_like
        Counts and populations at risk per area.
    adjacency : array_like or scipy sparse matrix, shape (n, n)
        Neighbour structure; any non-zero off-diagonal entry marks a neighbour (weights are made binary, as
        esda does through its binary transform). The diagonal is ignored: each area is always in its own
        neighbourhood.

    Returns
    -------
    ndarray
        Smoothed rates per head. Where a whole neighbourhood recorded no event the rate is 0 (esda returns
        NaN there, from 0 / 0).

    References
    ----------
    Marshall (1991), see ``empirical_bayes_rates``. PySAL esda, ``esda.smoothing.Spatial_Empirical_Bayes``.

    Examples
    --------
    >>> chain = [[0, 1, 0], [1, 0, 1], [0, 1, 0]]  # a - b - c
    >>> spatial_empirical_bayes_rates([0, 12, 3], [1000, 4000, 1500], chain).round(5).tolist()
    [0.002, 0.00238, 0.00273]
    """
    e, b = _events_and_population(events, population)
    neighbourhood = _binary_adjacency(adjacency, e.size) + sp.identity(e.size, format="csr")
    rate = e / b
    b_sum = neighbourhood @ b
    local_mean = (neighbourhood @ e) / b_sum
    size = np.asarray(neighbourhood.sum(axis=1)).reshape(-1)
    # sum_j b_j (r_j - m_i)^2 expanded so it is three sparse products instead of a loop over areas.
    spread = (
        neighbourhood @ (b * rate**2)
        - 2.0 * local_mean * (neighbourhood @ (b * rate))
        + local_mean**2 * b_sum
    )
    variance = spread / b_sum - local_mean / (b_sum / size)
    variance = np.where(variance < 0, 0.0, variance)
    denominator = variance + local_mean / b
    weight = np.divide(variance, denominator, out=np.zeros_like(b), where=denominator > 0)
    return np.asarray(local_mean + (rate - local_mean) * weight, dtype=np.float64)


@dataclass(frozen=True)
class GammaPrior:
    """Gamma prior on a rate per head: mean ``shape / rate``, variance ``shape / rate**2``."""

    shape: float
    rate: float

    @classmethod
    def from_moments(cls, mean: float, variance: float) -> GammaPrior:
        """Prior with the given mean and variance (Marshall's moments give the empirical-Bayes prior)."""
        if not mean > 0:
            raise ValueError(f"the prior mean rate must be positive, got {mean}")
        if not variance > 0:
            raise ValueError(
                f"the prior variance must be positive, got {variance}: the rates show no variation beyond "
                "Poisson noise, so use the common mean rate instead of a Gamma prior"
            )
        return cls(shape=mean**2 / variance, rate=mean / variance)


def gamma_prior_from_data(events: ArrayLike, population: ArrayLike) -> GammaPrior:
    """Gamma prior matched to Marshall's global method-of-moments mean and variance."""
    mean, variance = global_prior_moments(events, population)
    return GammaPrior.from_moments(mean, variance)


@dataclass(frozen=True)
class GammaPoissonPosterior:
    """Posterior Gamma(shape, rate) of each area's rate per head after observing its count and population."""

    shape: NDArray[np.float64]
    rate: NDArray[np.float64]

    @property
    def mean(self) -> NDArray[np.float64]:
        """Posterior mean rate per head; equals Marshall's global EB rate with the moment-matched prior."""
        return np.asarray(self.shape / self.rate, dtype=np.float64)

    def interval(self, level: float = 0.95) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Equal-tailed credible interval of the rate per head."""
        if not 0 < level < 1:
            raise ValueError(f"level must be in (0, 1), got {level}")
        # scipy.stats loads here, not with the module: the daily run uses the posterior mean only (see
        # mahalla.engine.distributions for the cost of importing it).
        from scipy import stats

        tail = (1.0 - level) / 2.0
        low = stats.gamma.ppf(tail, self.shape, scale=1.0 / self.rate)
        high = stats.gamma.isf(tail, self.shape, scale=1.0 / self.rate)
        return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)

    def probability_above(self, threshold: ArrayLike) -> NDArray[np.float64]:
        """Posterior probability that the true rate per head exceeds ``threshold``."""
        from scipy import stats  # loaded on use, as in interval()

        return np.asarray(stats.gamma.sf(threshold, self.shape, scale=1.0 / self.rate), dtype=np.float64)


def gamma_poisson_posterior(
    events: ArrayLike, population: ArrayLike, prior: GammaPrior
) -> GammaPoissonPosterior:
    """Conjugate update: events ~ Poisson(population x rate), rate ~ Gamma(shape, rate) a priori.

    The posterior is Gamma(shape + e_i, rate + b_i). With the prior matched to Marshall's moments the
    posterior mean ``(alpha + e_i) / (beta + b_i)`` is algebraically Marshall's ``w_i r_i + (1 - w_i) m``.

    References
    ----------
    Clayton, D. & Kaldor, J. (1987). Empirical Bayes estimates of age-standardized relative risks for use in
    disease mapping. Biometrics 43(3), 671-681.

    Examples
    --------
    >>> post = gamma_poisson_posterior([2], [1000], GammaPrior(shape=2.0, rate=2000.0))
    >>> float(post.mean[0])
    0.0013333333333333333
    """
    e, b = _events_and_population(events, population)
    if not (prior.shape > 0 and prior.rate > 0):
        raise ValueError(f"prior shape and rate must be positive, got {prior}")
    return GammaPoissonPosterior(shape=prior.shape + e, rate=prior.rate + b)

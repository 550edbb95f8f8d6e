"""Upper-tail probabilities of the Poisson, negative binomial and normal distributions, computed with the
special functions that ``scipy.stats`` itself calls, without importing ``scipy.stats``.

Why: importing ``scipy.stats`` builds the documentation of a hundred distributions and costs about 0.6 s of
CPU (more than a second under load), a tenth of the daily run's command, for three survival functions.
Each function here is the corresponding ``scipy.stats`` survival function reduced to its definition: the
same special function on the same arguments (so the same floating-point result), with the same answer at
the edges (below the support 1, invalid parameters NaN). ``tests/test_distributions.py`` checks them
against ``scipy.stats`` and against published values.

References
----------
Johnson, N. L., Kemp, A. W. & Kotz, S. (2005). *Univariate Discrete Distributions*, 3rd ed., Wiley:
the Poisson survival function as the regularised incomplete gamma function, the negative binomial one as the
regularised incomplete beta function.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

# scipy.stats.nbinom.sf calls this ufunc (Boost's negative binomial complement); it has no public alias.
from scipy.special._ufuncs import _nbinom_sf


def _discrete_sf(
    k: NDArray[np.float64], valid: NDArray[np.bool_], tail: NDArray[np.float64]
) -> NDArray[np.float64]:
    """The edge handling of scipy.stats' discrete survival functions with support {0, 1, ...} (arrays of one
    shape): 1 below the support, NaN for invalid parameters or k, 0 at +inf, the tail clipped to [0, 1]."""
    result = np.zeros(k.shape)
    result[((k < 0) | np.isneginf(k)) & valid] = 1.0
    inside = valid & (k >= 0) & np.isfinite(k)
    result[inside] = np.clip(tail[inside], 0, 1)
    result[~valid | np.isnan(k)] = np.nan
    return result


def poisson_sf(k: ArrayLike, mu: ArrayLike) -> NDArray[np.float64]:
    """``P(X > k)`` for ``X ~ Poisson(mu)``: ``scipy.stats.poisson.sf(k, mu)``.

    Examples
    --------
    >>> float(poisson_sf(2, 1.0))  # 1 - e^-1 (1 + 1 + 1/2)
    0.08030139707139416
    """
    k, mu = np.broadcast_arrays(np.asarray(k, dtype=float), np.asarray(mu, dtype=float))
    valid = mu >= 0
    with np.errstate(invalid="ignore"):
        tail = special.pdtrc(np.floor(np.where(k >= 0, k, 0)), np.where(valid, mu, 0))
    return _discrete_sf(k, valid, np.asarray(tail, dtype=float))


def nbinom_sf(k: ArrayLike, n: ArrayLike, p: ArrayLike) -> NDArray[np.float64]:
    """``P(X > k)`` for a negative binomial ``X`` with ``n`` successes of probability ``p`` (mean
    ``n (1 - p) / p``): ``scipy.stats.nbinom.sf(k, n, p)``.

    Examples
    --------
    >>> round(float(nbinom_sf(0, 1, 0.5)), 12)  # geometric: P(X > 0) = 1 - p
    0.5
    """
    k, n, p = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (k, n, p)))
    valid = (n > 0) & (p > 0) & (p <= 1)
    with np.errstate(invalid="ignore"):
        tail = _nbinom_sf(np.floor(np.where(k >= 0, k, 0)), np.where(valid, n, 1), np.where(valid, p, 1))
    return _discrete_sf(k, valid, np.asarray(tail, dtype=float))


def norm_sf(x: ArrayLike) -> NDArray[np.float64]:
    """``P(Z > x)`` for a standard normal ``Z``: ``scipy.stats.norm.sf(x)``, which is ``ndtr(-x)`` (a numpy
    scalar for a scalar ``x``, as scipy.stats gives).

    Examples
    --------
    >>> round(float(norm_sf(1.959963984540054)), 12)
    0.025
    """
    return special.ndtr(-np.asarray(x, dtype=float))  # type: ignore[no-any-return]

"""Multiple-testing control shared by every engine test that runs over thousands of mahallas at once."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def benjamini_hochberg(
    p_values: ArrayLike, alpha: float = 0.05
) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """Benjamini-Hochberg step-up procedure controlling the false discovery rate.

    Parameters
    ----------
    p_values : array_like
        P-values of the tests run together; NaN marks a test that was not run and is never rejected.
    alpha : float
        The false discovery rate to control.

    Returns
    -------
    rejected : ndarray of bool
        True where the null hypothesis is rejected at FDR ``alpha``.
    q_values : ndarray of float
        Adjusted p-values (BH q-values), NaN where the input was NaN.

    References
    ----------
    Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate: a practical and powerful
    approach to multiple testing. JRSS B 57(1), 289-300.

    Examples
    --------
    >>> rejected, q = benjamini_hochberg([0.01, 0.04, 0.03, 0.20])
    >>> rejected.tolist()
    [True, False, False, False]
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    p = np.asarray(p_values, dtype=float)
    if p.ndim != 1:
        raise ValueError(f"p_values must be one-dimensional, got shape {p.shape}")
    finite = ~np.isnan(p)
    if np.any((p[finite] < 0) | (p[finite] > 1)):
        raise ValueError("p_values must lie in [0, 1]")
    q = np.full(p.shape, np.nan)
    rejected = np.zeros(p.shape, dtype=bool)
    tested = p[finite]
    m = tested.size
    if m == 0:
        return rejected, q
    order = np.argsort(tested, kind="mergesort")
    ranked = tested[order] * m / np.arange(1, m + 1)
    # The step-up rule: a q-value is the smallest adjusted p at or above its rank.
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1].clip(max=1.0)
    q_tested = np.empty(m)
    q_tested[order] = adjusted
    q[finite] = q_tested
    rejected[finite] = q_tested <= alpha
    return rejected, q

"""Scores of a grid crime forecast: hit rate, Predictive Accuracy Index (PAI) and PEI*.

All three scores share one rule for which cells are *flagged*: the ``k`` cells of highest predicted risk, with

    k = ceil(coverage * number of study-area cells)

(so any positive coverage flags at least one cell, and a coverage that lands exactly on a whole number of
cells, up to floating-point noise, flags exactly that number). Ties in risk are broken by cell index: among
cells of equal risk the one that comes first in the flattened (C-order) array is flagged first. This makes
every score a deterministic function of its inputs.

Cells are assumed equal in area (a regular grid), so "area" is a number of cells.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["ForecastScore", "flagged_cells", "forecast_score", "hit_rate", "pai", "pei_star"]

# Tolerance so that e.g. coverage 0.01 of 300 cells (3.0000000000000004 in binary) flags 3 cells, not 4.
_CEIL_TOLERANCE = 1e-9


@dataclass(frozen=True)
class ForecastScore:
    """All scores of one forecast against one test period.

    Attributes
    ----------
    hit_rate : float
        n / N, the share of test-period crimes that fall in flagged cells (NaN if N = 0).
    pai : float
        (n / N) / (a / A) (NaN if N = 0).
    pei_star : float
        n / n*, n* the most crimes any k cells could have captured (NaN if N = 0).
    captured : float
        n, crimes in flagged cells.
    total : float
        N, crimes in the study area.
    best_possible : float
        n*, the sum of the k largest actual cell counts.
    flagged : int
        k, the number of flagged cells (a).
    cells : int
        A, the number of cells in the study area.
    """

    hit_rate: float
    pai: float
    pei_star: float
    captured: float
    total: float
    best_possible: float
    flagged: int
    cells: int


def _validated(
    risk: ArrayLike, actual: ArrayLike, coverage: float, study_area: ArrayLike | None
) -> tuple[NDArray[np.float64], NDArray[np.float64], float]:
    risk_array = np.asarray(risk, dtype=float)
    actual_array = np.asarray(actual, dtype=float)
    if risk_array.shape != actual_array.shape:
        raise ValueError(
            f"risk and actual must have the same shape (one value per cell), got {risk_array.shape} "
            f"and {actual_array.shape}"
        )
    if risk_array.size == 0:
        raise ValueError("risk and actual are empty: a forecast needs at least one cell")
    if not np.all(np.isfinite(risk_array)):
        bad = int(np.flatnonzero(~np.isfinite(risk_array.ravel()))[0])
        raise ValueError(f"risk must be finite in every cell; cell {bad} holds {risk_array.ravel()[bad]}")
    flat_actual = actual_array.ravel()
    if not np.all(np.isfinite(flat_actual)) or np.any(flat_actual < 0):
        bad = int(np.flatnonzero(~(np.isfinite(flat_actual) & (flat_actual >= 0)))[0])
        raise ValueError(f"actual must hold non-negative crime counts; cell {bad} holds {flat_actual[bad]}")
    if isinstance(coverage, bool) or not isinstance(coverage, (int, float, np.floating, np.integer)):
        raise TypeError(f"coverage must be a number in (0, 1], got {coverage!r}")
    coverage = float(coverage)
    if not 0 < coverage <= 1:
        raise ValueError(f"coverage must be a fraction of the study area in (0, 1], got {coverage}")
    flat_risk = risk_array.ravel()
    if study_area is not None:
        mask = np.asarray(study_area)
        if mask.dtype != np.bool_:
            raise TypeError(f"study_area must be a boolean mask, got dtype {mask.dtype}")
        if mask.shape != risk_array.shape:
            raise ValueError(f"study_area must have the shape of risk {risk_array.shape}, got {mask.shape}")
        flat_mask = mask.ravel()
        if not flat_mask.any():
            raise ValueError("study_area selects no cell")
        flat_risk = flat_risk[flat_mask]
        flat_actual = flat_actual[flat_mask]
    return flat_risk, flat_actual, coverage


def _flag_count(cells: int, coverage: float) -> int:
    return max(1, min(cells, math.ceil(coverage * cells - _CEIL_TOLERANCE)))


def flagged_cells(risk: ArrayLike, coverage: float) -> NDArray[np.intp]:
    """Flat indices of the cells a forecast flags at a given coverage.

    Parameters
    ----------
    risk : array_like
        Predicted risk per cell, any shape; cells are numbered in flattened C order.
    coverage : float
        Fraction of cells to flag, in (0, 1]; ``k = ceil(coverage * cells)`` cells are flagged.

    Returns
    -------
    ndarray of intp
        The ``k`` flagged cell indices, highest risk first; equal risks in increasing cell index.

    Examples
    --------
    >>> flagged_cells([0.2, 0.9, 0.2, 0.5], coverage=0.5).tolist()
    [1, 3]
    """
    flat_risk, _, coverage = _validated(risk, np.zeros(np.shape(risk)), coverage, None)
    k = _flag_count(flat_risk.size, coverage)
    # A stable sort on -risk keeps equal risks in cell-index order: the documented tie-break.
    return np.argsort(-flat_risk, kind="stable")[:k]


def forecast_score(
    risk: ArrayLike, actual: ArrayLike, coverage: float, *, study_area: ArrayLike | None = None
) -> ForecastScore:
    """Hit rate, PAI and PEI* of a grid forecast, computed together.

    Parameters
    ----------
    risk : array_like
        Predicted risk per cell (any shape, equal cells). Must be finite.
    actual : array_like
        Crimes counted per cell in the test period, same shape as ``risk``; non-negative.
    coverage : float
        Fraction of the study area to flag, in (0, 1]. ``k = ceil(coverage * A)`` cells are flagged, the
        ``k`` of highest risk, ties broken by lower flattened cell index.
    study_area : array_like of bool, optional
        Cells that make up the study area (e.g. cells with any historical crime). Cells outside it are
        neither flaggable nor counted in N, n* or A. Default: every cell.

    Returns
    -------
    ForecastScore
        The three scores and the counts they are made of. With no crime in the test period (N = 0) the
        scores are undefined and returned as NaN.

    References
    ----------
    Chainey, S., Tompson, L. & Uhlig, S. (2008). The utility of hotspot mapping for predicting spatial
    patterns of crime. Security Journal 21, 4-28 (hit rate and PAI).
    National Institute of Justice (2017). Real-Time Crime Forecasting Challenge: scoring rules (PEI*).

    Examples
    --------
    >>> score = forecast_score([3, 1, 2, 0], [4, 0, 1, 5], coverage=0.5)
    >>> score.captured, score.best_possible, score.hit_rate, score.pai
    (5.0, 9.0, 0.5, 1.0)
    """
    flat_risk, flat_actual, coverage = _validated(risk, actual, coverage, study_area)
    cells = flat_risk.size
    k = _flag_count(cells, coverage)
    flagged = np.argsort(-flat_risk, kind="stable")[:k]
    captured = float(flat_actual[flagged].sum())
    total = float(flat_actual.sum())
    best_possible = float(np.sort(flat_actual)[::-1][:k].sum())
    if total == 0:
        nan = float("nan")
        return ForecastScore(nan, nan, nan, captured, total, best_possible, k, cells)
    share = captured / total
    return ForecastScore(
        hit_rate=share,
        pai=share / (k / cells),
        pei_star=captured / best_possible,
        captured=captured,
        total=total,
        best_possible=best_possible,
        flagged=k,
        cells=cells,
    )


def hit_rate(
    risk: ArrayLike, actual: ArrayLike, coverage: float, *, study_area: ArrayLike | None = None
) -> float:
    """Share of test-period crimes in the flagged cells, n / N.

    See :func:`forecast_score` for the parameters, the flagging rule and the tie-break.

    References
    ----------
    Chainey, S., Tompson, L. & Uhlig, S. (2008). Security Journal 21, 4-28.

    Examples
    --------
    >>> hit_rate([3, 1, 2, 0], [4, 0, 1, 5], coverage=0.25)
    0.4
    """
    return forecast_score(risk, actual, coverage, study_area=study_area).hit_rate


def pai(risk: ArrayLike, actual: ArrayLike, coverage: float, *, study_area: ArrayLike | None = None) -> float:
    """Predictive Accuracy Index, (n / N) / (a / A); 1 is no better than a random choice of cells.

    See :func:`forecast_score` for the parameters, the flagging rule and the tie-break.

    References
    ----------
    Chainey, S., Tompson, L. & Uhlig, S. (2008). Security Journal 21, 4-28.

    Examples
    --------
    >>> pai([3, 1, 2, 0], [4, 0, 1, 5], coverage=0.25)
    1.6
    """
    return forecast_score(risk, actual, coverage, study_area=study_area).pai


def pei_star(
    risk: ArrayLike, actual: ArrayLike, coverage: float, *, study_area: ArrayLike | None = None
) -> float:
    """PEI*, n / n* with n* the sum of the k largest actual cell counts; in [0, 1].

    See :func:`forecast_score` for the parameters, the flagging rule and the tie-break.

    References
    ----------
    National Institute of Justice (2017). Real-Time Crime Forecasting Challenge, scoring rules (PEI*).

    Examples
    --------
    >>> pei_star([3, 1, 2, 0], [4, 0, 1, 5], coverage=0.25)
    0.8
    """
    return forecast_score(risk, actual, coverage, study_area=study_area).pei_star

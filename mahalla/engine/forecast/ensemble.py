"""Long-term hot spots as forecasts: time-decayed counts smoothed over neighbour rings, and their ensemble."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Self

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import ndimage

from mahalla.engine.forecast._base import GridForecaster, past_events, positive_number
from mahalla.engine.forecast.grid import Grid

__all__ = ["DecayedCountForecaster", "EnsembleForecaster"]

_YEAR_DAYS = 365.2425


class DecayedCountForecaster(GridForecaster):
    """Each past event counts ``exp(-age / decay)`` in its cell and ``ring_weights[r]`` times that in ring r.

    The risk of cell ``k`` is ``sum_r ring_weights[r] * sum over events i in ring r of k of
    exp(-age_i / decay)``, ring 0 the cell itself, ring r the cells at Chebyshev distance r (the 8
    neighbours for r = 1). With
    ``decay=None`` and ``ring_weights=(1,)`` it is the all-history count per cell, the long-term hot-spot map.
    A long decay keeps the persistent hot spots while letting old patterns fade; small ring weights borrow
    strength from the neighbours of sparse cells.

    The forecast for a horizon of ``h`` days is calibrated: the spatial pattern (risk over its sum) times the
    city-wide daily rate of the same decay-weighted history, ``sum_i w_i / integral of exp(-a / decay)`` over
    the span of the history, times ``h``.

    With ``season_concentration`` = kappa > 0 the spatial pattern also favours events from the same time of
    year as the forecast window: an event's weight is multiplied by ``exp(kappa * (cos(theta) - 1))``, theta
    the angle between its date and the middle of the window on the yearly circle (a von Mises kernel; 1 for
    the same day of the year, ``exp(-2 kappa)`` for the opposite season). Seasonal hot spots that move with
    the year are the reason to try it. The city-wide rate is left unseasoned.

    Parameters
    ----------
    decay : float or None
        e-folding age of an event's weight, days; None: no decay (every past event weighs 1).
    ring_weights : sequence of float
        Weight of ring 0 (the cell), 1, 2, ...; non-negative, the first positive.
    season_concentration : float
        kappa of the yearly von Mises kernel on the events' time of year; 0 (the default) ignores the season.

    Attributes
    ----------
    grid_ : Grid
        The grid fitted on.
    risk_ : ndarray of shape grid.shape
        Decay-weighted, ring-smoothed count per cell.
    daily_rate_ : float
        Estimated events per day over the whole grid.

    References
    ----------
    Mohler, G. (2014). Marked point process hotspot maps for homicide and gun crime prediction in Chicago.
    International Journal of Forecasting 30(3), 491-497 (long-term plus decaying components of risk).
    Johnson, S. D., Bowers, K. J. & Pease, K. (2004). Prospective hot-spotting. British Journal of Criminology
    44(5), 641-658 (neighbouring cells share risk).

    Examples
    --------
    >>> grid = Grid.from_extent(0, 0, 299, 99, cell_size=100)
    >>> x, y, t = [50.0, 150.0, 150.0, 250.0], [50.0] * 4, [1.0, 9.0, 10.0, 12.0]
    >>> DecayedCountForecaster().fit(x, y, t, grid, end=14.0).risk_.tolist()
    [[1.0, 2.0, 1.0]]
    """

    def __init__(
        self,
        decay: float | None = None,
        ring_weights: Sequence[float] = (1.0,),
        season_concentration: float = 0.0,
    ) -> None:
        self.decay = decay
        self.ring_weights = ring_weights
        self.season_concentration = season_concentration

    def fit(self, x: ArrayLike, y: ArrayLike, t: ArrayLike, grid: Grid, *, end: float | None = None) -> Self:
        """Weight every event before ``end`` by its age and spread the weights over the rings."""
        positive_number("decay", self.decay, allow_none=True)
        weights = np.asarray(self.ring_weights, dtype=float)
        if weights.ndim != 1 or weights.size == 0 or not np.all(np.isfinite(weights)):
            raise ValueError(f"ring_weights must be a non-empty list of numbers, got {self.ring_weights!r}")
        if np.any(weights < 0) or weights[0] <= 0:
            raise ValueError(
                f"ring_weights must be non-negative with a positive first, got {self.ring_weights!r}"
            )
        kappa = self.season_concentration
        if isinstance(kappa, bool) or not isinstance(kappa, (int, float, np.integer, np.floating)):
            raise TypeError(f"season_concentration must be a number >= 0, got {kappa!r}")
        if not (math.isfinite(float(kappa)) and float(kappa) >= 0):
            raise ValueError(f"season_concentration must be a number >= 0, got {kappa!r}")
        events = past_events(x, y, t, grid, end)
        if events.t.size == 0:
            raise ValueError("cannot forecast from no past events")
        age = events.end - events.t
        span = max(float(age.max()), 1.0)
        if self.decay is None:
            event_weight = np.ones(age.size)
            effective_days = span
        else:
            decay = float(self.decay)
            event_weight = np.exp(-age / decay)
            effective_days = decay * (1.0 - math.exp(-span / decay))
        counts = (
            np.bincount(events.cell, weights=event_weight, minlength=grid.n_cells)
            .astype(float)
            .reshape(grid.shape)
        )
        self.risk_ = _ring_smoothed(counts, weights)
        self.daily_rate_ = float(event_weight.sum()) / effective_days
        self.grid_ = grid
        self.end_ = events.end
        # The seasonal pattern depends on the window's middle, known only at predict: keep what it needs.
        self.seasonal_inputs_ = (events.cell, events.t, event_weight, weights) if float(kappa) > 0 else None
        return self

    def predict(self, horizon: float) -> NDArray[np.float64]:
        """Expected events per cell over ``horizon`` days (the pattern times the city-wide rate)."""
        self._check_fitted()
        positive_number("horizon", horizon)
        risk = self.risk_ if self.seasonal_inputs_ is None else self._seasonal_risk(float(horizon))
        total = float(risk.sum())
        if total <= 0:  # a strong kernel can round every weight to 0; fall back to the unseasoned pattern
            risk, total = self.risk_, float(self.risk_.sum())
        result: NDArray[np.float64] = risk / total * self.daily_rate_ * float(horizon)
        return result

    def _seasonal_risk(self, horizon: float) -> NDArray[np.float64]:
        """The decayed, ring-smoothed counts with every event also weighted by its closeness in the year."""
        assert self.seasonal_inputs_ is not None
        cell, t, event_weight, ring_weights = self.seasonal_inputs_
        angle = 2.0 * math.pi * (t - (self.end_ + horizon / 2.0)) / _YEAR_DAYS
        weight = event_weight * np.exp(float(self.season_concentration) * (np.cos(angle) - 1.0))
        counts = np.bincount(cell, weights=weight, minlength=self.grid_.n_cells).reshape(self.grid_.shape)
        return _ring_smoothed(counts.astype(float), ring_weights)


def _ring_smoothed(counts: NDArray[np.float64], weights: NDArray[np.float64]) -> NDArray[np.float64]:
    """sum_r weights[r] * (sum of counts over the cells at Chebyshev distance exactly r)."""
    result = weights[0] * counts
    inner = counts
    for radius in range(1, weights.size):
        box = np.ones((2 * radius + 1, 2 * radius + 1))
        outer = ndimage.convolve(counts, box, mode="constant", cval=0.0)
        if weights[radius] > 0:
            result = result + weights[radius] * (outer - inner)
        inner = outer
    smoothed: NDArray[np.float64] = np.maximum(result, 0.0)  # convolution rounding must not go negative
    return smoothed


class EnsembleForecaster(GridForecaster):
    """Mean of the members' spatial patterns (each forecast over its own sum), times their mean total.

    Averaging normalised maps ranks cells by the members' consensus; it is steadier than any one member
    picked as the best of a noisy search (bagging the top of a tuning search).

    Parameters
    ----------
    members : sequence of GridForecaster
        The forecasters combined; each is cloned unfitted and fitted on the same events.

    Attributes
    ----------
    members_ : list of GridForecaster
        The fitted clones.

    References
    ----------
    Breiman, L. (1996). Bagging predictors. Machine Learning 24, 123-140.

    Examples
    --------
    >>> grid = Grid.from_extent(0, 0, 299, 99, cell_size=100)
    >>> x, y, t = [50.0, 150.0, 150.0, 250.0], [50.0] * 4, [1.0, 9.0, 10.0, 12.0]
    >>> ensemble = EnsembleForecaster([DecayedCountForecaster(), DecayedCountForecaster(decay=20.0)])
    >>> forecast = ensemble.fit(x, y, t, grid, end=14.0).predict(7.0)
    >>> int(np.argmax(forecast))
    1
    """

    def __init__(self, members: Sequence[GridForecaster] = ()) -> None:
        self.members = members

    def fit(self, x: ArrayLike, y: ArrayLike, t: ArrayLike, grid: Grid, *, end: float | None = None) -> Self:
        """Fit a fresh clone of every member on the same past events."""
        members = list(self.members)
        if not members:
            raise ValueError("an ensemble needs at least one member forecaster")
        for index, member in enumerate(members):
            if not isinstance(member, GridForecaster):
                raise TypeError(f"member {index} is not a GridForecaster: {member!r}")
        self.members_ = [member.clone().fit(x, y, t, grid, end=end) for member in members]
        self.grid_ = grid
        return self

    def predict(self, horizon: float) -> NDArray[np.float64]:
        """Mean normalised pattern of the members times their mean expected total over ``horizon`` days."""
        self._check_fitted()
        positive_number("horizon", horizon)
        pattern = np.zeros(self.grid_.shape)
        total = 0.0
        for member in self.members_:
            forecast = member.predict(horizon)
            member_total = float(forecast.sum())
            total += member_total
            if member_total > 0:
                pattern += forecast / member_total
        result: NDArray[np.float64] = pattern / len(self.members_) * (total / len(self.members_))
        return result

"""The naive forecast: next period looks like the last one."""

from __future__ import annotations

from typing import Self

import numpy as np
from numpy.typing import ArrayLike, NDArray

from mahalla.engine.forecast._base import GridForecaster, past_events, positive_number
from mahalla.engine.forecast.grid import Grid

__all__ = ["NaiveForecaster"]


class NaiveForecaster(GridForecaster):
    """Last period's crime counts per cell, the baseline every forecast must beat.

    Parameters
    ----------
    period : float or None
        Length in days of the "last period": events with ``end - period <= t <= end`` are counted. A fair
        baseline uses the forecast horizon (7 days for a weekly forecast). None: all history before ``end``
        (the long-term hot spots), scaled as a rate over the days from the first event to ``end``.

    Attributes
    ----------
    grid_ : Grid
        The grid fitted on.
    counts_ : ndarray of shape grid.shape
        Events per cell in the last period.
    end_ : float
        The forecast origin, in days.

    References
    ----------
    Chainey, S., Tompson, L. & Uhlig, S. (2008). The utility of hotspot mapping for predicting spatial
    patterns of crime. Security Journal 21, 4-28 (last period's hot spots as the reference forecast).

    Examples
    --------
    >>> grid = Grid.from_extent(0, 0, 299, 99, cell_size=100)
    >>> x, y, t = [50, 150, 150, 250], [50, 50, 50, 50], [1, 9, 10, 12]
    >>> naive = NaiveForecaster(period=7).fit(x, y, t, grid, end=14)
    >>> naive.predict(7).tolist()
    [[0.0, 2.0, 1.0]]
    """

    def __init__(self, period: float | None = 7.0) -> None:
        self.period = period

    def fit(self, x: ArrayLike, y: ArrayLike, t: ArrayLike, grid: Grid, *, end: float | None = None) -> Self:
        """Count each cell's events in the last ``period`` days before ``end``."""
        positive_number("period", self.period, allow_none=True)
        events = past_events(x, y, t, grid, end)
        if self.period is None:
            recent = np.ones(events.t.size, dtype=bool)
            self.period_days_ = max(events.end - float(events.t.min()), 1.0) if events.t.size else 1.0
        else:
            recent = events.t >= events.end - float(self.period)
            self.period_days_ = float(self.period)
        self.grid_ = grid
        self.end_ = events.end
        self.counts_ = (
            np.bincount(events.cell[recent], minlength=grid.n_cells).astype(float).reshape(grid.shape)
        )
        return self

    def predict(self, horizon: float) -> NDArray[np.float64]:
        """Expected events per cell over ``horizon`` days: last period's counts scaled to the horizon."""
        self._check_fitted()
        positive_number("horizon", horizon)
        result: NDArray[np.float64] = self.counts_ * (float(horizon) / self.period_days_)
        return result

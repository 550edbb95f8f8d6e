"""Prospective hot-spotting: recent crimes raise the risk of nearby cells, decaying in space and time."""

from __future__ import annotations

import math
from typing import Self

import numpy as np
from numpy.typing import ArrayLike, NDArray

from mahalla.engine.forecast._base import GridForecaster, past_events, positive_number
from mahalla.engine.forecast.grid import Grid

__all__ = ["ProspectiveHotspotForecaster"]

_DAYS_PER_WEEK = 7.0


class ProspectiveHotspotForecaster(GridForecaster):
    """Risk of a cell = sum over recent nearby crimes of ``1 / ((1 + d) (1 + t))``.

    ``d`` is the distance in cells between the centre of the cell and the centre of the cell where the crime
    happened (Euclidean, so a diagonal neighbour is sqrt(2) cells away), ``t`` the crime's age in whole weeks
    at the forecast origin (``floor((end - t_event) / 7)``, so a crime of the last seven days has t = 0).
    Only crimes with ``d * cell_size <= distance_cutoff`` and age ``< time_cutoff`` days count.

    Parameters
    ----------
    distance_cutoff : float
        Metres; Bowers et al. used 400 m.
    time_cutoff : float
        Days; Bowers et al. used one to two months (56 days = 8 weeks).

    Attributes
    ----------
    grid_ : Grid
        The grid fitted on.
    risk_ : ndarray of shape grid.shape
        The risk surface. It is a score, not an expected count: :meth:`predict` returns it unchanged for every
        horizon.
    kernel_ : ndarray
        The spatial weights ``1 / (1 + d)`` by cell offset, zero beyond the distance cut-off.

    References
    ----------
    Bowers, K. J., Johnson, S. D. & Pease, K. (2004). Prospective hot-spotting: the future of crime mapping?
    British Journal of Criminology 44(5), 641-658.

    Examples
    --------
    >>> grid = Grid.from_extent(0, 0, 499, 99, cell_size=100)
    >>> model = ProspectiveHotspotForecaster(distance_cutoff=200, time_cutoff=56)
    >>> model.fit([50.0, 250.0], [50.0, 50.0], [20.0, 27.0], grid, end=28.0).predict(7).round(3).tolist()
    [[0.833, 0.75, 1.167, 0.5, 0.333]]
    """

    def __init__(self, distance_cutoff: float = 400.0, time_cutoff: float = 56.0) -> None:
        self.distance_cutoff = distance_cutoff
        self.time_cutoff = time_cutoff

    def fit(self, x: ArrayLike, y: ArrayLike, t: ArrayLike, grid: Grid, *, end: float | None = None) -> Self:
        """Weight each recent crime by its age and spread it over the cells within the distance cut-off."""
        positive_number("distance_cutoff", self.distance_cutoff)
        positive_number("time_cutoff", self.time_cutoff)
        events = past_events(x, y, t, grid, end)
        age_days = events.end - events.t
        recent = age_days < float(self.time_cutoff)
        age_weeks = np.floor(age_days[recent] / _DAYS_PER_WEEK)
        # The weight factorises into space x time, so the time weights can be summed per cell first and the
        # spatial kernel applied once (a convolution) instead of once per crime.
        weighted = np.bincount(
            events.cell[recent], weights=1.0 / (1.0 + age_weeks), minlength=grid.n_cells
        ).reshape(grid.shape)
        reach = int(math.floor(float(self.distance_cutoff) / grid.cell_size))
        offsets = np.arange(-reach, reach + 1, dtype=float)
        distance_cells = np.hypot(offsets[:, None], offsets[None, :])
        kernel = np.where(
            distance_cells * grid.cell_size <= float(self.distance_cutoff), 1.0 / (1.0 + distance_cells), 0.0
        )
        self.grid_ = grid
        self.end_ = events.end
        self.kernel_ = kernel
        # scipy.signal loads here, not with the module: it imports scipy.stats (about a second under load),
        # and the daily run's forecasters never convolve this way.
        from scipy.signal import convolve2d

        # Direct (not FFT) convolution keeps cells out of reach exactly zero, so ties among them stay ties.
        self.risk_ = convolve2d(weighted, kernel, mode="same", boundary="fill", fillvalue=0.0)
        return self

    def predict(self, horizon: float) -> NDArray[np.float64]:
        """The risk surface (a relative score; the horizon only has to be positive)."""
        self._check_fitted()
        positive_number("horizon", horizon)
        result: NDArray[np.float64] = self.risk_.copy()
        return result

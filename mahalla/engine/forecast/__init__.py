"""Grid crime forecasts: each method is fitted on past events only and predicts a risk per cell.

Every method follows the scikit-learn contract (parameters stored untouched in ``__init__``, validated in
``fit``, fitted attributes ending in ``_``) with ``fit(x, y, t, grid, end=origin)`` on events at projected
coordinates in metres and times in days, and ``predict(horizon_days)`` returning an array of ``grid.shape``.
"""

from mahalla.engine.forecast._base import GridForecaster
from mahalla.engine.forecast.ensemble import DecayedCountForecaster, EnsembleForecaster
from mahalla.engine.forecast.etas import GridETASForecaster, simulate_grid_etas
from mahalla.engine.forecast.grid import Grid
from mahalla.engine.forecast.kde import KDEForecaster
from mahalla.engine.forecast.learned import LearnedCountForecaster
from mahalla.engine.forecast.naive import NaiveForecaster
from mahalla.engine.forecast.prospective import ProspectiveHotspotForecaster

__all__ = [
    "Grid",
    "DecayedCountForecaster",
    "EnsembleForecaster",
    "GridETASForecaster",
    "GridForecaster",
    "KDEForecaster",
    "LearnedCountForecaster",
    "NaiveForecaster",
    "ProspectiveHotspotForecaster",
    "simulate_grid_etas",
]

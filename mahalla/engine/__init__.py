"""The science of Mahalla: pure numpy / scipy / pandas, no Django, no I/O, no clock.

Every public name below is part of the engine's contract with the rest of the platform and with
outside checks; the modules they come from carry numpydoc docstrings naming their references.
"""

# Spatial statistics (weights, autocorrelation, hot spots, trends, emerging hot spots).

# Space-time scan and near repeat.
from mahalla.engine.near_repeat import KnoxResult, knox
from mahalla.engine.scan import SpaceTimeCluster, SpaceTimeScanResult, space_time_permutation_scan

# Forecasting and forecast scoring.
from mahalla.engine.backtest import BacktestResult, rolling_origin_backtest, rolling_origins
from mahalla.engine.forecast import (
    Grid,
    GridETASForecaster,
    KDEForecaster,
    NaiveForecaster,
    ProspectiveHotspotForecaster,
)
from mahalla.engine.scoring import ForecastScore, forecast_score, hit_rate, pai, pei_star

# Comparisons, classification, spikes, effect of measures.

"""The science of Mahalla: pure numpy / scipy / pandas, no Django, no I/O, no clock.

Every public name below is part of the engine's contract with the rest of the platform and with
outside checks; the modules they come from carry numpydoc docstrings naming their references.
"""

# The imports are grouped by topic, not alphabetically, so that each part of the engine reads as one block.
# ruff: noqa: I001

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

# The names load lazily (PEP 562): importing one module of the engine, as the platform's apps do, must not
# import all of it (scipy.stats and pandas cost seconds at every start of a command or server worker). The
# block below is the one list of names; `__getattr__` reads it from this file's own source when a name is
# first asked for, so that a name added there is found without a second list to keep in step.
if TYPE_CHECKING:
    # Spatial statistics (weights, autocorrelation, hot spots, trends, emerging hot spots).
    from mahalla.engine.autocorrelation import (
        GiStarResult,
        LocalMoranResult,
        MoranResult,
        fdr_significant,
        gi_star,
        local_moran,
        morans_i,
    )
    from mahalla.engine.emerging import (
        EMERGING_CLASSES,
        EmergingHotSpotResult,
        classify_emerging,
        emerging_hot_spots,
        space_time_gi_star,
        space_time_permutation_p,
        space_time_weights,
    )
    from mahalla.engine.inference import LocalPermutationResult, conditional_permutation_test, pseudo_p_value
    from mahalla.engine.trend import MannKendallResult, mann_kendall
    from mahalla.engine.weights import (
        as_weights,
        distance_band_weights,
        islands,
        knn_weights,
        queen_weights,
        rook_weights,
        row_standardize,
        with_self_loops,
    )

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
    from mahalla.engine.classification import (
        ClassificationConfig,
        classification_summary,
        classify_mahallas,
        red_streaks,
    )
    from mahalla.engine.comparisons import compstat_compare, daily_count_matrix, period_windows, wheeler_z
    from mahalla.engine.effect import EffectResult, difference_in_differences
    from mahalla.engine.smoothing import (
        GammaPrior,
        empirical_bayes_rates,
        gamma_poisson_posterior,
        spatial_empirical_bayes_rates,
    )
    from mahalla.engine.spikes import detect_spikes

_SOURCES: dict[str, str] = {}


def _sources() -> dict[str, str]:
    if not _SOURCES:
        tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mahalla.engine."):
                for alias in node.names:
                    _SOURCES[alias.asname or alias.name] = node.module or ""
    return _SOURCES


def __getattr__(name: str) -> Any:
    module = _sources().get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "as_weights",
    "BacktestResult",
    "classification_summary",
    "ClassificationConfig",
    "classify_emerging",
    "classify_mahallas",
    "compstat_compare",
    "conditional_permutation_test",
    "daily_count_matrix",
    "detect_spikes",
    "difference_in_differences",
    "distance_band_weights",
    "EffectResult",
    "EMERGING_CLASSES",
    "emerging_hot_spots",
    "EmergingHotSpotResult",
    "empirical_bayes_rates",
    "fdr_significant",
    "forecast_score",
    "ForecastScore",
    "gamma_poisson_posterior",
    "GammaPrior",
    "gi_star",
    "GiStarResult",
    "Grid",
    "GridETASForecaster",
    "hit_rate",
    "islands",
    "KDEForecaster",
    "knn_weights",
    "knox",
    "KnoxResult",
    "local_moran",
    "LocalMoranResult",
    "LocalPermutationResult",
    "mann_kendall",
    "MannKendallResult",
    "MoranResult",
    "morans_i",
    "NaiveForecaster",
    "pai",
    "pei_star",
    "period_windows",
    "ProspectiveHotspotForecaster",
    "pseudo_p_value",
    "queen_weights",
    "red_streaks",
    "rolling_origin_backtest",
    "rolling_origins",
    "rook_weights",
    "row_standardize",
    "space_time_gi_star",
    "space_time_permutation_p",
    "space_time_permutation_scan",
    "space_time_weights",
    "SpaceTimeCluster",
    "SpaceTimeScanResult",
    "spatial_empirical_bayes_rates",
    "wheeler_z",
    "with_self_loops",
]

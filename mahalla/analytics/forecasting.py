"""The daily run's next-week forecast: the method that won an honest backtest on the recent weeks.

At every run the candidate methods are backtested on the weeks just before the analysed date by the engine's
honest protocol (every offence of a week is counted, 10 % of all the mahallas flagged: the territory is known,
so the study area is every mahalla), and the one with the highest pooled PEI* is
used for next week's forecast per mahalla. Its score and its margin over the all-history count are stored on
the run so that the pages can say how far the forecast is to be trusted.

The mahallas are the cells: a 1 x n strip, mahalla i in column i, as in the pipeline's forecast. The strip
has no geometry, so the ensemble's members here use no neighbour rings (neighbouring columns are not
neighbouring mahallas).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from django.utils.translation import gettext_lazy as _

from mahalla.engine.backtest import rolling_origin_backtest
from mahalla.engine.forecast import (
    DecayedCountForecaster,
    EnsembleForecaster,
    Grid,
    GridForecaster,
    NaiveForecaster,
)

from .frames import Inputs

__all__ = [
    "BACKTEST_WEEKS",
    "FORECAST_COVERAGE",
    "METHOD_LABELS",
    "candidate_methods",
    "forecast_choice_for_display",
    "next_week_by_winner",
]

BACKTEST_WEEKS = 8
FORECAST_COVERAGE = 0.1
HORIZON_DAYS = 7
_EPOCH = pd.Timestamp("1970-01-01")

METHOD_LABELS = {
    "all_history": _("count of all past offences"),
    "ensemble": _("ensemble of time-weighted counts"),
    "last_365": _("count of the last 365 days"),
}


def candidate_methods() -> dict[str, GridForecaster]:
    """The all-history count first (it wins ties: the simplest method that does as well), then the others.

    Grid ETAS, the pipeline's earlier forecast, is not a candidate: on real burglary its fitted branching
    ratio is about 0.01, so it is in effect a long-run rate per cell; it costs seconds per fit at nation
    scale and cannot be fitted on a window without offences.
    """
    return {
        "all_history": NaiveForecaster(period=None),
        "last_365": NaiveForecaster(period=365.0),
        "ensemble": EnsembleForecaster(
            [DecayedCountForecaster(decay=days) for days in (365.0, 500.0, 730.0)]
        ),
    }


def next_week_by_winner(inputs: Inputs, parameters: dict[str, Any]) -> tuple[np.ndarray, dict[str, Any]]:
    """Expected offences per mahalla over the 7 days after ``inputs.date``, by the backtest's winner.

    Returns the forecast (one value per mahalla, in ``inputs.mahallas`` order) and the choice as stored on the
    run: ``method``, ``pei_star`` (its pooled PEI* over the backtest weeks), ``all_history_pei_star``,
    ``margin`` (relative to the all-history count), ``difference`` and its 95 % bootstrap interval
    (``difference_low``, ``difference_high``: offences captured in the flagged mahallas, method minus
    all-history count, over the weeks), ``weeks``, ``coverage`` and the scores of every candidate.
    """
    n = len(inputs.mahallas)
    offences = inputs.offences
    choice: dict[str, Any] = {"weeks": 0, "coverage": FORECAST_COVERAGE, "horizon_days": HORIZON_DAYS}
    if n == 0 or offences.empty:
        return np.zeros(n), {**choice, "method": "all_history", "reason": "no offences"}
    position = pd.Series(np.arange(n), index=inputs.mahallas.index)
    columns = position.reindex(offences["mahalla_id"]).to_numpy(dtype=float)
    known = np.isfinite(columns)
    x = columns[known] + 0.5
    y = np.full(x.size, 0.5)
    days = pd.DatetimeIndex(offences["day"].to_numpy()[known])
    methods = candidate_methods()
    after = pd.Timestamp(inputs.date) + pd.Timedelta(days=1)  # the day after the analysed date: the origin
    first_day = days.min()
    origins = [after - pd.Timedelta(days=HORIZON_DAYS * k) for k in range(BACKTEST_WEEKS, 0, -1)]
    origins = [origin for origin in origins if origin - pd.Timedelta(days=HORIZON_DAYS) > first_day]
    winner = "all_history"
    if origins:
        result = rolling_origin_backtest(
            x,
            y,
            days,
            cell_size=1.0,
            extent=(0.0, 0.0, n - 0.5, 0.5),
            origins=origins,
            horizon_days=HORIZON_DAYS,
            coverage=FORECAST_COVERAGE,
            methods=methods,
            # The territory is known: every mahalla may be flagged. A KDE in metres over a row of mahallas
            # means nothing, so the baselines are the candidates' own all-history and last-365 counts.
            study_area=np.ones((1, n), dtype=bool),
            add_baselines=False,
            n_boot=1000,
            random_state=0,
        )
        summary = result.summary.loc[list(methods)]
        scores = summary["pei_star"].fillna(0.0)
        winner = str(scores.idxmax())  # idxmax keeps the first of equal scores: the all-history count
        base = float(scores["all_history"])
        versus = result.comparison.query("baseline == 'all_history' and method == @winner")
        choice.update(
            weeks=len(origins),
            pei_star=float(scores[winner]),
            all_history_pei_star=base,
            margin=(float(scores[winner]) / base - 1.0) if base > 0 else None,
            scores={name: float(value) for name, value in scores.items()},
        )
        if not versus.empty:
            row = versus.iloc[0]
            choice.update(
                difference=int(row["difference"]),
                difference_low=float(row["difference_low"]),
                difference_high=float(row["difference_high"]),
            )
    else:
        choice["reason"] = "too little history for a backtest"
    choice["method"] = winner
    grid = Grid(x_min=0.0, y_min=0.0, cell_size=1.0, n_rows=1, n_cols=n)
    times = ((days - _EPOCH) / pd.Timedelta(days=1)).to_numpy(dtype=float) + 0.5
    end = float((after - _EPOCH) / pd.Timedelta(days=1))
    model = methods[winner].clone().fit(x, y, times, grid, end=end)
    forecast = np.asarray(model.predict(float(HORIZON_DAYS)), dtype=float).reshape(-1)
    return forecast, choice


def forecast_choice_for_display(run_forecast: dict[str, Any] | None, date: dt.date) -> dict[str, Any] | None:
    """The stored choice in the form the pages show: method name, PEI* and margin in percent."""
    if not run_forecast or "method" not in run_forecast:
        return None
    margin = run_forecast.get("margin")
    return {
        "date": date,
        "method": run_forecast["method"],
        "method_label": METHOD_LABELS.get(str(run_forecast["method"]), str(run_forecast["method"])),
        "pei_star": run_forecast.get("pei_star"),
        "all_history_pei_star": run_forecast.get("all_history_pei_star"),
        "margin_percent": None if margin is None else 100.0 * float(margin),
        "weeks": run_forecast.get("weeks", 0),
        "coverage_percent": 100.0 * float(run_forecast.get("coverage", FORECAST_COVERAGE)),
        "interval": (
            (run_forecast["difference_low"], run_forecast["difference_high"])
            if "difference_low" in run_forecast
            else None
        ),
    }

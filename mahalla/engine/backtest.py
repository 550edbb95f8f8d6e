"""Rolling-origin evaluation of grid crime forecasts: fit on the past only, forecast the next period, move on.

At each origin every method is fitted on the events dated strictly before the origin and forecasts the
``horizon_days`` that start on the origin date; the forecast is scored (hit rate, PAI, PEI*) against the
events of those days. The study area at an origin is, by default, the cells holding at least one event
before that origin, so it too uses the past only; events of the test period in cells outside it are
reported, not scored.

Dates carry no time of day, so every event is placed at midday of its date (t = day + 0.5, in days since
1970-01-01) and origins at midnight: a training event is always strictly before the origin, and an event
dated the day before the origin is half a day old at the origin.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from mahalla.engine.forecast import (
    Grid,
    GridETASForecaster,
    GridForecaster,
    KDEForecaster,
    NaiveForecaster,
    ProspectiveHotspotForecaster,
)
from mahalla.engine.scoring import forecast_score

__all__ = [
    "METHOD_NAMES",
    "BacktestResult",
    "default_forecasters",
    "rolling_origin_backtest",
    "rolling_origins",
]

METHOD_NAMES = ("naive", "kde", "prospective", "etas")

_EPOCH = np.datetime64("1970-01-01", "D")
_MIDDAY = 0.5


def default_forecasters(horizon_days: int) -> dict[str, GridForecaster]:
    """The four methods, with the parameters chosen on Chicago burglary 2014-2016 (never on 2017).

    The choice (``bench/bench_backtest_chicago.py --tune``): 150 m cells, coverage 1 %, origins rolled over
    2016 with horizons of 7 and 30 days, training on everything from 2014 up to each origin; the criterion was
    the mean of the two horizons' mean PEI*. The best of each family on that criterion:

    - KDE: quartic kernel, bandwidth 150 m, the last 1,100 days (0.145; best Gaussian: 75 m, 0.143);
    - prospective hot-spotting: 300 m, 1,100 days (0.168; Bowers et al.'s 400 m and 8 weeks gave 0.146);
    - grid ETAS: all history (0.151).

    The naive baseline's period is the horizon itself: "last week" for a weekly forecast, "last 30 days" for
    a 30-day one. The others do not depend on the horizon.
    """
    return {
        "naive": NaiveForecaster(period=float(horizon_days)),
        "kde": KDEForecaster(bandwidth=150.0, kernel="quartic", window=1100.0),
        "prospective": ProspectiveHotspotForecaster(distance_cutoff=300.0, time_cutoff=1100.0),
        "etas": GridETASForecaster(window=None),
    }


def rolling_origins(start: Any, end: Any, horizon_days: int) -> pd.DatetimeIndex:
    """Origins ``start, start + h, start + 2h, ...`` whose whole horizon ends on or before ``end``.

    Parameters
    ----------
    start, end : date-like
        First and last day of the test period (``end`` is included).
    horizon_days : int
        Step and horizon in days.

    Examples
    --------
    >>> [d.strftime("%m-%d") for d in rolling_origins("2017-01-01", "2017-01-31", 7)]
    ['01-01', '01-08', '01-15', '01-22']
    """
    horizon = _horizon(horizon_days)
    first = pd.Timestamp(start).normalize()
    last = pd.Timestamp(end).normalize()
    if last < first:
        raise ValueError(f"end {last.date()} is before start {first.date()}")
    count = ((last - first).days + 1) // horizon
    if count == 0:
        raise ValueError(
            f"the test period {first.date()} .. {last.date()} is shorter than one horizon ({horizon} d)"
        )
    return pd.DatetimeIndex([first + pd.Timedelta(days=horizon * i) for i in range(count)])


@dataclass(frozen=True)
class BacktestResult:
    """Scores of a rolling-origin backtest.

    Attributes
    ----------
    per_origin : pandas.DataFrame
        One row per method and origin: ``method``, ``origin``, ``horizon_days``, ``events`` (N, test events in
        the study area), ``events_outside_study_area``, ``study_area_cells`` (A), ``flagged_cells`` (a),
        ``captured`` (n), ``best_possible`` (n*), ``hit_rate``, ``pai``, ``pei_star``, and
        ``hit_rate_all_events``: n over every test event in the grid, those outside the study area included
        (the stricter hit rate: no forecast confined to the study area can reach them).
    summary : pandas.DataFrame
        One row per method (index ``method``, in the order given): ``origins`` scored, mean ``hit_rate``,
        ``pai``, ``pei_star`` and ``hit_rate_all_events`` over origins (origins with no test event are
        skipped), and the mean ``events`` and ``events_outside_study_area`` per origin.
    dropped_outside_grid : int
        Events left out because they fall outside the given extent.
    """

    per_origin: pd.DataFrame
    summary: pd.DataFrame
    dropped_outside_grid: int


def rolling_origin_backtest(
    x: ArrayLike,
    y: ArrayLike,
    dates: ArrayLike,
    *,
    cell_size: float,
    origins: Sequence[Any] | pd.DatetimeIndex,
    horizon_days: int = 7,
    coverage: float = 0.01,
    methods: Sequence[str] | Mapping[str, GridForecaster] | None = None,
    extent: tuple[float, float, float, float] | None = None,
    study_area: NDArray[np.bool_] | None = None,
) -> BacktestResult:
    """Rolling-origin backtest of grid forecast methods, scored by hit rate, PAI and PEI*.

    Parameters
    ----------
    x, y : array_like
        Event coordinates in projected metres.
    dates : array_like
        Event dates (anything :func:`pandas.to_datetime` reads; the time of day, if any, is ignored).
    cell_size : float
        Side of the square grid cells, metres.
    origins : sequence of date-like
        Forecast origins (see :func:`rolling_origins`); each forecasts ``[origin, origin + horizon_days)``.
    horizon_days : int
        Days forecast at each origin.
    coverage : float
        Fraction of the study area flagged, in (0, 1] (``ceil(coverage * cells)`` cells; see
        :mod:`mahalla.engine.scoring`).
    methods : sequence of str or mapping of name to forecaster, optional
        Names from ``METHOD_NAMES`` (built by :func:`default_forecasters`), or configured forecasters by name.
        Each is cloned unfitted at every origin. Default: all four named methods.
    extent : (x_min, y_min, x_max, y_max), optional
        Grid extent in metres; events outside are dropped (and counted). Default: the events' bounding box.
    study_area : ndarray of bool, optional
        Fixed study-area mask of the grid's shape. Default: at each origin, the cells with any earlier event.

    Returns
    -------
    BacktestResult
        Per-origin rows and the per-method summary.

    References
    ----------
    Tashman, L. J. (2000). Out-of-sample tests of forecasting accuracy: an analysis and review. International
    Journal of Forecasting 16(4), 437-450 (rolling-origin evaluation).
    Mohler, G. O. et al. (2015). Randomized controlled field trials of predictive policing. JASA 110(512).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> dates = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 60, 400), unit="D")
    >>> x = np.where(rng.random(400) < 0.5, rng.normal(500, 30, 400), rng.uniform(0, 2000, 400))
    >>> y = rng.uniform(0, 2000, 400)
    >>> result = rolling_origin_backtest(x, y, dates, cell_size=100, horizon_days=7, coverage=0.05,
    ...                                  origins=rolling_origins("2020-02-01", "2020-02-29", 7))
    >>> list(result.summary.index)
    ['naive', 'kde', 'prospective', 'etas']
    """
    horizon = _horizon(horizon_days)
    x_array = np.asarray(x, dtype=float)
    y_array = np.asarray(y, dtype=float)
    days = _day_numbers(dates)
    if not (x_array.ndim == 1 and x_array.shape == y_array.shape == days.shape):
        raise ValueError(
            "x, y and dates must be 1-d and of equal length, got "
            f"{x_array.shape}, {y_array.shape}, {days.shape}"
        )
    if x_array.size == 0:
        raise ValueError("no events to backtest on")
    if extent is None:
        grid = Grid.from_points(x_array, y_array, cell_size)
        dropped = 0
    else:
        if len(extent) != 4:
            raise ValueError(f"extent must be (x_min, y_min, x_max, y_max), got {extent!r}")
        x_min, y_min, x_max, y_max = (float(value) for value in extent)
        grid = Grid.from_extent(x_min, y_min, x_max, y_max, cell_size=cell_size)
        inside = grid.cell_index(x_array, y_array, outside="flag") >= 0
        dropped = int((~inside).sum())
        x_array, y_array, days = x_array[inside], y_array[inside], days[inside]
    if study_area is not None:
        study_area = np.asarray(study_area)
        if study_area.dtype != np.bool_ or study_area.shape != grid.shape:
            raise ValueError(f"study_area must be a boolean mask of shape {grid.shape}")
    forecasters = _forecasters(methods, horizon)
    origin_days = _origin_days(origins)
    if origin_days.min() <= days.min():
        raise ValueError(
            f"origin {_as_date(int(origin_days.min()))} has no earlier event to fit on; the first event is "
            f"dated {_as_date(int(days.min()))}"
        )

    times = days + _MIDDAY
    cells = grid.cell_index(x_array, y_array)
    rows: list[dict[str, Any]] = []
    for origin in origin_days:
        past = days < origin
        future = (days >= origin) & (days < origin + horizon)
        actual = np.bincount(cells[future], minlength=grid.n_cells).astype(float).reshape(grid.shape)
        area = study_area if study_area is not None else grid.study_area(x_array[past], y_array[past])
        outside_area = int(actual[~area].sum())
        for name, template in forecasters.items():
            model = template.clone().fit(x_array[past], y_array[past], times[past], grid, end=float(origin))
            score = forecast_score(model.predict(float(horizon)), actual, coverage, study_area=area)
            rows.append(
                {
                    "method": name,
                    "origin": pd.Timestamp(_as_date(int(origin))),
                    "horizon_days": horizon,
                    "events": int(score.total),
                    "events_outside_study_area": outside_area,
                    "study_area_cells": score.cells,
                    "flagged_cells": score.flagged,
                    "captured": int(score.captured),
                    "best_possible": int(score.best_possible),
                    "hit_rate": score.hit_rate,
                    "pai": score.pai,
                    "pei_star": score.pei_star,
                    "hit_rate_all_events": (
                        score.captured / (score.total + outside_area)
                        if score.total + outside_area
                        else np.nan
                    ),
                }
            )
    per_origin = pd.DataFrame(rows)
    summary = (
        per_origin.dropna(subset=["pei_star"])
        .groupby("method", sort=False)
        .agg(
            origins=("origin", "size"),
            hit_rate=("hit_rate", "mean"),
            pai=("pai", "mean"),
            pei_star=("pei_star", "mean"),
            hit_rate_all_events=("hit_rate_all_events", "mean"),
            events=("events", "mean"),
            events_outside_study_area=("events_outside_study_area", "mean"),
        )
        .reindex(list(forecasters))
    )
    return BacktestResult(per_origin=per_origin, summary=summary, dropped_outside_grid=dropped)


def _horizon(horizon_days: object) -> int:
    if isinstance(horizon_days, bool) or not isinstance(horizon_days, (int, np.integer)) or horizon_days < 1:
        raise ValueError(f"horizon_days must be a positive whole number of days, got {horizon_days!r}")
    return int(horizon_days)


def _day_numbers(dates: ArrayLike) -> NDArray[np.int64]:
    """Whole days since 1970-01-01 of each date (calendar date as given; any time of day is dropped)."""
    try:
        parsed = pd.to_datetime(pd.Series(np.asarray(dates)))
    except (ValueError, TypeError) as error:
        raise ValueError(f"dates could not be read as dates: {error}") from error
    if parsed.isna().any():
        bad = int(np.flatnonzero(parsed.isna().to_numpy())[0])
        raise ValueError(f"date of event {bad} is missing")
    if parsed.dt.tz is not None:
        parsed = parsed.dt.tz_localize(None)
    day_values = parsed.to_numpy().astype("datetime64[D]")
    result: NDArray[np.int64] = (day_values - _EPOCH).astype(np.int64)
    return result


def _origin_days(origins: Sequence[Any] | pd.DatetimeIndex) -> NDArray[np.int64]:
    if len(origins) == 0:
        raise ValueError("origins is empty: give at least one forecast origin")
    return _day_numbers(list(origins))


def _as_date(day: int) -> np.datetime64:
    return _EPOCH + np.timedelta64(day, "D")


def _forecasters(
    methods: Sequence[str] | Mapping[str, GridForecaster] | None, horizon: int
) -> dict[str, GridForecaster]:
    defaults = default_forecasters(horizon)
    if methods is None:
        return defaults
    if isinstance(methods, Mapping):
        chosen: dict[str, GridForecaster] = {}
        for name, forecaster in methods.items():
            if not isinstance(forecaster, GridForecaster):
                raise TypeError(f"method {name!r} is not a GridForecaster: {forecaster!r}")
            chosen[str(name)] = forecaster
    elif isinstance(methods, str):
        raise TypeError(f"methods must be a list of names, not the string {methods!r}")
    else:
        unknown = [name for name in methods if name not in defaults]
        if unknown:
            raise ValueError(f"unknown forecast method(s) {unknown}; known: {list(METHOD_NAMES)}")
        chosen = {name: defaults[name] for name in methods}
    if not chosen:
        raise ValueError("methods is empty: give at least one forecast method")
    return chosen

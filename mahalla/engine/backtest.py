"""Rolling-origin evaluation of grid crime forecasts by an honest protocol: past only, every event counted.

At each origin every method is fitted on the events dated strictly before the origin and forecasts the window
that starts on the origin: ``horizon_days`` days, or the calendar month (``horizon_days="month"``). The
protocol, chosen so that scores are not inflated:

- the study area (the cells that may be flagged, A) is by default fixed from the training years: the cells
  with at least one event before the *first* origin (``study_area="training"``); ``"per_origin"`` recomputes
  it at each origin from the events before it;
- N counts *every* event of the window inside the grid, those in cells outside the study area included (they
  are the events a forecast confined to the study area misses); both counts are reported;
- n* (for PEI*) is the most events any ``k`` cells of the grid could have captured;
- scores are given per origin, pooled over origins (sum of n over sum of N, sum of n over sum of n*) and as
  means over origins;
- every method is compared with the baselines (all-history count, last-365-days count, last-horizon count,
  KDE), paired by origin, with a bootstrap interval for the difference in captured events.

Dates carry no time of day, so every event is placed at midday of its date (t = day + 0.5, in days since
1970-01-01) and origins at midnight: a training event is always strictly before the origin, and an event
dated the day before the origin is half a day old at the origin.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from mahalla.engine.forecast import (
    DecayedCountForecaster,
    EnsembleForecaster,
    Grid,
    GridETASForecaster,
    GridForecaster,
    KDEForecaster,
    LearnedCountForecaster,
    NaiveForecaster,
    ProspectiveHotspotForecaster,
)

__all__ = [
    "BASELINE_NAMES",
    "METHOD_NAMES",
    "BacktestResult",
    "Horizon",
    "default_forecasters",
    "long_term_ensemble",
    "paired_comparison",
    "rolling_origin_backtest",
    "rolling_origins",
]

Horizon = int | Literal["month"]

BASELINE_NAMES = ("all_history", "last_365", "last_horizon", "kde")
METHOD_NAMES = (*BASELINE_NAMES, "prospective", "etas", "ensemble", "learned")
# Not in the default set: grid ETAS (slow, and it ties the all-history count) and the learned model (about
# 8 s of CPU per monthly origin on Chicago; it lost to the all-history count on 2017: docs/forecasting.md).
_DEFAULT_METHODS = (*BASELINE_NAMES, "prospective", "ensemble")

_EPOCH = np.datetime64("1970-01-01", "D")
_MIDDAY = 0.5

# The members of the long-term ensemble: (decay in days, weight of ring 1, weight of ring 2). They are the 20
# best of the search ``bench/bench_backtest_chicago.py --tune`` over decays {365, 500, 730, 1000, 2000, none},
# ring-1 weights {0, .03, .06, .1, .15} and ring-2 weights {0, .02, .04}, run on 2016 origins only (training
# from 2014, area fixed from 2014-2015; criterion: pooled PEI* relative to the all-history count, summed over
# the weekly and calendar-monthly horizons). No 2017 event was read to choose them.
_ENSEMBLE_MEMBERS = (
    (365.0, 0.10, 0.00),
    (500.0, 0.10, 0.00),
    (365.0, 0.15, 0.00),
    (500.0, 0.15, 0.00),
    (365.0, 0.15, 0.02),
    (365.0, 0.10, 0.02),
    (500.0, 0.06, 0.02),
    (365.0, 0.15, 0.04),
    (365.0, 0.10, 0.04),
    (365.0, 0.06, 0.00),
    (365.0, 0.06, 0.02),
    (500.0, 0.06, 0.04),
    (365.0, 0.06, 0.04),
    (365.0, 0.03, 0.04),
    (730.0, 0.10, 0.00),
    (730.0, 0.06, 0.00),
    (730.0, 0.10, 0.02),
    (500.0, 0.06, 0.00),
    (730.0, 0.06, 0.02),
    (500.0, 0.10, 0.02),
)


def long_term_ensemble() -> EnsembleForecaster:
    """The forecaster chosen to beat the all-history count: an ensemble of decayed, ring-smoothed counts.

    Each member weighs an event by ``exp(-age / decay)`` in its cell and a small fraction of that in the
    neighbouring rings (:class:`~mahalla.engine.forecast.DecayedCountForecaster`); the ensemble averages the
    members' normalised maps. Members: the best 20 of a search on Chicago burglary 2014-2016 only (see
    ``_ENSEMBLE_MEMBERS``).
    """
    return EnsembleForecaster(
        [
            DecayedCountForecaster(decay=decay, ring_weights=(1.0, ring1, ring2))
            for decay, ring1, ring2 in _ENSEMBLE_MEMBERS
        ]
    )


def default_forecasters(horizon_days: Horizon) -> dict[str, GridForecaster]:
    """Every named method, with the parameters chosen on Chicago burglary 2014-2016 (never on 2017).

    The baselines: ``all_history`` (each cell's count of every earlier event: the long-term hot spots),
    ``last_365`` (the last year's count), ``last_horizon`` (the last 7 days for a weekly forecast, the last
    30 days for a monthly one) and ``kde``. The other methods: ``prospective`` hot-spotting, grid ``etas``
    (slow: about 40 s for a year of weekly and monthly origins on Chicago; not in the default set), the
    ``ensemble`` of :func:`long_term_ensemble` and ``learned``, Poisson gradient boosting on multi-window
    counts fitted at each origin on the past windows of the horizon's length
    (:class:`~mahalla.engine.forecast.LearnedCountForecaster`; slow, and not in the default set: it beat
    the all-history count on the 2016 training months but not on 2017).

    KDE (quartic, 150 m, the last 1,100 days) and prospective hot-spotting (300 m, 1,100 days) were the best
    of their families on 2016 origins (``bench/bench_backtest_chicago.py --tune``).
    """
    period = 30.0 if horizon_days == "month" else float(_horizon(horizon_days))
    return {
        "all_history": NaiveForecaster(period=None),
        "last_365": NaiveForecaster(period=365.0),
        "last_horizon": NaiveForecaster(period=period),
        "kde": KDEForecaster(bandwidth=150.0, kernel="quartic", window=1100.0),
        "prospective": ProspectiveHotspotForecaster(distance_cutoff=300.0, time_cutoff=1100.0),
        "etas": GridETASForecaster(window=None),
        "ensemble": long_term_ensemble(),
        "learned": LearnedCountForecaster(window=period),
    }


def rolling_origins(start: Any, end: Any, horizon_days: Horizon) -> pd.DatetimeIndex:
    """Origins of consecutive forecast windows that lie wholly inside ``start .. end``.

    Parameters
    ----------
    start, end : date-like
        First and last day of the test period (``end`` is included).
    horizon_days : int or "month"
        Step and horizon in days (origins ``start, start + h, ...``), or ``"month"``: the first day of every
        calendar month from the first one starting on or after ``start``.

    Examples
    --------
    >>> [d.strftime("%m-%d") for d in rolling_origins("2017-01-01", "2017-01-31", 7)]
    ['01-01', '01-08', '01-15', '01-22']
    >>> [d.strftime("%m-%d") for d in rolling_origins("2017-01-01", "2017-03-31", "month")]
    ['01-01', '02-01', '03-01']
    """
    first = pd.Timestamp(start).normalize()
    last = pd.Timestamp(end).normalize()
    if last < first:
        raise ValueError(f"end {last.date()} is before start {first.date()}")
    if horizon_days == "month":
        month_starts = pd.date_range(first, last + pd.Timedelta(days=1), freq="MS")
        origins = [
            day for day in month_starts if day + pd.offsets.MonthBegin(1) <= last + pd.Timedelta(days=1)
        ]
        if not origins:
            raise ValueError(f"the test period {first.date()} .. {last.date()} holds no whole calendar month")
        return pd.DatetimeIndex(origins)
    horizon = _horizon(horizon_days)
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
        One row per method and origin: ``method``, ``origin``, ``horizon_days`` (the window's length),
        ``events`` (N: every event of the window in the grid), ``events_in_study_area``,
        ``events_outside_study_area``, ``study_area_cells`` (A), ``flagged_cells`` (a), ``captured`` (n),
        ``best_possible`` (n*, the best any a cells of the grid could capture), ``hit_rate`` (n / N), ``pai``
        ((n / N) / (a / A)), ``pei_star`` (n / n*) and ``hit_rate_in_study_area`` (n over the events in the
        study area only: the older, flattering denominator, shown for comparison).
    summary : pandas.DataFrame
        One row per method (index ``method``, in the order given): ``origins``, total ``events``,
        ``events_outside_study_area``, ``captured`` and ``best_possible``; pooled scores ``hit_rate``,
        ``pai`` and ``pei_star`` (sums over origins); and ``mean_hit_rate``, ``mean_pai``, ``mean_pei_star``
        over the origins where they are defined.
    comparison : pandas.DataFrame
        :func:`paired_comparison` of every method against every baseline present.
    dropped_outside_grid : int
        Events left out because they fall outside the given extent.
    """

    per_origin: pd.DataFrame
    summary: pd.DataFrame
    comparison: pd.DataFrame
    dropped_outside_grid: int


def rolling_origin_backtest(
    x: ArrayLike,
    y: ArrayLike,
    dates: ArrayLike,
    *,
    cell_size: float,
    origins: Sequence[Any] | pd.DatetimeIndex,
    horizon_days: Horizon = 7,
    coverage: float = 0.01,
    methods: Sequence[str] | Mapping[str, GridForecaster] | None = None,
    extent: tuple[float, float, float, float] | None = None,
    study_area: Literal["training", "per_origin"] | NDArray[np.bool_] = "training",
    n_boot: int = 2000,
    random_state: int | None = 0,
    add_baselines: bool = True,
) -> BacktestResult:
    """Rolling-origin backtest of grid forecast methods by the honest protocol (see the module docstring).

    Parameters
    ----------
    x, y : array_like
        Event coordinates in projected metres.
    dates : array_like
        Event dates (anything :func:`pandas.to_datetime` reads; the time of day, if any, is ignored).
    cell_size : float
        Side of the square grid cells, metres.
    origins : sequence of date-like
        Forecast origins (see :func:`rolling_origins`).
    horizon_days : int or "month"
        Days forecast at each origin, or ``"month"``: from the origin to the first day of the next calendar
        month (so origins should be month starts).
    coverage : float
        Fraction of the study area flagged, in (0, 1]: ``k = ceil(coverage * A)`` cells, the highest
        forecasts, ties broken by the lower flat cell index.
    methods : sequence of str or mapping of name to forecaster, optional
        Names from ``METHOD_NAMES`` (built by :func:`default_forecasters`), or configured forecasters by name.
        Each is cloned unfitted at every origin. Default: the baselines, prospective and the ensemble (the
        baselines are always added when names are given).
    extent : (x_min, y_min, x_max, y_max), optional
        Grid extent in metres; events outside are dropped (and counted). Default: the events' bounding box.
    study_area : "training", "per_origin" or ndarray of bool
        ``"training"`` (default): the cells with any event before the first origin, fixed for every origin.
        ``"per_origin"``: the cells with any event before each origin. Or a fixed mask of the grid's shape.
    n_boot : int
        Bootstrap resamples of the origins for the paired comparison.
    random_state : int or None
        Seed of the bootstrap.
    add_baselines : bool
        Add the baselines missing from ``methods`` (default). False only where they make no sense (a KDE in
        metres over cells that are not places, e.g. mahallas in a row); the comparison is then against the
        baselines present.

    Returns
    -------
    BacktestResult
        Per-origin rows, the per-method summary and the paired comparison.

    References
    ----------
    Tashman, L. J. (2000). Out-of-sample tests of forecasting accuracy: an analysis and review. International
    Journal of Forecasting 16(4), 437-450 (rolling-origin evaluation).
    National Institute of Justice (2017). Real-Time Crime Forecasting Challenge: scoring rules (PEI*).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> dates = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 60, 400), unit="D")
    >>> x = np.where(rng.random(400) < 0.5, rng.normal(500, 30, 400), rng.uniform(0, 2000, 400))
    >>> y = rng.uniform(0, 2000, 400)
    >>> result = rolling_origin_backtest(x, y, dates, cell_size=100, horizon_days=7, coverage=0.05,
    ...                                  origins=rolling_origins("2020-02-01", "2020-02-29", 7),
    ...                                  methods=["all_history", "last_horizon"], n_boot=200)
    >>> list(result.summary.index)
    ['all_history', 'last_horizon', 'last_365', 'kde']
    """
    month = horizon_days == "month"
    horizon = 30 if month else _horizon(horizon_days)
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
    fixed_area: NDArray[np.bool_] | None = None
    if isinstance(study_area, str):
        if study_area not in ("training", "per_origin"):
            raise ValueError(f"study_area must be 'training', 'per_origin' or a mask, got {study_area!r}")
    else:
        fixed_area = np.asarray(study_area)
        if fixed_area.dtype != np.bool_ or fixed_area.shape != grid.shape:
            raise ValueError(f"study_area must be a boolean mask of shape {grid.shape}")
        if not fixed_area.any():
            raise ValueError("study_area selects no cell")
    forecasters = _forecasters(methods, horizon_days, add_baselines=add_baselines)
    origin_days = _origin_days(origins)
    if origin_days.min() <= days.min():
        raise ValueError(
            f"origin {_as_date(int(origin_days.min()))} has no earlier event to fit on; the first event is "
            f"dated {_as_date(int(days.min()))}"
        )
    if month:
        not_first = [int(day) for day in origin_days if pd.Timestamp(_as_date(int(day))).day != 1]
        if not_first:
            raise ValueError(
                "with horizon 'month' every origin must be the first day of a month; "
                f"{_as_date(not_first[0])} is not"
            )
    if isinstance(study_area, str) and study_area == "training":
        fixed_area = grid.study_area(x_array[days < origin_days.min()], y_array[days < origin_days.min()])

    times = days + _MIDDAY
    cells = grid.cell_index(x_array, y_array)
    rows: list[dict[str, Any]] = []
    for origin in origin_days:
        window_end = int(origin) + horizon
        if month:
            next_month = pd.Timestamp(_as_date(int(origin))) + pd.offsets.MonthBegin(1)
            window_end = int((next_month.to_datetime64().astype("datetime64[D]") - _EPOCH).astype(np.int64))
        length = window_end - int(origin)
        past = days < origin
        future = (days >= origin) & (days < window_end)
        actual = np.bincount(cells[future], minlength=grid.n_cells).astype(float)
        area = (
            fixed_area.ravel()
            if fixed_area is not None
            else grid.study_area(x_array[past], y_array[past]).ravel()
        )
        area_index = np.flatnonzero(area)
        k = max(1, min(area_index.size, math.ceil(coverage * area_index.size - 1e-9)))
        total = float(actual.sum())
        in_area = float(actual[area].sum())
        best = float(np.sort(actual)[::-1][:k].sum())
        for name, template in forecasters.items():
            model = template.clone().fit(x_array[past], y_array[past], times[past], grid, end=float(origin))
            risk = np.asarray(model.predict(float(length)), dtype=float).ravel()[area_index]
            if not np.all(np.isfinite(risk)):
                raise ValueError(
                    f"method {name!r} forecast a non-finite risk at origin {_as_date(int(origin))}"
                )
            flagged = area_index[np.argsort(-risk, kind="stable")[:k]]
            captured = float(actual[flagged].sum())
            rows.append(
                {
                    "method": name,
                    "origin": pd.Timestamp(_as_date(int(origin))),
                    "horizon_days": length,
                    "events": int(total),
                    "events_in_study_area": int(in_area),
                    "events_outside_study_area": int(total - in_area),
                    "study_area_cells": int(area_index.size),
                    "flagged_cells": k,
                    "captured": int(captured),
                    "best_possible": int(best),
                    "hit_rate": captured / total if total else np.nan,
                    "pai": (captured / total) / (k / area_index.size) if total else np.nan,
                    "pei_star": captured / best if best else np.nan,
                    "hit_rate_in_study_area": captured / in_area if in_area else np.nan,
                }
            )
    per_origin = pd.DataFrame(rows)
    summary = _summary(per_origin, list(forecasters))
    comparison = paired_comparison(per_origin, n_boot=n_boot, random_state=random_state)
    return BacktestResult(
        per_origin=per_origin, summary=summary, comparison=comparison, dropped_outside_grid=dropped
    )


def _summary(per_origin: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    grouped = per_origin.groupby("method", sort=False)
    summary = grouped.agg(
        origins=("origin", "size"),
        events=("events", "sum"),
        events_outside_study_area=("events_outside_study_area", "sum"),
        captured=("captured", "sum"),
        best_possible=("best_possible", "sum"),
        mean_hit_rate=("hit_rate", "mean"),
        mean_pai=("pai", "mean"),
        mean_pei_star=("pei_star", "mean"),
    )
    share_flagged = (
        (per_origin["flagged_cells"] / per_origin["study_area_cells"]).groupby(per_origin["method"]).mean()
    )
    summary["hit_rate"] = summary["captured"] / summary["events"].where(summary["events"] > 0)
    summary["pai"] = summary["hit_rate"] / share_flagged
    summary["pei_star"] = summary["captured"] / summary["best_possible"].where(summary["best_possible"] > 0)
    columns = [
        "origins",
        "events",
        "events_outside_study_area",
        "captured",
        "best_possible",
        "hit_rate",
        "pai",
        "pei_star",
        "mean_hit_rate",
        "mean_pai",
        "mean_pei_star",
    ]
    return summary[columns].reindex(order)


def paired_comparison(
    per_origin: pd.DataFrame,
    baselines: Sequence[str] | None = None,
    *,
    n_boot: int = 2000,
    confidence: float = 0.95,
    random_state: int | None = 0,
) -> pd.DataFrame:
    """Every method against every baseline, paired by origin, with bootstrap intervals.

    For a method m and a baseline b the per-origin differences ``d_i = n_m,i - n_b,i`` in captured events are
    summed; the origins are resampled with replacement ``n_boot`` times (the same resample for every pair)
    and the percentile interval of the resampled sums is reported, with the ratio of pooled PEI*
    ``sum n_m / sum n_b`` (n* is shared) and its percentile interval.

    Parameters
    ----------
    per_origin : pandas.DataFrame
        ``BacktestResult.per_origin``: columns ``method``, ``origin``, ``captured``.
    baselines : sequence of str, optional
        Methods compared against; default: those of ``BASELINE_NAMES`` present.
    n_boot : int
        Bootstrap resamples.
    confidence : float
        Level of the intervals, in (0, 1).
    random_state : int or None
        Seed.

    Returns
    -------
    pandas.DataFrame
        One row per (method, baseline), method != baseline: ``method``, ``baseline``, ``origins``,
        ``captured``, ``baseline_captured``, ``difference``, ``difference_low``, ``difference_high``,
        ``pei_star_ratio``, ``ratio_low``, ``ratio_high``, ``origins_better``, ``origins_worse``.

    References
    ----------
    Efron, B. & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall, ch. 13
    (percentile intervals).

    Examples
    --------
    >>> rows = pd.DataFrame({"method": ["a"] * 3 + ["all_history"] * 3, "origin": [1, 2, 3] * 2,
    ...                      "captured": [5, 6, 7, 4, 4, 4]})
    >>> row = paired_comparison(rows, n_boot=500).iloc[0]
    >>> int(row["difference"]), bool(row["difference_low"] > 0)
    (6, True)
    """
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise ValueError(f"n_boot must be a positive whole number, got {n_boot!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence!r}")
    captured = per_origin.pivot(index="origin", columns="method", values="captured").astype(float)
    methods = list(dict.fromkeys(per_origin["method"]))
    if baselines is None:
        baselines = [name for name in BASELINE_NAMES if name in methods]
    missing = [name for name in baselines if name not in methods]
    if missing:
        raise ValueError(f"baseline(s) {missing} not in the backtest; methods: {methods}")
    origins = captured.shape[0]
    rng = np.random.default_rng(random_state)
    resample = rng.integers(0, origins, size=(int(n_boot), origins))
    tail = (1.0 - confidence) / 2.0
    rows = []
    for baseline in baselines:
        base = captured[baseline].to_numpy()
        base_sums = base[resample].sum(axis=1)
        for method in methods:
            if method == baseline:
                continue
            values = captured[method].to_numpy()
            difference = values - base
            sums = difference[resample].sum(axis=1)
            method_sums = values[resample].sum(axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratios = np.where(base_sums > 0, method_sums / base_sums, np.nan)
            ratio = values.sum() / base.sum() if base.sum() > 0 else np.nan
            rows.append(
                {
                    "method": method,
                    "baseline": baseline,
                    "origins": origins,
                    "captured": int(values.sum()),
                    "baseline_captured": int(base.sum()),
                    "difference": int(difference.sum()),
                    "difference_low": float(np.quantile(sums, tail)),
                    "difference_high": float(np.quantile(sums, 1 - tail)),
                    "pei_star_ratio": float(ratio),
                    "ratio_low": float(np.nanquantile(ratios, tail)) if np.isfinite(ratios).any() else np.nan,
                    "ratio_high": float(np.nanquantile(ratios, 1 - tail))
                    if np.isfinite(ratios).any()
                    else np.nan,
                    "origins_better": int((difference > 0).sum()),
                    "origins_worse": int((difference < 0).sum()),
                }
            )
    return pd.DataFrame(rows)


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
    methods: Sequence[str] | Mapping[str, GridForecaster] | None, horizon: Horizon, *, add_baselines: bool
) -> dict[str, GridForecaster]:
    """The methods asked for, then any baseline not among them (the baselines are always in the table)."""
    defaults = default_forecasters(horizon)
    if methods is None:
        return {name: defaults[name] for name in _DEFAULT_METHODS}
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
    if add_baselines:
        for name in BASELINE_NAMES:
            chosen.setdefault(name, defaults[name])
    return chosen

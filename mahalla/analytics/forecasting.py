"""The daily run's next-week forecast: the method that won an honest backtest on the recent weeks.

At every run the candidate methods are backtested on the weeks just before the analysed date by the engine's
honest protocol (every offence of a week is counted, 10 % of all the mahallas flagged: the territory is known,
so the study area is every mahalla), and the one with the highest pooled PEI* is
used for next week's forecast per mahalla. Its score and its margin over the all-history count are stored on
the run so that the pages can say how far the forecast is to be trusted.

Two forecasts, both here and nowhere else (the pipeline calls them):

- **per mahalla** (:func:`next_week_by_winner`): the mahallas are the cells, a 1 x n strip, mahalla i in
  column i. The strip has no geometry, so the ensemble's members here use no neighbour rings (neighbouring
  columns are not neighbouring mahallas);
- **per grid cell** (:func:`next_week_by_cell`): the geocoded offences of each district on a grid of
  150 m cells (the cell size of the judged Chicago protocol, docs/forecasting.md); the candidates are
  backtested on the same weeks in every district, the captured offences summed over the districts, and the
  winner flags the top 2 % of each district's cells with any past offence. Those cells form the map's
  forecast layer.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
from django.utils.translation import gettext_lazy as _

from mahalla.engine.backtest import paired_comparison, rolling_origin_backtest
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
    "GRID_CELL_METRES",
    "GRID_COVERAGE",
    "GRID_CANDIDATES",
    "grid_backtest",
    "grid_forecasts",
    "next_week_by_cell",
    "FORECAST_COVERAGE",
    "METHOD_LABELS",
    "candidate_methods",
    "forecast_choice_for_display",
    "forecast_grid_choice_for_display",
    "next_week_by_winner",
]

BACKTEST_WEEKS = 8
FORECAST_COVERAGE = 0.1
HORIZON_DAYS = 7
GRID_CELL_METRES = 150.0
GRID_COVERAGE = 0.02
# Offences geocoded farther than this from their district's median point are taken as geocoding errors:
# one of them would stretch the district's grid over the country.
GRID_MAX_RADIUS_METRES = 60_000.0
_EARTH_RADIUS = 6_371_000.0
_EPOCH = pd.Timestamp("1970-01-01")

METHOD_LABELS = {
    "all_history": _("count of all past offences"),
    "ensemble": _("ensemble of time-weighted counts"),
    "last_365": _("count of the last 365 days"),
    "none": _("no forecast (no geocoded offences)"),
}


def _choice_scores(scores: pd.Series, winner: str, versus: pd.DataFrame) -> dict[str, Any]:
    """The winner's backtest score, the all-history count's, the margin between them and, when the paired
    comparison has the winner, the difference in captured events with its bootstrap interval."""
    base = float(scores["all_history"])
    shown: dict[str, Any] = {
        "pei_star": float(scores[winner]),
        "all_history_pei_star": base,
        "margin": (float(scores[winner]) / base - 1.0) if base > 0 else None,
        "scores": {name: float(value) for name, value in scores.items()},
    }
    if not versus.empty:
        row = versus.iloc[0]
        shown.update(
            difference=int(row["difference"]),
            difference_low=float(row["difference_low"]),
            difference_high=float(row["difference_high"]),
        )
    return shown


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
        versus = result.comparison.query("baseline == 'all_history' and method == @winner")
        choice.update(weeks=len(origins), **_choice_scores(scores, winner, versus))
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


GRID_CANDIDATES = ("all_history", "last_365", "ensemble")
# The ensemble's members: decays in days, each count smoothed over the first ring of neighbours with weight
# 0.1 (the members of the engine's long-term ensemble that led its search on Chicago 2014-2016; three rather
# than twenty, so that a nation's districts fit in the daily run).
GRID_ENSEMBLE_DECAYS = (365.0, 500.0, 730.0)
GRID_RING_WEIGHT = 0.1
_KEY_BASE = 1 << 20  # cell key = (row + base) * 2 * base + (col + base): row-major like a grid's flat index
_NEIGHBOURS = tuple(
    row * 2 * _KEY_BASE + col for row in (-1, 0, 1) for col in (-1, 0, 1) if (row, col) != (0, 0)
)


def _cell_keys(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integer key, row and column of each point's 150 m cell (cells anchored at the projection's origin)."""
    col = np.floor(x / GRID_CELL_METRES).astype(np.int64)
    row = np.floor(y / GRID_CELL_METRES).astype(np.int64)
    return (row + _KEY_BASE) * 2 * _KEY_BASE + (col + _KEY_BASE), row, col


def _positions(keys: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of each key in the sorted ``targets`` and whether it is there."""
    index = np.searchsorted(targets, keys)
    inside = index < targets.size
    inside[inside] = targets[index[inside]] == keys[inside]
    return index, inside


def _sum_at(keys: np.ndarray, weights: np.ndarray, targets: np.ndarray) -> np.ndarray:
    index, inside = _positions(keys, targets)
    return np.bincount(index[inside], weights=weights[inside], minlength=targets.size)


# A district's number in the high part of a cell key (key + district * _DISTRICT_STRIDE): every district's
# offences are forecast in one pass of numpy calls instead of one pass per district (209 in the nation), and
# a neighbour offset never reaches into another district (rows and columns stay within +-_KEY_BASE).
_DISTRICT_STRIDE = 4 * _KEY_BASE * _KEY_BASE


def _district_bounds(groups: np.ndarray, count: int) -> np.ndarray:
    """Start of each district's run in ``groups`` (sorted), and the end: ``count + 1`` positions."""
    bounds: np.ndarray = np.searchsorted(groups, np.arange(count + 1))
    return bounds


def _ring_positions(keys: np.ndarray, targets: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Where each event's cell and each of its 8 neighbours is in ``targets`` (sorted keys), and whether it
    is there: the same for every decay and, with the targets fixed, for every origin of a backtest."""
    return [_positions(keys + offset, targets) for offset in (0, *_NEIGHBOURS)]


def grid_forecasts(
    keys: np.ndarray,
    times: np.ndarray,
    end: float,
    targets: np.ndarray,
    horizon: float,
    rings: list[tuple[np.ndarray, np.ndarray]] | None = None,
) -> dict[str, np.ndarray]:
    """Expected events over ``horizon`` days in each cell of ``targets`` (sorted keys) by every candidate,
    from the events before ``end`` (times in days): the engine's forecasters evaluated on the occupied cells
    only, so that a district's grid need not be held whole.

    Keys may carry a district number (``_DISTRICT_STRIDE``): the events must then be in district order, and
    each district is forecast on its own, its span and totals its own, exactly as if it were alone.
    ``rings``: :func:`_ring_positions` of all the ``keys`` in ``targets``, when the caller has them.

    ``all_history`` and ``last_365`` are :class:`~mahalla.engine.forecast.NaiveForecaster` (period None and
    365 days); ``ensemble`` is :class:`~mahalla.engine.forecast.EnsembleForecaster` of
    :class:`~mahalla.engine.forecast.DecayedCountForecaster` (decays ``GRID_ENSEMBLE_DECAYS``, ring weights
    ``(1, GRID_RING_WEIGHT)``): the mean of the members' maps, each over its sum, times their mean total.
    """
    if rings is None:
        rings = _ring_positions(keys, targets)
    past = times < end
    keys, times = keys[past], times[past]
    rings = [(index[past], inside[past]) for index, inside in rings]

    def at(ring: int, weights: np.ndarray) -> np.ndarray:
        index, inside = rings[ring]
        summed: np.ndarray = np.bincount(index[inside], weights=weights[inside], minlength=targets.size)
        return summed

    age = end - times
    groups = keys // _DISTRICT_STRIDE
    target_groups = targets // _DISTRICT_STRIDE
    count = int(max(groups.max(initial=-1), target_groups.max(initial=-1))) + 1
    bounds = _district_bounds(groups, count)
    runs = [(int(bounds[g]), int(bounds[g + 1])) for g in range(count)]
    # Per district, as numpy reduces one district's array (a slice is summed as the array itself would be).
    span = np.array([max(float(age[a:b].max()), 1.0) if b > a else 1.0 for a, b in runs])
    target_span = span[target_groups]
    result = {
        "all_history": at(0, np.ones(keys.size)) * horizon / target_span,
        "last_365": at(0, (age <= 365.0).astype(float)) * horizon / 365.0,
    }
    pattern = np.zeros(targets.size)
    total = np.zeros(count)
    for decay in GRID_ENSEMBLE_DECAYS:
        weight = np.exp(-age / decay)
        risk = at(0, weight)
        for ring in range(1, len(rings)):
            risk += GRID_RING_WEIGHT * at(ring, weight)
        sums = [float(weight[a:b].sum()) for a, b in runs]
        mass = np.array([s * (1.0 + GRID_RING_WEIGHT * len(_NEIGHBOURS)) for s in sums])
        target_mass = mass[target_groups]
        pattern += np.divide(risk, target_mass, out=np.zeros(targets.size), where=target_mass > 0)
        total += np.array(
            [s / (decay * (1.0 - math.exp(-float(span[g]) / decay))) * horizon for g, s in enumerate(sums)]
        )
    count_members = len(GRID_ENSEMBLE_DECAYS)
    result["ensemble"] = pattern / count_members * (total[target_groups] / count_members)
    return result


def _flag(risk: np.ndarray, coverage: float, groups: np.ndarray | None = None) -> np.ndarray:
    """Positions of the ``ceil(coverage * n)`` highest risks of each group's ``n`` cells (cells sorted by
    group, then key; one group when None), ties to the lower key (as the engine does); group by group, the
    highest first."""
    if groups is None:
        groups = np.zeros(risk.size, dtype=np.int64)
    order = np.lexsort((-risk, groups))  # stable: equal risks keep the key order
    sizes = np.bincount(groups)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    wanted = np.maximum(1, np.minimum(sizes, np.ceil(coverage * sizes - 1e-9).astype(np.int64)))
    ordered_groups = groups[order]
    rank = np.arange(order.size) - starts[ordered_groups]
    flagged: np.ndarray = order[rank < wanted[ordered_groups]]
    return flagged


def grid_backtest(
    keys: np.ndarray, times: np.ndarray, origins: list[pd.Timestamp], coverage: float = GRID_COVERAGE
) -> tuple[pd.DataFrame, int]:
    """The engine's protocol (rolling_origin_backtest) on the occupied cells of every district (keys with
    their district number, events in district order, times in days): per district, study area the cells
    with any event before the first origin, ``ceil(coverage * A)`` of them flagged, N every event of the
    week (outside the area included), n* the best any k cells could capture.

    Returns one row per origin and candidate, summed over the districts with a study area (``method``,
    ``origin``, ``captured``, ``best_possible``, ``events``), and the number of those districts."""
    columns = ["method", "origin", "captured", "best_possible", "events"]
    first = float((origins[0] - _EPOCH) / pd.Timedelta(days=1))
    area = np.unique(keys[times < first])
    if area.size == 0:
        return pd.DataFrame([], columns=columns), 0
    groups = keys // _DISTRICT_STRIDE
    area_groups = area // _DISTRICT_STRIDE
    count = int(max(groups.max(), area_groups.max())) + 1
    sizes = np.bincount(area_groups, minlength=count)
    studied = sizes > 0
    wanted = np.maximum(1, np.minimum(sizes, np.ceil(coverage * sizes - 1e-9).astype(np.int64)))
    rings = _ring_positions(keys, area)  # the study area is fixed: found once for all the origins
    rows = []
    for origin in origins:
        start = float((origin - _EPOCH) / pd.Timedelta(days=1))
        window = (times >= start) & (times < start + HORIZON_DAYS)
        window_keys, actual = np.unique(keys[window], return_counts=True)
        window_groups = window_keys // _DISTRICT_STRIDE
        # n*: each district's k largest weekly counts.
        order = np.lexsort((-actual, window_groups))
        ordered_groups = window_groups[order]
        group_sizes = np.bincount(window_groups, minlength=count)
        starts = np.concatenate(([0], np.cumsum(group_sizes)[:-1]))
        top = (np.arange(order.size) - starts[ordered_groups]) < wanted[ordered_groups]
        best = np.bincount(ordered_groups[top], weights=actual[order][top], minlength=count)
        events = np.bincount(groups[window], minlength=count)
        in_area = _sum_at(window_keys, actual.astype(float), area)
        forecasts = grid_forecasts(keys, times, start, area, float(HORIZON_DAYS), rings)
        for name, risk in forecasts.items():
            flagged = _flag(risk, coverage, area_groups)
            captured = np.bincount(area_groups[flagged], weights=in_area[flagged], minlength=count)
            rows.append(
                {
                    "method": name,
                    "origin": origin,
                    "captured": int(captured[studied].sum()),
                    "best_possible": int(best[studied].sum()),
                    "events": int(events[studied].sum()),
                }
            )
    return pd.DataFrame(rows, columns=columns), int(studied.sum())


def _district_points(inputs: Inputs) -> dict[int, pd.DataFrame]:
    """Per district: the geocoded offences in metres (x, y about the district's median point), with their
    mahalla and day, and the projection's origin (lat0, lon0) in the frame's attrs."""
    offences = inputs.offences
    if offences.empty or "latitude" not in offences:
        return {}
    located = offences[np.isfinite(offences["latitude"]) & np.isfinite(offences["longitude"])]
    district_of = inputs.mahallas["district_id"]
    located = located.assign(district_id=district_of.reindex(located["mahalla_id"]).to_numpy())
    located = located[located["district_id"].notna()]
    result: dict[int, pd.DataFrame] = {}
    for district_id, rows in located.groupby("district_id", sort=True):
        lat0 = float(rows["latitude"].median())
        lon0 = float(rows["longitude"].median())
        scale = math.cos(math.radians(lat0))
        x = np.radians(rows["longitude"].to_numpy(dtype=float) - lon0) * _EARTH_RADIUS * scale
        y = np.radians(rows["latitude"].to_numpy(dtype=float) - lat0) * _EARTH_RADIUS
        near = np.hypot(x, y) <= GRID_MAX_RADIUS_METRES
        frame = pd.DataFrame({"x": x[near], "y": y[near], "day": rows["day"].to_numpy()[near]})
        frame["mahalla_id"] = rows["mahalla_id"].to_numpy()[near]
        frame.attrs.update(lat0=lat0, lon0=lon0, scale=scale)
        if len(frame):
            result[int(district_id)] = frame
    return result


def _cell_owners(keys: np.ndarray, mahallas: np.ndarray) -> np.ndarray:
    """Per occupied cell (sorted keys, as np.unique gives them): the mahalla of most of its offences, the
    lowest id among equals."""
    order = np.lexsort((mahallas, keys))
    key, mahalla = keys[order], mahallas[order]
    new = np.ones(key.size, dtype=bool)
    new[1:] = (key[1:] != key[:-1]) | (mahalla[1:] != mahalla[:-1])
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, key.size))
    pair_key, pair_mahalla = key[starts], mahalla[starts]
    best = np.lexsort((pair_mahalla, -counts, pair_key))  # per cell: most offences first, then lowest id
    first = np.ones(best.size, dtype=bool)
    first[1:] = pair_key[best][1:] != pair_key[best][:-1]
    owners: np.ndarray = pair_mahalla[best][first]
    return owners


def next_week_by_cell(inputs: Inputs) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The flagged grid cells of the next 7 days after ``inputs.date``, by the backtest's winner.

    Every candidate (``GRID_CANDIDATES``, see :func:`grid_forecasts`) is backtested by the engine's protocol
    in every district on the same ``BACKTEST_WEEKS`` weekly origins (:func:`grid_backtest`: 150 m cells, the
    district's study area fixed from the offences before the first origin, 2 % of it flagged, every offence
    of a week in N); the captured and best possible offences are summed over the districts per origin, and
    the highest pooled PEI* wins (ties go to the all-history count). The winner, fitted on every offence up
    to the end of the date, flags the top 2 % of each district's cells with any past offence.

    Returns the cells (``district_id``, ``region_id``, ``mahalla_id``, bounds ``south``, ``west``,
    ``north``, ``east`` in degrees, ``expected`` offences, ``rank`` within the district) and the choice as
    stored on the run under ``grid``: ``method``, ``pei_star``, ``all_history_pei_star``, ``margin``,
    ``difference`` and its 95 % interval, ``weeks``, ``coverage``, ``cell_metres``, ``districts`` and the
    scores of every candidate.
    """
    choice: dict[str, Any] = {
        "weeks": 0,
        "coverage": GRID_COVERAGE,
        "cell_metres": GRID_CELL_METRES,
        "horizon_days": HORIZON_DAYS,
        "districts": 0,
    }
    by_district = _district_points(inputs)
    if not by_district:
        return [], {**choice, "method": "none", "reason": "no geocoded offences"}
    after = pd.Timestamp(inputs.date) + pd.Timedelta(days=1)
    first_day = min(frame["day"].min() for frame in by_district.values())
    origins = [after - pd.Timedelta(days=HORIZON_DAYS * k) for k in range(BACKTEST_WEEKS, 0, -1)]
    origins = [origin for origin in origins if origin - pd.Timedelta(days=HORIZON_DAYS) > first_day]
    winner = "all_history"
    district_ids = list(by_district)
    frames = list(by_district.values())
    keyed = [_cell_keys(frame["x"].to_numpy(), frame["y"].to_numpy()) for frame in frames]
    # Every district's offences in one array, in district order, each key carrying its district's number.
    keys = np.concatenate([cell[0] + number * _DISTRICT_STRIDE for number, cell in enumerate(keyed)])
    rows_of = np.concatenate([cell[1] for cell in keyed])
    cols_of = np.concatenate([cell[2] for cell in keyed])
    mahallas = np.concatenate([frame["mahalla_id"].to_numpy() for frame in frames])
    days = pd.DatetimeIndex(np.concatenate([frame["day"].to_numpy() for frame in frames]))
    times = ((days - _EPOCH) / pd.Timedelta(days=1)).to_numpy(dtype=float) + 0.5
    districts = 0
    if origins:
        pooled, districts = grid_backtest(keys, times, origins)
    if districts:
        totals = pooled.groupby("method", sort=False)[["captured", "best_possible"]].sum()
        totals = totals.loc[list(GRID_CANDIDATES)]
        scores = (totals["captured"] / totals["best_possible"].where(totals["best_possible"] > 0)).fillna(0.0)
        winner = str(scores.idxmax())  # the first of equal scores: the all-history count
        versus = paired_comparison(pooled, baselines=["all_history"], n_boot=1000, random_state=0)
        versus = versus[versus["method"] == winner]
        choice.update(weeks=len(origins), districts=districts, **_choice_scores(scores, winner, versus))
    else:
        choice["reason"] = "too little history for a backtest"
    choice["method"] = winner
    end = float((after - _EPOCH) / pd.Timedelta(days=1))
    cells: list[dict[str, Any]] = []
    district_region = inputs.mahallas.groupby("district_id")["region_id"].first()
    area, first_of = np.unique(keys, return_index=True)
    area_groups = area // _DISTRICT_STRIDE
    forecast = grid_forecasts(keys, times, end, area, float(HORIZON_DAYS))[winner]
    owners = _cell_owners(keys, mahallas)
    rank = 0
    previous = -1
    for position in _flag(forecast, GRID_COVERAGE, area_groups).tolist():
        number = int(area_groups[position])
        rank = rank + 1 if number == previous else 1
        previous = number
        district_id = district_ids[number]
        attrs = frames[number].attrs
        lat0, lon0, scale = attrs["lat0"], attrs["lon0"], attrs["scale"]
        south_y = float(rows_of[first_of[position]]) * GRID_CELL_METRES
        west_x = float(cols_of[first_of[position]]) * GRID_CELL_METRES
        cells.append(
            {
                "district_id": int(district_id),
                "region_id": int(district_region[district_id]),
                "mahalla_id": int(owners[position]),
                "south": lat0 + math.degrees(south_y / _EARTH_RADIUS),
                "north": lat0 + math.degrees((south_y + GRID_CELL_METRES) / _EARTH_RADIUS),
                "west": lon0 + math.degrees(west_x / (_EARTH_RADIUS * scale)),
                "east": lon0 + math.degrees((west_x + GRID_CELL_METRES) / (_EARTH_RADIUS * scale)),
                "expected": float(forecast[position]),
                "rank": rank,
            }
        )
    return cells, choice


def forecast_grid_choice_for_display(
    run_forecast: dict[str, Any] | None, date: dt.date
) -> dict[str, Any] | None:
    """The stored choice of the grid forecast in the form the pages show (None before the grid existed)."""
    grid = (run_forecast or {}).get("grid")
    if not grid or grid.get("method") in (None, "none"):
        return None
    shown = forecast_choice_for_display(grid, date)
    if shown is not None:
        shown["cell_metres"] = int(grid.get("cell_metres", GRID_CELL_METRES))
        shown["districts"] = grid.get("districts", 0)
    return shown

"""The computation of the daily run: frames in, plain records out. No database access here, so that the
steps can be tested on hand-made frames and timed separately.

Every statistic is the engine's (mahalla.engine); this module only shapes frames for it and reads its results
back per mahalla.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mahalla.engine.classification import ClassificationConfig, classify_mahallas
from mahalla.engine.comparisons import compstat_compare, daily_count_matrix
from mahalla.engine.emerging import emerging_hot_spots
from mahalla.engine.scan import space_time_permutation_scan
from mahalla.engine.smoothing import empirical_bayes_rates
from mahalla.engine.spikes import detect_spikes
from mahalla.engine.weights import knn_weights

from . import forecasting
from .frames import Inputs, projected_centroids

# Defaults of the run; every one can be overridden per run and is stored in the run record.
DEFAULT_PARAMETERS: dict[str, Any] = {
    # 731: the classification of the day before also needs its previous 365 days.
    "history_days": 731,
    "code_kinds": ["criminal"],
    # The classification looks at the last `class_window_days` days.
    "class_window_days": 365,
    "scan_max_neighbors": 10,
    "scan_max_days": 7,
    "scan_permutations": 99,
    "scan_alpha": 0.05,
    "scan_random_state": 20260101,
    "hotspot_weeks": 12,
    "spike_alpha": 0.05,
}


@dataclass
class Outputs:
    mahalla: pd.DataFrame  # one row per mahalla id
    aggregates: list[dict[str, Any]]
    clusters: list[dict[str, Any]]
    alerts: list[dict[str, Any]]
    timings: dict[str, float] = field(default_factory=dict)
    # The next-week forecast's choice (per mahalla, and per grid cell under "grid") and the flagged cells.
    forecast: dict[str, Any] = field(default_factory=dict)
    forecast_cells: list[dict[str, Any]] = field(default_factory=list)


class _Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    def step(self, name: str, function: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = function()
        self.timings[name] = round(time.perf_counter() - started, 3)
        return result


def _overlapped(function: Callable[[], Any]) -> Callable[[], Any]:
    """Start ``function()`` beside the caller; return the call that waits for its result.

    On a machine with two or more cores the function runs in a forked child process (the inputs are
    inherited, not copied; only the result comes back, pickled): the daily run's independent steps then
    use the second core, which no thread can do for pandas' Python-level work. It runs in the caller instead
    where fork is unavailable, on one core, and when other threads run (a server or task worker): a child
    forked while another thread holds a lock (an import, logging) could wait for it for ever.
    MAHALLA_DAILY_RUN_OVERLAP=0 runs it in the caller always (to compare, or where forking is unwelcome)."""
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    wanted = os.environ.get("MAHALLA_DAILY_RUN_OVERLAP", "1") != "0"
    if not (wanted and can_fork) or (os.cpu_count() or 1) < 2 or threading.active_count() > 1:
        value = function()
        return lambda: value
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def child() -> None:
        try:
            outcome: tuple[bool, Any] = (True, function())
        except Exception as error:  # sent back and raised in the parent, as if run there
            outcome = (False, error)
        send.send(outcome)

    process = context.Process(target=child, daemon=True)
    process.start()
    send.close()

    def result() -> Any:
        try:
            succeeded, value = receive.recv()
        except EOFError as error:
            raise RuntimeError(f"a step of the daily run died (exit code {process.exitcode})") from error
        finally:
            process.join()
            receive.close()
        if not succeeded:
            raise value
        return value

    return result


def count_matrix(inputs: Inputs) -> pd.DataFrame:
    """Mahallas x days, every mahalla a row even with no offence."""
    return daily_count_matrix(
        inputs.offences[["mahalla_id", "day"]],
        area_column="mahalla_id",
        date_column="day",
        areas=list(inputs.mahallas.index),
        start=inputs.start,
        end=inputs.date,
    )


def comparisons_by_mahalla(counts: pd.DataFrame, date: dt.date) -> dict[int, dict[str, Any]]:
    """{mahalla id: {period: {current, previous, year_before, z_previous, z_year_before, ...}}}."""
    table = compstat_compare(counts, date)
    keep = [
        "current",
        "previous",
        "year_before",
        "z_previous",
        "z_year_before",
        "flag_previous",
        "flag_year_before",
    ]
    columns = [_json_column(table[name]) for name in keep]
    for position in range(3):  # current, previous, year_before: window sums come back as floats; counts
        columns[position] = [None if v is None else int(v) for v in columns[position]]
    result: dict[int, dict[str, Any]] = {}
    areas = [int(v) for v in table["area"].tolist()]
    periods = [str(v) for v in table["period"].tolist()]
    for area, period, *values in zip(areas, periods, *columns, strict=True):
        result.setdefault(area, {})[period] = dict(zip(keep, values, strict=True))
    return result


def _json_number(value: Any) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    return round(float(value), 4)


def _json_column(column: pd.Series) -> list[Any]:
    """``[_json_number(v) for v in column]``, a column at a time: the same values, without a type test per
    value for the common float, integer and boolean columns."""
    values = column.tolist()
    kind = column.dtype.kind
    if kind == "f":
        return [None if v != v else round(v, 4) for v in values]
    if kind in "iu":
        return [int(v) for v in values]
    if kind == "b":
        return [bool(v) for v in values]
    return [_json_number(v) for v in values]


def crosstab(rows: pd.Series, columns: pd.Series) -> pd.DataFrame:
    """The counts of `pd.crosstab(rows, columns)` from a grouped size: crosstab aggregates each cell in Python
    (seconds for a nation's year of offences), a grouped size in one vectorised pass."""
    if len(rows) == 0:
        return pd.crosstab(rows, columns)
    pairs = pd.DataFrame({"row": rows.to_numpy(), "column": columns.to_numpy()})
    table = pairs.groupby(["row", "column"], observed=True, sort=True).size().unstack("column", fill_value=0)
    return table.rename_axis(index=rows.name, columns=columns.name)


def window_counts(inputs: Inputs, first: dt.date) -> pd.DataFrame:
    """Offences per mahalla x category from `first` up to the date."""
    window = inputs.offences[inputs.offences["day"] >= pd.Timestamp(first)]
    table = crosstab(window["mahalla_id"], window["category"])
    return table.reindex(index=inputs.mahallas.index, columns=inputs.categories, fill_value=0).astype(int)


def smoothed_rates(totals: np.ndarray, population: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Raw and empirical-Bayes rates per 100,000 (Marshall 1991); NaN where the population is unknown."""
    pop = population.to_numpy(dtype=float)
    known = np.isfinite(pop) & (pop > 0)
    raw = np.full(len(pop), np.nan)
    smooth = np.full(len(pop), np.nan)
    raw[known] = totals[known] / pop[known] * 1e5
    if known.sum() >= 2:
        smooth[known] = empirical_bayes_rates(totals[known], pop[known]) * 1e5
    return raw, smooth


def space_time_clusters(
    counts: pd.DataFrame, inputs: Inputs, parameters: dict[str, Any]
) -> list[dict[str, Any]]:
    """Prospective space-time permutation scan (Kulldorff 2005) on the last days, nationally.

    Only the last `scan_max_days * 4` days enter: the prospective scan compares the recent window with
    the rest of the period, and a month is the baseline SaTScan users take for daily surveillance."""
    days = min(counts.shape[1], int(parameters["scan_max_days"]) * 4)
    recent = counts.to_numpy()[:, -days:]
    if recent.sum() < 2:
        return []
    coords = projected_centroids(inputs.mahallas["lat"].to_numpy(), inputs.mahallas["lon"].to_numpy())
    result = space_time_permutation_scan(
        recent,
        coords,
        max_neighbors=min(int(parameters["scan_max_neighbors"]), len(recent)),
        max_days=min(int(parameters["scan_max_days"]), days),
        permutations=int(parameters["scan_permutations"]),
        random_state=int(parameters["scan_random_state"]),
        prospective=True,
        max_clusters=5,
    )
    ids = inputs.mahallas.index.to_numpy()
    first_day = counts.columns[-days]
    clusters = []
    for rank, cluster in enumerate(result.clusters, start=1):
        centre = int(ids[cluster.center])
        clusters.append(
            {
                "rank": rank,
                "centre_id": centre,
                "mahalla_ids": [int(ids[i]) for i in cluster.areas],
                "start_date": (first_day + pd.Timedelta(days=int(cluster.start_day))).date(),
                "end_date": (first_day + pd.Timedelta(days=int(cluster.end_day))).date(),
                "observed": int(cluster.observed),
                "expected": float(cluster.expected),
                "llr": float(cluster.llr),
                "p_value": float(cluster.p_value),
                "recurrence_interval_days": _json_number(cluster.recurrence_interval_days),
                "significant": bool(cluster.p_value <= float(parameters["scan_alpha"])),
            }
        )
    return clusters


def aggregate_rows(
    inputs: Inputs, per_mahalla: pd.DataFrame, comparisons: pd.DataFrame, window_days: int
) -> list[dict[str, Any]]:
    """Country, region and district totals: counts, classes, no-crime mahallas, cyber share, social flags.

    Grouped with pandas once per level (not filtered per territory): 223 territories x 9,000 mahallas
    filtered one by one cost seconds."""
    # Counts, shares, social flags and causes describe the classification window (the last 12 months), so
    # that the figures mean the same on 2 January as on 30 December; the year-to-date total is kept too.
    window_first = pd.Timestamp(inputs.date) - pd.Timedelta(days=window_days - 1)
    year_first = pd.Timestamp(dt.date(inputs.date.year, 1, 1))
    recent = inputs.offences[inputs.offences["day"] >= min(window_first, year_first)]
    recent = recent.assign(
        country=0,
        district_id=inputs.mahallas["district_id"].reindex(recent["mahalla_id"]).to_numpy(),
        region_id=inputs.mahallas["region_id"].reindex(recent["mahalla_id"]).to_numpy(),
    )
    year = recent[recent["day"] >= year_first]
    window = recent[recent["day"] >= window_first]
    causes = inputs.causes.merge(
        window[["id", "country", "district_id", "region_id"]], left_on="offence_id", right_on="id"
    )
    frame = per_mahalla[["crime_class", "total_year", "total_window"]].join(
        inputs.mahallas[["district_id", "region_id", "population"]]
    )
    frame = frame.assign(
        country=0,
        no_crime=(frame["total_window"] == 0).astype(int),
        green=(frame["crime_class"] == "green").astype(int),
        yellow=(frame["crime_class"] == "yellow").astype(int),
        red=(frame["crime_class"] == "red").astype(int),
        population=pd.to_numeric(frame["population"], errors="coerce"),
    )
    comparisons = comparisons.reindex(frame.index, fill_value=0).join(
        frame[["country", "district_id", "region_id"]]
    )
    flags = ["involves_minor", "involves_youth", "involves_woman", "family_relation"]
    rows: list[dict[str, Any]] = []
    levels = [
        ("country", "country", [0]),
        ("region", "region_id", list(inputs.regions)),
        ("district", "district_id", list(inputs.districts.index)),
    ]
    for level, column, keys in levels:
        members = frame.groupby(column).agg(
            mahallas=("crime_class", "size"),
            no_crime=("no_crime", "sum"),
            green=("green", "sum"),
            yellow=("yellow", "sum"),
            red=("red", "sum"),
            total_window=("total_window", "sum"),
            population=("population", "sum"),
            known_population=("population", "count"),
        )
        offence_flags = window.groupby(column)[flags].sum()
        totals = year.groupby(column).size()
        window_totals = window.groupby(column).size()
        by_category = crosstab(window[column], window["category"]) if len(window) else pd.DataFrame()
        compared = (
            comparisons.drop(columns=["country", "district_id", "region_id"])
            .groupby(comparisons[column])
            .sum()
        )
        top_causes = (
            causes.groupby([column, "cause"]).size().sort_values(ascending=False, kind="stable")
            if len(causes)
            else pd.Series(dtype=int)
        )
        # Plain dicts looked up per territory: a pandas .loc per territory and frame cost a second.
        member_of = members.to_dict("index")
        totals_of, window_totals_of = totals.to_dict(), window_totals.to_dict()
        categories_of = by_category.to_dict("index")
        flags_of = offence_flags.to_dict("index")
        compared_of = compared.to_dict("index")
        causes_of: dict[Any, dict[Any, int]] = {}
        for (key, cause), n in top_causes.items():  # most frequent first: the first five per territory
            listed = causes_of.setdefault(key, {})
            if len(listed) < 5:
                listed[cause] = n
        no_flags = dict.fromkeys(flags, 0)
        for key in keys:
            member = member_of.get(key)
            total = int(totals_of.get(key, 0))
            total_window = int(window_totals_of.get(key, 0))
            categories = categories_of.get(key, {})
            cyber = int(categories.get("cyber", 0))
            flag_row = flags_of.get(key, no_flags)
            comparison = compared_of.get(key, {})
            cause_rows = causes_of.get(key, {})
            rows.append(
                {
                    "level": level,
                    "region_id": int(key)
                    if level == "region"
                    else (int(inputs.districts.loc[key, "region_id"]) if level == "district" else None),
                    "district_id": int(key) if level == "district" else None,
                    "mahallas": int(member["mahallas"]) if member is not None else 0,
                    "mahallas_no_crime": int(member["no_crime"]) if member is not None else 0,
                    "green": int(member["green"]) if member is not None else 0,
                    "yellow": int(member["yellow"]) if member is not None else 0,
                    "red": int(member["red"]) if member is not None else 0,
                    "counts": {code: int(categories.get(code, 0)) for code in inputs.categories},
                    "total_window": int(member["total_window"]) if member is not None else 0,
                    "total_year": total,
                    "cyber_share": round(cyber / total_window, 4) if total_window else None,
                    "minors": int(flag_row["involves_minor"]),
                    "youth": int(flag_row["involves_youth"]),
                    "women": int(flag_row["involves_woman"]),
                    "family": int(flag_row["family_relation"]),
                    "comparisons": {name: int(value) for name, value in comparison.items()},
                    "causes": [[str(code), int(n)] for code, n in dict(cause_rows).items()],
                    "population": int(member["population"])
                    if member is not None and member["known_population"]
                    else None,
                }
            )
    return rows


def comparison_totals(comparisons: dict[int, dict[str, Any]]) -> pd.DataFrame:
    """Counts of each period and window per mahalla, summable into aggregates (z is recomputed on sums)."""
    records = {}
    for mahalla_id, periods in comparisons.items():
        record = {}
        for period, values in periods.items():
            for key in ("current", "previous", "year_before"):
                if values[key] is not None:
                    record[f"{period}_{key}"] = values[key]
        records[mahalla_id] = record
    return pd.DataFrame.from_dict(records, orient="index").fillna(0).astype(int)


def classify(inputs: Inputs, parameters: dict[str, Any]) -> pd.DataFrame:
    """Green / yellow / red over the last `class_window_days` days against the same span before it
    (mahalla.engine.classification). A mahalla whose population is not known gets the median population
    of its district (or of the country) so that it can be rated, and the explanation says so."""
    window = int(parameters["class_window_days"])
    date = pd.Timestamp(inputs.date)
    first = date - pd.Timedelta(days=window - 1)
    before = first - pd.Timedelta(days=window)
    offences = inputs.offences
    current = offences[offences["day"] >= first]
    previous = offences[(offences["day"] >= before) & (offences["day"] < first)]
    index = inputs.mahallas.index
    columns = list(inputs.categories)

    def table(frame: pd.DataFrame) -> pd.DataFrame:
        return (
            crosstab(frame["mahalla_id"], frame["category"])
            .reindex(index=index, columns=columns, fill_value=0)
            .astype(int)
        )

    population = pd.to_numeric(inputs.mahallas["population"], errors="coerce").astype(float)
    population = population.where(population > 0)
    imputed = population.isna()
    if imputed.any():
        by_district = population.groupby(inputs.mahallas["district_id"]).transform("median")
        fallback = float(population.median()) if population.notna().any() else 1000.0
        population = population.fillna(by_district).fillna(fallback)
    weights = {code: inputs.severity.get(code, 1.0) for code in columns}
    config_values = {"category_weights": weights, **parameters.get("classification", {})}
    if "cyber" not in weights:
        config_values.setdefault("residence_located_categories", [])
    config = ClassificationConfig.from_dict(config_values)
    # The previous span is only complete when the history reaches back far enough.
    has_previous = pd.Timestamp(inputs.start) <= before
    result = classify_mahallas(
        table(current),
        population,
        district=inputs.mahallas["district_id"],
        previous_counts=table(previous) if has_previous else None,
        config=config,
    )
    result["population_imputed"] = imputed.reindex(result.index).to_numpy()
    result.attrs["config"] = config.to_dict()
    return result


def emerging_classes(counts: pd.DataFrame, inputs: Inputs, parameters: dict[str, Any]) -> pd.DataFrame:
    """Esri's emerging hot spot class per mahalla (mahalla.engine.emerging) on weekly counts of the last
    `hotspot_weeks` whole weeks ending on the date. Neighbours are the 6 nearest mahallas by centroid, made
    symmetric, because boundaries are optional in the registry while centroids are always imported."""
    weeks = int(parameters["hotspot_weeks"])
    values = counts.to_numpy()
    days = weeks * 7
    if values.shape[1] < days or len(values) < 3:
        return pd.DataFrame({"class": "", "trend_z": np.nan}, index=inputs.mahallas.index)
    # Week k ends on the date - 7 (weeks - 1 - k) days: the last step is the 7 days ending on the date.
    cube = values[:, -days:].reshape(len(values), weeks, 7).sum(axis=2)
    if cube.min() == cube.max():
        # Every mahalla-week alike (typically no offence at all): Gi* is undefined and nothing can emerge.
        return pd.DataFrame(
            {"class": "no pattern detected", "trend_z": np.nan, "last_z": np.nan, "hot_weeks": 0},
            index=inputs.mahallas.index,
        )
    coords = projected_centroids(inputs.mahallas["lat"].to_numpy(), inputs.mahallas["lon"].to_numpy())
    w = knn_weights(coords, min(6, len(values) - 1))
    w = w.maximum(w.T)
    result = emerging_hot_spots(cube, w)
    return pd.DataFrame(
        {
            "class": result.category.astype(str),
            "trend_z": result.trend_z,
            "last_z": result.z[:, -1],
            "hot_weeks": result.hot.sum(axis=1),
        },
        index=inputs.mahallas.index,
    )


def previous_day_classes(inputs: Inputs, parameters: dict[str, Any]) -> dict[int, dict[str, str]]:
    """Yesterday's class of every mahalla, computed from the same offences when yesterday was not analysed
    (the first run, a gap in the runs), so that "turned red" means what it says instead of naming every red
    mahalla. The hot-spot class is left unknown: it needs yesterday's weekly steps."""
    day = inputs.date - dt.timedelta(days=1)
    yesterday = dataclasses.replace(
        inputs, date=day, offences=inputs.offences[inputs.offences["day"] <= pd.Timestamp(day)]
    )
    classes = classify(yesterday, parameters)
    return {int(m): {"class": str(c), "hotspot_class": ""} for m, c in classes["class"].items()}


def run_pipeline(inputs: Inputs, parameters: dict[str, Any], previous: dict[int, dict[str, str]]) -> Outputs:
    """All steps for one date. `previous` maps mahalla id to yesterday's stored class and hot-spot class;
    when it is empty, yesterday's classes are computed here."""
    timer = _Timer()
    date = inputs.date

    def side_steps() -> tuple[Any, Any, dict[str, float]]:
        side = _Timer()
        cells = side.step("forecast_cells", lambda: forecasting.next_week_by_cell(inputs))
        spikes = side.step("spikes", lambda: spike_flags(inputs, parameters))
        return cells, spikes, side.timings

    # The grid forecast and the spikes (a third of the computation) depend on the inputs only: they run on
    # the second core while the steps below run here.
    side_result = _overlapped(side_steps)
    counts = timer.step("count_matrix", lambda: count_matrix(inputs))
    comparisons = timer.step("comparisons", lambda: comparisons_by_mahalla(counts, date))
    classes = timer.step("classification", lambda: classify(inputs, parameters))
    if not previous:
        previous = timer.step("previous_day_classes", lambda: previous_day_classes(inputs, parameters))
    window_first = date - dt.timedelta(days=int(parameters["class_window_days"]) - 1)
    by_category = timer.step("category_counts", lambda: window_counts(inputs, window_first))
    year_totals = window_counts(inputs, dt.date(date.year, 1, 1)).sum(axis=1)
    day_totals = counts.iloc[:, -1]
    hotspots = timer.step("emerging_hot_spots", lambda: emerging_classes(counts, inputs, parameters))
    clusters = timer.step("space_time_scan", lambda: space_time_clusters(counts, inputs, parameters))
    # The forecasts live in forecasting.py (the per-mahalla and the per-grid-cell winner of a backtest).
    forecast, forecast_choice = timer.step(
        "forecast", lambda: forecasting.next_week_by_winner(inputs, parameters)
    )
    (forecast_cells, grid_choice), spikes, side_timings = timer.step("side_steps_wait", side_result)
    timer.timings.update(side_timings)
    raw_rate, smooth_rate = smoothed_rates(
        by_category.sum(axis=1).to_numpy(dtype=float),
        pd.to_numeric(inputs.mahallas["population"], errors="coerce"),
    )
    in_cluster = {m for c in clusters if c["significant"] for m in c["mahalla_ids"]}
    per_mahalla = pd.DataFrame(
        {
            "crime_class": classes["class"],
            "total_window": by_category.sum(axis=1),
            "total_year": year_totals,
            "total_day": day_totals,
            "rate_per_100k": raw_rate,
            "smoothed_rate_per_100k": smooth_rate,
            "hotspot_class": hotspots["class"],
            "forecast_next_week": forecast,
            "spike": spikes["spike"],
        },
        index=inputs.mahallas.index,
    )
    per_mahalla["in_cluster"] = per_mahalla.index.isin(sorted(in_cluster))
    per_mahalla["previous_class"] = [previous.get(int(m), {}).get("class", "") for m in per_mahalla.index]
    explanation_columns = [
        "no_crime",
        "total",
        "place_count",
        "weighted_score",
        "crude_rate_per_100k",
        "smoothed_rate_per_100k",
        "district_rate_per_100k",
        "national_rate_per_100k",
        "reference_rate_per_100k",
        "expected",
        "rate_ratio",
        "p_value",
        "q_value",
        "trend_z",
        "excess",
        "high_rate",
        "severity",
        "rising",
        "population_imputed",
    ]
    config = classes.attrs["config"]
    thresholds = {
        key: config[key]
        for key in (
            "green_max_weighted_score",
            "min_rate_ratio",
            "fdr_alpha",
            "red_min_weighted_score",
            "rising_z",
        )
    }
    # Plain dicts per row (to_dict): a pandas Series per row (iterrows) cost seconds at nation scale.
    explanation_values = [_json_column(classes[name]) for name in explanation_columns]
    explanations = {}
    for mahalla_id, sentence, *values in zip(
        classes.index.tolist(), classes["explanation"].tolist(), *explanation_values, strict=True
    ):
        record = dict(zip(explanation_columns, values, strict=True))
        record["sentence"] = sentence
        record["thresholds"] = thresholds
        explanations[int(mahalla_id)] = record
    per_mahalla["explanation"] = pd.Series(explanations)
    per_mahalla["counts"] = pd.Series(
        {int(m): {k: int(v) for k, v in row.items() if v} for m, row in by_category.to_dict("index").items()}
    )
    per_mahalla["comparisons"] = pd.Series(comparisons)
    per_mahalla["spike_detail"] = spikes["detail"]
    detail_columns = [name for name in hotspots.columns if name != "class"]
    detail_values = [_json_column(hotspots[name]) for name in detail_columns]
    per_mahalla["hotspot_detail"] = pd.Series(
        {
            int(m): dict(zip(detail_columns, values, strict=True))
            for m, *values in zip(hotspots.index.tolist(), *detail_values, strict=True)
        }
    )
    aggregates = timer.step(
        "aggregates",
        lambda: aggregate_rows(
            inputs, per_mahalla, comparison_totals(comparisons), int(parameters["class_window_days"])
        ),
    )
    alerts = timer.step("alerts", lambda: alert_rows(per_mahalla, clusters, previous))
    return Outputs(
        mahalla=per_mahalla,
        aggregates=aggregates,
        clusters=clusters,
        alerts=alerts,
        timings=timer.timings,
        forecast={**forecast_choice, "grid": grid_choice},
        forecast_cells=forecast_cells,
    )


ALERTED_HOTSPOTS = {"new hot spot": "new_hotspot", "intensifying hot spot": "intensifying_hotspot"}


def alert_rows(
    per_mahalla: pd.DataFrame, clusters: list[dict[str, Any]], previous: dict[int, dict[str, str]]
) -> list[dict[str, Any]]:
    """Alerts of the date: turned red (red now, not red in yesterday's stored result), a new or
    intensifying hot spot that was not already in that class yesterday, a spike, the centre of a significant
    space-time cluster. Severity orders the inbox: red and clusters first."""
    alerts: list[dict[str, Any]] = []
    columns = ["crime_class", "explanation", "hotspot_class", "hotspot_detail", "spike", "spike_detail"]
    for mahalla_id, row in per_mahalla[columns].to_dict("index").items():
        before = previous.get(int(mahalla_id), {})
        if row["crime_class"] == "red" and before.get("class") != "red":
            alerts.append(
                {
                    "kind": "turned_red",
                    "mahalla_id": int(mahalla_id),
                    "severity": 3.0 + float(row["explanation"].get("rate_ratio") or 0.0) / 10,
                    "detail": {"previous_class": before.get("class", ""), **_alert_numbers(row)},
                }
            )
        kind = ALERTED_HOTSPOTS.get(row["hotspot_class"])
        if kind and before.get("hotspot_class") != row["hotspot_class"]:
            alerts.append(
                {
                    "kind": kind,
                    "mahalla_id": int(mahalla_id),
                    "severity": 2.0,
                    "detail": {"hotspot_class": row["hotspot_class"], **row["hotspot_detail"]},
                }
            )
        if row["spike"]:
            alerts.append(
                {
                    "kind": "spike",
                    "mahalla_id": int(mahalla_id),
                    "severity": 1.5,
                    "detail": row["spike_detail"],
                }
            )
    for cluster in clusters:
        if cluster["significant"]:
            alerts.append(
                {
                    "kind": "cluster",
                    "mahalla_id": cluster["centre_id"],
                    "severity": 2.5 + min(cluster["llr"], 50.0) / 100,
                    "detail": {
                        "rank": cluster["rank"],
                        "observed": cluster["observed"],
                        "expected": round(cluster["expected"], 2),
                        "p_value": cluster["p_value"],
                        "start_date": cluster["start_date"].isoformat(),
                        "end_date": cluster["end_date"].isoformat(),
                        "mahallas": len(cluster["mahalla_ids"]),
                    },
                }
            )
    return alerts


def _alert_numbers(row: Any) -> dict[str, Any]:
    explanation = row["explanation"]
    return {
        key: explanation.get(key)
        for key in ("place_count", "expected", "rate_ratio", "weighted_score", "smoothed_rate_per_100k")
    }


def spike_flags(inputs: Inputs, parameters: dict[str, Any]) -> pd.DataFrame:
    """Spikes of the date per mahalla and category (mahalla.engine.spikes: seasonal Poisson log-linear
    baseline, Gamma-Poisson predictive, Benjamini-Hochberg across all series). A mahalla has a spike when any
    of its categories has one. Only series with an offence in the history can spike, so the others are left
    out of the matrix (a nation has 72,000 mahalla x category series, most of them empty)."""
    empty = pd.DataFrame(
        {"spike": False, "detail": [{} for _ in range(len(inputs.mahallas))]}, index=inputs.mahallas.index
    )
    offences = inputs.offences
    if offences.empty:
        return empty
    # The series x days matrix filled from the (series, day) pairs that occur: a grouped size unstacked
    # filled a 64-bit matrix of every series and day and converted it, most of the step at nation scale.
    days = pd.date_range(pd.Timestamp(inputs.start), pd.Timestamp(inputs.date), freq="D")
    series = offences.groupby(["mahalla_id", "category"], sort=True)
    row = series.ngroup().to_numpy()
    column = days.get_indexer(offences["day"])
    inside = column >= 0
    cells, per_cell = np.unique(row[inside] * len(days) + column[inside], return_counts=True)
    values = np.zeros((series.ngroups, len(days)), dtype=np.int16)
    values.ravel()[cells] = per_cell
    matrix = pd.DataFrame(values, index=series.size().index, columns=days)
    try:
        result = detect_spikes(
            matrix,
            inputs.date,
            frequency="D",
            window=1,
            alpha=float(parameters["spike_alpha"]),
            season="month",
        )
    except ValueError:
        # Less history than the baseline needs (a new deployment): no spike can be judged yet.
        return empty
    found = result[result["spike"]]
    details: dict[int, dict[str, Any]] = {}
    for (mahalla_id, category), row in found.iterrows():
        details.setdefault(int(mahalla_id), {})[str(category)] = {
            "observed": int(row["observed"]),
            "expected": _json_number(row["expected"]),
            "q_value": _json_number(row["q_value"]),
        }
    empty["spike"] = empty.index.isin(list(details))
    empty["detail"] = [details.get(int(m), {}) for m in empty.index]
    return empty

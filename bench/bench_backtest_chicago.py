"""Rolling-origin backtest of the grid forecasts on real Chicago residential burglary, by the honest protocol.

Judged set-up: test year 2017, 150 m cells, the study area fixed from 2014-2016 (cells with any burglary
before 2017-01-01), 1 % of it flagged, weekly origins (52) and calendar months (12); N counts every burglary
of the window, those outside the study area included; pooled and mean scores; every method compared with
the baselines (all-history count, last 365 days, last horizon, KDE) paired by origin, with a 95 % bootstrap
interval (2,000 resamples of the origins) for the difference in captured burglaries.

``--city portland`` runs the same protocol on the NIJ Portland burglary calls (a city the ensemble was not
tuned on): test period 2016-02-01 .. 2017-01-31, area fixed from the years before, feet converted to metres.

``--learned`` adds the learned monthly model (Poisson gradient boosting on multi-window counts, fitted at
each origin; slow, not in the default set) to the monthly horizon; ``--tune-learned`` shows how it was chosen
on the 2016 months.

``--tune-seasons`` shows session 5's attempt (3 December 2026): how often the all-history count's 1 % is
filled by a tie, tie-broken all-history counts, and a seasonal kernel on the ensemble, scored on training
origins only (2015-07 .. 2016-12); then the one 2017 (and Portland) test of the configuration chosen there.

``--tune`` runs the parameter search that chose the members of the ensemble
(mahalla.engine.backtest._ENSEMBLE_MEMBERS). It only ever looks at events before 2017-01-01: origins roll over
2016 (training from 2014, area fixed from 2014-2015).

Usage::

    .venv/bin/python bench/bench_backtest_chicago.py [--csv PATH] [--city chicago|portland] [--etas]
        [--learned] [--tune | --tune-monthly | --tune-learned | --tune-seasons]

The numbers of the last run are in docs/forecasting.md.
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mahalla.engine.backtest import (  # noqa: E402
    _ENSEMBLE_MEMBERS,
    default_forecasters,
    long_term_ensemble,
    rolling_origin_backtest,
    rolling_origins,
)
from mahalla.engine.forecast import (  # noqa: E402
    DecayedCountForecaster,
    EnsembleForecaster,
    Grid,
    GridForecaster,
    LearnedCountForecaster,
    NaiveForecaster,
)


def _data_folder() -> Path:
    """The shared data folder beside the checkout (../shared), or beside the folder of worktrees
    (../../shared): the first that exists, as on every machine of the project."""
    here = Path(__file__).resolve()
    for parent in here.parents[1:4]:
        folder = parent / "shared" / "data" / "real" / "crime"
        if folder.is_dir():
            return folder
    return here.parents[2] / "shared" / "data" / "real" / "crime"


DATA = _data_folder()
CELL_SIZE = 150.0
COVERAGE = 0.01
HORIZONS: tuple[int | str, ...] = (7, "month")
FEET = 0.3048


def load(city: str, path: Path | None) -> pd.DataFrame:
    if city == "chicago":
        frame = pd.read_csv(path or DATA / "chicago_residential_burglary_2014_2017.csv")
        # The file writes dates day first (DD/MM/YYYY); see its PROVENANCE.md.
        frame["date"] = pd.to_datetime(frame["date_single"], format="%d/%m/%Y")
        return frame[["x", "y", "date"]]
    frame = pd.read_csv(path or DATA / "portland_nij_burglary_cfs_2012_2017.csv")
    return pd.DataFrame(
        {
            "x": frame["x_coordina"] * FEET,
            "y": frame["y_coordina"] * FEET,
            "date": pd.to_datetime(frame["occ_date"], format="%Y-%m-%d"),
        }
    )


def evaluate(
    frame: pd.DataFrame, horizon: int | str, start: str, end: str, methods: dict[str, GridForecaster] | None
) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    summary, comparison, per_origin, seconds = evaluate_per_origin(frame, horizon, start, end, methods)
    return summary, comparison, seconds


def evaluate_per_origin(
    frame: pd.DataFrame, horizon: int | str, start: str, end: str, methods: dict[str, GridForecaster] | None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, float]:
    origins = rolling_origins(start, end, horizon)  # type: ignore[arg-type]
    began = time.perf_counter()
    result = rolling_origin_backtest(
        frame["x"].to_numpy(),
        frame["y"].to_numpy(),
        frame["date"].to_numpy(),
        cell_size=CELL_SIZE,
        origins=origins,
        horizon_days=horizon,  # type: ignore[arg-type]
        coverage=COVERAGE,
        methods=methods,
    )
    return result.summary, result.comparison, result.per_origin, time.perf_counter() - began


def judged(frame: pd.DataFrame, city: str, with_etas: bool, with_learned: bool = False) -> None:
    start, end = ("2017-01-01", "2017-12-31") if city == "chicago" else ("2016-02-01", "2017-01-31")
    load_before = os.getloadavg()
    cpu_before = time.process_time()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds_total = 0.0
    summaries = []
    comparisons = []
    monthly: pd.DataFrame | None = None
    for horizon in HORIZONS:
        methods = None
        if with_etas or with_learned:
            defaults = default_forecasters(horizon)  # type: ignore[arg-type]
            extra = {"etas"} if with_etas else set()
            if (
                with_learned and horizon == "month"
            ):  # built for the monthly horizon; 52 weekly fits are too slow
                extra.add("learned")
            methods = {
                name: model for name, model in defaults.items() if name not in {"etas", "learned"} - extra
            }
        summary, comparison, per_origin, seconds = evaluate_per_origin(frame, horizon, start, end, methods)
        seconds_total += seconds
        if horizon == "month":
            monthly = per_origin.pivot(index="origin", columns="method", values="captured")
        label = "7 d" if horizon == 7 else "month"
        summary.insert(0, "horizon", label)
        comparison.insert(0, "horizon", label)
        summary["pei_star_vs_all_history"] = summary["pei_star"] / summary.loc["all_history", "pei_star"]
        summaries.append(summary)
        comparisons.append(comparison)
    table = pd.concat(summaries)
    pairs = pd.concat(comparisons)
    print(
        f"{city}: test {start} .. {end}, {CELL_SIZE:.0f} m cells, coverage {COVERAGE:.0%}, study area fixed "
        f"from the events before {start}; N = every event of the window"
    )
    print(
        f"{len(frame)} events; machine: 2 cores; load average before {load_before[0]:.2f}, "
        f"after {os.getloadavg()[0]:.2f}"
    )
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - cpu_before
    children_cpu = children.ru_utime + children.ru_stime - children_before.ru_utime - children_before.ru_stime
    print(
        f"whole evaluation (all methods, all origins, both horizons): {seconds_total:.1f} s wall, "
        f"{cpu:.1f} s CPU (this process; children {children_cpu:.1f} s), "
        f"ratio to the 60 s budget {seconds_total / 60:.2f}\n"
    )
    with pd.option_context(
        "display.width", 220, "display.max_columns", None, "display.float_format", "{:.4f}".format
    ):
        print(table.to_string())
        print()
        print(pairs[pairs["baseline"] == "all_history"].to_string(index=False))
        print()
        for method in ("ensemble", "learned"):
            if method in set(pairs["method"]):
                print()
                print(pairs[pairs["method"] == method].to_string(index=False))
        if monthly is not None:
            # Per-month captured events, and each method's difference from the all-history count.
            differences = monthly.sub(monthly["all_history"], axis=0).drop(columns="all_history")
            print("\nper month, captured:")
            print(monthly.to_string())
            print("\nper month, minus the all-history count:")
            print(differences.to_string())


def tune(frame: pd.DataFrame) -> None:
    past = frame[frame["date"] < "2017-01-01"]
    candidates: dict[str, GridForecaster] = {"all_history": NaiveForecaster(period=None)}
    for decay, ring1, ring2 in itertools.product(
        (None, 2000.0, 1000.0, 730.0, 500.0, 365.0), (0.0, 0.03, 0.06, 0.1, 0.15), (0.0, 0.02, 0.04)
    ):
        candidates[f"decay={decay} ring1={ring1} ring2={ring2}"] = DecayedCountForecaster(
            decay=decay, ring_weights=(1.0, ring1, ring2)
        )
    scores = []
    for horizon in HORIZONS:
        summary, _, _ = evaluate(past, horizon, "2016-01-01", "2016-12-31", candidates)
        scores.append(
            (summary["pei_star"] / summary.loc["all_history", "pei_star"]).rename(f"ratio_{horizon}")
        )
    result = pd.concat(scores, axis=1)
    result["criterion"] = result.sum(axis=1)
    print("Tuning on 2016 origins only (area fixed from 2014-2015); no 2017 event is read.\n")
    with pd.option_context(
        "display.width", 160, "display.max_rows", 200, "display.float_format", "{:.4f}".format
    ):
        print(result.sort_values("criterion", ascending=False).head(30))


def tune_monthly(frame: pd.DataFrame) -> None:
    """A horizon-specific monthly ensemble, chosen on 2014-2016 only, then tested once on 2017.

    The search of :func:`tune` widened (decays down to 250 days, ring weights up to 0.3 and 0.08), scored
    on calendar-monthly origins only: the 12 months of 2016 (area fixed from 2014-2015) and July-December
    2015 (area fixed from 2014-2015 H1); the 20 best configurations form the ensemble. Then the 2017 test.
    """
    past = frame[frame["date"] < "2017-01-01"]
    candidates: dict[str, GridForecaster] = {"all_history": NaiveForecaster(period=None)}
    configurations = list(
        itertools.product(
            (None, 2000.0, 1000.0, 730.0, 500.0, 365.0, 250.0),
            (0.0, 0.05, 0.1, 0.15, 0.2, 0.3),
            (0.0, 0.02, 0.04, 0.08),
        )
    )
    for decay, ring1, ring2 in configurations:
        candidates[f"{decay}|{ring1}|{ring2}"] = DecayedCountForecaster(
            decay=decay, ring_weights=(1.0, ring1, ring2)
        )
    captured = []
    for start, end in (("2016-01-01", "2016-12-31"), ("2015-07-01", "2015-12-31")):
        summary, _, _ = evaluate(past, "month", start, end, candidates)
        captured.append(summary["captured"].rename(start))
    table = pd.concat(captured, axis=1)
    table["total"] = table.sum(axis=1)
    table["ratio"] = table["total"] / table.loc["all_history", "total"]
    best = table.drop("all_history").sort_values("total", ascending=False).head(20)
    print("Monthly search on 2015-07 .. 2016-12 origins only (no 2017 event read):\n")
    print(best.to_string())
    members = [
        DecayedCountForecaster(
            decay=None if decay == "None" else float(decay), ring_weights=(1.0, float(ring1), float(ring2))
        )
        for decay, ring1, ring2 in (name.split("|") for name in best.index)
    ]
    methods: dict[str, GridForecaster] = {
        "ensemble": long_term_ensemble(),
        "ensemble_monthly": EnsembleForecaster(members),
    }
    summary, comparison, seconds = evaluate(frame, "month", "2017-01-01", "2017-12-31", methods)
    print(f"\n2017 test, calendar months ({seconds:.1f} s):\n")
    with pd.option_context("display.width", 220, "display.max_columns", None):
        print(summary[["captured", "best_possible", "pei_star"]].to_string())
        print(comparison[comparison["baseline"] == "all_history"].to_string(index=False))


def tune_learned(frame: pd.DataFrame) -> None:
    """The learned monthly model (two sizes) against the ensemble on the 2016 calendar months, events before
    2017 only: how its configuration was chosen before its one 2017 test."""
    past = frame[frame["date"] < "2017-01-01"]
    methods: dict[str, GridForecaster] = {
        "all_history": NaiveForecaster(period=None),
        "ensemble": long_term_ensemble(),
        "learned": LearnedCountForecaster(),
        "learned_small": LearnedCountForecaster(training_windows=12, max_iter=60, learning_rate=0.08),
    }
    summary, comparison, seconds = evaluate(past, "month", "2016-01-01", "2016-12-31", methods)
    print(f"2016 calendar months, area fixed from 2014-2015, no 2017 event read ({seconds:.1f} s wall):\n")
    with pd.option_context("display.width", 220, "display.max_columns", None):
        print(summary[["captured", "best_possible", "pei_star"]].to_string())
        print(comparison[comparison["baseline"] == "all_history"].to_string(index=False))


class TieBrokenForecaster(GridForecaster):
    """``primary``'s ranking, its ties broken by ``secondary`` (added at under half of the primary's smallest
    step, so it never reorders cells that the primary separates)."""

    def __init__(self, primary: GridForecaster, secondary: GridForecaster) -> None:
        self.primary = primary
        self.secondary = secondary

    def fit(self, x: ArrayLike, y: ArrayLike, t: ArrayLike, grid: Grid, *, end: float | None = None):  # type: ignore[no-untyped-def]
        self.primary_ = self.primary.clone().fit(x, y, t, grid, end=end)
        self.secondary_ = self.secondary.clone().fit(x, y, t, grid, end=end)
        self.grid_ = grid
        return self

    def predict(self, horizon: float) -> NDArray[np.float64]:
        primary = self.primary_.predict(horizon)
        secondary = self.secondary_.predict(horizon)
        levels = np.unique(primary[primary > 0])
        step = float(np.diff(levels).min()) if levels.size > 1 else float(levels.max(initial=1.0))
        result: NDArray[np.float64] = primary + 0.5 * step * secondary / max(float(secondary.max()), 1e-300)
        return result


def seasonal_ensemble(kappa: float) -> EnsembleForecaster:
    """The default ensemble's members, each with the yearly von Mises kernel of concentration ``kappa``."""
    return EnsembleForecaster(
        [
            DecayedCountForecaster(decay=decay, ring_weights=(1.0, ring1, ring2), season_concentration=kappa)
            for decay, ring1, ring2 in _ENSEMBLE_MEMBERS
        ]
    )


TRAINING_WINDOWS: tuple[tuple[int | str, str, str], ...] = (
    ("month", "2016-01-01", "2016-12-31"),  # area fixed from 2014-2015
    ("month", "2015-07-01", "2015-12-31"),  # area fixed from 2014-2015 H1
    (7, "2016-01-01", "2016-12-31"),
)
CHOSEN_SEASON_CONCENTRATION = 0.5  # the highest summed ratio on TRAINING_WINDOWS (3 December 2026)


def threshold_ties(frame: pd.DataFrame, start: str, end: str) -> None:
    """At each calendar-monthly origin: the all-history count of the k-th cell, how many of the k slots go to
    cells tied at that count (filled by the lower cell index, an arbitrary order) and how many cells tie."""
    x, y = frame["x"].to_numpy(), frame["y"].to_numpy()
    days = frame["date"].to_numpy().astype("datetime64[D]")
    grid = Grid.from_extent(x.min(), y.min(), x.max(), y.max(), cell_size=CELL_SIZE)
    cells = grid.cell_index(x, y)
    origins = rolling_origins(start, end, "month").to_numpy().astype("datetime64[D]")
    area = np.flatnonzero(np.bincount(cells[days < origins.min()], minlength=grid.n_cells) > 0)
    k = int(np.ceil(COVERAGE * area.size - 1e-9))
    rows = []
    for origin in origins:
        counts = np.bincount(cells[days < origin], minlength=grid.n_cells)[area]
        threshold = int(np.sort(counts)[::-1][k - 1])
        above = int((counts > threshold).sum())
        rows.append(
            {
                "origin": str(origin),
                "count_at_k": threshold,
                "slots_filled_by_tie": k - above,
                "cells_tied": int((counts == threshold).sum()),
            }
        )
    table = pd.DataFrame(rows)
    print(f"\nall-history ties at the 1 % threshold, {start} .. {end} (k = {k} of {area.size} cells):")
    print(table.to_string(index=False))
    print(f"mean slots filled by a tie: {table['slots_filled_by_tie'].mean():.1f} of {k}")


def tune_seasons(frame: pd.DataFrame) -> None:
    past = frame[frame["date"] < "2017-01-01"]
    threshold_ties(past, "2016-01-01", "2016-12-31")
    all_history = NaiveForecaster(period=None)
    candidates: dict[str, GridForecaster] = {
        "all_history": all_history,
        "ensemble": long_term_ensemble(),
        "all_history, ties by the ensemble": TieBrokenForecaster(all_history, long_term_ensemble()),
        "all_history, ties by ring-1 count": TieBrokenForecaster(
            all_history, DecayedCountForecaster(ring_weights=(1.0, 0.1))
        ),
        "all_history, ties by 365-d decay": TieBrokenForecaster(
            all_history, DecayedCountForecaster(decay=365.0)
        ),
        "all_history, ties by 365-d decay + ring 1": TieBrokenForecaster(
            all_history, DecayedCountForecaster(decay=365.0, ring_weights=(1.0, 0.1))
        ),
        "ensemble + all_history member": EnsembleForecaster([long_term_ensemble(), all_history]),
    }
    for kappa in (0.25, 0.5, 1.0, 2.0):
        candidates[f"seasonal ensemble kappa={kappa}"] = seasonal_ensemble(kappa)
        candidates[f"seasonal all_history kappa={kappa}"] = DecayedCountForecaster(season_concentration=kappa)
    captured = {}
    for horizon, start, end in TRAINING_WINDOWS:
        summary, _, _ = evaluate(past, horizon, start, end, candidates)
        captured[f"{horizon} {start[:7]}.."] = summary["captured"]
    table = pd.DataFrame(captured)
    reference = table.loc["all_history"]
    table["ratio_month"] = (table.iloc[:, 0] + table.iloc[:, 1]) / (reference.iloc[0] + reference.iloc[1])
    table["ratio_week"] = table.iloc[:, 2] / reference.iloc[2]
    table["criterion"] = table["ratio_month"] + table["ratio_week"]
    print(
        "\nTraining origins only (no 2017 event read); captured burglaries, ratios to the all-history count:"
    )
    with pd.option_context("display.width", 220, "display.float_format", "{:.3f}".format):
        print(table.to_string())
    print(f"\nchosen: seasonal ensemble kappa={CHOSEN_SEASON_CONCENTRATION}; its one test:")
    for city, (start, end) in (
        ("chicago", ("2017-01-01", "2017-12-31")),
        ("portland", ("2016-02-01", "2017-01-31")),
    ):
        test_frame = frame if city == "chicago" else load(city, None)
        methods: dict[str, GridForecaster] = {
            "ensemble": long_term_ensemble(),
            "seasonal_ensemble": seasonal_ensemble(CHOSEN_SEASON_CONCENTRATION),
        }
        for horizon in HORIZONS:
            summary, comparison, _ = evaluate(test_frame, horizon, start, end, methods)
            print(f"\n{city}, horizon {horizon}, {start} .. {end}:")
            with pd.option_context("display.width", 220, "display.max_columns", None):
                print(summary[["captured", "best_possible", "pei_star"]].to_string())
                print(comparison[comparison["baseline"] == "all_history"].to_string(index=False))


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--csv", type=Path, default=None)
    parser.add_argument("--city", choices=("chicago", "portland"), default="chicago")
    parser.add_argument("--etas", action="store_true", help="also run grid ETAS (about 40 s more)")
    parser.add_argument(
        "--learned",
        action="store_true",
        help="also run the learned monthly model (monthly horizon only; about 90 s of CPU more)",
    )
    parser.add_argument(
        "--tune-learned",
        action="store_true",
        help="the learned model against the ensemble on the training months of 2015-2016 only",
    )
    parser.add_argument("--tune", action="store_true", help="choose the ensemble's members on 2014-2016 only")
    parser.add_argument(
        "--tune-seasons",
        action="store_true",
        help="ties at the threshold, tie-breaks, a seasonal kernel on 2015-2016 origins; then the one test",
    )
    parser.add_argument(
        "--tune-monthly",
        action="store_true",
        help="a monthly-only ensemble chosen on 2014-2016, then its one 2017 test",
    )
    arguments = parser.parse_args()
    frame = load(arguments.city, arguments.csv)
    if arguments.tune:
        tune(frame)
    elif arguments.tune_monthly:
        tune_monthly(frame)
    elif arguments.tune_learned:
        tune_learned(frame)
    elif arguments.tune_seasons:
        tune_seasons(frame)
    else:
        judged(frame, arguments.city, arguments.etas, arguments.learned)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

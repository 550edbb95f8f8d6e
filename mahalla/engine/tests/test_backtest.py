from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mahalla.engine.backtest import (
    BASELINE_NAMES,
    long_term_ensemble,
    paired_comparison,
    rolling_origin_backtest,
    rolling_origins,
)
from mahalla.engine.forecast import GridETASForecaster, NaiveForecaster
from mahalla.engine.scoring import forecast_score

CHICAGO = Path(__file__).parent / "data" / "forecast" / "chicago_burglary_subset_2016_2017q1.csv"


@pytest.fixture(scope="module")
def chicago():
    frame = pd.read_csv(CHICAGO)
    frame["date"] = pd.to_datetime(frame["date_single"], format="%d/%m/%Y")
    return frame


@pytest.fixture(scope="module")
def weekly_q1(chicago):
    return rolling_origin_backtest(
        chicago.x,
        chicago.y,
        chicago.date,
        cell_size=150,
        origins=rolling_origins("2017-01-01", "2017-03-31", 7),
        horizon_days=7,
        coverage=0.05,
    )


def test_rolling_origins_cover_the_test_year_in_whole_weeks_and_calendar_months():
    weekly = rolling_origins("2017-01-01", "2017-12-31", 7)
    monthly = rolling_origins("2017-01-01", "2017-12-31", "month")
    assert len(weekly) == 52 and weekly[-1] == pd.Timestamp("2017-12-24")
    assert list(monthly) == list(pd.date_range("2017-01-01", "2017-12-01", freq="MS"))
    # A month cut by the end of the test period is not a whole month: it is left out.
    assert list(rolling_origins("2017-01-15", "2017-03-30", "month")) == [pd.Timestamp("2017-02-01")]


def test_every_method_beats_a_random_choice_of_cells_on_real_chicago_burglary(weekly_q1):
    summary = weekly_q1.summary
    assert list(summary.index) == [
        "all_history",
        "last_365",
        "last_horizon",
        "kde",
        "prospective",
        "ensemble",
    ]
    assert (summary["origins"] == 12).all()
    # PAI = 1 is what flagging cells at random achieves; burglary concentrates, so every method does better.
    assert (summary["pai"] > 1.5).all()
    per_origin = weekly_q1.per_origin
    assert per_origin["pei_star"].between(0, 1).all()
    assert (per_origin["hit_rate"] <= per_origin["pei_star"] + 1e-12).all()  # n / N <= n / n* since n* <= N
    assert (per_origin["hit_rate"] <= per_origin["hit_rate_in_study_area"]).all()


def _cells(frame, x_min, y_min, n_cols):
    """Flat cell index computed afresh from the coordinates, not through the engine's grid."""
    return ((frame.y - y_min) // 150).astype(int) * n_cols + ((frame.x - x_min) // 150).astype(int)


def test_a_per_origin_row_equals_the_forecast_rebuilt_by_hand(chicago, weekly_q1):
    origin = pd.Timestamp("2017-02-05")
    x_min, y_min = chicago.x.min(), chicago.y.min()
    n_cols = int((chicago.x.max() - x_min) // 150) + 1
    n_rows = int((chicago.y.max() - y_min) // 150) + 1
    cells = _cells(chicago, x_min, y_min, n_cols)
    past = chicago.date < pd.Timestamp("2017-01-01")  # the area is fixed from the training period
    last_week = (chicago.date < origin) & (chicago.date >= origin - pd.Timedelta(days=7))
    test_week = (chicago.date >= origin) & (chicago.date < origin + pd.Timedelta(days=7))
    study_area = np.zeros(n_rows * n_cols, dtype=bool)
    study_area[cells[past].unique()] = True
    naive = np.bincount(cells[last_week], minlength=n_rows * n_cols)
    actual = np.bincount(cells[test_week], minlength=n_rows * n_cols)

    expected = forecast_score(naive, actual, 0.05, study_area=study_area)
    best_anywhere = np.sort(actual)[::-1][: expected.flagged].sum()
    row = weekly_q1.per_origin.query("method == 'last_horizon' and origin == @origin").iloc[0]

    assert row["study_area_cells"] == study_area.sum()
    assert row["events"] == test_week.sum()
    assert row["events_in_study_area"] == expected.total
    assert (row["captured"], row["best_possible"], row["flagged_cells"]) == (
        expected.captured,
        best_anywhere,
        expected.flagged,
    )
    assert (row["hit_rate"], row["pai"], row["pei_star"]) == pytest.approx(
        (
            expected.captured / test_week.sum(),
            expected.captured / test_week.sum() / (expected.flagged / study_area.sum()),
            expected.captured / best_anywhere,
        )
    )
    assert row["hit_rate_in_study_area"] == pytest.approx(expected.hit_rate)


def test_events_after_the_forecast_horizon_cannot_change_the_forecast(chicago):
    origins = [pd.Timestamp("2017-02-05")]
    methods = {"etas": GridETASForecaster(), "ensemble": long_term_ensemble()}
    arguments = {
        "cell_size": 150,
        "origins": origins,
        "horizon_days": 7,
        "coverage": 0.05,
        "methods": methods,
    }
    # The far corner event keeps the grid identical when later events are moved.
    before = rolling_origin_backtest(chicago.x, chicago.y, chicago.date, **arguments).per_origin
    later = chicago.date >= pd.Timestamp("2017-02-12")
    moved = chicago.copy()
    rng = np.random.default_rng(0)
    moved.loc[later, "x"] = rng.uniform(chicago.x.min(), chicago.x.max(), later.sum())
    moved.loc[later, "y"] = rng.uniform(chicago.y.min(), chicago.y.max(), later.sum())
    moved.loc[later, "date"] = moved.loc[later, "date"] + pd.Timedelta(days=3)
    extent = (chicago.x.min(), chicago.y.min(), chicago.x.max(), chicago.y.max())
    after = rolling_origin_backtest(moved.x, moved.y, moved.date, extent=extent, **arguments).per_origin
    pd.testing.assert_frame_equal(before, after)


def test_events_on_the_origin_date_are_forecast_not_trained_on(chicago):
    origin = pd.Timestamp("2017-02-06")  # six burglaries that day
    result = rolling_origin_backtest(
        chicago.x,
        chicago.y,
        chicago.date,
        cell_size=150,
        origins=[origin],
        horizon_days=1,
        coverage=1.0,
        methods=["last_horizon"],
    ).per_origin.iloc[0]
    on_origin = (chicago.date == origin).sum()
    assert on_origin > 0
    assert result["events"] == on_origin


def test_the_backtest_refuses_an_unknown_method(chicago):
    with pytest.raises(ValueError, match=r"unknown forecast method\(s\) \['arima'\]"):
        rolling_origin_backtest(
            chicago.x,
            chicago.y,
            chicago.date,
            cell_size=150,
            origins=["2017-02-05"],
            methods=["last_horizon", "arima"],
        )


def test_the_backtest_refuses_an_origin_with_no_past(chicago):
    with pytest.raises(ValueError, match="no earlier event"):
        rolling_origin_backtest(chicago.x, chicago.y, chicago.date, cell_size=150, origins=["2016-01-01"])


@pytest.mark.parametrize("horizon", [0, -7, 7.5])
def test_the_backtest_refuses_a_horizon_that_is_not_a_positive_whole_number_of_days(chicago, horizon):
    with pytest.raises(ValueError, match="horizon_days"):
        rolling_origin_backtest(
            chicago.x, chicago.y, chicago.date, cell_size=150, origins=["2017-02-05"], horizon_days=horizon
        )


def test_events_outside_a_given_extent_are_dropped_and_counted(chicago):
    extent = (362000.0, 565000.0, 365999.0, 569999.0)
    inside = chicago.x.between(362000, 365999.999) & chicago.y.between(565000, 569999.999)
    result = rolling_origin_backtest(
        chicago.x,
        chicago.y,
        chicago.date,
        cell_size=150,
        origins=["2017-02-05"],
        methods=["last_horizon"],
        extent=extent,
    )
    assert result.dropped_outside_grid == (~inside).sum()


# Constructed cases of the honest protocol: 100 m cells on a 10 x 1 strip, the training period in 2019.
def _strip_events(rows):
    """rows of (cell column, date): one event at the centre of that cell of a 1-row strip."""
    x = np.array([100.0 * column + 50.0 for column, _ in rows])
    y = np.full(len(rows), 50.0)
    dates = pd.to_datetime([date for _, date in rows])
    return x, y, dates


STRIP = (0.0, 0.0, 999.0, 99.0)
# Cells 0..4 hold history (cell 0 the most); cells 5..9 none before 2020.
HISTORY = [(0, "2019-06-01")] * 5 + [(column, "2019-07-01") for column in range(1, 5)]


def test_events_in_cells_outside_the_study_area_are_counted_in_n_and_in_the_best_possible():
    test_week = [
        (0, "2020-01-02"),
        (0, "2020-01-03"),
        (7, "2020-01-02"),
        (7, "2020-01-04"),
        (7, "2020-01-05"),
    ]
    x, y, dates = _strip_events(HISTORY + test_week)
    result = rolling_origin_backtest(
        x,
        y,
        dates,
        cell_size=100,
        extent=STRIP,
        origins=["2020-01-01"],
        coverage=0.2,
        n_boot=10,
        methods=["all_history"],
    )
    row = result.per_origin.set_index("method").loc["all_history"]
    # The area is the 5 cells with history; 20 % of it is 1 cell, cell 0, which holds 2 of the 5 events.
    assert (row["study_area_cells"], row["flagged_cells"]) == (5, 1)
    assert (row["events"], row["events_in_study_area"], row["events_outside_study_area"]) == (5, 2, 3)
    assert row["captured"] == 2
    assert row["hit_rate"] == pytest.approx(2 / 5)  # not 2 / 2: the 3 events of cell 7 are missed
    assert row["pai"] == pytest.approx((2 / 5) / (1 / 5))
    assert row["best_possible"] == 3  # one cell could have caught 3: cell 7, outside the area
    assert row["pei_star"] == pytest.approx(2 / 3)
    assert row["hit_rate_in_study_area"] == pytest.approx(1.0)


def test_the_study_area_is_fixed_from_the_training_period_unless_asked_per_origin():
    # Cell 7 gets its first event in the first test week; at the second origin it is in the per-origin area.
    events = HISTORY + [(7, "2020-01-02"), (7, "2020-01-09")]
    x, y, dates = _strip_events(events)
    arguments = dict(
        cell_size=100,
        extent=STRIP,
        origins=["2020-01-01", "2020-01-08"],
        coverage=0.2,
        n_boot=10,
        methods=["last_horizon"],
    )
    fixed = rolling_origin_backtest(x, y, dates, **arguments).per_origin
    moving = rolling_origin_backtest(x, y, dates, study_area="per_origin", **arguments).per_origin
    fixed_second = fixed[(fixed.method == "last_horizon") & (fixed.origin == "2020-01-08")].iloc[0]
    moving_second = moving[(moving.method == "last_horizon") & (moving.origin == "2020-01-08")].iloc[0]
    assert fixed_second["study_area_cells"] == 5 and fixed_second["events_outside_study_area"] == 1
    assert moving_second["study_area_cells"] == 6 and moving_second["events_outside_study_area"] == 0
    # Last week's burglary in cell 7 is flagged only where cell 7 may be flagged.
    assert (fixed_second["captured"], moving_second["captured"]) == (0, 1)


def test_monthly_windows_are_calendar_months():
    events = HISTORY + [(0, "2020-01-31"), (0, "2020-02-01"), (0, "2020-02-29"), (0, "2020-03-01")]
    x, y, dates = _strip_events(events)
    result = rolling_origin_backtest(
        x,
        y,
        dates,
        cell_size=100,
        extent=STRIP,
        horizon_days="month",
        coverage=0.2,
        n_boot=10,
        origins=rolling_origins("2020-01-01", "2020-02-29", "month"),
        methods=["all_history"],
    )
    rows = result.per_origin[result.per_origin.method == "all_history"].set_index("origin")
    assert list(rows.index) == [pd.Timestamp("2020-01-01"), pd.Timestamp("2020-02-01")]
    assert list(rows["horizon_days"]) == [31, 29]  # 2020 is a leap year
    assert list(rows["events"]) == [1, 2]  # 31 Jan in January; 1 and 29 Feb in February; 1 March in neither


def test_a_monthly_backtest_refuses_an_origin_that_is_not_the_first_of_a_month():
    x, y, dates = _strip_events(HISTORY + [(0, "2020-01-20")])
    with pytest.raises(ValueError, match="first day of a month; 2020-01-15 is not"):
        rolling_origin_backtest(
            x, y, dates, cell_size=100, extent=STRIP, horizon_days="month", origins=["2020-01-15"]
        )


def test_the_baselines_are_always_in_the_table():
    x, y, dates = _strip_events(HISTORY + [(0, "2020-01-02")])
    result = rolling_origin_backtest(
        x,
        y,
        dates,
        cell_size=100,
        extent=STRIP,
        origins=["2020-01-01"],
        coverage=0.2,
        n_boot=10,
        methods={"mine": NaiveForecaster(period=3)},
    )
    assert list(result.summary.index) == ["mine", *BASELINE_NAMES]
    assert set(result.comparison["baseline"]) == set(BASELINE_NAMES)
    assert set(result.comparison.query("baseline == 'all_history'")["method"]) == {
        "mine",
        "last_365",
        "last_horizon",
        "kde",
    }


def _per_origin(method_captured, baseline_captured):
    origins = list(range(len(method_captured)))
    return pd.DataFrame(
        {
            "method": ["mine"] * len(origins) + ["all_history"] * len(origins),
            "origin": origins * 2,
            "captured": list(method_captured) + list(baseline_captured),
        }
    )


def test_the_paired_interval_is_above_zero_when_the_method_wins_at_every_origin():
    rows = _per_origin([5, 6, 7, 8, 9, 10], [4, 4, 5, 6, 8, 7])
    comparison = paired_comparison(rows, n_boot=1000).iloc[0]
    assert (comparison["method"], comparison["baseline"]) == ("mine", "all_history")
    assert comparison["difference"] == 11
    assert (comparison["origins_better"], comparison["origins_worse"]) == (6, 0)
    # Every origin's difference is 1, 2 or 3: any resample of 6 sums to between 6 and 18.
    assert 6 <= comparison["difference_low"] < comparison["difference_high"] <= 18
    assert comparison["pei_star_ratio"] == pytest.approx(45 / 34)
    assert comparison["ratio_low"] > 1


def test_the_paired_interval_straddles_zero_when_wins_and_losses_balance():
    rows = _per_origin([5, 3, 5, 3, 5, 3, 5, 3], [3, 5, 3, 5, 3, 5, 3, 5])
    comparison = paired_comparison(rows, n_boot=2000, random_state=1).iloc[0]
    assert comparison["difference"] == 0
    assert comparison["difference_low"] < 0 < comparison["difference_high"]


def test_the_paired_interval_is_the_percentile_interval_of_resampled_sums():
    # With two origins of differences +4 and -2, a resample sums to 8, 2 or -4 with chances 1/4, 1/2, 1/4.
    rows = _per_origin([6, 1], [2, 3])
    comparison = paired_comparison(rows, n_boot=4000, confidence=0.4, random_state=3).iloc[0]
    assert (comparison["difference_low"], comparison["difference_high"]) == (2.0, 2.0)
    wide = paired_comparison(rows, n_boot=4000, confidence=0.9, random_state=3).iloc[0]
    assert (wide["difference_low"], wide["difference_high"]) == (-4.0, 8.0)

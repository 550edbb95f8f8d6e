from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mahalla.engine.backtest import rolling_origin_backtest, rolling_origins
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


def test_rolling_origins_cover_the_test_year_in_whole_horizons():
    weekly = rolling_origins("2017-01-01", "2017-12-31", 7)
    monthly = rolling_origins("2017-01-01", "2017-12-31", 30)
    assert len(weekly) == 52 and weekly[-1] == pd.Timestamp("2017-12-24")
    assert len(monthly) == 12 and monthly[-1] == pd.Timestamp("2017-11-27")


def test_every_method_beats_a_random_choice_of_cells_on_real_chicago_burglary(weekly_q1):
    summary = weekly_q1.summary
    assert list(summary.index) == ["naive", "kde", "prospective", "etas"]
    assert (summary["origins"] == 12).all()
    # PAI = 1 is what flagging cells at random achieves; burglary concentrates, so every method does better.
    assert (summary["pai"] > 1.5).all()
    per_origin = weekly_q1.per_origin
    assert per_origin["pei_star"].between(0, 1).all()
    assert (per_origin["hit_rate"] <= per_origin["pei_star"] + 1e-12).all()  # n / N <= n / n* since n* <= N


def _cells(frame, x_min, y_min, n_cols):
    """Flat cell index computed afresh from the coordinates, not through the engine's grid."""
    return ((frame.y - y_min) // 150).astype(int) * n_cols + ((frame.x - x_min) // 150).astype(int)


def test_a_per_origin_row_equals_the_forecast_rebuilt_by_hand(chicago, weekly_q1):
    origin = pd.Timestamp("2017-02-05")
    x_min, y_min = chicago.x.min(), chicago.y.min()
    n_cols = int((chicago.x.max() - x_min) // 150) + 1
    n_rows = int((chicago.y.max() - y_min) // 150) + 1
    cells = _cells(chicago, x_min, y_min, n_cols)
    past = chicago.date < origin
    last_week = past & (chicago.date >= origin - pd.Timedelta(days=7))
    test_week = (chicago.date >= origin) & (chicago.date < origin + pd.Timedelta(days=7))
    study_area = np.zeros(n_rows * n_cols, dtype=bool)
    study_area[cells[past].unique()] = True
    naive = np.bincount(cells[last_week], minlength=n_rows * n_cols)
    actual = np.bincount(cells[test_week], minlength=n_rows * n_cols)

    expected = forecast_score(naive, actual, 0.05, study_area=study_area)
    row = weekly_q1.per_origin.query("method == 'naive' and origin == @origin").iloc[0]

    assert row["study_area_cells"] == study_area.sum()
    assert row["events"] + row["events_outside_study_area"] == test_week.sum()
    assert (row["captured"], row["best_possible"], row["flagged_cells"]) == (
        expected.captured,
        expected.best_possible,
        expected.flagged,
    )
    assert (row["hit_rate"], row["pai"], row["pei_star"]) == pytest.approx(
        (expected.hit_rate, expected.pai, expected.pei_star)
    )
    assert row["hit_rate_all_events"] == pytest.approx(expected.captured / test_week.sum())


def test_events_after_the_forecast_horizon_cannot_change_the_forecast(chicago):
    origins = [pd.Timestamp("2017-02-05")]
    methods = {"etas": GridETASForecaster(), "naive": NaiveForecaster(period=7)}
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
        methods=["naive"],
    ).per_origin.iloc[0]
    on_origin = (chicago.date == origin).sum()
    assert on_origin > 0
    assert result["events"] + result["events_outside_study_area"] == on_origin


def test_the_backtest_refuses_an_unknown_method(chicago):
    with pytest.raises(ValueError, match=r"unknown forecast method\(s\) \['arima'\]"):
        rolling_origin_backtest(
            chicago.x,
            chicago.y,
            chicago.date,
            cell_size=150,
            origins=["2017-02-05"],
            methods=["naive", "arima"],
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
        methods=["naive"],
        extent=extent,
    )
    assert result.dropped_outside_grid == (~inside).sum()

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mahalla.engine import backtest_cli
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


# The command layer (mahalla engine backtest)


def _run_cli(arguments):
    out, err = io.StringIO(), io.StringIO()
    code = backtest_cli.main(arguments, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _write_csv(tmp_path, rows):
    path = tmp_path / "crimes.csv"
    path.write_text("x,y,date_single\n" + "".join(f"{x},{y},{d}\n" for x, y, d in rows))
    return path


CLI_PERIOD = ["--start", "2017-01-01", "--end", "2017-03-31"]
CHICAGO_FORMAT = ["--date-column", "date_single", "--date-format", "%d/%m/%Y"]


def test_the_command_prints_one_row_per_requested_method(weekly_q1):
    code, out, err = _run_cli(
        [
            "--csv",
            str(CHICAGO),
            *CHICAGO_FORMAT,
            *CLI_PERIOD,
            "--coverage",
            "0.05",
            "--method",
            "naive",
            "--method",
            "etas",
        ]
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert "1437 events" in lines[0] and "12 origins 2017-01-01 .. 2017-03-19" in lines[0]
    rows = {line.split()[0]: line.split() for line in lines[3:]}
    assert list(rows) == ["naive", "etas"]
    # The printed means are those of the engine's backtest on the same data.
    assert float(rows["etas"][3]) == pytest.approx(weekly_q1.summary.loc["etas", "pai"], abs=5e-5)


def test_the_command_names_a_missing_column_and_lists_the_columns(tmp_path):
    path = _write_csv(tmp_path, [(1, 2, "01/01/2017")])
    code, _, err = _run_cli(["--csv", str(path), "--date-column", "date", *CLI_PERIOD])
    assert code == 2
    assert "column 'date' (--date-column) not found; the columns are x, y, date_single" in err


def test_the_command_names_the_row_of_an_unparsable_date(tmp_path):
    path = _write_csv(tmp_path, [(1, 2, "01/01/2017"), (1, 2, "02/01/2017"), (1, 2, "31/02/2017")])
    code, _, err = _run_cli(["--csv", str(path), *CHICAGO_FORMAT, *CLI_PERIOD])
    assert code == 2
    assert (
        "row 3 (line 4): column 'date_single' value '31/02/2017' does not match --date-format %d/%m/%Y" in err
    )


def test_the_command_names_the_row_of_a_non_numeric_coordinate(tmp_path):
    path = _write_csv(tmp_path, [(1, 2, "01/01/2017"), ("12O5.5", 2, "02/01/2017")])
    code, _, err = _run_cli(["--csv", str(path), *CHICAGO_FORMAT, *CLI_PERIOD])
    assert code == 2
    assert "row 2 (line 3): column 'x' value '12O5.5' is not a finite number" in err


def test_the_command_refuses_a_test_period_date_in_another_format():
    code, _, err = _run_cli(
        ["--csv", str(CHICAGO), *CHICAGO_FORMAT, "--start", "01/01/2017", "--end", "2017-03-31"]
    )
    assert code == 2
    assert "--start '01/01/2017' is not a date in the form YYYY-MM-DD" in err


def test_the_command_refuses_an_unknown_method(capsys):
    code, _, _ = _run_cli(["--csv", str(CHICAGO), *CLI_PERIOD, "--method", "arima"])
    assert code == 2
    assert "invalid choice: 'arima'" in capsys.readouterr().err

"""The command layer of the rolling-origin backtest: `mahalla engine backtest`."""

import io
from pathlib import Path

import pandas as pd
import pytest

from mahalla.analytics import backtest_cli
from mahalla.engine.backtest import rolling_origin_backtest, rolling_origins

CHICAGO = (
    Path(__file__).resolve().parents[2]
    / "engine"
    / "tests"
    / "data"
    / "forecast"
    / "chicago_burglary_subset_2016_2017q1.csv"
)


@pytest.fixture(scope="module")
def weekly_q1():
    frame = pd.read_csv(CHICAGO)
    frame["date"] = pd.to_datetime(frame["date_single"], format="%d/%m/%Y")
    return rolling_origin_backtest(
        frame.x,
        frame.y,
        frame.date,
        cell_size=150,
        origins=rolling_origins("2017-01-01", "2017-03-31", 7),
        horizon_days=7,
        coverage=0.05,
    )


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
            "ensemble",
        ]
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert "1437 events" in lines[0] and "12 origins 2017-01-01 .. 2017-03-19" in lines[0]
    assert "study area training" in lines[0]
    table_end = lines.index("")
    header = lines[1].split()
    rows = {line.split()[0]: line.split() for line in lines[3:table_end]}
    # The method asked for, then the baselines, which are always in the table.
    assert list(rows) == ["ensemble", "all_history", "last_365", "last_horizon", "kde"]
    # The printed pooled scores are those of the engine's backtest on the same data.
    pai_column = header.index("pai") + 1
    assert float(rows["ensemble"][pai_column]) == pytest.approx(
        weekly_q1.summary.loc["ensemble", "pai"], abs=5e-5
    )
    assert "paired comparison" in lines[table_end + 1]


def test_the_command_forecasts_calendar_months():
    code, out, err = _run_cli(
        ["--csv", str(CHICAGO), *CHICAGO_FORMAT, *CLI_PERIOD, "--horizon", "month", "--method", "all_history"]
    )
    assert (code, err) == (0, "")
    assert "horizon month; 3 origins 2017-01-01 .. 2017-03-01" in out.splitlines()[0]


def test_the_command_refuses_a_horizon_that_is_neither_days_nor_month(capsys):
    code, _, _ = _run_cli(["--csv", str(CHICAGO), *CHICAGO_FORMAT, *CLI_PERIOD, "--horizon", "fortnight"])
    # argparse reports usage errors on the process's stderr.
    assert (
        code == 2 and "'fortnight' is neither a whole number of days nor 'month'" in capsys.readouterr().err
    )


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

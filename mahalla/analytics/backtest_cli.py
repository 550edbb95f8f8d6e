"""Command layer of the rolling-origin backtest: read a CSV of crimes, run the backtest, print a table.

The engine reads no files; this module is its command layer. The console script calls :func:`main` as
``mahalla engine backtest ...``. Example (the real Chicago burglaries, weekly forecasts over 2017)::

    mahalla engine backtest --csv chicago_residential_burglary_2014_2017.csv --date-column date_single \\
        --date-format %d/%m/%Y --cell-size 150 --horizon 7 --start 2017-01-01 --end 2017-12-31 --coverage 0.01

``--horizon month`` forecasts calendar months. The protocol is the engine's honest default: the study area
fixed from the events before ``--start`` (``--study-area per-origin`` recomputes it at each origin), N
counting every event of the window, pooled and mean scores, and every method compared with the baselines
paired by origin with a bootstrap interval.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from mahalla.engine.backtest import METHOD_NAMES, Horizon, rolling_origin_backtest, rolling_origins

__all__ = ["main"]


class InputError(Exception):
    """A problem with the user's input, reported as one line naming the file, row, column and value."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mahalla engine backtest",
        description="Rolling-origin backtest of grid crime forecasts: hit rate, PAI and PEI* per method.",
    )
    parser.add_argument("--csv", required=True, type=Path, help="CSV file with one crime per row")
    parser.add_argument("--x-column", default="x", help="column of x in projected metres (default: x)")
    parser.add_argument("--y-column", default="y", help="column of y in projected metres (default: y)")
    parser.add_argument("--date-column", default="date", help="column of the crime date (default: date)")
    parser.add_argument(
        "--date-format",
        default="%Y-%m-%d",
        help="strptime format of the dates, e.g. %%d/%%m/%%Y (default: %%Y-%%m-%%d)",
    )
    parser.add_argument(
        "--cell-size", type=float, default=150.0, help="grid cell side in metres (default: 150)"
    )
    parser.add_argument(
        "--method",
        action="append",
        choices=METHOD_NAMES,
        help="forecast method, repeatable (default: all but etas and learned; the baselines all_history, "
        "last_365, last_horizon and kde are always included)",
    )
    parser.add_argument(
        "--horizon",
        type=_horizon_argument,
        default=7,
        help="days forecast at each origin, or 'month' for calendar months (default: 7)",
    )
    parser.add_argument(
        "--study-area",
        choices=("training", "per-origin"),
        default="training",
        help="cells that may be flagged: those with an event before --start (default), or before each origin",
    )
    parser.add_argument(
        "--bootstrap", type=int, default=2000, help="bootstrap resamples of the origins (default: 2000)"
    )
    parser.add_argument("--start", required=True, help="first day of the test period, YYYY-MM-DD")
    parser.add_argument("--end", required=True, help="last day of the test period, YYYY-MM-DD (included)")
    parser.add_argument(
        "--coverage", type=float, default=0.01, help="fraction of the study area flagged (default: 0.01)"
    )
    parser.add_argument("--per-origin", action="store_true", help="also print one row per method and origin")
    return parser


def _horizon_argument(text: str) -> Horizon:
    if text == "month":
        return "month"
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is neither a whole number of days nor 'month'") from None


def _read_events(
    path: Path, x_column: str, y_column: str, date_column: str, date_format: str
) -> pd.DataFrame:
    """Read and check the CSV; an error names the file, the row (and file line), the column and the value."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError as error:
        raise InputError(f"{path}: no such file") from error
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: not a readable CSV file ({error})") from error
    for option, column in (
        ("--x-column", x_column),
        ("--y-column", y_column),
        ("--date-column", date_column),
    ):
        if column not in frame.columns:
            raise InputError(
                f"{path}: column {column!r} ({option}) not found; the columns are {', '.join(frame.columns)}"
            )
    if frame.empty:
        raise InputError(f"{path}: no rows after the header")

    def where(index: int) -> str:
        # Data row 1 is line 2 of the file, under the header.
        return f"{path}: row {index + 1} (line {index + 2})"

    coordinates = {}
    for column in (x_column, y_column):
        text = frame[column].str.strip()
        values = pd.to_numeric(text, errors="coerce")
        bad = values.isna() | ~np.isfinite(values)
        if bad.any():
            index = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(
                f"{where(index)}: column {column!r} value {frame[column].iloc[index]!r} "
                "is not a finite number"
            )
        coordinates[column] = values.to_numpy(dtype=float)
    dates = pd.to_datetime(frame[date_column].str.strip(), format=date_format, errors="coerce")
    if dates.isna().any():
        index = int(np.flatnonzero(dates.isna().to_numpy())[0])
        raise InputError(
            f"{where(index)}: column {date_column!r} value {frame[date_column].iloc[index]!r} "
            f"does not match --date-format {date_format}"
        )
    return pd.DataFrame({"x": coordinates[x_column], "y": coordinates[y_column], "date": dates})


def _day(text: str, option: str) -> pd.Timestamp:
    try:
        return pd.Timestamp(pd.to_datetime(text, format="%Y-%m-%d"))
    except ValueError as error:
        raise InputError(f"{option} {text!r} is not a date in the form YYYY-MM-DD") from error


def main(argv: list[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run the backtest described by the command-line arguments and print its table.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name; default ``sys.argv[1:]``.
    stdout, stderr : text streams, optional
        Where the table and the errors go (default: the process's).

    Returns
    -------
    int
        0 on success, 2 for a usage or input error (reported as one line on ``stderr``).
    """
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    parser = _parser()
    try:
        arguments = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        events = _read_events(
            arguments.csv,
            arguments.x_column,
            arguments.y_column,
            arguments.date_column,
            arguments.date_format,
        )
        start = _day(arguments.start, "--start")
        end = _day(arguments.end, "--end")
        origins = rolling_origins(start, end, arguments.horizon)
        result = rolling_origin_backtest(
            events["x"].to_numpy(),
            events["y"].to_numpy(),
            events["date"].to_numpy(),
            cell_size=arguments.cell_size,
            origins=origins,
            horizon_days=arguments.horizon,
            coverage=arguments.coverage,
            methods=arguments.method,
            study_area="training" if arguments.study_area == "training" else "per_origin",
            n_boot=arguments.bootstrap,
        )
    except (InputError, ValueError, TypeError) as error:
        print(f"mahalla engine backtest: error: {error}", file=err)
        return 2
    print(
        f"{len(events)} events from {arguments.csv}; {arguments.cell_size:g} m cells; "
        f"horizon {arguments.horizon}{' d' if arguments.horizon != 'month' else ''}; {len(origins)} origins "
        f"{origins[0].date()} .. {origins[-1].date()}; coverage {arguments.coverage:g}; "
        f"study area {arguments.study_area}",
        file=out,
    )
    with pd.option_context(
        "display.width", 220, "display.max_columns", None, "display.float_format", "{:.4f}".format
    ):
        print(result.summary.to_string(), file=out)
        print("", file=out)
        print("paired comparison with the baselines over the origins (95 % bootstrap intervals):", file=out)
        print(result.comparison.to_string(index=False), file=out)
        if arguments.per_origin:
            print("", file=out)
            print(result.per_origin.to_string(index=False), file=out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from mahalla.engine.comparisons import (
    compstat_compare,
    daily_count_matrix,
    period_windows,
    same_date_a_year_before,
    wheeler_z,
)

D = dt.date


def test_week_to_date_starts_on_monday_and_compares_the_same_iso_weekdays_a_year_before():
    w = period_windows("2025-03-06", "wtd")  # Thursday of ISO week 10
    assert w.current == (D(2025, 3, 3), D(2025, 3, 6))
    assert w.previous == (D(2025, 2, 24), D(2025, 2, 27))
    assert w.year_before == (D(2024, 3, 4), D(2024, 3, 7))
    assert w.year_before[0].weekday() == 0 and w.year_before[1].weekday() == 3


def test_week_53_falls_back_to_week_52_when_the_previous_iso_year_has_none():
    w = period_windows("2026-12-31", "wtd")  # Thursday of ISO week 53 of 2026; ISO 2025 has 52 weeks
    assert D(2026, 12, 31).isocalendar()[1] == 53
    assert w.year_before == (D(2025, 12, 22), D(2025, 12, 25))


def test_a_sunday_week_to_date_covers_the_whole_week():
    w = period_windows("2025-03-09", "wtd")
    assert w.current == (D(2025, 3, 3), D(2025, 3, 9))


def test_february_29_maps_to_february_28_a_year_before():
    assert same_date_a_year_before(D(2024, 2, 29)) == D(2023, 2, 28)
    l28 = period_windows("2024-02-29", "l28")
    assert l28.year_before == (D(2023, 2, 1), D(2023, 2, 28))
    ytd = period_windows("2024-02-29", "ytd")
    assert ytd.current == (D(2024, 1, 1), D(2024, 2, 29))
    assert ytd.year_before == (D(2023, 1, 1), D(2023, 2, 28))


def test_previous_periods_are_the_equal_length_windows_just_before():
    l28 = period_windows("2025-05-31", "l28")
    assert l28.current == (D(2025, 5, 4), D(2025, 5, 31))
    assert l28.previous == (D(2025, 4, 6), D(2025, 5, 3))
    ytd = period_windows("2025-01-10", "ytd")
    assert ytd.previous == (D(2024, 12, 22), D(2024, 12, 31))


def test_unknown_period_is_refused_by_name():
    with pytest.raises(ValueError, match="period must be one of"):
        period_windows("2025-01-01", "mtd")


def test_wheeler_z_reproduces_wheelers_published_robbery_example():
    # Wheeler (2018): 25 robberies this month against a historical average of 16 gives z = 2.
    assert float(wheeler_z(25, 16)) == pytest.approx(2.0)
    np.testing.assert_allclose(wheeler_z([25, 0, 100], [9, 4, 100]), [4.0, -4.0, 0.0])


def test_wheeler_z_is_standard_normal_against_a_known_historical_mean():
    # The variance-stabilising property (Anscombe) is what justifies |z| > 3: check it against the normal law.
    rng = np.random.default_rng(1)
    z = wheeler_z(rng.poisson(40, 200_000), 40.0)
    # Delta method: E[2 sqrt(X)] = 2 sqrt(lambda) - 1 / (4 sqrt(lambda)) + O(lambda^-3/2).
    assert z.mean() == pytest.approx(-1 / (4 * np.sqrt(40)), abs=0.01)
    assert abs(z.std() - 1.0) < 0.01
    assert 0.0015 < np.mean(np.abs(z) > 3) < 0.0045  # normal tail: 0.0027


def test_wheeler_z_between_two_single_counts_has_variance_two():
    # Both counts carry Poisson noise, so the difference of two stabilised counts has variance ~2: the
    # documented caveat that |z| > 3 then means about 2.1 standard deviations.
    rng = np.random.default_rng(2)
    z = wheeler_z(rng.poisson(40, 200_000), rng.poisson(40, 200_000))
    assert abs(z.std() - np.sqrt(2.0)) < 0.01


def test_wheeler_z_refuses_negative_counts():
    with pytest.raises(ValueError, match="non-negative"):
        wheeler_z([-1], [2])


def _matrix(start: str, end: str, areas: list[str]) -> pd.DataFrame:
    days = pd.date_range(start, end, freq="D")
    return pd.DataFrame(0, index=areas, columns=days)


def test_compstat_counts_each_window_and_flags_only_large_changes():
    counts = _matrix("2023-12-01", "2025-03-06", ["a", "b"])
    # Area a: 1 event a day from 2025-03-03 (Monday) to 2025-03-06, i.e. WTD = 4; a year before 40 on one day.
    counts.loc["a", pd.Timestamp("2025-03-03") : pd.Timestamp("2025-03-06")] = 1
    counts.loc["a", pd.Timestamp("2024-03-05")] = 40
    counts.loc["a", pd.Timestamp("2025-02-24") : pd.Timestamp("2025-02-25")] = 1  # previous week: 2
    counts.loc["b", pd.Timestamp("2025-01-01")] = 3
    table = compstat_compare(counts, "2025-03-06", population=pd.Series({"a": 2000, "b": 5000}))
    wtd_a = table[(table.area == "a") & (table.period == "wtd")].iloc[0]
    assert wtd_a.current == 4 and wtd_a.year_before == 40 and wtd_a.previous == 2
    assert wtd_a.z_year_before == pytest.approx(2 * (2 - np.sqrt(40)))
    assert bool(wtd_a.flag_year_before) and not bool(wtd_a.flag_previous)
    assert wtd_a.pct_change_year_before == pytest.approx(-90.0)
    assert wtd_a.pct_change_previous == pytest.approx(100.0)
    ytd_a = table[(table.area == "a") & (table.period == "ytd")].iloc[0]
    assert ytd_a.current == 6 and ytd_a.previous == 0
    assert np.isnan(ytd_a.pct_change_previous)
    assert wtd_a.current_rate_per_100k == pytest.approx(200.0)
    ytd_b = table[(table.area == "b") & (table.period == "ytd")].iloc[0]
    assert ytd_b.current == 3 and ytd_b.year_before == 0
    assert ytd_b.current_days == 65


def test_windows_outside_the_matrix_are_missing_not_zero():
    counts = _matrix("2025-01-01", "2025-03-06", ["a"])
    counts.loc["a"] = 1
    table = compstat_compare(counts, "2025-03-06", periods=["l28"])
    row = table.iloc[0]
    assert row.current == 28 and row.previous == 28
    assert np.isnan(row.year_before) and not bool(row.flag_year_before)


def test_long_frame_becomes_a_contiguous_daily_matrix_with_zero_rows_for_quiet_areas():
    events = pd.DataFrame(
        {"mahalla": ["a", "a", "b"], "when": ["2025-01-01 10:00", "2025-01-03 23:59", "2025-01-03"]}
    )
    matrix = daily_count_matrix(events, area_column="mahalla", date_column="when", areas=["a", "b", "c"])
    assert list(matrix.columns) == list(pd.date_range("2025-01-01", "2025-01-03"))
    assert matrix.loc["a"].tolist() == [1, 0, 1]
    assert matrix.loc["c"].tolist() == [0, 0, 0]


def test_long_frame_with_a_bad_date_names_the_row():
    events = pd.DataFrame({"area": ["a", "b"], "date": ["2025-01-01", "not a day"]})
    with pytest.raises(ValueError, match="row 1"):
        daily_count_matrix(events)


def test_gaps_in_the_day_columns_are_refused():
    counts = _matrix("2025-01-01", "2025-01-10", ["a"]).drop(columns=pd.Timestamp("2025-01-05"))
    with pytest.raises(ValueError, match="contiguous"):
        compstat_compare(counts, "2025-01-10")


def test_population_must_cover_every_area():
    counts = _matrix("2025-01-01", "2025-01-10", ["a", "b"])
    with pytest.raises(ValueError, match="missing areas"):
        compstat_compare(counts, "2025-01-10", population=pd.Series({"a": 10}))


def test_a_date_indexed_frame_with_areas_as_columns_gives_the_same_table():
    counts = _matrix("2024-01-01", "2025-03-06", ["a", "b"])
    counts.loc["a", pd.Timestamp("2025-03-04")] = 5
    counts.loc["b", pd.Timestamp("2024-03-05")] = 2
    by_area = compstat_compare(counts, "2025-03-06")
    by_day = compstat_compare(counts.T, "2025-03-06")
    pd.testing.assert_frame_equal(by_area, by_day)

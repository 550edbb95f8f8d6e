"""The daily run's next-week forecast uses the method that won a backtest on the weeks before the date."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from mahalla.accounts.tests.factories import UserFactory
from mahalla.analytics import selectors
from mahalla.analytics.forecasting import BACKTEST_WEEKS
from mahalla.analytics.models import DailyRun, ForecastCell, MahallaDayResult
from mahalla.analytics.services import analysis_run
from mahalla.core.roles import Role, ScopeLevel
from mahalla.territory.tests.factories import reference_district

from .factories import DISTRICT_CODE, add_offences, days_back, grid_mahallas

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 10)
FAST = {"scan_permutations": 9}


@pytest.fixture
def places():
    return {m.code: m for m in grid_mahallas()}


def _forecasts():
    return dict(MahallaDayResult.objects.filter(date=DAY).values_list("mahalla__code", "forecast_next_week"))


def test_when_the_old_hot_spots_went_quiet_a_method_that_follows_recent_offences_wins(places):
    # G00, G01: 60 offences each about 21 months ago, none since. G10, G11: one a week for 20 weeks.
    for code in ("G00", "G01"):
        add_offences(places[code], days_back(DAY - dt.timedelta(days=630), 60, step=1))
    for code in ("G10", "G11"):
        add_offences(places[code], days_back(DAY, 20, step=7))
    add_offences(places["G33"], [DAY - dt.timedelta(days=400)])

    run = analysis_run(date=DAY, parameters=FAST)

    choice = run.forecast
    assert choice["method"] != "all_history"
    assert choice["weeks"] == BACKTEST_WEEKS
    # The all-history count flags the quiet G00 and G01 (10 % of 16 mahallas: 2) and catches nothing.
    assert choice["all_history_pei_star"] == 0.0
    assert choice["pei_star"] == pytest.approx(1.0)
    assert choice["difference"] == 2 * BACKTEST_WEEKS and choice["difference_low"] > 0
    forecasts = _forecasts()
    assert min(forecasts["G10"], forecasts["G11"]) > max(forecasts["G00"], forecasts["G01"])
    assert run.timings["forecast"] >= 0 and run.timings["forecast_cells"] >= 0


def test_the_all_history_count_is_kept_when_no_method_does_better(places):
    # One steady hot spot: every method flags it, so they tie, and the simplest method is kept.
    add_offences(places["G22"], days_back(DAY, 100, step=3))
    add_offences(places["G03"], days_back(DAY, 5, step=90))

    run = analysis_run(date=DAY, parameters=FAST)

    assert run.forecast["method"] == "all_history"
    assert run.forecast["margin"] == 0.0
    forecasts = _forecasts()
    # 100 offences in G22 over the 360.5 days from the first offence loaded (G03's, at midday 360 days
    # before DAY) to the end of DAY: 100 * 7 / 360.5 expected next week.
    assert forecasts["G22"] == pytest.approx(100 * 7 / 360.5, abs=1e-4)  # stored to 4 decimals


def test_with_too_little_history_the_all_history_count_is_used_and_the_reason_stored(places):
    add_offences(places["G22"], days_back(DAY, 3, step=1))

    run = analysis_run(date=DAY, parameters=FAST)

    assert run.forecast["method"] == "all_history"
    assert run.forecast["reason"] == "too little history for a backtest"
    assert _forecasts()["G22"] > 0


def test_the_choice_is_shown_to_a_reader_with_a_scope_and_to_no_one_else(places):
    add_offences(places["G22"], days_back(DAY, 100, step=3))
    analysis_run(date=DAY, parameters=FAST)
    chief = UserFactory(
        role=Role.DISTRICT_CHIEF,
        scope_level=ScopeLevel.DISTRICT,
        scope_district=reference_district(DISTRICT_CODE),
    )
    nobody = UserFactory(role=Role.MAHALLA_SEVEN, scope_level=ScopeLevel.MAHALLAS, mahallas=[])

    shown = selectors.forecast_choice_get(actor=chief, date=DAY)

    assert shown["method"] == "all_history" and shown["weeks"] == BACKTEST_WEEKS
    assert shown["margin_percent"] == 0.0
    assert selectors.forecast_choice_get(actor=nobody, date=DAY) is None
    assert selectors.forecast_choice_get(actor=chief, date=DAY - dt.timedelta(days=1)) is None
    assert DailyRun.objects.get(date=DAY).forecast["method"] == "all_history"


# The grid forecast (150 m cells per district, 2 % of the cells with any past offence flagged).
OLD_SPOT = {"latitude": 40.5010, "longitude": 72.3010}  # in G00
NEW_SPOT = {"latitude": 40.5100, "longitude": 72.3130}  # in G11, about 1.4 km from the old spot


def _scatter(places, count):
    """`count` single offences spread over distinct 150 m cells of the district, one a fortnight."""
    days = days_back(DAY - dt.timedelta(days=5), count, step=14)
    for index, day in enumerate(days):
        row, col = divmod(index, 10)
        add_offences(
            places["G33"],
            [day],
            latitude=40.515 + row * 0.0027,
            longitude=72.330 + col * 0.0036,
        )


def test_the_grid_forecast_flags_the_cell_of_the_recent_offences_when_the_old_hot_spot_went_quiet(places):
    # 60 offences at one spot 21 months ago, none since; one a week at another spot for the last 20 weeks.
    add_offences(places["G00"], days_back(DAY - dt.timedelta(days=630), 60, step=1), **OLD_SPOT)
    add_offences(places["G11"], days_back(DAY, 20, step=7), **NEW_SPOT)
    _scatter(places, 40)

    run = analysis_run(date=DAY, parameters=FAST)

    grid = run.forecast["grid"]
    assert grid["method"] != "all_history" and grid["weeks"] == BACKTEST_WEEKS
    # 42 cells with any offence: 2 % flags one. The all-history count flags the quiet spot and catches
    # nothing of the 8 weeks; the winner catches the weekly offence of the new spot every week.
    assert grid["all_history_pei_star"] == 0.0 and grid["pei_star"] > 0.5
    assert grid["difference"] > 0 and grid["difference_low"] > 0
    cells = list(ForecastCell.objects.filter(date=DAY).order_by("rank"))
    assert len(cells) == 1
    top = cells[0]
    assert top.mahalla.code == "G11" and top.run == run and top.expected > 0
    assert top.south <= NEW_SPOT["latitude"] < top.north and top.west <= NEW_SPOT["longitude"] < top.east
    # Cells of about 150 m: 0.00135 degrees of latitude.
    assert top.north - top.south == pytest.approx(150 / 111_195, rel=1e-3)


def test_offences_without_coordinates_give_no_grid_forecast_and_a_reason(places):
    add_offences(places["G22"], days_back(DAY, 100, step=3))

    run = analysis_run(date=DAY, parameters=FAST)

    assert run.forecast["grid"]["method"] == "none"
    assert run.forecast["grid"]["reason"] == "no geocoded offences"
    assert not ForecastCell.objects.exists()
    chief = UserFactory(
        role=Role.DISTRICT_CHIEF,
        scope_level=ScopeLevel.DISTRICT,
        scope_district=reference_district(DISTRICT_CODE),
    )
    assert selectors.forecast_grid_choice_get(actor=chief, date=DAY) is None


def test_a_rerun_of_the_date_replaces_the_forecast_cells(places):
    add_offences(places["G11"], days_back(DAY, 30, step=3), **NEW_SPOT)
    _scatter(places, 60)

    analysis_run(date=DAY, parameters=FAST)
    second = analysis_run(date=DAY, parameters=FAST)

    assert set(ForecastCell.objects.filter(date=DAY).values_list("run_id", flat=True)) == {second.pk}


def test_the_grid_backtest_on_occupied_cells_scores_as_the_engine_protocol_does():
    # Random offences on a 3 km square whose corner (0, 0) anchors both the engine's grid and the 150 m keys.
    from mahalla.analytics.forecasting import _cell_keys, grid_backtest
    from mahalla.engine.backtest import rolling_origin_backtest

    rng = np.random.default_rng(7)
    n = 3000
    x = np.concatenate([[0.0], rng.gamma(2.0, 400.0, n - 1).clip(0, 2999)])
    y = np.concatenate([[0.0], rng.gamma(2.0, 400.0, n - 1).clip(0, 2999)])
    days = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 400, n), unit="D")
    origins = [pd.Timestamp("2025-12-01") + pd.Timedelta(days=7 * k) for k in range(6)]

    ours, districts = grid_backtest(_cell_keys(x, y)[0], _day_times(days), origins, coverage=0.02)
    assert districts == 1
    engine = rolling_origin_backtest(
        x,
        y,
        days,
        cell_size=150.0,
        origins=origins,
        horizon_days=7,
        coverage=0.02,
        methods=["all_history", "last_365"],
        add_baselines=False,
        n_boot=1,
    ).per_origin
    for method in ("all_history", "last_365"):
        mine = ours[ours["method"] == method]
        theirs = engine[engine["method"] == method]
        assert mine["captured"].tolist() == theirs["captured"].tolist()
        assert mine["best_possible"].tolist() == theirs["best_possible"].tolist()
        assert mine["events"].tolist() == theirs["events"].tolist()
    assert set(ours["method"]) == {"all_history", "last_365", "ensemble"}


def _day_times(days: pd.DatetimeIndex) -> np.ndarray:
    return ((days - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)).to_numpy(dtype=float) + 0.5


def test_districts_forecast_together_give_exactly_what_each_gives_alone():
    # The daily run forecasts every district in one pass (its number in the high part of each cell key): the
    # backtest's sums, each cell's forecast and the flagged cells must be those of the districts one by one.
    from mahalla.analytics.forecasting import (
        _DISTRICT_STRIDE,
        _cell_keys,
        _flag,
        grid_backtest,
        grid_forecasts,
    )

    rng = np.random.default_rng(11)
    origins = [pd.Timestamp("2025-12-01") + pd.Timedelta(days=7 * k) for k in range(4)]
    districts = []
    for size, spread, first_day in ((2000, 300.0, 0), (700, 900.0, 200), (40, 150.0, 340)):
        x = rng.gamma(2.0, spread, size)
        y = rng.gamma(2.0, spread, size)
        days = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(first_day, 400, size), unit="D")
        districts.append((_cell_keys(x, y)[0], _day_times(days)))
    keys = np.concatenate([k + number * _DISTRICT_STRIDE for number, (k, _) in enumerate(districts)])
    times = np.concatenate([t for _, t in districts])

    together, counted = grid_backtest(keys, times, origins)
    alone = [grid_backtest(k, t, origins)[0] for k, t in districts]
    assert counted == sum(1 for frame in alone if not frame.empty) == 2  # the third has no study area
    summed = (
        pd.concat([frame for frame in alone if not frame.empty])
        .groupby(["method", "origin"], as_index=False, sort=False)
        .sum()
    )
    pd.testing.assert_frame_equal(together, summed)

    end = float(_day_times(pd.DatetimeIndex([origins[-1]]))[0])
    area = np.unique(keys)
    joint = grid_forecasts(keys, times, end, area, 7.0)
    for number, (k, t) in enumerate(districts):
        own = np.unique(k)
        mine = grid_forecasts(k, t, end, own, 7.0)
        part = (area // _DISTRICT_STRIDE) == number
        for name, values in mine.items():
            assert np.array_equal(joint[name][part], values), name
        flagged = _flag(joint["ensemble"], 0.02, area // _DISTRICT_STRIDE)
        ours = flagged[(area[flagged] // _DISTRICT_STRIDE) == number]
        assert (area[ours] - number * _DISTRICT_STRIDE).tolist() == own[
            _flag(mine["ensemble"], 0.02)
        ].tolist()

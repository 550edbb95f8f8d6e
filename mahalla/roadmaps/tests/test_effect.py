"""The effect of measures on the synthetic nation: the demo's planted prevention effect (each place-based
crime in the largest district prevented with probability 0.3 from a stated date, truth.json "planted" ->
"intervention") must be found with the right size, and a placebo date must show none.

The fast tests build the count panel from the generated offences file with the same function the service
uses; the slow one imports the region into the database and goes through the service end to end."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from mahalla.core.errors import ApplicationError
from mahalla.demo.generator.kinds import CRIME_KINDS
from mahalla.engine.effect import difference_in_differences
from mahalla.roadmaps.effect import count_panel, shocked_units

PLACE_BASED = {kind.name for kind in CRIME_KINDS if kind.category != "cyber"}
PERMUTATIONS = 99


@pytest.fixture(scope="module")
def region(region_nation_files):
    directory = region_nation_files
    territories = pd.read_csv(directory / "territories.csv", dtype=str)
    mahallas = territories[territories["level"] == "mahalla"].set_index("code")
    offences = pd.read_csv(
        directory / "offences.csv", dtype=str, usecols=["registration_number", "occurred_at", "mahalla_code"]
    )
    kinds = pd.read_csv(directory / "truth_offences.csv", dtype=str, usecols=["registration_number", "kind"])
    offences = offences.merge(kinds, on="registration_number", validate="one_to_one")
    crimes = offences[offences["kind"].isin(PLACE_BASED)]
    truth = json.loads((directory / "truth.json").read_text(encoding="utf-8"))
    intervention = truth["planted"]["intervention"]
    return {
        "mahallas": mahallas,
        "crimes": crimes,
        "intervention": intervention,
        "start": dt.date.fromisoformat(intervention["start_date"]),
        "treated": list(mahallas.index[mahallas["parent_code"] == intervention["district_code"]]),
        "population": mahallas["population"].astype(float),
        "first_day": pd.to_datetime(crimes["occurred_at"]).min().date(),
    }


def _panel(region, intervention, last_day):
    days = pd.to_datetime(region["crimes"]["occurred_at"]).dt.normalize()
    return count_panel(
        days,
        region["crimes"]["mahalla_code"],
        list(region["mahallas"].index),
        period="month",
        intervention=intervention,
        # Never before the first recorded offence: months before the data began would count as zeros.
        first_day=max(intervention - dt.timedelta(days=31 * 25), region["first_day"]),
        last_day=last_day,
    )


def _did(region, panel, **kwargs):
    return difference_in_differences(
        panel.counts,
        region["treated"],
        panel.treatment_start,
        exclude=shocked_units(panel.counts, panel.treatment_start, skip=region["treated"]),
        population=region["population"],
        permutations=PERMUTATIONS,
        random_state=7,
        **kwargs,
    )


def test_the_planted_prevention_effect_is_found_with_its_size(region):
    assert region["intervention"]["reduction"] == 0.3
    last_day = pd.to_datetime(region["crimes"]["occurred_at"]).max().date()
    panel = _panel(region, region["start"], last_day)
    # The month the measure began in is partly treated and left out of both sides.
    assert panel.dropped_partial == region["start"].replace(day=1)
    result = _did(region, panel)
    assert result.significant and result.p_value <= 0.05
    assert result.effect < 0
    # 30 % of place-based crimes prevented: the relative effect is about -0.30 and the interval holds it.
    assert -0.40 <= result.relative_effect <= -0.20
    assert result.relative_ci_low <= -0.30 <= result.relative_ci_high
    assert result.summary().startswith("significant: fewer offences")


def test_a_placebo_date_a_year_before_the_measure_shows_no_effect(region):
    placebo = region["start"] - dt.timedelta(days=365)
    # The placebo's post-period ends before the real measure, so only untreated months are compared.
    panel = _panel(region, placebo, region["start"].replace(day=1) - dt.timedelta(days=1))
    result = _did(region, panel)
    assert not result.significant
    assert result.summary().startswith("no significant change")


def test_the_panel_keeps_whole_months_and_counts_mahallas_without_offences_as_zero():
    days = pd.to_datetime(pd.Series(["2024-01-31", "2024-02-01", "2024-02-29", "2024-03-15", "2024-04-02"]))
    mahallas = pd.Series(["A", "A", "B", "A", "B"])
    panel = count_panel(
        days,
        mahallas,
        ["A", "B", "C"],
        period="month",
        intervention=dt.date(2024, 3, 10),
        first_day=dt.date(2024, 1, 15),
        last_day=dt.date(2024, 4, 30),
    )
    # January is cut by first_day, March by the intervention (dropped): February pre, April post.
    assert list(panel.counts.columns) == [dt.date(2024, 2, 1), dt.date(2024, 4, 1)]
    assert panel.counts.loc["A"].tolist() == [1, 0]
    assert panel.counts.loc["B"].tolist() == [1, 1]
    assert panel.counts.loc["C"].tolist() == [0, 0]
    assert panel.treatment_start == dt.date(2024, 4, 1)
    assert panel.dropped_partial == dt.date(2024, 3, 1)


def test_a_weekly_panel_starts_weeks_on_monday_and_keeps_an_intervention_on_a_monday():
    days = pd.to_datetime(pd.Series(["2024-03-04", "2024-03-10", "2024-03-11", "2024-03-18"]))
    panel = count_panel(
        days,
        pd.Series(["A"] * 4),
        ["A"],
        period="week",
        intervention=dt.date(2024, 3, 11),
        first_day=dt.date(2024, 3, 4),
        last_day=dt.date(2024, 3, 24),
    )
    assert list(panel.counts.columns) == [dt.date(2024, 3, 4), dt.date(2024, 3, 11), dt.date(2024, 3, 18)]
    assert panel.counts.loc["A"].tolist() == [2, 1, 1]
    assert panel.dropped_partial is None


def test_the_panel_refuses_an_intervention_without_a_whole_period_after_it():
    with pytest.raises(ApplicationError, match="No whole month"):
        count_panel(
            pd.to_datetime(pd.Series(["2024-03-04"])),
            pd.Series(["A"]),
            ["A"],
            period="month",
            intervention=dt.date(2024, 3, 10),
            first_day=dt.date(2023, 1, 1),
            last_day=dt.date(2024, 3, 31),
        )


def test_the_panel_names_an_unknown_period():
    with pytest.raises(ApplicationError, match="fortnight"):
        count_panel(
            pd.to_datetime(pd.Series(["2024-03-04"])),
            pd.Series(["A"]),
            ["A"],
            period="fortnight",
            intervention=dt.date(2024, 3, 10),
            first_day=dt.date(2023, 1, 1),
            last_day=dt.date(2024, 6, 30),
        )


def test_a_mahalla_with_its_own_shock_is_no_control_and_an_ordinary_pool_loses_none():
    import numpy as np

    rng = np.random.default_rng(3)
    # 400 mahallas at Poisson rates between 0.2 and 3 a month, with a common 20 % rise after month 12.
    rate = rng.uniform(0.2, 3.0, 400)
    months = np.arange(24)
    counts = pd.DataFrame(rng.poisson(rate[:, None] * np.where(months < 12, 1.0, 1.2)), columns=months)
    assert shocked_units(counts, 12) == []  # the common rise is no shock
    counts.loc[7, 12:] += 8  # a new hot spot: eight more a month
    counts.loc[9, :11] += 6  # a red year that ended with the pre-period
    counts.loc[11, 12:] += 8  # shocked too, but treated: not tested
    assert shocked_units(counts, 12, skip=[11]) == [7, 9]

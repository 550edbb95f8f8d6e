import itertools
import math

import numpy as np
import pandas as pd
import pytest

from mahalla.engine import hit_rate, pai, pei_star
from mahalla.engine.scoring import flagged_cells, forecast_score


def _scores_from_definition(risk, actual, coverage):
    """Independent reading of the definitions with pandas: rank by risk, first occurrence wins a tie."""
    frame = pd.DataFrame({"risk": np.ravel(risk), "actual": np.ravel(actual)})
    k = math.ceil(round(coverage * len(frame), 9))
    frame["rank"] = frame["risk"].rank(method="first", ascending=False)
    n = frame.loc[frame["rank"] <= k, "actual"].sum()
    total = frame["actual"].sum()
    best = frame["actual"].nlargest(k).sum()
    return n / total, (n / total) / (k / len(frame)), n / best


def test_hand_computed_scores_on_a_four_cell_grid():
    risk = [3, 1, 2, 0]
    actual = [4, 0, 1, 5]
    # k = ceil(0.5 * 4) = 2 flags cells 0 and 2: n = 5 of N = 10; the best 2 cells hold 5 + 4 = 9.
    assert hit_rate(risk, actual, 0.5) == pytest.approx(0.5)
    assert pai(risk, actual, 0.5) == pytest.approx(1.0)
    assert pei_star(risk, actual, 0.5) == pytest.approx(5 / 9)
    # k = 1 flags cell 0 alone: 4 of 10 crimes on a quarter of the area; the best single cell holds 5.
    assert hit_rate(risk, actual, 0.25) == pytest.approx(0.4)
    assert pai(risk, actual, 0.25) == pytest.approx(1.6)
    assert pei_star(risk, actual, 0.25) == pytest.approx(0.8)


def test_ties_in_risk_are_broken_by_lower_cell_index():
    risk = [1.0, 2.0, 2.0, 2.0, 0.0]
    actual = [0, 0, 0, 7, 0]
    # Cells 1, 2 and 3 tie; with k = 2 the first two (1 and 2) are flagged, so cell 3's crimes are missed.
    assert flagged_cells(risk, 0.4).tolist() == [1, 2]
    assert hit_rate(risk, actual, 0.4) == 0.0
    # Reversing the cell order reverses which tied cells win: now cell 3 of the original comes first.
    assert hit_rate(risk[::-1], actual[::-1], 0.4) == 1.0


def test_ties_in_two_dimensional_arrays_follow_the_flattened_row_major_order():
    risk = np.array([[0.0, 5.0], [5.0, 0.0]])
    actual = np.array([[0, 0], [3, 0]])
    # Flat order is (0,0), (0,1), (1,0), (1,1): cell (0,1) precedes (1,0) and wins the single flag.
    assert flagged_cells(risk, 0.25).tolist() == [1]
    assert hit_rate(risk, actual, 0.25) == 0.0


def test_flagged_cell_count_is_the_ceiling_of_coverage_times_cells():
    risk = np.arange(10.0)
    assert len(flagged_cells(risk, 0.25)) == 3  # 2.5 cells round up
    assert len(flagged_cells(risk, 0.2)) == 2  # exactly 2 cells
    assert len(flagged_cells(risk, 0.001)) == 1  # any positive coverage flags at least one cell
    # 0.01 * 300 is 3.0000000000000004 in binary; it must flag 3 cells, not 4.
    assert len(flagged_cells(np.arange(300.0), 0.01)) == 3
    assert len(flagged_cells(np.arange(700.0), 0.07)) == 49


def test_full_coverage_captures_everything_and_scores_one():
    rng = np.random.default_rng(3)
    risk = rng.random(50)
    actual = rng.poisson(1.0, 50)
    assert hit_rate(risk, actual, 1.0) == 1.0
    assert pai(risk, actual, 1.0) == pytest.approx(1.0)
    assert pei_star(risk, actual, 1.0) == 1.0


def test_a_perfect_forecast_has_pei_star_one_and_the_reverse_forecast_zero():
    actual = np.array([0, 0, 9, 1, 4, 0])
    assert pei_star(actual, actual, 0.34) == 1.0
    assert pei_star(-actual, actual, 0.34) == 0.0


def test_scores_agree_with_an_independent_reading_of_the_definitions():
    rng = np.random.default_rng(11)
    for _ in range(200):
        cells = int(rng.integers(1, 60))
        # Few distinct risk values, so ties are frequent.
        risk = rng.integers(0, 4, cells).astype(float)
        actual = rng.poisson(0.8, cells)
        if actual.sum() == 0:
            continue
        coverage = float(rng.choice([0.01, 0.05, 0.1, 0.25, 0.5, 0.99, 1.0]))
        expected = _scores_from_definition(risk, actual, coverage)
        got = forecast_score(risk, actual, coverage)
        assert (got.hit_rate, got.pai, got.pei_star) == pytest.approx(expected)


def test_pei_star_stays_within_zero_and_one():
    rng = np.random.default_rng(5)
    values = [
        pei_star(rng.normal(size=40), rng.poisson(rng.uniform(0.1, 3.0), 40), float(rng.uniform(0.01, 1.0)))
        for _ in range(500)
    ]
    values = np.array(values)
    values = values[~np.isnan(values)]
    assert values.size > 400
    assert values.min() >= 0.0 and values.max() <= 1.0


def test_pai_of_a_uniformly_random_forecast_is_one_in_expectation():
    actual = np.array([5, 0, 2, 0, 1, 7])
    # A uniformly random forecast is a uniformly random ordering of the cells: average over all 720 of them.
    values = [pai(np.array(order, dtype=float), actual, 1 / 3) for order in itertools.permutations(range(6))]
    assert np.mean(values) == pytest.approx(1.0, abs=1e-12)


def test_pai_of_a_forecast_that_ignores_the_crimes_is_near_one_on_a_large_grid():
    rng = np.random.default_rng(8)
    actual = rng.poisson(rng.gamma(0.5, 2.0, 5000))
    values = [pai(rng.random(5000), actual, 0.05) for _ in range(200)]
    # Standard error of the mean of 200 draws is about 0.02 here.
    assert np.mean(values) == pytest.approx(1.0, abs=0.08)


def test_study_area_limits_the_flaggable_cells_and_the_denominators():
    risk = np.array([9.0, 8.0, 1.0, 0.5])
    actual = np.array([6, 1, 2, 1])
    area = np.array([False, True, True, True])
    score = forecast_score(risk, actual, 1 / 3, study_area=area)
    # Cell 0 is outside: A = 3, k = 1 flags cell 1 (1 crime of N = 4), and n* = 2 (cell 2).
    assert (score.cells, score.flagged, score.captured, score.total, score.best_possible) == (3, 1, 1, 4, 2)
    assert score.pai == pytest.approx((1 / 4) / (1 / 3))
    assert score.pei_star == pytest.approx(0.5)


def test_scores_are_undefined_when_the_test_period_has_no_crime():
    score = forecast_score([1.0, 2.0], [0, 0], 0.5)
    assert math.isnan(score.hit_rate) and math.isnan(score.pai) and math.isnan(score.pei_star)
    assert score.total == 0


@pytest.mark.parametrize("coverage", [0.0, -0.1, 1.01, float("nan")])
def test_coverage_outside_the_unit_interval_is_refused(coverage):
    with pytest.raises(ValueError, match="coverage"):
        pai([1.0, 2.0], [1, 0], coverage)


def test_coverage_that_is_not_a_number_is_refused():
    with pytest.raises(TypeError, match="coverage"):
        pai([1.0, 2.0], [1, 0], "1%")  # type: ignore[arg-type]


def test_arrays_of_different_shapes_are_refused_with_both_shapes_named():
    with pytest.raises(ValueError, match=r"\(3,\) and \(2,\)"):
        hit_rate([1.0, 2.0, 3.0], [1, 0], 0.5)


def test_a_missing_risk_value_is_refused_naming_the_cell():
    with pytest.raises(ValueError, match="cell 1"):
        pei_star([1.0, np.nan, 3.0], [1, 0, 0], 0.5)


def test_negative_crime_counts_are_refused_naming_the_cell():
    with pytest.raises(ValueError, match="cell 2"):
        pei_star([1.0, 2.0, 3.0], [1, 0, -1], 0.5)


def test_a_study_area_that_is_not_boolean_or_empty_is_refused():
    with pytest.raises(TypeError, match="boolean"):
        pai([1.0, 2.0], [1, 1], 0.5, study_area=[1, 0])
    with pytest.raises(ValueError, match="no cell"):
        pai([1.0, 2.0], [1, 1], 0.5, study_area=np.array([False, False]))

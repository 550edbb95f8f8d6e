"""Knox test against the Near Repeat Calculator's published output on Chicago 2016 burglaries."""

from __future__ import annotations

import csv
import datetime as dt
import functools
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from mahalla.engine import knox

DATA = Path(__file__).parent / "data" / "near_repeat" / "chicago_residential_burglary_2016.csv"

# The calculator's bands "same location, 1-100, 101-200, 201-300 m" x "0-2, 3-4 days" (see PROVENANCE.md).
SPACE_EDGES = [0, 1, 100, 200, 300]
TIME_EDGES = [0, 2, 4]


@functools.cache
def chicago_2016() -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    with DATA.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    xy = np.array([[float(row["x"]), float(row["y"])] for row in rows])
    origin = dt.date(2016, 1, 1)
    # date_single is day first (DD/MM/YYYY).
    days = np.array(
        [(dt.datetime.strptime(row["date_single"], "%d/%m/%Y").date() - origin).days for row in rows]
    )
    return xy, days.astype(np.float64)


def test_chicago_subset_is_the_whole_of_2016() -> None:
    xy, days = chicago_2016()
    assert xy.shape == (11_701, 2)
    assert days.min() == 0 and days.max() == 365  # 2016 is a leap year


def test_half_open_bands_reproduce_the_near_repeat_calculator_observed_counts() -> None:
    xy, days = chicago_2016()
    result = knox(xy, days, SPACE_EDGES, TIME_EDGES, closed="left", permutations=1, random_state=0)
    assert result.observed.tolist() == [[202, 51], [189, 143], [290, 343], [456, 526]]
    assert result.closed == "left"


def test_closed_right_bands_give_the_davies_counts() -> None:
    xy, days = chicago_2016()
    result = knox(xy, days, SPACE_EDGES, TIME_EDGES, closed="right", permutations=1, random_state=0)
    assert result.observed.tolist() == [[225, 50], [260, 142], [457, 341], [715, 567]]


def test_other_readings_of_the_calculator_labels_do_not_reproduce_it() -> None:
    # "101-200" read literally as [101, 201) changes the 1-100 m row: the binning really is [a - 1, b).
    xy, days = chicago_2016()
    literal = knox(xy, days, [0, 1, 101, 201, 301], TIME_EDGES, permutations=1, random_state=0)
    assert literal.observed[1].tolist() != [189, 143]


def test_knox_ratios_are_near_the_published_ones_and_all_cells_significant() -> None:
    xy, days = chicago_2016()
    result = knox(xy, days, SPACE_EDGES, TIME_EDGES, permutations=99, random_state=20161)
    published = np.array([[15.60, 3.34], [2.68, 1.58], [1.37, 1.30], [1.30, 1.14]])
    # The calculator averaged only 20 permutations, so its small expected counts are noisy: same location,
    # 0-2 days expects about 12 pairs; allow 25 % there and 10 % in the cells with hundreds of pairs.
    assert 14.0 <= result.ratio[0, 0] <= 19.5
    np.testing.assert_allclose(result.ratio[1:], published[1:], rtol=0.10)
    np.testing.assert_allclose(result.ratio[0, 1], published[0, 1], rtol=0.25)
    # Like the calculator (p = 0.05, its floor with 19 permutations, in every cell), every cell shows an
    # excess of near repeats; within 200 m the observed count beats all 99 replicates.
    assert np.all(result.p_value <= 0.05)
    np.testing.assert_array_equal(result.p_value[:3], np.full((3, 2), 0.01))


def unordered_pairs_below(values_sorted: NDArray[np.float64], edge: float) -> float:
    """Pairs i < j with |t_i - t_j| < edge among sorted values, by counting (independent of the engine)."""
    if edge <= 0:
        return 0.0
    reach = np.searchsorted(values_sorted, values_sorted + edge, side="left")
    return float(np.sum(reach - np.arange(1, values_sorted.size + 1)))


def test_permutation_expectation_matches_knox_analytic_expectation() -> None:
    # Under a uniform shuffle of times a location pair receives a uniformly random pair of distinct times, so
    # E[cell] = (pairs in the distance band) x (time pairs in the gap band) / (all pairs) (Knox 1964).
    xy, days = chicago_2016()
    result = knox(xy, days, SPACE_EDGES, TIME_EDGES, permutations=400, random_state=7)
    n = days.size
    tree = cKDTree(xy)
    # count_neighbors counts ordered pairs with d <= r, each point with itself included; just below the
    # edge turns that into unordered pairs with d < edge.
    space_below = [
        0.0 if edge == 0 else (tree.count_neighbors(tree, np.nextafter(edge, 0.0)) - n) / 2
        for edge in SPACE_EDGES
    ]
    time_below = [unordered_pairs_below(np.sort(days), edge) for edge in TIME_EDGES]
    analytic = np.outer(np.diff(space_below), np.diff(time_below)) / (n * (n - 1) / 2)
    # The smallest cell expects about 11 pairs, so 400 replicates pin its mean to about 1.5 %.
    np.testing.assert_allclose(result.expected, analytic, rtol=0.05)
    assert analytic[0, 0] == pytest.approx(202 / 18, rel=0.15)


def test_pairs_on_a_band_edge_follow_the_chosen_closure() -> None:
    xy = np.array([[0.0, 0.0], [100.0, 0.0], [0.0, 250.0]])
    days = np.array([0.0, 2.0, 9.0])
    # Pair (0, 1): exactly 100 m and exactly 2 days apart; the others are farther than 200 m.
    left = knox(xy, days, [0, 100, 200], [0, 2, 7], closed="left", permutations=5, random_state=0)
    right = knox(xy, days, [0, 100, 200], [0, 2, 7], closed="right", permutations=5, random_state=0)
    assert left.observed.tolist() == [[0, 0], [0, 1]]
    assert right.observed.tolist() == [[1, 0], [0, 0]]


def test_same_place_same_day_pairs_count_in_the_first_band_under_both_closures() -> None:
    xy = np.array([[5.0, 5.0], [5.0, 5.0], [900.0, 900.0]])
    days = np.array([3.0, 3.0, 40.0])
    for closed in ("left", "right"):
        result = knox(xy, days, [0, 1, 50], [0, 1, 5], closed=closed, permutations=3, random_state=0)
        assert result.observed.tolist() == [[1, 0], [0, 0]], closed


def test_no_interaction_gives_ratios_near_one() -> None:
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 2_000, size=(3_000, 2))
    days = rng.integers(0, 365, size=3_000).astype(float)
    result = knox(xy, days, [0, 100, 200, 400], [0, 7, 14, 28], permutations=99, random_state=4)
    np.testing.assert_allclose(result.ratio, 1.0, atol=0.15)
    assert np.all(result.p_value > 0.01)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"space_edges": [0, 100, 50]}, "space_edges must be strictly increasing"),
        ({"space_edges": [0, np.inf]}, "space_edges must be finite"),
        ({"time_edges": [-1, 2]}, "time_edges must start at 0"),
        ({"time_edges": [3]}, "at least two edges"),
        ({"closed": "both"}, "closed must be"),
        ({"permutations": 0}, "permutations must be a positive integer"),
        ({"t_days": [0.0, 1.0]}, "t_days must have shape"),
        ({"t_days": [0.0, np.nan, 2.0]}, "t_days must be finite; event 1"),
    ],
)
def test_bad_input_is_rejected_with_a_message_naming_it(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {
        "xy": np.zeros((3, 2)),
        "t_days": [0.0, 1.0, 2.0],
        "space_edges": [0, 1, 100],
        "time_edges": [0, 2, 4],
    }
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        knox(**arguments)  # type: ignore[arg-type]

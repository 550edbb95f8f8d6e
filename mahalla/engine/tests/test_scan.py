"""Space-time permutation scan: brute force over all cylinders, naive permutations, planted clusters, size."""

from __future__ import annotations

import math
from itertools import product

import numpy as np
import pytest
from numpy.typing import NDArray
from scipy import stats

from mahalla.engine import space_time_permutation_scan
from mahalla.engine.scan import _nearest_areas


def brute_force_cylinders(
    counts: NDArray[np.int64],
    coords: NDArray[np.float64],
    max_neighbors: int,
    max_days: int,
    prospective: bool,
) -> list[tuple[float, frozenset[int], int, int, int, float]]:
    """Every cylinder of Kulldorff (2005) written out with Python loops: (llr, areas, start, end, c, mu)."""
    n_areas, n_days = counts.shape
    total = int(counts.sum())
    area_totals = counts.sum(axis=1)
    day_totals = counts.sum(axis=0)
    cylinders = []
    for centre in range(n_areas):
        distance = [math.dist(coords[centre], coords[other]) for other in range(n_areas)]
        by_distance = sorted(range(n_areas), key=lambda other: (distance[other], other))
        for k in range(1, max_neighbors + 1):
            circle = by_distance[:k]
            ends = [n_days - 1] if prospective else range(n_days)
            for end in ends:
                for length in range(1, max_days + 1):
                    start = end - length + 1
                    if start < 0:
                        continue
                    c = int(sum(counts[z, d] for z in circle for d in range(start, end + 1)))
                    mu = sum(area_totals[z] for z in circle) * sum(day_totals[start : end + 1]) / total
                    llr = 0.0
                    if c > mu:
                        llr = c * math.log(c / mu)
                        if total > c:
                            llr += (total - c) * math.log((total - c) / (total - mu))
                    cylinders.append((llr, frozenset(circle), start, end, c, mu))
    return cylinders


def brute_force_max(
    counts: NDArray[np.int64], coords: NDArray[np.float64], k: int, days: int, prosp: bool
) -> float:
    return max(cylinder[0] for cylinder in brute_force_cylinders(counts, coords, k, days, prosp))


def tiny_case(seed: int, n_areas: int = 7, n_days: int = 10, rate: float = 0.8) -> tuple[NDArray, NDArray]:
    rng = np.random.default_rng(seed)
    counts = rng.poisson(rate, size=(n_areas, n_days))
    # Generic real coordinates: no distance ties, so the brute force's circles are unambiguous.
    coords = rng.uniform(0, 10, size=(n_areas, 2))
    return counts, coords


@pytest.mark.parametrize("prospective", [True, False])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_top_cluster_llr_equals_the_formula_maximised_by_brute_force(prospective: bool, seed: int) -> None:
    counts, coords = tiny_case(seed)
    counts[seed, -3:] += 3  # something to find, in a different area each time
    result = space_time_permutation_scan(
        counts, coords, max_neighbors=4, max_days=5, permutations=9, random_state=0, prospective=prospective
    )
    cylinders = sorted(brute_force_cylinders(counts, coords, 4, 5, prospective), key=lambda c: -c[0])
    llr, areas, start, end, cases, expected = cylinders[0]
    top = result.clusters[0]
    assert top.llr == pytest.approx(llr, rel=1e-12)
    assert result.observed_max_llr == pytest.approx(llr, rel=1e-12)
    # Cylinders can tie (the same circle grown from two centres); the reported one must be one of them.
    tied = [c for c in cylinders if c[0] == pytest.approx(llr, rel=1e-12)]
    assert (frozenset(top.areas.tolist()), top.start_day, top.end_day) in {(c[1], c[2], c[3]) for c in tied}
    assert (top.observed, top.expected) == (cases, pytest.approx(expected, rel=1e-12))


@pytest.mark.parametrize("prospective", [True, False])
def test_secondary_clusters_are_the_greedy_non_overlapping_sequence(prospective: bool) -> None:
    counts, coords = tiny_case(5, n_areas=12, n_days=12, rate=0.6)
    result = space_time_permutation_scan(
        counts, coords, max_neighbors=3, max_days=4, permutations=9, random_state=0, prospective=prospective
    )
    expected_llrs = []
    used: set[int] = set()
    for llr, areas, *_ in sorted(
        brute_force_cylinders(counts, coords, 3, 4, prospective), key=lambda c: -c[0]
    ):
        if llr > 0 and not (areas & used) and len(expected_llrs) < 10:
            expected_llrs.append(llr)
            used |= areas
    np.testing.assert_allclose([c.llr for c in result.clusters], expected_llrs, rtol=1e-12)
    reported = [set(c.areas.tolist()) for c in result.clusters]
    for i, j in product(range(len(reported)), repeat=2):
        assert i == j or not reported[i] & reported[j]
    assert [c.p_value for c in result.clusters] == sorted(c.p_value for c in result.clusters)


@pytest.mark.parametrize("prospective", [True, False])
def test_replicates_have_the_distribution_of_a_naive_full_permutation_of_dates(prospective: bool) -> None:
    # The engine samples only the cases that land in the scanned window and evaluates only tight cylinders;
    # a naive replicate shuffles every case's date and evaluates every cylinder. Their maxima must agree in
    # distribution.
    counts, coords = tiny_case(11, n_areas=6, n_days=8, rate=0.7)
    replicates = 1_000
    result = space_time_permutation_scan(
        counts,
        coords,
        max_neighbors=3,
        max_days=3,
        permutations=replicates,
        random_state=1,
        prospective=prospective,
    )
    rng = np.random.default_rng(2)
    case_areas = np.repeat(np.arange(counts.shape[0]), counts.sum(axis=1))
    case_days = np.repeat(np.arange(counts.shape[1]), counts.sum(axis=0))
    naive = np.empty(replicates)
    for replicate in range(replicates):
        permuted = np.zeros_like(counts)
        np.add.at(permuted, (case_areas, rng.permutation(case_days)), 1)
        naive[replicate] = brute_force_max(permuted, coords, 3, 3, prospective)
    assert stats.ks_2samp(result.max_llr_null, naive).pvalue > 0.001
    assert result.max_llr_null.mean() == pytest.approx(naive.mean(), rel=0.05)


def grid(side: int) -> NDArray[np.float64]:
    return np.array([[x, y] for y in range(side) for x in range(side)], dtype=np.float64)


def test_a_planted_recent_cluster_is_recovered_prospectively() -> None:
    rng = np.random.default_rng(42)
    side, n_days = 15, 60
    counts = rng.poisson(0.1, size=(side * side, n_days))
    planted_areas = {7 * side + 7, 7 * side + 8, 8 * side + 7, 8 * side + 8}
    counts[sorted(planted_areas), -4:] += 2
    result = space_time_permutation_scan(
        counts, grid(side), max_neighbors=8, max_days=7, permutations=199, random_state=3
    )
    top = result.clusters[0]
    found = set(top.areas.tolist())
    assert len(found & planted_areas) / len(found | planted_areas) >= 0.5
    assert top.end_day == n_days - 1
    assert abs(top.start_day - (n_days - 4)) <= 1
    assert top.p_value <= 0.01
    assert top.recurrence_interval_days == pytest.approx(1 / top.p_value)
    assert top.observed > 2 * top.expected


def test_a_planted_past_cluster_is_dated_by_the_retrospective_scan() -> None:
    rng = np.random.default_rng(8)
    side, n_days = 12, 50
    counts = rng.poisson(0.1, size=(side * side, n_days))
    planted_areas = {3 * side + 4, 3 * side + 5, 4 * side + 4}
    counts[sorted(planted_areas), 20:24] += 2
    result = space_time_permutation_scan(
        counts, grid(side), max_neighbors=6, max_days=7, permutations=99, random_state=3, prospective=False
    )
    top = result.clusters[0]
    assert len(set(top.areas.tolist()) & planted_areas) >= 2
    assert abs(top.start_day - 20) <= 1 and abs(top.end_day - 23) <= 1
    assert top.p_value <= 0.01
    assert math.isnan(top.recurrence_interval_days)


def test_data_without_a_cluster_yield_no_significant_cluster() -> None:
    rng = np.random.default_rng(5)
    counts = rng.poisson(0.1, size=(225, 60))
    result = space_time_permutation_scan(
        counts, grid(15), max_neighbors=8, max_days=7, permutations=199, random_state=6
    )
    assert result.clusters[0].p_value > 0.05


@pytest.mark.slow
def test_null_rejection_rate_is_near_the_nominal_five_percent() -> None:
    rng = np.random.default_rng(2024)
    runs, rejected = 200, 0
    for run in range(runs):
        counts = rng.poisson(0.15, size=(64, 40))
        result = space_time_permutation_scan(
            counts, grid(8), max_neighbors=5, max_days=5, permutations=99, random_state=run, max_clusters=1
        )
        rejected += result.clusters[0].p_value <= 0.05
    # 99.9 % binomial interval for 200 runs at 5 %: a level far off in either direction fails.
    low, high = stats.binom.ppf([0.0005, 0.9995], runs, 0.05)
    assert low <= rejected <= high, rejected


def test_p_value_counts_replicates_at_least_as_large_as_the_observed_statistic() -> None:
    counts, coords = tiny_case(3)
    result = space_time_permutation_scan(
        counts, coords, max_neighbors=3, max_days=4, permutations=49, random_state=0
    )
    for cluster in result.clusters:
        at_least = np.count_nonzero(result.max_llr_null >= cluster.llr - 1e-9)
        assert cluster.p_value == pytest.approx((1 + at_least) / 50)


def test_recurrence_interval_scales_with_the_scan_frequency() -> None:
    counts, coords = tiny_case(4)
    weekly = space_time_permutation_scan(
        counts, coords, max_neighbors=3, max_days=4, permutations=19, random_state=0, scan_frequency_days=7
    )
    assert weekly.clusters[0].recurrence_interval_days == pytest.approx(
        7 * 20 / (20 * weekly.clusters[0].p_value)
    )


def test_a_cluster_holding_every_case_is_scored_without_nan() -> None:
    counts = np.zeros((4, 6), dtype=np.int64)
    counts[0, -1] = 3
    counts[1, 0] = 1
    coords = np.array([[0.0, 0.0], [5.0, 0.0], [0.0, 5.0], [5.0, 5.0]])
    result = space_time_permutation_scan(
        counts, coords, max_neighbors=2, max_days=2, permutations=9, random_state=0
    )
    top = result.clusters[0]
    assert top.observed == 3 and top.expected == pytest.approx(3 * 3 / 4)
    assert top.llr == pytest.approx(3 * math.log(3 / 2.25) + 1 * math.log(1 / (4 - 2.25)))
    assert np.all(np.isfinite(result.max_llr_null))


def test_no_cases_gives_no_clusters() -> None:
    result = space_time_permutation_scan(
        np.zeros((5, 4), dtype=int), grid(3)[:5], max_neighbors=2, max_days=2, permutations=5, random_state=0
    )
    assert result.clusters == () and result.observed_max_llr == 0.0
    np.testing.assert_array_equal(result.max_llr_null, np.zeros(5))


def test_p_value_limit_stops_reporting_weak_clusters() -> None:
    counts, coords = tiny_case(6, n_areas=12)
    result = space_time_permutation_scan(
        counts, coords, max_neighbors=3, max_days=4, permutations=19, random_state=0, p_value_limit=0.5
    )
    assert all(cluster.p_value <= 0.5 for cluster in result.clusters)


def test_neighbour_ties_are_broken_by_area_index() -> None:
    # On a grid the four edge neighbours of the centre are equally close; the circle takes the lowest indices.
    neighbors = _nearest_areas(grid(3), 3)
    assert neighbors[4].tolist() == [4, 1, 3]
    assert neighbors[0].tolist() == [0, 1, 3]


@pytest.mark.parametrize(
    ("counts", "coords", "kwargs", "message"),
    [
        (np.ones((3, 4)) * -1, np.zeros((3, 2)), {}, "counts must be >= 0, got -1.0 at area 0, day 0"),
        (np.full((3, 4), 0.5), np.zeros((3, 2)), {}, "counts must be whole numbers"),
        (np.ones(4), np.zeros((3, 2)), {}, "counts must be a non-empty 2-D array"),
        (np.ones((3, 4)), np.zeros((2, 2)), {}, r"coords must have shape \(areas, 2\) = \(3, 2\)"),
        (np.ones((3, 4)), np.full((3, 2), np.nan), {}, "coords must be finite"),
        (
            np.ones((3, 4)),
            np.zeros((3, 2)),
            {"max_neighbors": 4},
            r"max_neighbors must be an integer in \[1, 3\]",
        ),
        (np.ones((3, 4)), np.zeros((3, 2)), {"max_days": 0}, r"max_days must be an integer in \[1, 4\]"),
        (np.ones((3, 4)), np.zeros((3, 2)), {"permutations": 0}, "permutations must be a positive integer"),
        (np.ones((3, 4)), np.zeros((3, 2)), {"p_value_limit": 0}, "p_value_limit must be in"),
    ],
)
def test_bad_input_is_rejected_with_a_message_naming_it(
    counts: NDArray, coords: NDArray, kwargs: dict[str, object], message: str
) -> None:
    arguments: dict[str, object] = {"max_neighbors": 2, "max_days": 2, "permutations": 9}
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        space_time_permutation_scan(counts, coords, **arguments)  # type: ignore[arg-type]

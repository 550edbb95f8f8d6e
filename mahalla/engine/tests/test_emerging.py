"""Emerging hot spot analysis: space-time Gi* against esda on explicit space-time weights, every one of Esri's
17 classes on constructed series, and an end-to-end map with planted patterns."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import sparse
from shapely import box

from mahalla.engine.emerging import (
    EMERGING_CLASSES,
    classify_emerging,
    emerging_hot_spots,
    space_time_gi_star,
    space_time_permutation_p,
)
from mahalla.engine.emerging import space_time_weights as engine_space_time_weights
from mahalla.engine.multiple_testing import benjamini_hochberg
from mahalla.engine.weights import queen_weights

esda = pytest.importorskip("esda")
libpysal_weights = pytest.importorskip("libpysal.weights")
pymannkendall = pytest.importorskip("pymannkendall")

STEPS = 10


def grid(side: int) -> sparse.csr_array:
    return queen_weights([box(x, y, x + 1, y + 1) for y in range(side) for x in range(side)])


def classify_one(hot_steps=(), cold_steps=(), trend_z=0.0, trend_p=0.5) -> str:
    hot = np.zeros((1, STEPS), dtype=bool)
    cold = np.zeros((1, STEPS), dtype=bool)
    hot[0, list(hot_steps)] = True
    cold[0, list(cold_steps)] = True
    return str(classify_emerging(hot, cold, [trend_z], [trend_p])[0])


ALL = range(STEPS)
UP = {"trend_z": 3.0, "trend_p": 0.001}
DOWN = {"trend_z": -3.0, "trend_p": 0.001}
FLAT = {"trend_z": 0.4, "trend_p": 0.7}


# --- the 17 classes --------------------------------------------------------------------------------------

CASES = [
    ("new hot spot", {"hot_steps": [9]}),
    ("consecutive hot spot", {"hot_steps": [7, 8, 9]}),
    ("intensifying hot spot", {"hot_steps": ALL, **UP}),
    ("persistent hot spot", {"hot_steps": ALL, **FLAT}),
    ("diminishing hot spot", {"hot_steps": ALL, **DOWN}),
    ("sporadic hot spot", {"hot_steps": [2, 5, 9]}),
    ("oscillating hot spot", {"hot_steps": [9], "cold_steps": [3]}),
    ("historical hot spot", {"hot_steps": range(9)}),
    ("new cold spot", {"cold_steps": [9]}),
    ("consecutive cold spot", {"cold_steps": [7, 8, 9]}),
    ("intensifying cold spot", {"cold_steps": ALL, **DOWN}),
    ("persistent cold spot", {"cold_steps": ALL, **FLAT}),
    ("diminishing cold spot", {"cold_steps": ALL, **UP}),
    ("sporadic cold spot", {"cold_steps": [1, 4, 9]}),
    ("oscillating cold spot", {"cold_steps": [9], "hot_steps": [2]}),
    ("historical cold spot", {"cold_steps": range(9)}),
    ("no pattern detected", {"hot_steps": [4]}),
]


@pytest.mark.parametrize(("expected", "series"), CASES, ids=[case[0] for case in CASES])
def test_each_esri_class_is_recognised_from_a_constructed_series(expected, series):
    assert classify_one(**series) == expected


def test_the_cases_cover_all_seventeen_classes():
    assert sorted(case[0] for case in CASES) == sorted(EMERGING_CLASSES)
    assert len(EMERGING_CLASSES) == 17


def test_ninety_percent_is_inclusive_and_eighty_percent_is_not_persistent():
    assert classify_one(hot_steps=[0, 1, 2, 4, 5, 6, 7, 8, 9], **FLAT) == "persistent hot spot"
    assert classify_one(hot_steps=[0, 1, 4, 5, 6, 7, 8, 9], **FLAT) == "sporadic hot spot"


def test_intensifying_needs_the_final_step_to_be_hot():
    assert classify_one(hot_steps=range(9), **UP) == "historical hot spot"


def test_a_final_run_after_earlier_hot_spots_is_sporadic_not_consecutive():
    assert classify_one(hot_steps=[1, 7, 8, 9]) == "sporadic hot spot"
    assert classify_one(hot_steps=[1, 9]) == "sporadic hot spot"


def test_earlier_cold_spots_make_a_new_or_consecutive_hot_spot_oscillating():
    assert classify_one(hot_steps=[8, 9], cold_steps=[2]) == "oscillating hot spot"


def test_a_mostly_cold_location_that_turns_hot_is_a_historical_cold_spot():
    assert classify_one(cold_steps=range(9), hot_steps=[9]) == "historical cold spot"


def test_a_trend_that_is_not_significant_does_not_intensify():
    assert classify_one(hot_steps=ALL, trend_z=1.5, trend_p=0.13) == "persistent hot spot"


def test_classification_rejects_bins_flagged_hot_and_cold_at_once():
    hot = np.ones((2, 5), dtype=bool)
    with pytest.raises(ValueError, match="location 0 is flagged both hot and cold at time step 0"):
        classify_emerging(hot, hot, [0, 0], [1, 1])


# --- space-time Gi* --------------------------------------------------------------------------------------


def space_time_weights(w: sparse.csr_array, steps: int, k: int) -> sparse.csr_matrix:
    """Explicit binary weights over all bins (bin = t * n + i): self and neighbours in steps t - k .. t."""
    n = w.shape[0]
    rows, cols = (w + sparse.eye_array(n)).nonzero()
    bin_rows, bin_cols = [], []
    for t in range(steps):
        for s in range(max(0, t - k), t + 1):
            bin_rows.append(t * n + rows)
            bin_cols.append(s * n + cols)
    r, c = np.concatenate(bin_rows), np.concatenate(bin_cols)
    return sparse.csr_matrix((np.ones(r.size), (r, c)), shape=(n * steps, n * steps))


@pytest.mark.parametrize("k", [0, 1, 3])
def test_space_time_gi_star_equals_esda_gi_star_on_explicit_space_time_weights(k):
    w = grid(6)
    counts = np.random.default_rng(k).poisson(2.0, size=(36, 9)).astype(float)
    ours = space_time_gi_star(counts, w, neighbourhood_time_step=k)
    bins = libpysal_weights.W.from_sparse(space_time_weights(w, 9, k))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = esda.G_Local(counts.T.ravel(), bins, transform="B", star=True, permutations=0)
    np.testing.assert_allclose(ours, ref.Zs.reshape(9, 36).T, atol=1e-10)


def test_time_step_window_equals_esda_gi_star_on_each_map():
    w = grid(5)
    counts = np.random.default_rng(2).poisson(3.0, size=(25, 4)).astype(float)
    ours = space_time_gi_star(counts, w, neighbourhood_time_step=0, global_window="time_step")
    for t in range(4):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = esda.G_Local(
                counts[:, t],
                libpysal_weights.W.from_sparse(sparse.csr_matrix(w)),
                transform="B",
                star=True,
                permutations=0,
            )
        np.testing.assert_allclose(ours[:, t], ref.Zs, atol=1e-10)


def test_time_step_window_with_a_temporal_neighbourhood_is_refused():
    with pytest.raises(ValueError, match="needs neighbourhood_time_step=0"):
        space_time_gi_star(
            np.ones((9, 4)) + np.arange(4), grid(3), neighbourhood_time_step=1, global_window="time_step"
        )


@pytest.mark.parametrize("k", [0, 1, 3])
def test_engine_space_time_links_equal_the_explicit_construction_without_the_bin_itself(k):
    w = grid(4)
    expected = space_time_weights(w, 6, k).toarray()
    np.fill_diagonal(expected, 0)
    np.testing.assert_array_equal(engine_space_time_weights(w, 6, k).toarray(), expected)


def pysal_gi_star_p_sim(values: np.ndarray, links: sparse.csr_matrix, seed: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return esda.G_Local(
            values,
            libpysal_weights.W.from_sparse(links),
            transform="B",
            star=True,
            permutations=999,
            seed=seed,
        ).p_sim


def test_cube_permutation_p_values_agree_with_esda_on_explicit_space_time_weights():
    # Continuous values avoid ties, where esda's folding and ours differ by design.
    w = grid(6)
    values = np.random.default_rng(12).gamma(2.0, size=(36, 9))
    ours = space_time_permutation_p(values, w, neighbourhood_time_step=1, permutations=999, random_state=12)
    ref = pysal_gi_star_p_sim(values.T.ravel(), space_time_weights(w, 9, 1), seed=12).reshape(9, 36).T
    assert np.corrcoef(ours.ravel(), ref.ravel())[0, 1] > 0.95


def test_time_step_permutation_p_values_agree_with_esda_map_by_map():
    w = grid(6)
    values = np.random.default_rng(13).gamma(2.0, size=(36, 5))
    ours = space_time_permutation_p(
        values, w, neighbourhood_time_step=0, global_window="time_step", permutations=999, random_state=13
    )
    ref = np.column_stack(
        [
            pysal_gi_star_p_sim(values[:, t], sparse.csr_matrix(w + sparse.eye_array(36)), seed=t)
            for t in range(5)
        ]
    )
    assert np.corrcoef(ours.ravel(), ref.ravel())[0, 1] > 0.95


def test_permutation_inference_finds_the_same_planted_patterns():
    w, counts, centres = planted_map()
    result = emerging_hot_spots(counts, w, permutations=499, random_state=0)
    assert result.category[centres["growing"]] == "intensifying hot spot"
    assert result.category[centres["flare"]] == "consecutive hot spot"
    assert result.category[centres["steady"]] == "persistent hot spot"
    assert result.category[centres["empty"]] == "persistent cold spot"
    assert result.p.min() >= 2 / 500 - 1e-12  # two-sided pseudo p cannot go below 2 / (R + 1)


# --- end to end ------------------------------------------------------------------------------------------


def planted_map() -> tuple[sparse.csr_array, np.ndarray, dict[str, int]]:
    """10 x 10 mahallas x 20 weeks of Poisson(3) background with four planted 3 x 3 patterns."""
    side, steps = 10, 20
    counts = np.random.default_rng(2024).poisson(3.0, size=(side * side, steps)).astype(float)
    t = np.arange(steps)

    def block(cx: int, cy: int) -> list[int]:
        return [y * side + x for y in range(cy - 1, cy + 2) for x in range(cx - 1, cx + 2)]

    counts[block(1, 1)] = 9.0 + 0.8 * t  # hot from the start and growing
    counts[block(8, 1)] = np.where(t >= 16, 14.0, 3.0)  # flares up in the last four weeks
    counts[block(1, 8)] = 11.0  # steadily hot
    counts[block(8, 8)] = 0.0  # steadily empty
    centres = {"growing": 1 * side + 1, "flare": 1 * side + 8, "steady": 8 * side + 1, "empty": 8 * side + 8}
    return grid(side), counts, centres


def test_planted_patterns_are_found_on_a_synthetic_map():
    w, counts, centres = planted_map()
    result = emerging_hot_spots(counts, w)
    assert result.category[centres["growing"]] == "intensifying hot spot"
    assert result.category[centres["flare"]] == "consecutive hot spot"
    assert result.category[centres["steady"]] == "persistent hot spot"
    assert result.category[centres["empty"]] == "persistent cold spot"
    planted = np.zeros(100, dtype=bool)
    for x0, y0 in [(1, 1), (8, 1), (1, 8), (8, 8)]:
        for y in range(max(0, y0 - 2), min(10, y0 + 3)):
            planted[y * 10 + max(0, x0 - 2) : y * 10 + min(10, x0 + 3)] = True
    background = result.category[~planted]
    assert np.mean(background == "no pattern detected") > 0.9


def test_trend_is_mann_kendall_of_each_locations_gi_star_z_series():
    w, counts, centres = planted_map()
    result = emerging_hot_spots(counts, w)
    for i in list(centres.values()) + [45, 54]:
        ref = pymannkendall.original_test(result.z[i])
        assert result.trend_z[i] == pytest.approx(ref.z, abs=1e-12)
        assert result.trend_p[i] == pytest.approx(ref.p, abs=1e-12)


def test_hot_and_cold_bins_are_the_fdr_significant_bins_by_sign_of_z():
    w, counts, _ = planted_map()
    result = emerging_hot_spots(counts, w, alpha=0.05)
    rejected, _ = benjamini_hochberg(result.p.ravel(), 0.05)
    rejected = rejected.reshape(result.p.shape)
    np.testing.assert_array_equal(result.hot, rejected & (result.z > 0))
    np.testing.assert_array_equal(result.cold, rejected & (result.z < 0))
    unadjusted = emerging_hot_spots(counts, w, alpha=0.05, fdr=False)
    assert unadjusted.hot.sum() >= result.hot.sum()


def test_bad_cubes_are_rejected_with_the_offending_bin():
    w = grid(3)
    counts = np.ones((9, 6)) + np.arange(6)
    counts[4, 2] = -1
    with pytest.raises(ValueError, match=r"counts\[4, 2\] = -1.0 is not a non-negative number"):
        emerging_hot_spots(counts, w)
    with pytest.raises(ValueError, match="same in every bin"):
        emerging_hot_spots(np.full((9, 6), 2.0), w)
    with pytest.raises(ValueError, match=r"neighbourhood_time_step must be an integer in \[0, 5\]"):
        emerging_hot_spots(np.ones((9, 6)) + np.arange(6), w, neighbourhood_time_step=6)
    with pytest.raises(ValueError, match="9 rows but there are 8 locations"):
        emerging_hot_spots(np.ones((8, 6)) + np.arange(6), w)

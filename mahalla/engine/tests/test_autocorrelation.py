"""Moran's I, local Moran and Gi* against published reference values and against PySAL esda."""

from __future__ import annotations

import json
import warnings
from itertools import permutations as ordered_samples
from math import comb
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from scipy import sparse
from shapely.geometry import shape

from mahalla.engine.autocorrelation import fdr_significant, gi_star, local_moran, morans_i
from mahalla.engine.inference import _ordered_samples, conditional_permutation_test, pseudo_p_value, rng_from
from mahalla.engine.multiple_testing import benjamini_hochberg
from mahalla.engine.weights import distance_band_weights, queen_weights

DATA = Path(__file__).parent / "data" / "spatial"
esda = pytest.importorskip("esda")
libpysal_weights = pytest.importorskip("libpysal.weights")

TOY_POINTS = [(10, 10), (20, 10), (40, 10), (15, 20), (30, 20), (30, 30)]
TOY_Y = np.array([2, 3, 3.2, 5, 8, 7])


def read_gal(path: Path) -> sparse.csr_array:
    header, body = path.read_text().split("\n", 1)
    fields = header.split()
    n = int(fields[1] if len(fields) > 1 else fields[0])
    tokens = body.split()
    matrix = np.zeros((n, n))
    pos = 0
    while pos < len(tokens):
        own, count = int(tokens[pos]), int(tokens[pos + 1])
        matrix[own - 1, [int(t) - 1 for t in tokens[pos + 2 : pos + 2 + count]]] = 1.0
        pos += 2 + count
    return sparse.csr_array(matrix)


def columbus() -> tuple[sparse.csr_array, np.ndarray]:
    features = json.loads((DATA / "columbus.json").read_text())["features"]
    crime = np.array([f["properties"]["CRIME"] for f in features])
    return queen_weights([shape(f["geometry"]) for f in features]), crime


def st_louis() -> tuple[sparse.csr_array, np.ndarray]:
    table = pd.read_csv(DATA / "stl_hom.csv")
    return read_gal(DATA / "stl.gal"), table["HR8893"].to_numpy(dtype=float)


def st_louis_queen() -> tuple[sparse.csr_array, np.ndarray]:
    table = pd.read_csv(DATA / "stl_hom.csv")
    return queen_weights(shapely.from_wkt(table["WKT"].to_numpy())), table["HR8893"].to_numpy(dtype=float)


def pysal_w(w: sparse.csr_array):
    return libpysal_weights.W.from_sparse(sparse.csr_matrix(w))


def quiet(factory, *args, **kwargs):
    # esda warns that its default alternative will change; the default is what we compare against.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return factory(*args, **kwargs)


# --- published reference values ---------------------------------------------------------------------


def test_columbus_crime_morans_i_matches_the_published_value():
    w, crime = columbus()
    result = morans_i(crime, w)
    assert result.I == pytest.approx(0.500189, abs=5e-7)
    assert result.EI == pytest.approx(-0.020833, abs=5e-7)
    assert result.z_rand == pytest.approx(5.5894, abs=5e-5)


def test_st_louis_homicide_morans_i_matches_the_published_value():
    w, rate = st_louis()
    assert morans_i(rate, w).I == pytest.approx(0.24365582621771659, abs=1e-12)


def test_toy_gi_star_z_matches_esdas_published_value():
    result = gi_star(TOY_Y, distance_band_weights(TOY_POINTS, 15), permutations=0)
    assert result.z[0] == pytest.approx(-1.39727626, abs=5e-9)


# --- identical analytical results to esda ----------------------------------------------------------


@pytest.mark.parametrize("transform", ["r", "b"])
@pytest.mark.parametrize("data", [columbus, st_louis_queen], ids=["columbus", "st_louis"])
def test_morans_i_and_its_moments_equal_esda(data, transform):
    w, y = data()
    ours = morans_i(y, w, transform=transform)
    ref = esda.Moran(y, pysal_w(w), transformation=transform.upper(), permutations=0)
    for name in ("I", "EI", "VI_norm", "VI_rand", "z_norm", "z_rand", "p_norm", "p_rand"):
        assert getattr(ours, name) == pytest.approx(getattr(ref, name), abs=1e-10, rel=1e-10), name


@pytest.mark.parametrize("data", [columbus, st_louis_queen], ids=["columbus", "st_louis"])
def test_local_moran_statistics_and_quadrants_equal_esda(data):
    w, y = data()
    ours = local_moran(y, w, permutations=0)
    ref = quiet(esda.Moran_Local, y, pysal_w(w), permutations=0)
    np.testing.assert_allclose(ours.Is, ref.Is, atol=1e-10, rtol=0)
    np.testing.assert_array_equal(ours.q, ref.q)


@pytest.mark.parametrize("data", [columbus, st_louis_queen], ids=["columbus", "st_louis"])
def test_gi_star_statistics_and_z_equal_esda_with_binary_weights_and_self(data):
    w, y = data()
    ours = gi_star(y, w, permutations=0)
    ref = quiet(esda.G_Local, y, pysal_w(w), transform="B", star=True, permutations=0)
    np.testing.assert_allclose(ours.Gs, ref.Gs, atol=1e-10, rtol=0)
    np.testing.assert_allclose(ours.z, ref.Zs, atol=1e-10, rtol=0)
    # esda's p_norm is one-sided; ours is two-sided.
    np.testing.assert_allclose(ours.p_norm, 2 * ref.p_norm, atol=1e-12)


def test_gi_star_z_equals_the_ord_getis_formula_written_out_per_location():
    w, y = columbus()
    binary = w.toarray() + np.eye(w.shape[0])
    n = y.size
    mean, s = y.mean(), np.sqrt((y**2).mean() - y.mean() ** 2)
    expected = [
        (row @ y - mean * row.sum()) / (s * np.sqrt((n * (row**2).sum() - row.sum() ** 2) / (n - 1)))
        for row in binary
    ]
    np.testing.assert_allclose(gi_star(y, w, permutations=0).z, expected, atol=1e-12)


# --- permutation inference consistent with esda ----------------------------------------------------


def test_local_moran_pseudo_p_values_agree_with_esda_on_a_real_map():
    w, rate = st_louis_queen()
    ours = local_moran(rate, w, permutations=999, random_state=11)
    ref = quiet(esda.Moran_Local, rate, pysal_w(w), permutations=999, seed=11)
    assert np.corrcoef(ours.p_sim, ref.p_sim)[0, 1] > 0.95
    assert np.corrcoef(ours.z_sim, ref.z_sim)[0, 1] > 0.98
    # The same pseudo-p significance calls, except where Monte Carlo noise straddles the cut-off.
    assert np.mean((ours.p_sim <= 0.05) == (ref.p_sim <= 0.05)) > 0.9


def test_gi_star_pseudo_p_values_agree_with_esda_on_a_real_map():
    w, rate = st_louis_queen()
    ours = gi_star(rate, w, permutations=999, random_state=5)
    ref = quiet(esda.G_Local, rate, pysal_w(w), transform="B", star=True, permutations=999, seed=5)
    assert np.corrcoef(ours.p_sim, ref.p_sim)[0, 1] > 0.95
    assert np.corrcoef(ours.z_sim, ref.z_sim)[0, 1] > 0.98


def test_morans_i_permutation_moments_match_the_randomisation_moments():
    # Under random relabelling E[I] and Var[I] are known exactly (Cliff & Ord), an independent check.
    w, rate = st_louis()
    result = morans_i(rate, w, permutations=9999, random_state=3)
    se = np.sqrt(result.VI_rand)
    assert abs(result.EI_sim - result.EI) < 4 * se / np.sqrt(9999)
    assert result.seI_sim == pytest.approx(se, rel=0.05)
    ref = esda.Moran(rate, pysal_w(w), permutations=999)
    assert result.p_sim == pytest.approx(ref.p_sim, abs=0.01)


def test_columbus_clustering_is_significant_by_permutation():
    w, crime = columbus()
    result = morans_i(crime, w, permutations=999, random_state=0)
    assert result.p_sim == pytest.approx(0.001)
    assert result.z_sim > 4


def test_conditional_draws_reproduce_the_exact_sampling_distribution_of_a_neighbour_sum():
    # One location with 2 neighbours among 5: its neighbour pair is a uniform draw of 2 of the other 4
    # values, so the simulated sum has an exactly known mean and finite-population variance.
    values = np.array([10.0, 1.0, 2.0, 4.0, 8.0])
    w = np.zeros((5, 5))
    w[0, [1, 2]] = w[[1, 2], 0] = 1
    w[3, 4] = w[4, 3] = 1
    permutations = 20000
    res = conditional_permutation_test(
        values,
        w,
        w @ values,
        slope=np.ones(5),
        intercept=np.zeros(5),
        permutations=permutations,
        random_state=1,
    )
    others = values[1:]
    exact_mean = 2 * others.mean()
    exact_var = 2 * others.var() * (4 - 2) / (4 - 1)
    assert res.expected[0] == pytest.approx(exact_mean, abs=4 * np.sqrt(exact_var / permutations))
    assert res.std[0] ** 2 == pytest.approx(exact_var, rel=0.05)
    # Observed sum 3 is the smallest of the 6 equally likely pairs: P(sum <= 3) = 1/6.
    assert res.p_sim[0] == pytest.approx(1 / comb(4, 2), abs=0.01)


def test_unequal_weights_reproduce_the_exactly_enumerated_permutation_distribution():
    # Location 0 has neighbours 1, 2, 3 with weights 1, 2, 3. Under conditional randomisation the three
    # neighbour values are an ordered sample of 3 of the other 5: enumerate all 60 to get the exact answer.
    values = np.array([4.0, 1.0, 7.0, 2.0, 9.0, 5.0])
    w = np.zeros((6, 6))
    w[0, [1, 2, 3]] = [1.0, 2.0, 3.0]
    w[[1, 2, 3], 0] = 1.0
    w[4, 5] = w[5, 4] = 1.0
    observed = w @ values
    exact = np.array([np.dot([1.0, 2.0, 3.0], values[list(s)]) for s in ordered_samples(range(1, 6), 3)])
    permutations = 20000
    res = conditional_permutation_test(
        values,
        w,
        observed,
        slope=np.ones(6),
        intercept=np.zeros(6),
        permutations=permutations,
        random_state=4,
    )
    assert res.expected[0] == pytest.approx(exact.mean(), abs=4 * exact.std() / np.sqrt(permutations))
    assert res.std[0] == pytest.approx(exact.std(), rel=0.03)
    tail = min(np.mean(exact >= observed[0]), np.mean(exact <= observed[0]))
    assert res.p_sim[0] == pytest.approx(tail, abs=0.01)


@pytest.mark.parametrize("row_standardised", [False, True])
def test_the_shared_sum_shortcut_counts_exactly_what_every_location_s_own_simulation_gives(row_standardised):
    # Contiguity weights take the shortcut (one sorted vector of sums, a binary search, the rows holding
    # the location corrected); here every simulated statistic is built the long way from the same draws.
    rng = np.random.default_rng(5)
    n, permutations = 60, 499
    upper = np.triu(rng.random((n, n)) < 0.08, 1)
    w = (upper | upper.T).astype(float)
    w[7] = w[:, 7] = 0.0  # an island
    degree = w.sum(axis=1)
    if row_standardised:
        w[degree > 0] /= degree[degree > 0, None]
    values = rng.poisson(3.0, n).astype(float)  # count data: many exact ties
    slope, intercept = rng.normal(size=n), rng.normal(size=n)
    slope[3] = 0.0  # a constant statistic
    observed = slope * (w @ values) + intercept
    draws = _ordered_samples(n, int(degree.max()) + 1, permutations, np.random.default_rng(9))
    res = {
        alternative: conditional_permutation_test(
            values,
            w,
            observed,
            slope=slope,
            intercept=intercept,
            permutations=permutations,
            random_state=9,
            alternative=alternative,
        )
        for alternative in ("greater", "lesser")
    }
    for i in range(n):
        neighbours = np.flatnonzero(w[i])
        if neighbours.size == 0:
            assert np.isnan(res["greater"].p_sim[i])
            continue
        drawn = np.array([[j for j in row if j != i][: neighbours.size] for row in draws])
        simulated = slope[i] * (values[drawn] * w[i, neighbours[0]]).sum(axis=1) + intercept[i]
        tol = 1e-9 * max(1.0, abs(observed[i]))
        greater = (np.sum(simulated >= observed[i] - tol) + 1) / (permutations + 1)
        lesser = (np.sum(simulated <= observed[i] + tol) + 1) / (permutations + 1)
        assert res["greater"].p_sim[i] == greater, i
        assert res["lesser"].p_sim[i] == lesser, i
        assert res["greater"].expected[i] == pytest.approx(simulated.mean(), rel=1e-12, abs=1e-12)
        assert res["greater"].std[i] == pytest.approx(simulated.std(), rel=1e-9, abs=1e-12)


def test_shared_draws_are_distinct_within_a_row_and_uniform_over_locations():
    draws = _ordered_samples(50, 6, 20000, np.random.default_rng(8))
    assert all(len(set(row)) == 6 for row in draws[:2000])
    for column in (0, 5):
        counts = np.bincount(draws[:, column], minlength=50)
        chi_square = ((counts - 400) ** 2 / 400).sum()
        assert chi_square < 100  # 49 degrees of freedom: the 99.99th percentile is about 94


# --- behaviour -----------------------------------------------------------------------------------------


def test_the_same_random_state_gives_the_same_pseudo_p_values():
    w, crime = columbus()
    first = local_moran(crime, w, permutations=199, random_state=42)
    second = local_moran(crime, w, permutations=199, random_state=np.random.default_rng(42))
    np.testing.assert_array_equal(first.p_sim, second.p_sim)
    third = local_moran(crime, w, permutations=199, random_state=43)
    assert not np.array_equal(first.p_sim, third.p_sim)


def test_pseudo_p_values_lie_on_the_permutation_grid():
    w, crime = columbus()
    p = gi_star(crime, w, permutations=99, random_state=0).p_sim
    np.testing.assert_allclose(p * 100, np.round(p * 100))
    assert p.min() >= 0.01 and p.max() <= 1


def test_a_location_at_the_mean_is_never_significant_in_local_moran():
    # z_i = 0 makes every simulated I_i equal the observed 0; esda would report 1 / (R + 1).
    w, crime = columbus()
    y = crime.copy()
    y[0] = np.mean(np.delete(y, 0))  # equal to the mean of the others, so also to the overall mean
    result = local_moran(y, w, permutations=99, random_state=0)
    assert result.Is[0] == pytest.approx(0, abs=1e-12)
    assert result.p_sim[0] == 1.0


def test_islands_get_no_p_value_and_no_quadrant():
    w, crime = columbus()
    dense = w.toarray()
    dense[7, :] = dense[:, 7] = 0
    result = local_moran(crime, dense, permutations=99, random_state=0)
    assert np.isnan(result.p_sim[7]) and result.q[7] == 0
    assert not np.isnan(result.p_sim).any(where=np.arange(crime.size) != 7)


def test_ties_in_count_data_count_on_both_sides_of_the_pseudo_p_value():
    assert pseudo_p_value(5, 5, 9, "directed") == pytest.approx(0.6)
    assert pseudo_p_value(9, 9, 9, "directed") == pytest.approx(1.0)
    # Without ties the directed p equals esda's folding: min(larger, R - larger).
    assert pseudo_p_value(990, 9, 999) == pytest.approx(10 / 1000)
    assert pseudo_p_value(990, 9, 999, "greater") == pytest.approx(991 / 1000)


def test_fdr_significance_is_benjamini_hochberg_and_ignores_missing_p_values():
    p = np.array([0.001, 0.02, 0.03, np.nan, 0.5, 0.004])
    expected, _ = benjamini_hochberg(p, 0.05)
    np.testing.assert_array_equal(fdr_significant(p, 0.05), expected)
    assert not fdr_significant(p)[3]


def test_gi_star_hot_spots_survive_fdr_only_when_strong():
    w, crime = columbus()
    result = gi_star(crime, w, permutations=0)
    raw = result.significant(0.05, fdr=False)
    controlled = result.significant(0.05, fdr=True)
    assert controlled.sum() <= raw.sum()
    assert np.all(raw[controlled])


def test_gi_star_rejects_weighted_matrices_negative_values_and_constant_maps():
    w, crime = columbus()
    with pytest.raises(ValueError, match="binary weights"):
        gi_star(crime, w.toarray() * 0.5, permutations=0)
    negative = crime.copy()
    negative[3] = -1
    with pytest.raises(ValueError, match=r"y\[3\] = -1.0 is negative"):
        gi_star(negative, w, permutations=0)
    with pytest.raises(ValueError, match="constant"):
        gi_star(np.ones(crime.size), w, permutations=0)


def test_bad_inputs_name_what_was_wrong():
    w, crime = columbus()
    with pytest.raises(ValueError, match=r"y\[2\] is missing"):
        morans_i(np.where(np.arange(crime.size) == 2, np.nan, crime), w)
    with pytest.raises(ValueError, match="48 rows but there are 49"):
        morans_i(crime, w.toarray()[:48, :48])
    with pytest.raises(ValueError, match="transform must be"):
        morans_i(crime, w, transform="x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="constant"):
        local_moran(np.full(crime.size, 2.0), w)
    with pytest.raises(TypeError, match="random_state"):
        rng_from("seed")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="permutations must be at least 0"):
        morans_i(crime, w, permutations=-1)
    with pytest.raises(ValueError, match="alternative"):
        gi_star(crime, w, permutations=9, alternative="both")  # type: ignore[arg-type]

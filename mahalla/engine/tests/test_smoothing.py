import numpy as np
import pytest
from esda.smoothing import Empirical_Bayes, Spatial_Empirical_Bayes
from libpysal import examples
from libpysal import io as pysal_io
from libpysal.weights import lat2W

from mahalla.engine.smoothing import (
    GammaPrior,
    empirical_bayes_rates,
    gamma_poisson_posterior,
    gamma_prior_from_data,
    global_prior_moments,
    spatial_empirical_bayes_rates,
)


@pytest.fixture(scope="module")
def st_louis():
    """St Louis homicides (libpysal's bundled ``stl`` example): counts, populations and contiguity."""
    table = pysal_io.open(examples.get_path("stl_hom.csv"), "r")
    events = np.array(table[:, 10], dtype=float).reshape(-1)
    population = np.array(table[:, 13], dtype=float).reshape(-1)
    w = pysal_io.open(examples.get_path("stl.gal"), "r").read()
    if not w.id_order_set:
        w.id_order = range(1, len(events) + 1)
    return events, population, w


def test_global_smoothing_is_identical_to_esda_on_st_louis_homicides(st_louis):
    events, population, _ = st_louis
    expected = Empirical_Bayes(events, population).r.reshape(-1)
    np.testing.assert_allclose(empirical_bayes_rates(events, population), expected, rtol=1e-12)
    # esda's docstring prints the first value: 2.36718950e-05.
    assert empirical_bayes_rates(events, population)[0] == pytest.approx(2.36718950e-05, rel=1e-8)


def test_spatial_smoothing_is_identical_to_esda_on_st_louis_homicides(st_louis):
    events, population, w = st_louis
    expected = Spatial_Empirical_Bayes(events, population, w).r.reshape(-1)
    ours = spatial_empirical_bayes_rates(events, population, w.sparse)
    np.testing.assert_allclose(ours, expected, rtol=1e-10)
    assert ours[0] == pytest.approx(4.01485749e-05, rel=1e-8)


@pytest.mark.filterwarnings("ignore:invalid value encountered in divide:RuntimeWarning")
def test_spatial_smoothing_is_identical_to_esda_on_a_sparse_lattice_with_many_zero_counts():
    # Many empty areas make some local variances negative, which both implementations clip to zero.
    rng = np.random.default_rng(3)
    w = lat2W(12, 12, rook=False)
    population = rng.integers(800, 12_000, size=w.n).astype(float)
    events = rng.poisson(population * 1e-3 * rng.gamma(0.3, 1 / 0.3, size=w.n)).astype(float)
    expected = Spatial_Empirical_Bayes(events, population, w).r.reshape(-1)
    ours = spatial_empirical_bayes_rates(events, population, w.sparse)
    # esda divides 0 by 0 where a whole neighbourhood recorded nothing; the limit there is a rate of 0.
    empty = np.isnan(expected)
    assert empty.any()
    np.testing.assert_allclose(ours[~empty], expected[~empty], rtol=1e-10)
    assert np.all(ours[empty] == 0.0)


def test_weighted_adjacency_is_treated_as_binary_neighbourhood_membership():
    rng = np.random.default_rng(4)
    w = lat2W(6, 6)
    population = rng.integers(1000, 5000, size=w.n).astype(float)
    events = rng.poisson(population * 2e-3).astype(float)
    binary = spatial_empirical_bayes_rates(events, population, w.sparse)
    weighted = spatial_empirical_bayes_rates(events, population, w.sparse.multiply(3.7))
    np.testing.assert_allclose(binary, weighted)


def test_equal_crude_rates_give_the_common_mean_instead_of_negative_weights():
    # The moment variance is negative here (no spread beyond Poisson noise); Marshall sets it to zero.
    _, variance = global_prior_moments([10, 20, 40], [1000, 2000, 4000])
    assert variance < 0
    np.testing.assert_allclose(empirical_bayes_rates([10, 20, 40], [1000, 2000, 4000]), [0.01, 0.01, 0.01])


def test_small_areas_are_pulled_harder_toward_the_mean_than_large_ones():
    events = np.array([0, 0, 30, 60, 5, 40])
    population = np.array([1000, 20_000, 2000, 20_000, 1500, 10_000], dtype=float)
    smoothed = empirical_bayes_rates(events, population)
    mean = events.sum() / population.sum()
    shrink = np.abs(smoothed - mean) / np.abs(events / population - mean)
    assert shrink[0] < shrink[1]  # the 1,000-resident zero moves more than the 20,000-resident zero


def test_gamma_poisson_posterior_mean_equals_marshalls_global_estimate(st_louis):
    events, population, _ = st_louis
    posterior = gamma_poisson_posterior(events, population, gamma_prior_from_data(events, population))
    np.testing.assert_allclose(posterior.mean, empirical_bayes_rates(events, population), rtol=1e-12)


def test_posterior_credible_intervals_cover_the_true_rate_at_their_level():
    # Draw true rates from the prior and counts from Poisson: a correct posterior covers 90 % of them.
    rng = np.random.default_rng(5)
    prior = GammaPrior(shape=0.8, rate=0.8 / 1e-3)
    population = rng.integers(1000, 12_000, size=20_000).astype(float)
    true_rate = rng.gamma(prior.shape, 1 / prior.rate, size=population.size)
    events = rng.poisson(true_rate * population)
    low, high = gamma_poisson_posterior(events, population, prior).interval(0.90)
    coverage = np.mean((true_rate >= low) & (true_rate <= high))
    assert 0.89 < coverage < 0.91


def test_posterior_exceedance_probability_is_calibrated():
    rng = np.random.default_rng(6)
    prior = GammaPrior(shape=1.5, rate=1.5 / 1e-3)
    population = np.full(40_000, 3000.0)
    true_rate = rng.gamma(prior.shape, 1 / prior.rate, size=population.size)
    events = rng.poisson(true_rate * population)
    probability = gamma_poisson_posterior(events, population, prior).probability_above(1.5e-3)
    chosen = (probability > 0.6) & (probability < 0.8)
    assert chosen.sum() > 500
    assert np.mean(true_rate[chosen] > 1.5e-3) == pytest.approx(probability[chosen].mean(), abs=0.03)


def test_bad_inputs_are_refused_with_the_offending_position():
    with pytest.raises(ValueError, match=r"population\[1\] = 0.0"):
        empirical_bayes_rates([1, 2], [100, 0])
    with pytest.raises(ValueError, match=r"events\[0\] = -1.0"):
        empirical_bayes_rates([-1, 2], [100, 100])
    with pytest.raises(ValueError, match="same length"):
        empirical_bayes_rates([1, 2, 3], [100, 100])
    with pytest.raises(ValueError, match="3 x 3"):
        spatial_empirical_bayes_rates([1, 2, 3], [100, 100, 100], np.ones((2, 2)))
    with pytest.raises(ValueError, match="no variation beyond Poisson noise"):
        gamma_prior_from_data([10, 20, 40], [1000, 2000, 4000])

import numpy as np
import pandas as pd
import pytest
from scipy.stats import multivariate_normal

from mahalla.engine.forecast import (
    DecayedCountForecaster,
    EnsembleForecaster,
    Grid,
    GridETASForecaster,
    KDEForecaster,
    NaiveForecaster,
    ProspectiveHotspotForecaster,
)


@pytest.fixture
def events():
    rng = np.random.default_rng(20)
    n = 600
    return pd.DataFrame(
        {"x": rng.uniform(0, 2000, n), "y": rng.uniform(0, 1500, n), "t": rng.uniform(0, 100, n)}
    )


@pytest.fixture
def grid():
    return Grid.from_extent(0, 0, 2000, 1500, cell_size=100)


# Naive


def test_naive_reproduces_the_last_periods_counts_per_cell(events, grid):
    model = NaiveForecaster(period=7).fit(events.x, events.y, events.t, grid, end=100.0)
    last_week = events[events.t >= 93.0]
    # Independent count: integer division of the coordinates by the cell size, tallied by pandas.
    tally = last_week.groupby([(last_week.y // 100).astype(int), (last_week.x // 100).astype(int)]).size()
    expected = np.zeros(grid.shape)
    for (row, col), count in tally.items():
        expected[row, col] = count
    np.testing.assert_array_equal(model.predict(7), expected)


def test_naive_scales_last_periods_counts_to_the_horizon(events, grid):
    model = NaiveForecaster(period=7).fit(events.x, events.y, events.t, grid, end=100.0)
    np.testing.assert_allclose(model.predict(14), 2 * model.predict(7))


def test_naive_ignores_crimes_before_the_last_period(grid):
    model = NaiveForecaster(period=7).fit([50.0, 50.0], [50.0, 50.0], [10.0, 95.0], grid, end=100.0)
    assert model.predict(7)[0, 0] == 1.0


@pytest.mark.parametrize("period", [0, -7, "week"])
def test_naive_refuses_a_period_that_is_not_a_positive_number(period, grid):
    with pytest.raises((ValueError, TypeError), match="period"):
        NaiveForecaster(period=period).fit([50.0], [50.0], [1.0], grid, end=10.0)


def test_the_all_history_count_counts_every_past_event_as_a_rate_over_the_history(grid):
    model = NaiveForecaster(period=None).fit(
        [50.0, 50.0, 150.0], [50.0] * 3, [2.0, 90.0, 50.0], grid, end=102.0
    )
    assert model.counts_[0, :2].tolist() == [2.0, 1.0]
    # Three events over the 100 days from the first to the origin: 2 / 100 per day in cell 0.
    assert model.predict(10)[0, 0] == pytest.approx(0.2)


# Decayed counts and the ensemble


def test_a_decayed_count_weighs_each_event_by_its_age_and_shares_it_with_the_rings(grid):
    model = DecayedCountForecaster(decay=10.0, ring_weights=(1.0, 0.5)).fit(
        [50.0, 150.0], [50.0, 50.0], [90.0, 100.0], grid, end=100.0
    )
    own, neighbour = np.exp(-1.0), 1.0
    assert model.risk_[0, 0] == pytest.approx(own + 0.5 * neighbour)
    assert model.risk_[0, 1] == pytest.approx(neighbour + 0.5 * own)
    assert model.risk_[0, 2] == pytest.approx(0.5 * neighbour)
    # The forecast total is the decay-weighted daily rate times the horizon.
    rate = (own + neighbour) / (10.0 * (1 - np.exp(-1.0)))
    assert model.predict(7).sum() == pytest.approx(rate * 7)


@pytest.mark.parametrize("weights", [(), (0.0, 1.0), (1.0, -0.1)])
def test_a_decayed_count_refuses_ring_weights_without_a_positive_first(weights, grid):
    with pytest.raises(ValueError, match="ring_weights"):
        DecayedCountForecaster(ring_weights=weights).fit([50.0], [50.0], [1.0], grid, end=10.0)


def test_a_seasonal_decayed_count_prefers_the_cell_whose_events_fell_in_the_same_season(grid):
    # Cell 0 had two events around day 0 of last year's calendar (about 365 days before the window of days
    # 365-372), cell 1 three events half a year away. Unseasoned, cell 1 leads; with kappa = 1 an event of the
    # opposite season weighs exp(-2), so cell 0 (2 x about 1) overtakes cell 1 (3 x about 0.14).
    x, y, t = [50.0, 50.0, 150.0, 150.0, 150.0], [50.0] * 5, [2.0, 4.0, 183.0, 185.0, 187.0]
    unseasoned = DecayedCountForecaster().fit(x, y, t, grid, end=365.0).predict(7)
    seasonal = DecayedCountForecaster(season_concentration=1.0).fit(x, y, t, grid, end=365.0).predict(7)
    assert unseasoned[0, 1] > unseasoned[0, 0]
    assert seasonal[0, 0] > seasonal[0, 1]
    # Each weight is exp(kappa (cos(angle) - 1)), the angle from the window's middle (day 368.5) on the year.
    angle = 2 * np.pi * (np.array(t) - 368.5) / 365.2425
    weight = np.exp(np.cos(angle) - 1.0)
    share = weight[:2].sum() / weight.sum()
    assert seasonal[0, 0] / seasonal.sum() == pytest.approx(share)
    # The seasonal kernel moves the pattern, not the city-wide total.
    assert seasonal.sum() == pytest.approx(unseasoned.sum())


@pytest.mark.parametrize("kappa", [-1.0, float("nan")])
def test_a_decayed_count_refuses_a_negative_or_undefined_season_concentration(kappa, grid):
    with pytest.raises(ValueError, match="season_concentration"):
        DecayedCountForecaster(season_concentration=kappa).fit([50.0], [50.0], [1.0], grid, end=10.0)


def test_an_ensemble_averages_its_members_normalised_maps(grid):
    x, y, t = [50.0, 50.0, 150.0], [50.0] * 3, [1.0, 2.0, 99.0]
    members = [DecayedCountForecaster(), DecayedCountForecaster(decay=1.0)]
    ensemble = EnsembleForecaster(members).fit(x, y, t, grid, end=100.0)
    maps = [member.clone().fit(x, y, t, grid, end=100.0).predict(7) for member in members]
    expected_pattern = (maps[0] / maps[0].sum() + maps[1] / maps[1].sum()) / 2
    forecast = ensemble.predict(7)
    assert forecast / forecast.sum() == pytest.approx(expected_pattern)
    assert forecast.sum() == pytest.approx((maps[0].sum() + maps[1].sum()) / 2)


# KDE


@pytest.mark.parametrize("kernel", ["gaussian", "quartic"])
def test_kde_conserves_the_mass_of_the_events(kernel):
    grid = Grid.from_extent(0, 0, 3000, 3000, cell_size=25)
    rng = np.random.default_rng(4)
    x = rng.uniform(1000, 2000, 50)
    y = rng.uniform(1000, 2000, 50)
    model = KDEForecaster(bandwidth=150, kernel=kernel, window=30).fit(
        x, y, np.full(50, 29.0), grid, end=30.0
    )
    # Far from the edges, the density summed over cells (times cell area) gives back the 50 events.
    assert model.density_.sum() * grid.cell_area == pytest.approx(50, rel=1e-3)
    # And the expected count over one window's length is the window's count.
    assert model.predict(30).sum() == pytest.approx(50, rel=1e-3)


def test_gaussian_kde_equals_a_sum_of_bivariate_normal_densities_at_cell_centres():
    grid = Grid.from_extent(0, 0, 1000, 800, cell_size=50)
    rng = np.random.default_rng(9)
    x = rng.uniform(200, 800, 30)
    y = rng.uniform(200, 600, 30)
    model = KDEForecaster(bandwidth=120, kernel="gaussian", window=365).fit(x, y, np.ones(30), grid, end=2.0)
    centre_x, centre_y = grid.centres()
    centres = np.column_stack([centre_x.ravel(), centre_y.ravel()])
    reference = sum(
        multivariate_normal(mean=[a, b], cov=120.0**2 * np.eye(2)).pdf(centres)
        for a, b in zip(x, y, strict=True)
    )
    # The kernel is cut at 5 bandwidths, where a normal density is exp(-12.5) of its peak: each of the 30
    # events can leave out at most that much at any centre.
    cut = 30 * np.exp(-12.5) / (2 * np.pi * 120.0**2)
    np.testing.assert_allclose(model.density_.ravel(), reference, rtol=1e-12, atol=cut)


def test_quartic_kde_is_zero_beyond_the_bandwidth_and_peaks_at_the_event():
    grid = Grid.from_extent(0, 0, 1000, 1000, cell_size=10)
    model = KDEForecaster(bandwidth=100, kernel="quartic", window=10).fit(
        [505.0], [505.0], [1.0], grid, end=2.0
    )
    centre_x, centre_y = grid.centres()
    distance = np.hypot(centre_x - 505.0, centre_y - 505.0)
    assert np.all(model.density_[distance >= 100] == 0)
    assert model.density_.max() == pytest.approx(3 / (np.pi * 100**2))
    assert distance[np.unravel_index(model.density_.argmax(), grid.shape)] == 0


def test_kde_uses_only_the_events_of_its_window():
    grid = Grid.from_extent(0, 0, 1000, 1000, cell_size=50)
    model = KDEForecaster(bandwidth=50, window=30).fit(
        [200.0, 800.0], [500.0, 500.0], [10.0, 80.0], grid, end=90
    )
    assert model.n_events_ == 1
    assert model.density_[10, 4] == 0 and model.density_[10, 16] > 0


def test_kde_refuses_an_unknown_kernel(grid):
    with pytest.raises(ValueError, match="kernel"):
        KDEForecaster(kernel="epanechnikov").fit([50.0], [50.0], [1.0], grid, end=2.0)


# Prospective hot-spotting


def _prospective_by_brute_force(grid, x, y, t, end, distance_cutoff, time_cutoff):
    """Each cell against each crime, straight from Bowers, Johnson & Pease's weight."""
    centre_x, centre_y = grid.centres()
    event_cells = grid.cell_index(x, y)
    event_x = centre_x.ravel()[event_cells]
    event_y = centre_y.ravel()[event_cells]
    risk = np.zeros(grid.shape)
    for ex, ey, et in zip(event_x, event_y, t, strict=True):
        age_weeks = np.floor((end - et) / 7)
        if end - et >= time_cutoff:
            continue
        distance = np.hypot(centre_x - ex, centre_y - ey)
        near = distance <= distance_cutoff + 1e-9
        risk[near] += 1 / ((1 + distance[near] / grid.cell_size) * (1 + age_weeks))
    return risk


def test_prospective_hotspotting_matches_the_weight_computed_crime_by_crime(events, grid):
    model = ProspectiveHotspotForecaster(distance_cutoff=400, time_cutoff=56)
    model.fit(events.x, events.y, events.t, grid, end=100.0)
    expected = _prospective_by_brute_force(grid, events.x, events.y, events.t, 100.0, 400, 56)
    np.testing.assert_allclose(model.predict(7), expected, atol=1e-12)


def test_prospective_hotspotting_weights_by_distance_in_cells_and_age_in_weeks():
    grid = Grid.from_extent(0, 0, 499, 99, cell_size=100)
    model = ProspectiveHotspotForecaster(distance_cutoff=200, time_cutoff=56)
    # Crime A in cell 0, 8 days old (week 1: weight 1/2); crime B in cell 2, 1 day old (week 0: weight 1).
    risk = model.fit([50.0, 250.0], [50.0, 50.0], [20.0, 27.0], grid, end=28.0).predict(7)[0]
    expected = [
        1 / 2 + 1 / 3,  # A at d = 0, B at d = 2
        1 / 2 / 2 + 1 / 2,  # A at d = 1, B at d = 1
        1 / 3 / 2 + 1,  # A at d = 2, B at d = 0
        1 / 2,  # A at d = 3 is beyond 200 m; B at d = 1
        1 / 3,  # B at d = 2
    ]
    np.testing.assert_allclose(risk, expected)


def test_prospective_hotspotting_forgets_crimes_older_than_the_time_cutoff():
    grid = Grid.from_extent(0, 0, 99, 99, cell_size=100)
    model = ProspectiveHotspotForecaster(distance_cutoff=400, time_cutoff=56)
    assert model.fit([50.0], [50.0], [100.0 - 56.0], grid, end=100.0).predict(7)[0, 0] == 0
    assert model.fit([50.0], [50.0], [100.0 - 55.5], grid, end=100.0).predict(7)[0, 0] == pytest.approx(1 / 8)


# The estimator contract shared by every method


@pytest.mark.parametrize(
    "model",
    [
        NaiveForecaster(period=7),
        KDEForecaster(bandwidth=80),
        ProspectiveHotspotForecaster(),
        GridETASForecaster(),
    ],
)
def test_every_method_predicts_one_finite_non_negative_value_per_cell_from_past_events(model, events, grid):
    past = events[events.t < 90]
    risk = model.fit(past.x, past.y, past.t, grid, end=90.0).predict(7)
    assert risk.shape == grid.shape
    assert np.all(np.isfinite(risk)) and np.all(risk >= 0)
    with pytest.raises(ValueError, match="past events"):
        model.clone().fit(events.x, events.y, events.t, grid, end=90.0)


def test_parameters_are_stored_untouched_and_cloned_unfitted():
    model = KDEForecaster(bandwidth="wide")  # stored as given: validation happens in fit
    assert model.get_params() == {"bandwidth": "wide", "kernel": "gaussian", "window": 365.0}
    grid = Grid.from_extent(0, 0, 99, 99, cell_size=100)
    fitted = KDEForecaster(bandwidth=50).fit([50.0], [50.0], [1.0], grid, end=2.0)
    copy = fitted.clone()
    assert copy.get_params() == fitted.get_params()
    assert not hasattr(copy, "density_")
    with pytest.raises(ValueError, match="no parameter 'bw'"):
        copy.set_params(bw=10)

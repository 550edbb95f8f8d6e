import numpy as np
import pytest
from scipy.optimize import minimize

from mahalla.engine.forecast import Grid, GridETASForecaster, simulate_grid_etas


def _points(grid, cells):
    """Cell centres of flat cell indices, the coordinates a simulated crime is given."""
    x = grid.x_min + (cells % grid.n_cols + 0.5) * grid.cell_size
    y = grid.y_min + (cells // grid.n_cols + 0.5) * grid.cell_size
    return x, y


def _brute_force_log_likelihood(times_by_cell, mu, theta, omega, start, end):
    """Hawkes log-likelihood written straight from its definition, with the full matrix of time lags."""
    total = 0.0
    for cell_times, cell_mu in zip(times_by_cell, mu, strict=True):
        lag = cell_times[:, None] - cell_times[None, :]  # lag[i, j] = t_i - t_j
        trigger = np.where(lag > 0, theta * omega * np.exp(-omega * np.clip(lag, 0, None)), 0.0)
        total += np.sum(np.log(cell_mu + trigger.sum(axis=1)))
        total -= cell_mu * (end - start)
        total -= theta * np.sum(1.0 - np.exp(-omega * (end - np.asarray(cell_times))))
    return total


def test_em_recovers_the_parameters_of_a_simulated_self_exciting_process():
    grid = Grid.from_extent(0, 0, 799, 799, cell_size=100)
    mu = np.random.default_rng(42).gamma(2.0, 0.015, grid.shape)
    cells, times = simulate_grid_etas(mu, theta=0.4, omega=0.15, duration=3000, random_state=1)
    x, y = _points(grid, cells)

    model = GridETASForecaster(window=3000).fit(x, y, times, grid, end=3000.0)

    assert model.converged_
    assert model.theta_ == pytest.approx(0.4, abs=0.05)
    assert model.omega_ == pytest.approx(0.15, rel=0.1)
    assert model.mu_.sum() == pytest.approx(mu.sum(), rel=0.1)
    # About 130 crimes per cell: each cell's background carries sampling noise, but the pattern holds.
    assert np.corrcoef(model.mu_.ravel(), mu.ravel())[0, 1] > 0.9


def test_em_finds_no_triggering_in_a_poisson_process():
    grid = Grid.from_extent(0, 0, 399, 399, cell_size=100)
    mu = np.full(grid.shape, 0.05)
    cells, times = simulate_grid_etas(mu, theta=0.0, omega=1.0, duration=2000, random_state=5)
    x, y = _points(grid, cells)

    model = GridETASForecaster(window=2000).fit(x, y, times, grid, end=2000.0)

    assert model.theta_ < 0.05
    np.testing.assert_allclose(model.mu_.sum(), len(times) / 2000, rtol=0.05)


def test_em_reaches_the_maximum_of_an_independently_maximised_likelihood():
    grid = Grid.from_extent(0, 0, 299, 99, cell_size=100)
    true_mu = np.array([[0.05, 0.1, 0.02]])
    cells, times = simulate_grid_etas(true_mu, theta=0.5, omega=0.3, duration=600, random_state=3)
    x, y = _points(grid, cells)
    times_by_cell = [times[cells == k] for k in range(3)]

    def negative(params):
        mu = np.exp(params[:3])
        theta = 1 / (1 + np.exp(-params[3]))
        omega = np.exp(params[4])
        return -_brute_force_log_likelihood(times_by_cell, mu, theta, omega, 0.0, 600.0)

    reference = minimize(
        negative,
        x0=np.array([-3.0, -3.0, -3.0, 0.0, np.log(0.5)]),
        method="Nelder-Mead",
        options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 20000, "maxfev": 20000},
    )
    model = GridETASForecaster(window=600, tol=1e-12, max_iter=5000).fit(x, y, times, grid, end=600.0)

    assert model.log_likelihood_ == pytest.approx(-reference.fun, abs=1e-4)
    assert model.log_likelihood_ == pytest.approx(
        _brute_force_log_likelihood(times_by_cell, model.mu_.ravel(), model.theta_, model.omega_, 0.0, 600.0)
    )
    np.testing.assert_allclose(model.mu_.ravel(), np.exp(reference.x[:3]), rtol=2e-3)
    assert model.theta_ == pytest.approx(1 / (1 + np.exp(-reference.x[3])), rel=2e-3)
    assert model.omega_ == pytest.approx(np.exp(reference.x[4]), rel=2e-3)


def _thinning_counts(history, mu, theta, omega, end, horizon, replicates, rng):
    """Crimes in (end, end + horizon] by Ogata's thinning, continuing from a history, one cell."""
    excitation = np.full(replicates, theta * omega * np.sum(np.exp(-omega * (end - history))))
    now = np.full(replicates, end)
    counts = np.zeros(replicates)
    active = np.ones(replicates, dtype=bool)
    while active.any():
        # Between crimes the intensity only decays, so its current value bounds it until the next proposal.
        bound = mu + excitation
        step = rng.exponential(1.0 / bound)
        now = np.where(active, now + step, now)
        excitation = np.where(active, excitation * np.exp(-omega * step), excitation)
        active &= now <= end + horizon
        accepted = active & (rng.random(replicates) * bound <= mu + excitation)
        counts += accepted
        excitation = np.where(accepted, excitation + theta * omega, excitation)
    return counts


def test_prediction_is_the_expected_count_of_a_simulated_continuation():
    grid = Grid.from_extent(0, 0, 99, 99, cell_size=100)
    cells, times = simulate_grid_etas(np.array([[0.05]]), theta=0.6, omega=0.5, duration=400, random_state=7)
    # A burst just before the origin makes the triggered part of the forecast large.
    times = np.concatenate([times, [398.0, 398.5, 399.0, 399.5]])
    x, y = _points(grid, np.zeros(times.size, dtype=np.intp))
    model = GridETASForecaster(window=400).fit(x, y, times, grid, end=400.0)

    counts = _thinning_counts(
        times, model.mu_[0, 0], model.theta_, model.omega_, 400.0, 10.0, 40000, np.random.default_rng(0)
    )
    standard_error = counts.std() / np.sqrt(counts.size)
    with_offspring = model.predict(10.0)[0, 0]
    without_offspring = model.set_params(offspring=False).predict(10.0)[0, 0]

    assert with_offspring == pytest.approx(counts.mean(), abs=4 * standard_error)
    # The first-generation integral alone misses the crimes triggered inside the horizon.
    assert without_offspring < counts.mean() - 4 * standard_error


def test_prediction_without_offspring_integrates_the_fitted_intensity():
    grid = Grid.from_extent(0, 0, 199, 99, cell_size=100)
    cells, times = simulate_grid_etas(
        np.array([[0.05, 0.2]]), theta=0.3, omega=0.2, duration=500, random_state=2
    )
    x, y = _points(grid, cells)
    model = GridETASForecaster(window=500, offspring=False).fit(x, y, times, grid, end=500.0)
    expected = [
        model.mu_[0, k] * 7
        + model.theta_
        * np.sum(np.exp(-model.omega_ * (500 - times[cells == k])) * (1 - np.exp(-model.omega_ * 7)))
        for k in range(2)
    ]
    np.testing.assert_allclose(model.predict(7.0)[0], expected)


def test_crimes_of_the_same_day_in_a_cell_do_not_trigger_each_other():
    grid = Grid.from_extent(0, 0, 99, 99, cell_size=100)
    times = np.repeat(np.arange(0.5, 100.5, 10.0), 2)  # two crimes on each of ten days, days apart
    x, y = _points(grid, np.zeros(times.size, dtype=np.intp))
    model = GridETASForecaster(window=100).fit(x, y, times, grid, end=100.0)
    # Same-day pairs are excluded; the rest are ten days apart: the likelihood prefers a rate near zero
    # triggering over explaining every day's pair by a trigger from the day before.
    assert model.theta_ < 0.05


def test_simulated_crime_counts_match_the_mean_of_the_process():
    mu, theta, omega, duration = 0.1, 0.5, 0.2, 200.0
    totals = [
        simulate_grid_etas(np.array([mu]), theta, omega, duration, random_state=seed)[0].size
        for seed in range(400)
    ]
    decay = omega * (1 - theta)
    stationary = theta * mu / (1 - theta)
    # Mean intensity from an empty start: mu + stationary * (1 - exp(-decay t)), integrated over the period.
    expected = mu * duration + stationary * (duration - (1 - np.exp(-decay * duration)) / decay)
    assert np.mean(totals) == pytest.approx(expected, rel=0.05)


def test_fitting_on_events_after_the_origin_is_refused():
    grid = Grid.from_extent(0, 0, 99, 99, cell_size=100)
    with pytest.raises(ValueError, match="only be fitted on past events"):
        GridETASForecaster().fit([50.0, 50.0], [50.0, 50.0], [1.0, 12.0], grid, end=10.0)


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"initial_theta": 1.2}, "initial_theta"),
        ({"max_iter": 0}, "max_iter"),
        ({"window": -5}, "window"),
        ({"tol": 0}, "tol"),
    ],
)
def test_invalid_parameters_are_refused_at_fit_naming_the_parameter(parameters, message):
    grid = Grid.from_extent(0, 0, 99, 99, cell_size=100)
    model = GridETASForecaster(**parameters)  # stored untouched; validated only in fit
    with pytest.raises((ValueError, TypeError), match=message):
        model.fit([50.0], [50.0], [1.0], grid, end=10.0)


def test_predicting_before_fitting_is_refused():
    with pytest.raises(RuntimeError, match="not fitted"):
        GridETASForecaster().predict(7)

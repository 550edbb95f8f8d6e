"""Grid ETAS (a self-exciting point process per cell) fitted by EM, after Mohler et al. 2015."""

from __future__ import annotations

import math
from typing import Self

import numpy as np
from numpy.typing import ArrayLike, NDArray

from mahalla.engine.forecast._base import GridForecaster, past_events, positive_number
from mahalla.engine.forecast.grid import Grid

__all__ = ["GridETASForecaster", "simulate_grid_etas"]

# Bounds of the trigger decay rate omega, per day: from a memory of ~30 years down to ~15 minutes. The EM
# search is done on log(omega) inside these bounds.
_OMEGA_BOUNDS = (1e-4, 1e2)
# theta is the expected number of direct offspring per crime; at or above 1 the process explodes, so the
# estimate is kept just below 1.
_THETA_MAX = 0.999


class GridETASForecaster(GridForecaster):
    """Per-cell background rate plus exponentially decaying self-excitation, fitted by EM on past events.

    In cell ``k`` the conditional intensity (crimes per day) is

        lambda_k(t) = mu_k + sum over earlier crimes i in cell k of theta * omega * exp(-omega (t - t_i)),

    so each crime raises the risk of its own cell by ``theta`` expected further crimes, spread over a mean
    delay of ``1 / omega`` days; ``mu_k`` is the cell's long-run background and ``theta`` and ``omega`` are
    shared by all cells. Only crimes strictly earlier in time trigger: with day-resolution dates, two crimes
    of the same day in the same cell do not trigger each other.

    The parameters are estimated by expectation-maximisation on the branching structure (Veen & Schoenberg
    2008; Mohler 2014; Mohler et al. 2015). The E-step gives each crime the probability that it was background
    or triggered by each earlier crime in its cell; the M-step maximises the expected complete-data
    log-likelihood *with* the edge term for offspring falling after the end of the window (exact for ``mu``
    and ``theta``, a one-dimensional search for ``omega``), so estimates are not biased for short windows.

    Parameters
    ----------
    window : float or None
        Days of history fitted: events with ``end - window <= t <= end``. None: from the earliest event.
    max_iter : int
        Maximum number of EM iterations.
    tol : float
        Stop when the log-likelihood improves by less than ``tol`` times its absolute value.
    initial_theta : float
        Starting branching ratio, in (0, 1).
    initial_omega : float
        Starting decay rate, per day.
    offspring : bool
        When predicting, also count the crimes expected to be triggered *within* the horizon by crimes of the
        horizon (the exact expectation of the process). False: integrate only the intensity implied by the
        past crimes, as a fixed map would.

    Attributes
    ----------
    mu_ : ndarray of shape grid.shape
        Background rate per cell, crimes per day.
    theta_ : float
        Branching ratio (expected direct offspring per crime).
    omega_ : float
        Trigger decay rate per day (mean delay ``1 / omega_`` days).
    excitation_ : ndarray of shape grid.shape
        Triggered part of the intensity at the origin ``end``, crimes per day.
    log_likelihood_ : float
        Log-likelihood of the fitted model on the window.
    n_iter_ : int
        EM iterations run.
    converged_ : bool
        Whether the tolerance was reached within ``max_iter``.

    References
    ----------
    Mohler, G. O., Short, M. B., Malinowski, S., Johnson, M., Tita, G. E., Bertozzi, A. L. &
    Brantingham, P. J. (2015). Randomized controlled field trials of predictive policing. Journal of the
    American Statistical Association 110(512), 1399-1411.
    Mohler, G. (2014). Marked point process hotspot maps for homicide and gun crime prediction in Chicago.
    International Journal of Forecasting 30(3), 491-497.
    Veen, A. & Schoenberg, F. P. (2008). Estimation of space-time branching process models in seismology using
    an EM-type algorithm. Journal of the American Statistical Association 103(482), 614-624.

    Examples
    --------
    >>> grid = Grid.from_extent(0, 0, 999, 999, cell_size=100)
    >>> cells, times = simulate_grid_etas(np.full(grid.shape, 0.02), 0.5, 0.2, duration=2000, random_state=1)
    >>> x = grid.x_min + (cells % grid.n_cols + 0.5) * grid.cell_size
    >>> y = grid.y_min + (cells // grid.n_cols + 0.5) * grid.cell_size
    >>> model = GridETASForecaster().fit(x, y, times, grid, end=2000.0)
    >>> bool(abs(model.theta_ - 0.5) < 0.1 and abs(model.omega_ - 0.2) < 0.05)
    True
    """

    def __init__(
        self,
        window: float | None = None,
        max_iter: int = 300,
        tol: float = 1e-8,
        initial_theta: float = 0.5,
        initial_omega: float = 0.1,
        offspring: bool = True,
    ) -> None:
        self.window = window
        self.max_iter = max_iter
        self.tol = tol
        self.initial_theta = initial_theta
        self.initial_omega = initial_omega
        self.offspring = offspring

    def _validate_parameters(self) -> None:
        positive_number("window", self.window, allow_none=True)
        if (
            isinstance(self.max_iter, bool)
            or not isinstance(self.max_iter, (int, np.integer))
            or self.max_iter < 1
        ):
            raise ValueError(f"max_iter must be a positive integer, got {self.max_iter!r}")
        positive_number("tol", self.tol)
        positive_number("initial_omega", self.initial_omega)
        positive_number("initial_theta", self.initial_theta)
        if not float(self.initial_theta) < 1:
            raise ValueError(f"initial_theta must lie in (0, 1), got {self.initial_theta!r}")
        if not isinstance(self.offspring, (bool, np.bool_)):
            raise TypeError(f"offspring must be True or False, got {self.offspring!r}")

    def fit(self, x: ArrayLike, y: ArrayLike, t: ArrayLike, grid: Grid, *, end: float | None = None) -> Self:
        """Estimate ``mu_k``, ``theta`` and ``omega`` by EM from the events in the window before ``end``."""
        self._validate_parameters()
        events = past_events(x, y, t, grid, end)
        end_time = events.end
        if self.window is None:
            if events.t.size == 0:
                raise ValueError("cannot fit grid ETAS on no events")
            start = float(events.t.min())
        else:
            start = end_time - float(self.window)
        keep = events.t >= start
        times = events.t[keep]
        cells = events.cell[keep]
        if times.size == 0:
            raise ValueError(f"no events in the fitting window [{start}, {end_time}]")
        duration = end_time - start
        if duration <= 0:
            raise ValueError("the fitting window has zero length: give a window or events spread in time")

        child, parent, lag = _earlier_pairs_in_cell(cells, times)
        time_left = end_time - times  # how long each crime has had to produce offspring inside the window
        mu = np.bincount(cells, minlength=grid.n_cells) / duration * (1.0 - float(self.initial_theta))
        theta = float(self.initial_theta)
        omega = float(self.initial_omega)
        previous = -math.inf
        converged = False
        iteration = 0
        while iteration < int(self.max_iter):
            iteration += 1
            # E-step: split each crime between its background and each earlier crime of its cell.
            trigger = theta * omega * np.exp(-omega * lag)
            intensity = mu[cells] + np.bincount(child, weights=trigger, minlength=times.size)
            log_likelihood = _log_likelihood(intensity, mu, duration, theta, omega, time_left)
            if abs(log_likelihood - previous) <= float(self.tol) * abs(log_likelihood):
                converged = True
                break
            previous = log_likelihood
            triggered_share = trigger / intensity[child]
            background_share = mu[cells] / intensity
            # M-step. mu_k: expected background crimes of cell k over the window length.
            mu = np.bincount(cells, weights=background_share, minlength=grid.n_cells) / duration
            offspring_total = float(triggered_share.sum())
            if offspring_total <= 0:
                theta = 0.0
                continue
            # A plain sum, not a BLAS dot product: on a busy machine BLAS threads made this line the slowest.
            weighted_lag = float(np.sum(triggered_share * lag))
            omega = _maximise_omega(offspring_total, weighted_lag, time_left, omega)
            theta = min(offspring_total / _exposure(omega, time_left), _THETA_MAX)

        trigger = theta * omega * np.exp(-omega * lag)
        intensity = mu[cells] + np.bincount(child, weights=trigger, minlength=times.size)
        self.grid_ = grid
        self.end_ = end_time
        self.mu_ = mu.reshape(grid.shape)
        self.theta_ = theta
        self.omega_ = omega
        self.log_likelihood_ = _log_likelihood(intensity, mu, duration, theta, omega, time_left)
        self.n_iter_ = iteration
        self.converged_ = converged
        self.excitation_ = (
            np.bincount(cells, weights=theta * omega * np.exp(-omega * time_left), minlength=grid.n_cells)
        ).reshape(grid.shape)
        return self

    def predict(self, horizon: float) -> NDArray[np.float64]:
        """Expected crimes per cell in ``(end, end + horizon]``: the intensity integrated over the horizon.

        With ``offspring=True`` the expectation includes crimes triggered within the horizon: the mean
        excitation ``E`` obeys ``dE/ds = -omega (1 - theta) E + theta omega mu``, solved in closed form.
        """
        self._check_fitted()
        positive_number("horizon", horizon)
        h = float(horizon)
        mu = self.mu_
        excitation = self.excitation_
        theta, omega = self.theta_, self.omega_
        if not self.offspring or theta == 0.0:
            result: NDArray[np.float64] = mu * h + excitation * (1.0 - math.exp(-omega * h)) / omega
            return result
        rate = omega * (1.0 - theta)
        stationary = theta * mu / (1.0 - theta)
        integrated: NDArray[np.float64] = (mu + stationary) * h + (excitation - stationary) * (
            1.0 - math.exp(-rate * h)
        ) / rate
        return integrated


def _earlier_pairs_in_cell(
    cells: NDArray[np.intp], times: NDArray[np.float64]
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
    """All (child, parent, lag) with parent strictly earlier than child in the same cell."""
    order = np.lexsort((times, cells))
    sorted_cells = cells[order]
    sorted_times = times[order]
    children: list[NDArray[np.intp]] = []
    parents: list[NDArray[np.intp]] = []
    lags: list[NDArray[np.float64]] = []
    step = 1
    while step < order.size:
        same_cell = sorted_cells[step:] == sorted_cells[:-step]
        if not same_cell.any():
            break  # sorted by cell: if no run of this length exists, no longer one does either
        lag = sorted_times[step:] - sorted_times[:-step]
        earlier = same_cell & (lag > 0)
        children.append(order[step:][earlier])
        parents.append(order[:-step][earlier])
        lags.append(lag[earlier])
        step += 1
    if not children:
        return np.empty(0, np.intp), np.empty(0, np.intp), np.empty(0)
    return np.concatenate(children), np.concatenate(parents), np.concatenate(lags)


def _exposure(omega: float, time_left: NDArray[np.float64]) -> float:
    """Expected offspring inside the window per unit theta: the trigger CDF summed at each time left."""
    return float(np.sum(-np.expm1(-omega * time_left)))


def _maximise_omega(
    offspring_total: float, weighted_lag: float, time_left: NDArray[np.float64], start: float
) -> float:
    """M-step for omega with theta profiled out: maximise S log(omega) - S log(exposure(omega)) - omega D."""

    def negative(log_omega: float) -> float:
        omega = math.exp(log_omega)
        return -(
            offspring_total * log_omega
            - offspring_total * math.log(_exposure(omega, time_left))
            - omega * weighted_lag
        )

    # scipy.optimize loads on the first fit, not with the module: the daily run never fits ETAS.
    from scipy.optimize import minimize_scalar

    low, high = math.log(_OMEGA_BOUNDS[0]), math.log(_OMEGA_BOUNDS[1])
    result = minimize_scalar(negative, bounds=(low, high), method="bounded", options={"xatol": 1e-10})
    best = float(result.x)
    # The bounded search can stop short of a flat optimum; never accept a worse value than the current omega.
    if negative(math.log(start)) < negative(best):
        return start
    return math.exp(best)


def _log_likelihood(
    intensity: NDArray[np.float64],
    mu: NDArray[np.float64],
    duration: float,
    theta: float,
    omega: float,
    time_left: NDArray[np.float64],
) -> float:
    return float(np.sum(np.log(intensity)) - mu.sum() * duration - theta * _exposure(omega, time_left))


def simulate_grid_etas(
    mu: ArrayLike,
    theta: float,
    omega: float,
    duration: float,
    random_state: int | np.random.Generator | None = None,
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Simulate grid ETAS on ``[0, duration)`` by its branching (cluster) representation.

    Background crimes of cell ``k`` form a Poisson process of rate ``mu[k]``; every crime, background or
    triggered, has Poisson(``theta``) direct offspring in its own cell, each delayed by an exponential time of
    rate ``omega``; offspring after ``duration`` are dropped.

    Parameters
    ----------
    mu : array_like
        Background rate per cell, crimes per day; its flattened (C-order) index is the cell index returned.
    theta : float
        Branching ratio in [0, 1).
    omega : float
        Decay rate per day.
    duration : float
        Length of the simulated period in days.
    random_state : int, Generator or None
        Seed or generator for reproducibility.

    Returns
    -------
    cells : ndarray of intp
        Flat cell index of each crime.
    times : ndarray of float
        Time of each crime in days, sorted ascending.

    References
    ----------
    Hawkes, A. G. & Oakes, D. (1974). A cluster process representation of a self-exciting process. Journal of
    Applied Probability 11(3), 493-503.
    """
    rates = np.asarray(mu, dtype=float).ravel()
    if np.any(~np.isfinite(rates)) or np.any(rates < 0):
        raise ValueError("mu must hold non-negative finite rates")
    if not 0 <= theta < 1:
        raise ValueError(f"theta must lie in [0, 1), got {theta}")
    positive_number("omega", omega)
    positive_number("duration", duration)
    rng = np.random.default_rng(random_state)
    background_counts = rng.poisson(rates * duration)
    generation_cells = np.repeat(np.arange(rates.size, dtype=np.intp), background_counts)
    generation_times = rng.uniform(0.0, duration, size=generation_cells.size)
    all_cells = [generation_cells]
    all_times = [generation_times]
    while generation_cells.size:
        offspring = rng.poisson(theta, size=generation_cells.size)
        child_cells = np.repeat(generation_cells, offspring)
        child_times = np.repeat(generation_times, offspring) + rng.exponential(
            1.0 / omega, size=child_cells.size
        )
        inside = child_times < duration
        generation_cells, generation_times = child_cells[inside], child_times[inside]
        all_cells.append(generation_cells)
        all_times.append(generation_times)
    cells = np.concatenate(all_cells)
    times = np.concatenate(all_times)
    order = np.argsort(times, kind="stable")
    return cells[order], times[order]

"""A forecaster that learns from the city's own past windows how multi-window counts predict the next."""

from __future__ import annotations

from typing import Any, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import ndimage

from mahalla.engine.forecast._base import GridForecaster, past_events, positive_number
from mahalla.engine.forecast.grid import Grid

__all__ = ["LearnedCountForecaster", "count_features"]

# Look-back windows of the per-cell counts, days: the last week, month, quarter and year.
_WINDOWS = (7.0, 30.0, 91.0, 365.0)
FEATURE_NAMES = (
    *(f"cell_{int(w)}d" for w in _WINDOWS),
    "cell_all_per_year",
    *(f"ring1_{int(w)}d" for w in _WINDOWS[2:]),
    "ring1_all_per_year",
    *(f"ring2_{int(w)}d" for w in _WINDOWS[3:]),
    "ring2_all_per_year",
    "days_since_last",
    "city_30d",
)


def count_features(
    cell: NDArray[np.intp], t: NDArray[np.float64], grid: Grid, origin: float, history_start: float
) -> NDArray[np.float64]:
    """Per-cell features at ``origin`` from the events (flat cell, time in days) dated before it.

    Columns (``FEATURE_NAMES``): the cell's counts in the last 7, 30, 91 and 365 days and its all-history
    count per year of history; the same sums over ring 1 (the 8 neighbours: 91 d, 365 d, all per year) and
    ring 2 (the 16 cells at Chebyshev distance 2: 365 d, all per year); the days since the cell's last event
    (the history's length when none); the city's count of the last 30 days. The all-history counts are
    rates per year so that origins with two and with three years of history are comparable.
    """
    before = t < origin
    cell = cell[before]
    t = t[before]
    years = max(origin - history_start, 1.0) / 365.25
    shape = grid.shape

    def counts(since: float | None) -> NDArray[np.float64]:
        chosen = cell if since is None else cell[t >= origin - since]
        return np.bincount(chosen, minlength=grid.n_cells).astype(float)

    cell_counts = [counts(w) for w in _WINDOWS]
    all_rate = counts(None) / years
    box1 = np.ones((3, 3))
    box2 = np.ones((5, 5))

    def rings(values: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        plane = values.reshape(shape)
        inner = ndimage.convolve(plane, box1, mode="constant", cval=0.0)
        outer = ndimage.convolve(plane, box2, mode="constant", cval=0.0)
        return (inner - plane).ravel(), (outer - inner).ravel()

    ring1_91, _ = rings(cell_counts[2])
    ring1_365, ring2_365 = rings(cell_counts[3])
    ring1_all, ring2_all = rings(all_rate)
    last = np.full(grid.n_cells, -np.inf)
    np.maximum.at(last, cell, t)
    span = max(origin - history_start, 1.0)
    since_last = np.minimum(origin - last, span)
    city = np.full(grid.n_cells, float((t >= origin - 30.0).sum()))
    columns = [*cell_counts, all_rate, ring1_91, ring1_365, ring1_all, ring2_365, ring2_all, since_last, city]
    return np.column_stack(columns)


class LearnedCountForecaster(GridForecaster):
    """Poisson gradient boosting on multi-window counts of the cell and its rings, fitted on past windows.

    At ``fit`` the forecaster builds its own training set from the events before the origin only: for each
    of the ``training_windows`` consecutive windows of ``window`` days that end at the origin (the latest
    first), the features of every cell with an earlier event (:func:`count_features`, computed at the
    window's start from the events before it) and the cell's count in the window as the target. Windows
    whose start has less than ``min_history`` days of history are left out. A scikit-learn
    ``HistGradientBoostingRegressor(loss="poisson")`` is fitted on them; the forecast is its prediction from
    the features at the origin, scaled from ``window`` days to the horizon. Cells with no past event are
    forecast 0 (they cannot be ranked by a history they lack).

    Parameters
    ----------
    window : float
        Length of the training windows, days (30 for the monthly horizon).
    training_windows : int
        How many past windows to learn from.
    min_history : float
        Days of history a training window's start needs.
    max_iter, learning_rate, max_leaf_nodes, min_samples_leaf, l2_regularization :
        Passed to the gradient-boosting regressor (fixed ``random_state``, no early stopping: deterministic).

    Attributes
    ----------
    model_ : HistGradientBoostingRegressor
        The fitted model.
    risk_ : ndarray of shape grid.shape
        Expected events per cell over ``window`` days after the origin.
    training_rows_ : int
        Cell-windows learned from.

    References
    ----------
    Mohler, G. & Porter, M. D. (2018). Rotational grid, PAI-maximizing crime forecasts. Statistical Analysis
    and Data Mining 11(5), 227-236 (learning from multi-scale counts for the NIJ challenge).
    Ke, G. et al. (2017). LightGBM: a highly efficient gradient boosting decision tree. NeurIPS 30 (the
    histogram algorithm scikit-learn's regressor follows).
    """

    def __init__(
        self,
        window: float = 30.0,
        training_windows: int = 24,
        min_history: float = 180.0,
        max_iter: int = 100,
        learning_rate: float = 0.05,
        max_leaf_nodes: int = 15,
        min_samples_leaf: int = 200,
        l2_regularization: float = 1.0,
    ) -> None:
        self.window = window
        self.training_windows = training_windows
        self.min_history = min_history
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization

    def _check_params(self) -> None:
        positive_number("window", self.window)
        positive_number("min_history", self.min_history)
        positive_number("learning_rate", self.learning_rate)
        positive_number("min_samples_leaf", self.min_samples_leaf)
        for name in ("training_windows", "max_iter", "max_leaf_nodes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive whole number, got {value!r}")
        if self.max_leaf_nodes < 2:
            raise ValueError(f"max_leaf_nodes must be at least 2, got {self.max_leaf_nodes!r}")
        if isinstance(self.l2_regularization, bool) or not float(self.l2_regularization) >= 0:
            raise ValueError(
                f"l2_regularization must be a non-negative number, got {self.l2_regularization!r}"
            )

    def _regressor(self) -> Any:
        from sklearn.ensemble import HistGradientBoostingRegressor  # heavy import, only when fitting

        return HistGradientBoostingRegressor(
            loss="poisson",
            max_iter=int(self.max_iter),
            learning_rate=float(self.learning_rate),
            max_leaf_nodes=int(self.max_leaf_nodes),
            min_samples_leaf=int(self.min_samples_leaf),
            l2_regularization=float(self.l2_regularization),
            early_stopping=False,
            random_state=0,
        )

    def fit(self, x: ArrayLike, y: ArrayLike, t: ArrayLike, grid: Grid, *, end: float | None = None) -> Self:
        """Learn from the past windows before ``end``, then compute the features at ``end``."""
        self._check_params()
        events = past_events(x, y, t, grid, end)
        if events.t.size == 0:
            raise ValueError("cannot forecast from no past events")
        start = float(events.t.min())
        window = float(self.window)
        rows: list[NDArray[np.float64]] = []
        targets: list[NDArray[np.float64]] = []
        for back in range(1, int(self.training_windows) + 1):
            window_start = events.end - back * window
            if window_start - start < float(self.min_history):
                break
            seen = np.zeros(grid.n_cells, dtype=bool)
            seen[events.cell[events.t < window_start]] = True
            inside = (events.t >= window_start) & (events.t < window_start + window)
            target = np.bincount(events.cell[inside], minlength=grid.n_cells).astype(float)
            features = count_features(events.cell, events.t, grid, window_start, start)
            rows.append(features[seen])
            targets.append(target[seen])
        if not rows:
            raise ValueError(
                f"no training window: the history ({events.end - start:.0f} days) is shorter than "
                f"min_history + window ({float(self.min_history) + window:.0f} days)"
            )
        from threadpoolctl import threadpool_limits  # comes with scikit-learn

        # One OpenMP thread: the fits are small, and on a shared machine the spinning of a second thread at
        # every barrier cost far more than it saved (the Chicago backtest passed 5 min of CPU with two).
        with threadpool_limits(limits=1, user_api="openmp"):
            self.model_ = self._regressor().fit(np.vstack(rows), np.concatenate(targets))
        self.training_rows_ = int(sum(len(target) for target in targets))
        seen = np.zeros(grid.n_cells, dtype=bool)
        seen[events.cell] = True
        risk = np.zeros(grid.n_cells)
        features = count_features(events.cell, events.t, grid, events.end, start)
        with threadpool_limits(limits=1, user_api="openmp"):
            risk[seen] = self.model_.predict(features[seen])
        self.risk_ = risk.reshape(grid.shape)
        self.grid_ = grid
        self.end_ = events.end
        return self

    def predict(self, horizon: float) -> NDArray[np.float64]:
        """Expected events per cell over ``horizon`` days (the learned window's forecast, scaled)."""
        self._check_fitted()
        positive_number("horizon", horizon)
        result: NDArray[np.float64] = self.risk_ * (float(horizon) / float(self.window))
        return result

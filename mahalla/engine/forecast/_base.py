"""What every grid forecaster shares: the scikit-learn parameter contract, validation of past events."""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray

from mahalla.engine.forecast.grid import Grid

__all__ = ["GridForecaster", "PastEvents", "past_events"]


@dataclass(frozen=True)
class PastEvents:
    """Validated training events: coordinates, times in days and their flat cell index on ``grid``."""

    x: NDArray[np.float64]
    y: NDArray[np.float64]
    t: NDArray[np.float64]
    cell: NDArray[np.intp]
    grid: Grid
    end: float


def past_events(x: ArrayLike, y: ArrayLike, t: ArrayLike, grid: Grid, end: float | None) -> PastEvents:
    """Check that the events are usable for fitting and that none lies after the forecast origin ``end``."""
    if not isinstance(grid, Grid):
        raise TypeError(f"grid must be a mahalla.engine.forecast.Grid, got {type(grid).__name__}")
    x_array = np.asarray(x, dtype=float)
    y_array = np.asarray(y, dtype=float)
    t_array = np.asarray(t, dtype=float)
    if not (x_array.ndim == 1 and x_array.shape == y_array.shape == t_array.shape):
        raise ValueError(
            f"x, y and t must be 1-d arrays of equal length, got shapes {x_array.shape}, {y_array.shape}, "
            f"{t_array.shape}"
        )
    if not np.all(np.isfinite(t_array)):
        bad = int(np.flatnonzero(~np.isfinite(t_array))[0])
        raise ValueError(f"event times must be finite numbers of days; event {bad} has t = {t_array[bad]}")
    if end is None:
        if t_array.size == 0:
            raise ValueError("end must be given when there are no events")
        end = float(t_array.max())
    end = float(end)
    if not math.isfinite(end):
        raise ValueError(f"end must be a finite time in days, got {end}")
    if t_array.size and t_array.max() > end:
        bad = int(np.argmax(t_array))
        raise ValueError(
            f"a forecast may only be fitted on past events: event {bad} at t = {t_array[bad]} "
            f"is after end = {end}"
        )
    cell = grid.cell_index(x_array, y_array, outside="raise")
    return PastEvents(x_array, y_array, t_array, cell, grid, end)


def positive_number(name: str, value: object, *, allow_none: bool = False) -> None:
    """Raise a clear error unless ``value`` is a positive finite number (or None when allowed)."""
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a positive number, got {value!r}")
    if not (math.isfinite(float(value)) and float(value) > 0):
        raise ValueError(f"{name} must be a positive number, got {value!r}")


class GridForecaster:
    """Base of the grid forecast methods: the scikit-learn estimator contract.

    Parameters are stored untouched by ``__init__`` and validated in :meth:`fit`; fitted attributes end in
    ``_``. A subclass implements :meth:`fit` (past events only, up to the origin ``end``) and :meth:`predict`,
    which returns one non-negative risk value per cell for the ``horizon`` days that follow ``end``.
    """

    @classmethod
    def _parameter_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return [name for name in signature.parameters if name != "self"]

    def get_params(self) -> dict[str, Any]:
        """Parameters of this forecaster, as given to ``__init__``."""
        return {name: getattr(self, name) for name in self._parameter_names()}

    def set_params(self, **params: Any) -> Self:
        """Set parameters by name; unknown names are refused."""
        valid = set(self._parameter_names())
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"{type(self).__name__} has no parameter {name!r}; valid: {sorted(valid)}")
            setattr(self, name, value)
        return self

    def clone(self) -> Self:
        """An unfitted copy with the same parameters."""
        return type(self)(**self.get_params())

    def __repr__(self) -> str:
        arguments = ", ".join(f"{name}={value!r}" for name, value in self.get_params().items())
        return f"{type(self).__name__}({arguments})"

    def fit(self, x: ArrayLike, y: ArrayLike, t: ArrayLike, grid: Grid, *, end: float | None = None) -> Self:
        """Fit on past events at (x, y) metres, times t (days); forecast origin ``end`` (default: last t)."""
        raise NotImplementedError

    def predict(self, horizon: float) -> NDArray[np.float64]:
        """Risk per cell, shape ``grid.shape``, for the ``horizon`` days after the forecast origin."""
        raise NotImplementedError

    def _check_fitted(self) -> None:
        if not hasattr(self, "grid_"):
            raise RuntimeError(f"this {type(self).__name__} is not fitted yet: call fit before predict")

"""A regular square grid over projected coordinates (metres), the geometry every forecast method shares."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["Grid"]


def _coordinates(x: ArrayLike, y: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    x_array = np.asarray(x, dtype=float)
    y_array = np.asarray(y, dtype=float)
    if x_array.ndim != 1 or x_array.shape != y_array.shape:
        raise ValueError(
            f"x and y must be 1-d arrays of equal length, got shapes {x_array.shape} and {y_array.shape}"
        )
    finite = np.isfinite(x_array) & np.isfinite(y_array)
    if not finite.all():
        bad = int(np.flatnonzero(~finite)[0])
        raise ValueError(f"coordinates must be finite; point {bad} is ({x_array[bad]}, {y_array[bad]})")
    return x_array, y_array


@dataclass(frozen=True)
class Grid:
    """Square cells of side ``cell_size`` metres, ``n_rows`` x ``n_cols``, lower-left corner (x_min, y_min).

    Cell (row, col) covers ``[x_min + col * cell_size, x_min + (col + 1) * cell_size)`` by
    ``[y_min + row * cell_size, y_min + (row + 1) * cell_size)``: half-open, so a point on a shared edge
    belongs to the cell above / to the right. Row 0 is the southernmost row. Arrays over the grid have shape
    ``(n_rows, n_cols)`` and the flat cell index is ``row * n_cols + col`` (C order), the index scoring uses
    to break ties.

    Parameters
    ----------
    x_min, y_min : float
        Lower-left corner in projected metres.
    cell_size : float
        Side of a cell in metres.
    n_rows, n_cols : int
        Number of rows (northward) and columns (eastward).

    Examples
    --------
    >>> grid = Grid.from_points([0.0, 250.0], [0.0, 90.0], cell_size=100.0)
    >>> grid.shape
    (1, 3)
    >>> grid.counts([0.0, 250.0, 260.0], [0.0, 90.0, 10.0]).tolist()
    [[1.0, 0.0, 2.0]]
    """

    x_min: float
    y_min: float
    cell_size: float
    n_rows: int
    n_cols: int

    def __post_init__(self) -> None:
        if not (math.isfinite(self.cell_size) and self.cell_size > 0):
            raise ValueError(f"cell_size must be a positive number of metres, got {self.cell_size}")
        if not (math.isfinite(self.x_min) and math.isfinite(self.y_min)):
            raise ValueError(f"the grid corner must be finite, got ({self.x_min}, {self.y_min})")
        if self.n_rows < 1 or self.n_cols < 1:
            raise ValueError(
                f"a grid needs at least one row and one column, got {self.n_rows} x {self.n_cols}"
            )

    @classmethod
    def from_extent(cls, x_min: float, y_min: float, x_max: float, y_max: float, cell_size: float) -> Grid:
        """Grid whose cells, anchored at (x_min, y_min), cover the box up to and including (x_max, y_max)."""
        if not cell_size > 0:
            raise ValueError(f"cell_size must be a positive number of metres, got {cell_size}")
        if not (x_max >= x_min and y_max >= y_min):
            raise ValueError(
                f"extent must have x_max >= x_min and y_max >= y_min, got {(x_min, y_min, x_max, y_max)}"
            )
        # floor + 1 rather than ceil: a point exactly on x_max must still fall inside the last column.
        n_cols = int(math.floor((x_max - x_min) / cell_size)) + 1
        n_rows = int(math.floor((y_max - y_min) / cell_size)) + 1
        return cls(float(x_min), float(y_min), float(cell_size), n_rows, n_cols)

    @classmethod
    def from_points(cls, x: ArrayLike, y: ArrayLike, cell_size: float) -> Grid:
        """Smallest grid anchored at the points' minimum x and y that contains every point."""
        x_array, y_array = _coordinates(x, y)
        if x_array.size == 0:
            raise ValueError("cannot build a grid from no points; give an extent instead")
        return cls.from_extent(
            float(x_array.min()), float(y_array.min()), float(x_array.max()), float(y_array.max()), cell_size
        )

    @property
    def shape(self) -> tuple[int, int]:
        """(n_rows, n_cols), the shape of every array over the grid."""
        return (self.n_rows, self.n_cols)

    @property
    def n_cells(self) -> int:
        """Number of cells."""
        return self.n_rows * self.n_cols

    @property
    def cell_area(self) -> float:
        """Area of one cell in square metres."""
        return self.cell_size * self.cell_size

    def centres(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """x and y of every cell centre, each an array of shape ``(n_rows, n_cols)``."""
        xs = self.x_min + (np.arange(self.n_cols) + 0.5) * self.cell_size
        ys = self.y_min + (np.arange(self.n_rows) + 0.5) * self.cell_size
        centre_x, centre_y = np.meshgrid(xs, ys)
        return centre_x, centre_y

    def row_col(
        self, x: ArrayLike, y: ArrayLike, *, outside: Literal["raise", "drop", "flag"] = "raise"
    ) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """Row and column of the cell holding each point.

        Parameters
        ----------
        x, y : array_like
            Point coordinates in the grid's projected metres.
        outside : {"raise", "drop", "flag"}
            What to do with points outside the grid: raise a ValueError naming the first one, drop them, or
            keep them with row and column -1.
        """
        x_array, y_array = _coordinates(x, y)
        cols = np.floor((x_array - self.x_min) / self.cell_size).astype(np.intp)
        rows = np.floor((y_array - self.y_min) / self.cell_size).astype(np.intp)
        inside = (cols >= 0) & (cols < self.n_cols) & (rows >= 0) & (rows < self.n_rows)
        if inside.all():
            return rows, cols
        if outside == "raise":
            bad = int(np.flatnonzero(~inside)[0])
            raise ValueError(
                f"point {bad} at ({x_array[bad]}, {y_array[bad]}) lies outside the grid "
                f"x [{self.x_min}, {self.x_min + self.n_cols * self.cell_size}), "
                f"y [{self.y_min}, {self.y_min + self.n_rows * self.cell_size})"
            )
        if outside == "drop":
            return rows[inside], cols[inside]
        if outside == "flag":
            rows[~inside] = -1
            cols[~inside] = -1
            return rows, cols
        raise ValueError(f"outside must be 'raise', 'drop' or 'flag', got {outside!r}")

    def cell_index(
        self, x: ArrayLike, y: ArrayLike, *, outside: Literal["raise", "drop", "flag"] = "raise"
    ) -> NDArray[np.intp]:
        """Flat (C-order) cell index of each point; -1 for points outside when ``outside="flag"``."""
        rows, cols = self.row_col(x, y, outside=outside)
        index = rows * self.n_cols + cols
        if outside == "flag":
            index[rows < 0] = -1
        return index

    def counts(
        self,
        x: ArrayLike,
        y: ArrayLike,
        *,
        weights: ArrayLike | None = None,
        outside: Literal["raise", "drop"] = "raise",
    ) -> NDArray[np.float64]:
        """Number (or summed ``weights``) of points per cell, shape ``(n_rows, n_cols)``."""
        index = self.cell_index(x, y, outside="flag")
        inside = index >= 0
        if not inside.all() and outside == "raise":
            self.row_col(x, y, outside="raise")  # raises with the first outside point named
        weight_array = None
        if weights is not None:
            weight_array = np.asarray(weights, dtype=float)
            if weight_array.shape != index.shape:
                raise ValueError(f"weights must have one value per point, got shape {weight_array.shape}")
            weight_array = weight_array[inside]
        flat = np.bincount(index[inside], weights=weight_array, minlength=self.n_cells).astype(float)
        return flat.reshape(self.shape)

    def study_area(self, x: ArrayLike, y: ArrayLike) -> NDArray[np.bool_]:
        """Mask of cells holding at least one of the given (historical) points: the study area.

        Points outside the grid are ignored.
        """
        return self.counts(x, y, outside="drop") > 0

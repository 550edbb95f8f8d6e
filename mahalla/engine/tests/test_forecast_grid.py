import numpy as np
import pytest

from mahalla.engine.forecast import Grid


def test_points_on_a_shared_edge_belong_to_the_cell_above_and_to_the_right():
    grid = Grid(x_min=0.0, y_min=0.0, cell_size=100.0, n_rows=2, n_cols=2)
    rows, cols = grid.row_col([100.0, 99.999, 0.0], [0.0, 100.0, 99.999])
    assert rows.tolist() == [0, 1, 0]
    assert cols.tolist() == [1, 0, 0]


def test_flat_cell_index_is_row_major_from_the_south_west_corner():
    grid = Grid(x_min=1000.0, y_min=2000.0, cell_size=50.0, n_rows=3, n_cols=4)
    # (col 3, row 0) -> 3; (col 0, row 2) -> 8; (col 2, row 1) -> 6.
    index = grid.cell_index([1190.0, 1010.0, 1120.0], [2010.0, 2140.0, 2060.0])
    assert index.tolist() == [3, 8, 6]


def test_a_grid_built_from_points_contains_the_extreme_points():
    rng = np.random.default_rng(0)
    x = rng.uniform(355_000, 362_000, 300)
    y = rng.uniform(570_000, 575_000, 300)
    x[0], y[0] = 362_000.0, 575_000.0  # a point exactly on the far corner
    grid = Grid.from_points(x, y, cell_size=150)
    assert grid.counts(x, y).sum() == 300
    assert grid.shape == (int((575_000 - y.min()) // 150) + 1, int((362_000 - x.min()) // 150) + 1)


def test_counts_equal_a_histogram_over_the_cell_edges():
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1000, 500)
    y = rng.uniform(0, 600, 500)
    grid = Grid.from_extent(0, 0, 1000, 600, cell_size=100)
    edges_x = np.arange(grid.n_cols + 1) * 100.0
    edges_y = np.arange(grid.n_rows + 1) * 100.0
    reference, _, _ = np.histogram2d(y, x, bins=[edges_y, edges_x])
    np.testing.assert_array_equal(grid.counts(x, y), reference)


def test_cell_centres_lie_half_a_cell_inside_the_corner():
    grid = Grid(x_min=10.0, y_min=20.0, cell_size=4.0, n_rows=2, n_cols=3)
    centre_x, centre_y = grid.centres()
    assert centre_x[0].tolist() == [12.0, 16.0, 20.0]
    assert centre_y[:, 0].tolist() == [22.0, 26.0]
    assert grid.cell_index(centre_x.ravel(), centre_y.ravel()).tolist() == list(range(6))


def test_the_study_area_is_the_cells_with_any_historical_event():
    grid = Grid(x_min=0.0, y_min=0.0, cell_size=10.0, n_rows=2, n_cols=2)
    area = grid.study_area([5.0, 15.0, 16.0, 500.0], [5.0, 15.0, 14.0, 5.0])
    assert area.tolist() == [[True, False], [False, True]]


def test_a_point_outside_the_grid_is_refused_naming_it():
    grid = Grid(x_min=0.0, y_min=0.0, cell_size=10.0, n_rows=2, n_cols=2)
    with pytest.raises(ValueError, match=r"point 1 at \(25.0, 5.0\)"):
        grid.counts([5.0, 25.0], [5.0, 5.0])
    assert grid.counts([5.0, 25.0], [5.0, 5.0], outside="drop").sum() == 1
    assert grid.cell_index([5.0, 25.0], [5.0, 5.0], outside="flag").tolist() == [0, -1]


def test_non_finite_coordinates_are_refused_naming_the_point():
    grid = Grid(x_min=0.0, y_min=0.0, cell_size=10.0, n_rows=2, n_cols=2)
    with pytest.raises(ValueError, match="point 2"):
        grid.cell_index([1.0, 2.0, np.nan], [1.0, 2.0, 3.0])


@pytest.mark.parametrize("cell_size", [0.0, -150.0, float("nan")])
def test_a_cell_size_that_is_not_positive_is_refused(cell_size):
    with pytest.raises(ValueError, match="cell_size"):
        Grid.from_extent(0, 0, 100, 100, cell_size=cell_size)

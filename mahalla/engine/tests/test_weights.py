"""Spatial weights against published contiguity files and libpysal's reference implementation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from scipy import sparse
from shapely import Polygon, box
from shapely.geometry import shape

from mahalla.engine.weights import (
    as_weights,
    distance_band_weights,
    islands,
    knn_weights,
    queen_weights,
    rook_weights,
    row_standardize,
    with_self_loops,
)

DATA = Path(__file__).parent / "data" / "spatial"
libpysal_weights = pytest.importorskip("libpysal.weights")


def read_gal(path: Path) -> np.ndarray:
    """Dense 0/1 matrix from a GAL file whose ids are 1-based row positions."""
    header, body = path.read_text().split("\n", 1)
    # The header is either "n" or the GeoDa form "0 n shapefile id_field".
    fields = header.split()
    n = int(fields[1] if len(fields) > 1 else fields[0])
    tokens = body.split()
    matrix = np.zeros((n, n))
    pos = 0
    while pos < len(tokens):
        own, count = int(tokens[pos]), int(tokens[pos + 1])
        neighbours = [int(t) for t in tokens[pos + 2 : pos + 2 + count]]
        matrix[own - 1, [j - 1 for j in neighbours]] = 1.0
        pos += 2 + count
    return matrix


def columbus_polygons() -> list[shapely.Geometry]:
    features = json.loads((DATA / "columbus.json").read_text())["features"]
    return [shape(f["geometry"]) for f in features]


def stl_polygons() -> np.ndarray:
    return shapely.from_wkt(pd.read_csv(DATA / "stl_hom.csv")["WKT"].to_numpy())


def test_queen_weights_reproduce_the_published_columbus_gal_file():
    w = queen_weights(columbus_polygons())
    np.testing.assert_array_equal(w.toarray(), read_gal(DATA / "columbus.gal"))


@pytest.mark.parametrize("polygons", [columbus_polygons, stl_polygons], ids=["columbus", "st_louis"])
def test_queen_weights_equal_libpysal_queen(polygons):
    geoms = list(polygons())
    reference = libpysal_weights.Queen.from_iterable(geoms).sparse.toarray()
    np.testing.assert_array_equal(queen_weights(geoms).toarray(), reference)


def test_rook_weights_reproduce_the_published_st_louis_rook_file():
    w = rook_weights(stl_polygons())
    np.testing.assert_array_equal(w.toarray(), read_gal(DATA / "stl_hom_rook.gal"))


def test_rook_weights_equal_libpysal_rook_on_columbus():
    geoms = columbus_polygons()
    reference = libpysal_weights.Rook.from_iterable(geoms).sparse.toarray()
    np.testing.assert_array_equal(rook_weights(geoms).toarray(), reference)


def test_a_shared_corner_makes_queen_but_not_rook_neighbours():
    cells = [box(0, 0, 1, 1), box(1, 1, 2, 2), box(1, 0, 2, 1)]
    queen = queen_weights(cells).toarray()
    rook = rook_weights(cells).toarray()
    assert queen[0, 1] == 1 and rook[0, 1] == 0
    assert queen[0, 2] == 1 and rook[0, 2] == 1
    assert queen[1, 2] == 1 and rook[1, 2] == 1


def test_a_vertex_on_a_neighbours_edge_counts_as_contact():
    # libpysal matches shared vertices only; a T-junction has a vertex of one polygon on the other's edge.
    left = box(0, 0, 1, 2)
    right_top = box(1, 1, 2, 3)
    assert queen_weights([left, right_top]).toarray()[0, 1] == 1
    assert rook_weights([left, right_top]).toarray()[0, 1] == 1


def test_tolerance_bridges_a_digitising_gap_between_polygons():
    cells = [box(0, 0, 1, 1), box(1.001, 0, 2, 1)]
    assert queen_weights(cells).nnz == 0
    assert queen_weights(cells, tolerance=0.01).toarray()[0, 1] == 1


def test_multipolygons_are_neighbours_through_any_part():
    split = shapely.MultiPolygon([box(0, 0, 1, 1), box(5, 0, 6, 1)])
    assert queen_weights([split, box(6, 0, 7, 1)]).toarray()[0, 1] == 1


def test_contiguity_weights_are_symmetric_binary_with_an_empty_diagonal():
    w = queen_weights(stl_polygons())
    assert isinstance(w, sparse.csr_array)
    assert (w != w.T).nnz == 0
    assert set(np.unique(w.data)) == {1.0}
    assert np.all(w.diagonal() == 0)


def test_distance_band_equals_libpysal_including_pairs_at_exactly_the_threshold():
    points = [(10, 10), (20, 10), (40, 10), (15, 20), (30, 20), (30, 30)]
    reference = libpysal_weights.DistanceBand(points, threshold=15).sparse.toarray()
    w = distance_band_weights(points, 15).toarray()
    np.testing.assert_array_equal(w, reference)
    assert w[3, 4] == 1  # (15, 20) and (30, 20) are exactly 15 apart


# libpysal raises the zero diagonal to the power -1 internally before dropping it.
@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
def test_inverse_distance_band_equals_libpysal():
    centroids = shapely.get_coordinates(shapely.centroid(stl_polygons()))
    reference = libpysal_weights.DistanceBand(centroids, threshold=0.6, binary=False, alpha=-1.0).sparse
    w = distance_band_weights(centroids, 0.6, binary=False, power=-1.0)
    np.testing.assert_allclose(w.toarray(), reference.toarray(), rtol=1e-12)


def test_knn_equals_libpysal_knn():
    centroids = shapely.get_coordinates(shapely.centroid(np.asarray(columbus_polygons(), dtype=object)))
    reference = libpysal_weights.KNN(centroids, k=4).sparse.toarray()
    w = knn_weights(centroids, 4)
    np.testing.assert_array_equal(w.toarray(), reference)
    np.testing.assert_array_equal(np.diff(w.indptr), 4)


def test_knn_never_makes_a_point_its_own_neighbour_even_when_points_coincide():
    points = [(0, 0), (0, 0), (0, 0), (5, 5)]
    w = knn_weights(points, 2).toarray()
    assert np.all(np.diag(w) == 0)
    np.testing.assert_array_equal(w.sum(axis=1), 2)


def test_islands_are_found_and_self_loops_do_not_hide_them():
    cells = [box(0, 0, 1, 1), box(1, 0, 2, 1), box(5, 5, 6, 6)]
    w = queen_weights(cells)
    np.testing.assert_array_equal(islands(w), [2])
    np.testing.assert_array_equal(islands(with_self_loops(w)), [2])


def test_row_standardised_rows_sum_to_one_and_islands_stay_empty():
    cells = [box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1), box(9, 9, 10, 10)]
    w = row_standardize(queen_weights(cells))
    np.testing.assert_allclose(np.asarray(w.sum(axis=1)).ravel(), [1, 1, 1, 0])
    assert w.toarray()[1, 0] == pytest.approx(0.5)


def test_with_self_loops_sets_every_diagonal_entry_and_keeps_the_neighbours():
    w = queen_weights([box(0, 0, 1, 1), box(1, 0, 2, 1), box(7, 7, 8, 8)])
    star = with_self_loops(w)
    np.testing.assert_array_equal(star.diagonal(), [1, 1, 1])
    assert star.toarray()[0, 1] == 1 and star.nnz == w.nnz + 3


def test_an_invalid_polygon_is_rejected_with_its_index():
    bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    with pytest.raises(ValueError, match=r"polygons\[1\] is not a valid geometry"):
        queen_weights([box(0, 0, 1, 1), bowtie])


def test_a_point_is_rejected_where_polygons_are_expected():
    with pytest.raises(ValueError, match=r"polygons\[0\] is a Point"):
        rook_weights([shapely.Point(0, 0), box(0, 0, 1, 1)])
    with pytest.raises(TypeError, match=r"polygons\[1\] is str"):
        queen_weights([box(0, 0, 1, 1), "POLYGON"])


def test_bad_points_and_parameters_are_rejected_with_the_reason():
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        distance_band_weights([1.0, 2.0, 3.0], 1.0)
    with pytest.raises(ValueError, match=r"points\[1\] has a missing"):
        knn_weights([(0, 0), (np.nan, 1), (2, 2)], 1)
    with pytest.raises(ValueError, match="threshold must be a positive"):
        distance_band_weights([(0, 0), (1, 1)], 0)
    with pytest.raises(ValueError, match="k must be an integer"):
        knn_weights([(0, 0), (1, 1)], 2)
    with pytest.raises(ValueError, match="coincide"):
        distance_band_weights([(0, 0), (0, 0), (3, 3)], 1.0, binary=False)


def test_weights_matrices_with_negative_or_missing_values_or_wrong_shape_are_rejected():
    with pytest.raises(ValueError, match="negative weight"):
        as_weights(np.array([[0, -1], [1, 0]]))
    with pytest.raises(ValueError, match="missing or infinite"):
        as_weights(np.array([[0, np.nan], [1, 0]]))
    with pytest.raises(ValueError, match="square"):
        as_weights(np.ones((2, 3)))
    with pytest.raises(ValueError, match="3 rows but there are 4 locations"):
        as_weights(np.eye(3), 4)

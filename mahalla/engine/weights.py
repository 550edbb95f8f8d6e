"""Spatial weights as ``scipy.sparse`` CSR matrices.

Row ``i`` of a weights matrix lists the neighbours of location ``i``; the order of the rows is the order of
the geometries or points passed in. Contiguity (queen, rook) is computed geometrically with a shapely 2
``STRtree`` in one vectorised query, so 9,000 mahalla polygons take well under a second; distance band and
k nearest neighbours use ``scipy.spatial.cKDTree``.

References
----------
Anselin, L. (1988). *Spatial Econometrics: Methods and Models*. Kluwer, ch. 3 (contiguity and distance
weights). Rey, S. J. & Anselin, L. (2007). PySAL: A Python library of spatial analytical methods. *Review of
Regional Studies* 37(1), 5-27 (libpysal ``Queen``, ``Rook``, ``DistanceBand``, ``KNN``, whose results these
functions reproduce).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy import sparse
from scipy.spatial import cKDTree

__all__ = [
    "as_weights",
    "distance_band_weights",
    "islands",
    "knn_weights",
    "queen_weights",
    "rook_weights",
    "row_standardize",
    "with_self_loops",
]

WeightsMatrix: TypeAlias = sparse.csr_array


def _polygon_array(polygons: Sequence[Any] | NDArray[Any]) -> NDArray[Any]:
    geoms = np.asarray(polygons, dtype=object)
    if geoms.ndim != 1:
        raise ValueError(
            f"polygons must be a one-dimensional sequence of geometries, got shape {geoms.shape}"
        )
    if geoms.size == 0:
        raise ValueError("polygons is empty: at least one polygon is needed")
    is_geometry = np.array([isinstance(g, shapely.Geometry) for g in geoms], dtype=bool)
    if not is_geometry.all():
        bad = int(np.flatnonzero(~is_geometry)[0])
        raise TypeError(f"polygons[{bad}] is {type(geoms[bad]).__name__}, not a shapely geometry")
    type_ids = shapely.get_type_id(geoms)
    # 3 = Polygon, 6 = MultiPolygon in the GEOS type numbering.
    not_polygonal = ~np.isin(type_ids, (3, 6))
    if not_polygonal.any():
        bad = int(np.flatnonzero(not_polygonal)[0])
        raise ValueError(f"polygons[{bad}] is a {geoms[bad].geom_type}, expected Polygon or MultiPolygon")
    empty = shapely.is_empty(geoms)
    if empty.any():
        raise ValueError(f"polygons[{int(np.flatnonzero(empty)[0])}] is empty")
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        bad = int(np.flatnonzero(invalid)[0])
        # Predicates on invalid geometries give wrong neighbours silently; the caller must repair first.
        raise ValueError(
            f"polygons[{bad}] is not a valid geometry ({shapely.is_valid_reason(geoms[bad])}); "
            "repair it with shapely.make_valid before building weights"
        )
    return geoms


def _from_pairs(
    n: int, rows: NDArray[np.intp], cols: NDArray[np.intp], values: NDArray[np.float64]
) -> WeightsMatrix:
    matrix = sparse.coo_array((values, (rows, cols)), shape=(n, n)).tocsr()
    matrix.sum_duplicates()
    matrix.sort_indices()
    return sparse.csr_array(matrix, dtype=np.float64)


def _candidate_pairs(geoms: NDArray[Any], tolerance: float) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    if tolerance < 0 or not np.isfinite(tolerance):
        raise ValueError(f"tolerance must be a finite non-negative distance, got {tolerance}")
    tree = shapely.STRtree(geoms)
    if tolerance > 0:
        pairs = tree.query(geoms, predicate="dwithin", distance=tolerance)
    else:
        pairs = tree.query(geoms, predicate="intersects")
    left, right = pairs[0].astype(np.intp), pairs[1].astype(np.intp)
    keep = left < right
    return left[keep], right[keep]


def queen_weights(polygons: Sequence[Any] | NDArray[Any], *, tolerance: float = 0.0) -> WeightsMatrix:
    """Binary queen contiguity: two polygons are neighbours when they share at least one boundary point.

    Parameters
    ----------
    polygons : sequence of shapely Polygon or MultiPolygon
        One geometry per location, valid, in a projected or geographic coordinate system.
    tolerance : float, default 0
        When positive, polygons closer than this distance (in the units of the coordinates) are also
        neighbours; this bridges the slivers and gaps that digitised administrative boundaries often have.

    Returns
    -------
    scipy.sparse.csr_array
        Symmetric ``n x n`` matrix of ones and zeros with an empty diagonal.

    Notes
    -----
    The test is geometric (GEOS ``intersects``), so a vertex of one polygon lying on an edge of another
    counts as contact; libpysal's ``Queen`` matches shared vertices only, which gives the same answer on
    topologically clean data such as the Columbus and St Louis maps. Overlapping polygons are neighbours.

    References
    ----------
    Anselin, L. (1988). *Spatial Econometrics*, section 3.1 (contiguity). libpysal ``weights.Queen``.

    Examples
    --------
    >>> from shapely import box
    >>> w = queen_weights([box(0, 0, 1, 1), box(1, 1, 2, 2), box(3, 3, 4, 4)])
    >>> w.toarray().astype(int).tolist()
    [[0, 1, 0], [1, 0, 0], [0, 0, 0]]
    """
    geoms = _polygon_array(polygons)
    left, right = _candidate_pairs(geoms, tolerance)
    n = geoms.size
    ones = np.ones(2 * left.size)
    return _from_pairs(n, np.concatenate([left, right]), np.concatenate([right, left]), ones)


def rook_weights(polygons: Sequence[Any] | NDArray[Any]) -> WeightsMatrix:
    """Binary rook contiguity: neighbours share a stretch of boundary of positive length (or overlap).

    Parameters
    ----------
    polygons : sequence of shapely Polygon or MultiPolygon
        One valid geometry per location.

    Returns
    -------
    scipy.sparse.csr_array
        Symmetric ``n x n`` binary matrix with an empty diagonal.

    Notes
    -----
    Candidate pairs come from the queen query; each is then classified with its DE-9IM matrix: a
    one-dimensional boundary/boundary intersection (shared edge) or a two-dimensional interior/interior
    intersection (overlap) makes a rook neighbour, a single shared corner does not.

    References
    ----------
    Anselin, L. (1988). *Spatial Econometrics*, section 3.1. Egenhofer, M. & Herring, J. (1990) /
    OGC Simple Features: the dimensionally extended nine-intersection model (DE-9IM).
    libpysal ``weights.Rook``.
    """
    geoms = _polygon_array(polygons)
    left, right = _candidate_pairs(geoms, 0.0)
    n = geoms.size
    if left.size == 0:
        return _from_pairs(n, left, right, np.ones(0))
    matrices = shapely.relate(geoms[left], geoms[right])
    codes = np.array(matrices, dtype="U9")
    interior_overlap = np.char.startswith(codes, "2")
    # Character 4 of the DE-9IM string is dim(boundary(a) & boundary(b)).
    shared_edge = np.array([code[4] == "1" for code in codes], dtype=bool)
    keep = interior_overlap | shared_edge
    left, right = left[keep], right[keep]
    return _from_pairs(
        n, np.concatenate([left, right]), np.concatenate([right, left]), np.ones(2 * left.size)
    )


def _point_array(points: ArrayLike) -> NDArray[np.float64]:
    coords = np.asarray(points, dtype=float)
    if coords.ndim != 2 or coords.shape[1] != 2:
        raise ValueError(f"points must be an (n, 2) array of x, y coordinates, got shape {coords.shape}")
    if coords.shape[0] == 0:
        raise ValueError("points is empty: at least one point is needed")
    not_finite = ~np.isfinite(coords).all(axis=1)
    if not_finite.any():
        raise ValueError(f"points[{int(np.flatnonzero(not_finite)[0])}] has a missing or infinite coordinate")
    return coords


def distance_band_weights(
    points: ArrayLike, threshold: float, *, binary: bool = True, power: float = -1.0
) -> WeightsMatrix:
    """Distance-band weights: neighbours lie within ``threshold`` (inclusive) of each other.

    Parameters
    ----------
    points : array_like, shape (n, 2)
        Projected coordinates (metres), e.g. mahalla centroids.
    threshold : float
        Band radius in the units of ``points``; a pair at exactly this distance is included.
    binary : bool, default True
        Weight 1 for every neighbour; if False the weight is ``distance ** power``.
    power : float, default -1
        Exponent of the distance decay when ``binary`` is False (inverse distance by default).

    Returns
    -------
    scipy.sparse.csr_array
        Symmetric ``n x n`` matrix with an empty diagonal.

    References
    ----------
    Anselin, L. (1988). *Spatial Econometrics*, section 3.2. libpysal ``weights.DistanceBand``.

    Examples
    --------
    >>> w = distance_band_weights([(0, 0), (3, 4), (10, 0)], threshold=5)
    >>> w.toarray().astype(int).tolist()
    [[0, 1, 0], [1, 0, 0], [0, 0, 0]]
    """
    coords = _point_array(points)
    if not np.isfinite(threshold) or threshold <= 0:
        raise ValueError(f"threshold must be a positive finite distance, got {threshold}")
    pairs = cKDTree(coords).query_pairs(r=threshold, output_type="ndarray").astype(np.intp)
    left, right = pairs[:, 0], pairs[:, 1]
    if binary:
        values = np.ones(left.size)
    else:
        distance = np.hypot(*(coords[left] - coords[right]).T)
        if np.any(distance == 0) and power < 0:
            i, j = int(left[distance == 0][0]), int(right[distance == 0][0])
            raise ValueError(f"points {i} and {j} coincide, so the inverse-distance weight is infinite")
        values = distance**power
    n = coords.shape[0]
    return _from_pairs(n, np.concatenate([left, right]), np.concatenate([right, left]), np.tile(values, 2))


def knn_weights(points: ArrayLike, k: int) -> WeightsMatrix:
    """Binary k-nearest-neighbour weights (row ``i`` has exactly ``k`` ones; not symmetric in general).

    Parameters
    ----------
    points : array_like, shape (n, 2)
        Projected coordinates.
    k : int
        Number of neighbours, ``1 <= k < n``.

    Returns
    -------
    scipy.sparse.csr_array
        ``n x n`` binary matrix with an empty diagonal.

    Notes
    -----
    Ties in distance are broken by the KD-tree's order, as in libpysal ``KNN``. A point that coincides with
    another is still never its own neighbour.

    References
    ----------
    libpysal ``weights.KNN``; Anselin, L. (1988), section 3.2.
    """
    coords = _point_array(points)
    n = coords.shape[0]
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k < n:
        raise ValueError(f"k must be an integer with 1 <= k < n = {n}, got {k!r}")
    _, found = cKDTree(coords).query(coords, k=k + 1)
    found = np.asarray(found, dtype=np.intp).reshape(n, k + 1)
    own = np.arange(n)[:, None]
    is_self = found == own
    # Drop the point itself; when coincident points hide it from the k + 1 found, drop the farthest instead.
    no_self = ~is_self.any(axis=1)
    is_self[no_self, k] = True
    neighbours = found[~is_self].reshape(n, k)
    rows = np.repeat(np.arange(n), k)
    return _from_pairs(n, rows, neighbours.ravel(), np.ones(n * k))


def as_weights(w: Any, n: int | None = None, *, name: str = "w") -> WeightsMatrix:
    """Validate and convert a weights matrix (any scipy sparse format or dense array) to float CSR.

    Parameters
    ----------
    w : scipy sparse matrix or array_like
        Square matrix of non-negative finite weights.
    n : int, optional
        Expected number of locations.
    name : str
        Name used in error messages.

    Returns
    -------
    scipy.sparse.csr_array
        Sorted indices, no duplicates, no explicit zeros; it may share memory with ``w``, so callers copy
        before changing it.
    """
    matrix = (
        sparse.csr_array(w, dtype=np.float64)
        if sparse.issparse(w)
        else sparse.csr_array(np.asarray(w, dtype=float))
    )
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {matrix.shape}")
    if n is not None and matrix.shape[0] != n:
        raise ValueError(f"{name} has {matrix.shape[0]} rows but there are {n} locations")
    if not np.isfinite(matrix.data).all():
        raise ValueError(f"{name} contains a missing or infinite weight")
    if (matrix.data < 0).any():
        raise ValueError(f"{name} contains a negative weight; spatial weights must be non-negative")
    if not matrix.has_canonical_format or (matrix.data == 0).any():
        # Copy before tidying so the caller's matrix is never changed; a tidy matrix (the usual case, and
        # large for space-time cubes) is passed through without a copy and must be treated as read-only.
        matrix = matrix.copy()
        matrix.sum_duplicates()
        matrix.eliminate_zeros()
        matrix.sort_indices()
    return matrix


def with_self_loops(w: Any, value: float = 1.0) -> WeightsMatrix:
    """Return ``w`` with every diagonal entry set to ``value`` (Getis-Ord Gi* counts a location as its own
    neighbour).

    Parameters
    ----------
    w : sparse or dense square matrix
    value : float, default 1
        The self weight; 1 for binary Gi*.

    Returns
    -------
    scipy.sparse.csr_array

    References
    ----------
    Ord, J. K. & Getis, A. (1995). Local spatial autocorrelation statistics: distributional issues and an
    application. *Geographical Analysis* 27(4), 286-306.
    """
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"value must be a finite non-negative weight, got {value}")
    matrix = as_weights(w)
    diagonal = sparse.diags_array(np.full(matrix.shape[0], float(value)) - matrix.diagonal())
    return as_weights(matrix + diagonal)


def row_standardize(w: Any) -> WeightsMatrix:
    """Divide each row by its sum so the spatial lag is a neighbourhood average; rows of islands stay zero.

    Parameters
    ----------
    w : sparse or dense square matrix

    Returns
    -------
    scipy.sparse.csr_array

    References
    ----------
    Anselin, L. (1988). *Spatial Econometrics*, section 3.3 (standardisation).
    """
    matrix = as_weights(w)
    row_sums = np.asarray(matrix.sum(axis=1)).ravel()
    scale = np.divide(1.0, row_sums, out=np.zeros_like(row_sums), where=row_sums > 0)
    return as_weights(sparse.diags_array(scale) @ matrix)


def islands(w: Any) -> NDArray[np.intp]:
    """Indices of locations with no neighbour other than themselves.

    Parameters
    ----------
    w : sparse or dense square matrix

    Returns
    -------
    ndarray of int
        Sorted indices; empty when every location has a neighbour.
    """
    matrix = as_weights(w)
    off_diagonal = matrix - sparse.diags_array(matrix.diagonal())
    off_diagonal = sparse.csr_array(off_diagonal)
    off_diagonal.eliminate_zeros()
    degree = np.diff(off_diagonal.indptr)
    return np.flatnonzero(degree == 0).astype(np.intp)

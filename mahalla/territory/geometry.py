"""Geometry of the territory with shapely 2: GeoJSON boundaries, representative points, and the vectorised
point-in-polygon that assigns an offence's coordinates to its mahalla.

Coordinates are WGS 84 longitude/latitude as in GeoJSON (RFC 7946), worked on as planar coordinates: a mahalla
spans a few kilometres, where the planar error of containment tests is far below the precision of the data.
A point outside every mahalla is an error, never a guess: the only allowance is `POINT_TOLERANCE_DEGREES`,
the rounding of coordinates written with six decimals.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import shapely
from django.utils.translation import gettext as _
from shapely.geometry import MultiPolygon, Polygon, mapping, shape

# Six decimals of a degree are about 0.1 m: a point rounded to them may land just across its mahalla's edge.
POINT_TOLERANCE_DEGREES = 1e-6
# A boundary rounded to six decimals may stick out of its parent's boundary by the same order; 1e-5 (about
# 1 m) leaves room for rounding on both sides while still catching a mahalla filed under the wrong district.
CONTAINMENT_TOLERANCE_DEGREES = 1e-5

BoundaryGeometry: TypeAlias = Polygon | MultiPolygon


class GeometryError(ValueError):
    """A boundary or point that cannot be used, with the reason in words."""


def boundary_parse(value: str | dict[str, Any]) -> BoundaryGeometry:
    """Parse and validate a GeoJSON Polygon or MultiPolygon in WGS 84 lon/lat.

    Parameters
    ----------
    value : str or dict
        The GeoJSON geometry object, or its JSON text. A Feature is accepted and its geometry used.

    Returns
    -------
    shapely.Polygon or shapely.MultiPolygon

    Raises
    ------
    GeometryError
        Not JSON, not a Polygon/MultiPolygon, unclosed rings or rings with fewer than four positions
        (RFC 7946 section 3.1.6), coordinates outside longitude [-180, 180] / latitude [-90, 90], non-finite
        numbers, an empty or zero-area shape, or an invalid one (self-intersection, ...), with GEOS's reason.
    """
    if isinstance(value, str):
        try:
            data = json.loads(value)
        except json.JSONDecodeError as exc:
            raise GeometryError(_("not valid JSON: %s") % exc.msg) from None
    else:
        data = value
    if not isinstance(data, dict):
        raise GeometryError(_("a GeoJSON geometry must be a JSON object"))
    if data.get("type") == "Feature":
        data = data.get("geometry") or {}
        if not isinstance(data, dict):
            raise GeometryError(_("the Feature has no geometry"))
    kind = data.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        raise GeometryError(_("geometry type %(kind)r; expected Polygon or MultiPolygon") % {"kind": kind})
    coordinates = data.get("coordinates")
    if not isinstance(coordinates, list) or not coordinates:
        raise GeometryError(_("the geometry has no coordinates"))
    polygons = [coordinates] if kind == "Polygon" else coordinates
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise GeometryError(_("a polygon has no rings"))
        for ring in polygon:
            _ring_check(ring)
    try:
        geometry = shape(data)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise GeometryError(_("malformed coordinates (%s)") % exc) from None
    if geometry.is_empty or geometry.area <= 0:
        raise GeometryError(_("the boundary encloses no area"))
    if not geometry.is_valid:
        raise GeometryError(_("invalid geometry: %s") % shapely.is_valid_reason(geometry))
    assert isinstance(geometry, (Polygon, MultiPolygon))
    result: BoundaryGeometry = geometry
    return result


def _ring_check(ring: object) -> None:
    if not isinstance(ring, list) or len(ring) < 4:
        raise GeometryError(_("a ring needs at least four positions (the first repeated at the end)"))
    for position in ring:
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(
                isinstance(number, (int, float)) and not isinstance(number, bool) for number in position
            )
        ):
            raise GeometryError(
                _("a position must be [longitude, latitude] numbers, got %(value)r") % {"value": position}
            )
        lon, lat = position[0], position[1]
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise GeometryError(_("a coordinate is not a finite number"))
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise GeometryError(
                _(
                    "position [%(lon)s, %(lat)s] is outside longitude -180..180 / latitude -90..90 "
                    "(GeoJSON is [longitude, latitude])"
                )
                % {"lon": lon, "lat": lat}
            )
    if ring[0][:2] != ring[-1][:2]:
        raise GeometryError(_("a ring is not closed: its last position must repeat its first"))


def boundary_to_geojson(geometry: BoundaryGeometry) -> dict[str, Any]:
    """The GeoJSON geometry as plain JSON types (lists, not tuples), ready for a JSONField."""
    result: dict[str, Any] = json.loads(json.dumps(mapping(geometry)))
    return result


def representative_point(geometry: BoundaryGeometry) -> tuple[float, float]:
    """(latitude, longitude) of the centroid, or of a point on the surface when the centroid falls outside
    (a crescent-shaped mahalla): a mahalla's map marker must lie in the mahalla."""
    point = geometry.centroid
    if not geometry.covers(point):
        point = geometry.point_on_surface()
    return float(point.y), float(point.x)


def bounding_box(geometry: BoundaryGeometry) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat)."""
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    return float(min_lon), float(min_lat), float(max_lon), float(max_lat)


def boundary_within(
    inner: BoundaryGeometry, outer: BoundaryGeometry, *, tolerance: float = CONTAINMENT_TOLERANCE_DEGREES
) -> bool:
    """True when `inner` lies inside `outer`, allowing `tolerance` degrees for rounded coordinates."""
    if outer.covers(inner):
        return True
    return bool(outer.buffer(tolerance).covers(inner))


def point_within(
    geometry: BoundaryGeometry, *, lat: float, lon: float, tolerance: float = POINT_TOLERANCE_DEGREES
) -> bool:
    """True when the point lies in or on `geometry`, or within `tolerance` degrees of it."""
    return bool(shapely.dwithin(geometry, shapely.Point(lon, lat), tolerance))


@dataclass(frozen=True)
class _Indexed:
    keys: list[Any]
    geometries: np.ndarray
    tree: shapely.STRtree


class MahallaLocator:
    """Point-in-polygon over all mahalla boundaries, vectorised with a shapely 2 STRtree.

    Parameters
    ----------
    keys : sequence
        One key per boundary (e.g. the mahalla's id).
    boundaries : sequence of shapely Polygon/MultiPolygon
        The boundaries, in the order of `keys`. Mahallas tile a district, so boundaries touch but do not
        overlap; a point exactly on a shared edge belongs to the boundary that comes first in `keys`.
    tolerance : float
        Degrees within which a point just outside every boundary is still assigned to the nearest one
        (coordinate rounding); a point further out is reported as outside (-1), never guessed.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> locator = MahallaLocator(["A", "B"], [box(0, 0, 1, 1), box(1, 0, 2, 1)])
    >>> locator.locate(np.array([0.5, 1.5, 5.0]), np.array([0.5, 0.5, 5.0])).tolist()
    [0, 1, -1]
    """

    def __init__(
        self,
        keys: Sequence[Any],
        boundaries: Sequence[BoundaryGeometry],
        *,
        tolerance: float = POINT_TOLERANCE_DEGREES,
    ) -> None:
        if len(keys) != len(boundaries):
            raise ValueError("keys and boundaries differ in length")
        geometries = np.asarray(list(boundaries), dtype=object)
        shapely.prepare(geometries)
        self._indexed = _Indexed(keys=list(keys), geometries=geometries, tree=shapely.STRtree(geometries))
        self.tolerance = tolerance
        self.position_of_key = {key: position for position, key in enumerate(self._indexed.keys)}

    @property
    def keys(self) -> list[Any]:
        return self._indexed.keys

    def __len__(self) -> int:
        return len(self._indexed.keys)

    def locate(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Position (into `keys`) of the boundary holding each point, or -1 when it lies outside all.

        Parameters
        ----------
        lon, lat : array of float, same length

        Returns
        -------
        numpy.ndarray of int64
        """
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        result = np.full(lon.shape[0], -1, dtype=np.int64)
        if lon.shape[0] == 0 or len(self) == 0:
            return result
        points = shapely.points(lon, lat)
        # "intersects" counts a point on an edge as inside; pairs come sorted by point index.
        point_index, tree_index = self._indexed.tree.query(points, predicate="intersects")
        if point_index.size:
            # For a point in several boundaries (on a shared edge) keep the lowest boundary position.
            order = np.lexsort((tree_index, point_index))
            point_index, tree_index = point_index[order], tree_index[order]
            first = np.ones(point_index.shape[0], dtype=bool)
            first[1:] = point_index[1:] != point_index[:-1]
            result[point_index[first]] = tree_index[first]
        missing = np.flatnonzero(result < 0)
        if missing.size and self.tolerance > 0:
            near_point, near_tree = self._indexed.tree.query_nearest(
                points[missing], max_distance=self.tolerance, all_matches=False
            )
            result[missing[near_point]] = near_tree
        return result

    def contains(self, positions: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Whether each point lies in (or within the tolerance of) the boundary at `positions`."""
        positions = np.asarray(positions, dtype=np.int64)
        if positions.shape[0] == 0:
            return np.zeros(0, dtype=bool)
        points = shapely.points(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        return np.asarray(
            shapely.dwithin(self._indexed.geometries[positions], points, self.tolerance), dtype=bool
        )


# Map levels and their generalisation, as (coverage simplification tolerance, coordinate grid), in degrees:
# a region map (zoom about 8-9, a pixel is 300-600 m) needs no detail under ~50 m, a country map (zoom about
# 5-6, a pixel is 2-5 km) none under ~500 m. The district map draws the full boundary.
MAP_LEVELS: dict[str, tuple[float, float]] = {"region": (0.0005, 1e-4), "country": (0.005, 1e-3)}


def boundaries_simplified(geometries: Sequence[BoundaryGeometry]) -> list[dict[str, dict[str, Any]]]:
    """For each boundary, its GeoJSON generalised for each level of MAP_LEVELS.

    The boundaries are simplified together as one coverage (GEOS CoverageSimplifier, Visvalingam-Whyatt on
    the shared edges), so neighbours keep sharing their edges and no gap or overlap opens between mahallas;
    coordinates are then rounded to the level's grid, which shortens every number written. A boundary the
    grid would collapse (smaller than a grid cell) keeps its simplified, unrounded shape."""
    if not geometries:
        return []
    array = np.asarray(geometries, dtype=object)
    result: list[dict[str, dict[str, Any]]] = [{} for _ in geometries]
    for level, (tolerance, grid) in MAP_LEVELS.items():
        simplified = shapely.coverage_simplify(array, tolerance)
        # Rounding leaves runs of collinear vertices where detail was finer than the grid; dropping them
        # (simplify with tolerance 0) moves no edge, so neighbours still meet exactly.
        rounded = shapely.simplify(shapely.set_precision(simplified, grid), 0.0)
        usable = ~shapely.is_empty(rounded) & shapely.is_valid(rounded)
        chosen = np.where(usable, rounded, simplified)
        chosen = np.where(shapely.is_empty(chosen), array, chosen)
        for index, text in enumerate(shapely.to_geojson(chosen)):
            result[index][level] = json.loads(text)
    return result

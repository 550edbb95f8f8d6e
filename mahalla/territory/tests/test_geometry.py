"""GeoJSON validation, representative points and the vectorised point-in-polygon, checked against hand-made
shapes and an independent ray-casting implementation."""

from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np
import pytest
from django.utils import translation
from shapely.geometry import Polygon, box

from mahalla.territory.geometry import (
    CONTAINMENT_TOLERANCE_DEGREES,
    POINT_TOLERANCE_DEGREES,
    GeometryError,
    MahallaLocator,
    boundary_parse,
    boundary_to_geojson,
    boundary_within,
    bounding_box,
    point_within,
    representative_point,
)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are asserted in English, whatever the project's default language (Uzbek)."""
    with translation.override("en"):
        yield


def polygon_json(*rings: list[list[float]]) -> str:
    return json.dumps({"type": "Polygon", "coordinates": list(rings)})


SQUARE = [[72.0, 40.6], [72.1, 40.6], [72.1, 40.7], [72.0, 40.7], [72.0, 40.6]]


def ray_casting_contains(ring: list[tuple[float, float]], x: float, y: float) -> bool:
    """Reference: the even-odd rule (W. R. Franklin, PNPOLY), written independently of shapely/GEOS."""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def test_a_valid_polygon_and_multipolygon_are_accepted_as_given() -> None:
    polygon = boundary_parse(polygon_json(SQUARE))
    assert polygon.geom_type == "Polygon"
    assert polygon.area == pytest.approx(0.01)
    multi = boundary_parse(
        {"type": "MultiPolygon", "coordinates": [[SQUARE], [[[73, 41], [73.1, 41], [73.1, 41.1], [73, 41]]]]}
    )
    assert multi.geom_type == "MultiPolygon"
    assert boundary_to_geojson(polygon) == {"type": "Polygon", "coordinates": [SQUARE]}


def test_a_geojson_feature_is_unwrapped_to_its_geometry() -> None:
    feature = {"type": "Feature", "properties": {}, "geometry": json.loads(polygon_json(SQUARE))}
    assert boundary_parse(feature).area == pytest.approx(0.01)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("{not json", "not valid JSON"),
        ('"a string"', "must be a JSON object"),
        ('{"type": "Point", "coordinates": [72, 40]}', "expected Polygon or MultiPolygon"),
        ('{"type": "Polygon", "coordinates": []}', "no coordinates"),
        (polygon_json(SQUARE[:-1]), "not closed"),
        (polygon_json([[72, 40], [72.1, 40], [72, 40]]), "at least four positions"),
        (polygon_json([[40.6, 72.0], [40.7, 72.0], [40.7, 92.0], [40.6, 72.0]]), "GeoJSON is \\[longitude"),
        (
            polygon_json([[72, 40], [72.1, 40], ["x", 40.1], [72, 40]]),
            "must be \\[longitude, latitude\\] numbers",
        ),
        (polygon_json([[72, 40], [72.1, 40], [72.2, 40], [72, 40]]), "encloses no area"),
        # A bow-tie: the ring crosses itself, which GEOS reports by name and place.
        (polygon_json([[72, 40], [72.3, 40.1], [72.3, 40], [72, 40.2], [72, 40]]), "Self-intersection"),
        (
            '{"type": "Polygon", "coordinates": [[[72, 40], [72.1, 40], [NaN, 40.1], [72, 40]]]}',
            "not a finite",
        ),
    ],
)
def test_an_unusable_boundary_is_refused_with_its_reason(value: str, reason: str) -> None:
    with pytest.raises(GeometryError, match=reason):
        boundary_parse(value)


def test_the_representative_point_of_a_convex_shape_is_its_centroid() -> None:
    lat, lon = representative_point(box(72.0, 40.6, 72.2, 40.8))
    assert (lat, lon) == pytest.approx((40.7, 72.1))


def test_the_representative_point_of_a_crescent_lies_inside_it_although_the_centroid_does_not() -> None:
    # A "C": its centroid falls in the open middle.
    c_shape = Polygon([(0, 0), (3, 0), (3, 1), (1, 1), (1, 2), (3, 2), (3, 3), (0, 3), (0, 0)])
    assert not c_shape.contains(c_shape.centroid)
    lat, lon = representative_point(c_shape)
    assert c_shape.contains(Polygon([(lon, lat), (lon + 1e-9, lat), (lon, lat + 1e-9)]).centroid)


def test_bounding_box_is_min_lon_min_lat_max_lon_max_lat() -> None:
    assert bounding_box(box(72.0, 40.6, 72.2, 40.8)) == pytest.approx((72.0, 40.6, 72.2, 40.8))


def test_containment_allows_rounding_but_not_a_wrong_parent() -> None:
    district = box(72.0, 40.6, 72.2, 40.8)
    assert boundary_within(box(72.0, 40.6, 72.1, 40.8), district)
    # Sticking out by a rounding error (a tenth of the tolerance) is accepted ...
    assert boundary_within(box(72.0 - CONTAINMENT_TOLERANCE_DEGREES / 10, 40.6, 72.1, 40.8), district)
    # ... by a hundred metres is not.
    assert not boundary_within(box(71.999, 40.6, 72.1, 40.8), district)
    assert not boundary_within(box(72.3, 40.6, 72.4, 40.8), district)


def test_point_within_counts_the_edge_and_the_rounding_tolerance_only() -> None:
    square = box(72.0, 40.6, 72.1, 40.7)
    assert point_within(square, lat=40.65, lon=72.05)
    assert point_within(square, lat=40.65, lon=72.1)
    assert point_within(square, lat=40.65, lon=72.1 + POINT_TOLERANCE_DEGREES / 2)
    assert not point_within(square, lat=40.65, lon=72.1001)


def irregular_tiling() -> list[Polygon]:
    """Six mahallas: two triangles splitting a square on its diagonal, a concave L and its complement, and
    two disjoint squares further away."""
    return [
        Polygon([(0, 0), (2, 0), (2, 2), (0, 0)]),
        Polygon([(0, 0), (2, 2), (0, 2), (0, 0)]),
        Polygon([(2, 0), (4, 0), (4, 1), (3, 1), (3, 2), (2, 2), (2, 0)]),
        Polygon([(3, 1), (4, 1), (4, 2), (3, 2), (3, 1)]),
        box(10, 10, 11, 11),
        box(12, 10, 13, 11),
    ]


def test_locate_agrees_with_an_independent_ray_casting_on_random_points() -> None:
    shapes = irregular_tiling()
    locator = MahallaLocator(list(range(len(shapes))), shapes)
    rng = np.random.default_rng(7)
    lon = np.concatenate([rng.uniform(-1, 5, 3000), rng.uniform(9, 14, 1000)])
    lat = np.concatenate([rng.uniform(-1, 3, 3000), rng.uniform(9, 12, 1000)])
    found = locator.locate(lon, lat)
    rings = [list(shape.exterior.coords) for shape in shapes]
    for x, y, position in zip(lon.tolist(), lat.tolist(), found.tolist(), strict=True):
        expected = [k for k, ring in enumerate(rings) if ray_casting_contains(ring, x, y)]
        # Random floats never land exactly on an edge, so the reference gives at most one polygon.
        assert len(expected) <= 1
        assert position == (expected[0] if expected else -1), (x, y)
    assert (found == -1).sum() > 500 and len(set(found.tolist())) == 7


def test_a_point_outside_every_mahalla_is_reported_as_outside_not_given_to_the_nearest() -> None:
    locator = MahallaLocator(["a", "b"], [box(0, 0, 1, 1), box(1, 0, 2, 1)])
    found = locator.locate(np.array([2.001, 0.5, -0.0001]), np.array([0.5, 1.01, 0.5]))
    assert found.tolist() == [-1, -1, -1]


def test_a_point_on_a_shared_edge_goes_to_the_first_mahalla_in_key_order() -> None:
    locator = MahallaLocator(["a", "b"], [box(0, 0, 1, 1), box(1, 0, 2, 1)])
    assert locator.locate(np.array([1.0]), np.array([0.5])).tolist() == [0]
    reversed_locator = MahallaLocator(["b", "a"], [box(1, 0, 2, 1), box(0, 0, 1, 1)])
    assert reversed_locator.locate(np.array([1.0]), np.array([0.5])).tolist() == [0]


def test_a_point_rounded_just_across_the_edge_is_located_within_the_tolerance() -> None:
    locator = MahallaLocator(["a"], [box(0, 0, 1, 1)])
    inside_tolerance = 1 + POINT_TOLERANCE_DEGREES / 2
    beyond = 1 + POINT_TOLERANCE_DEGREES * 3
    assert locator.locate(np.array([inside_tolerance, beyond]), np.array([0.5, 0.5])).tolist() == [0, -1]


def test_contains_checks_each_point_against_its_own_mahalla() -> None:
    locator = MahallaLocator(["a", "b"], [box(0, 0, 1, 1), box(1, 0, 2, 1)])
    inside = locator.contains(np.array([0, 1, 0]), np.array([0.5, 1.5, 1.5]), np.array([0.5, 0.5, 0.5]))
    assert inside.tolist() == [True, True, False]


def test_an_empty_locator_or_no_points_locates_nothing() -> None:
    assert MahallaLocator([], []).locate(np.array([1.0]), np.array([1.0])).tolist() == [-1]
    assert MahallaLocator(["a"], [box(0, 0, 1, 1)]).locate(np.array([]), np.array([])).tolist() == []


def _zigzag_halves(teeth: int = 100, amplitude: float = 0.00002) -> tuple[Polygon, Polygon]:
    """A 0.1 x 0.1 degree square cut in two along a vertical zigzag line (teeth of `amplitude` degrees)."""
    ys = np.linspace(40.0, 40.1, 2 * teeth + 1)
    xs = 70.05 + amplitude * (np.arange(len(ys)) % 2)
    cut = list(zip(xs.tolist(), ys.tolist(), strict=True))
    left = Polygon([(70.0, 40.0), *cut, (70.0, 40.1)])
    right = Polygon([(70.1, 40.0), (70.1, 40.1), *reversed(cut)])
    return left, right


def test_simplified_boundaries_keep_sharing_their_edge_and_shed_the_detail_of_each_level() -> None:
    import shapely
    from shapely.geometry import shape

    from mahalla.territory.geometry import MAP_LEVELS, boundaries_simplified

    left, right = _zigzag_halves()
    levels = boundaries_simplified([left, right])

    assert [sorted(item) for item in levels] == [sorted(MAP_LEVELS)] * 2
    for level, (_tolerance, grid) in MAP_LEVELS.items():
        a, b = shape(levels[0][level]), shape(levels[1][level])
        assert a.is_valid and b.is_valid
        # Still a coverage of the square: no overlap, no gap.
        assert a.intersection(b).area == pytest.approx(0.0, abs=1e-12)
        assert shapely.union_all([a, b]).area == pytest.approx(0.01, rel=1e-6)
        # The 100 teeth of 2 m are below either level's detail: the cut becomes a straight line.
        assert len(a.exterior.coords) < len(left.exterior.coords) / 10
        coords = np.array(a.exterior.coords)
        assert np.allclose(coords, np.round(coords / grid) * grid, atol=1e-12, rtol=0)


def test_a_boundary_smaller_than_the_grid_keeps_its_shape() -> None:
    from shapely.geometry import shape

    from mahalla.territory.geometry import boundaries_simplified

    tiny = box(70.0001, 40.0001, 70.0003, 40.0003)  # 20 m across: below the country grid of 1e-3 degrees
    levels = boundaries_simplified([tiny])
    assert shape(levels[0]["country"]).area > 0
    assert boundaries_simplified([]) == []

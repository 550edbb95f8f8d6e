"""Uzbekistan's outline from Natural Earth, decoded from world-atlas's TopoJSON."""

import json

import numpy as np
import pyproj
import pytest
import shapely

from mahalla.demo.generator.outline import (
    OUTLINE_PATH,
    TopologyError,
    country_outline,
    outline_convert,
    topology_geometry,
)
from mahalla.demo.generator.territory import AREA_CRS

# Two unit squares side by side sharing the arc x=1 (arc 1), quantized with scale 0.5 and translate (10, 20):
# integer positions are delta-encoded. The left square runs arc 0 then arc 1 reversed (~1 = -2), the right one
# arc 2 then arc 1 forwards.
TOPOLOGY = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.5], "translate": [10, 20]},
    "objects": {
        "countries": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "id": "001", "arcs": [[0, -2]]},
                {"type": "Polygon", "id": "002", "arcs": [[2, 1]]},
                {"type": "LineString", "id": "003", "arcs": [0]},
            ],
        }
    },
    "arcs": [
        [[2, 2], [-2, 0], [0, -2], [2, 0]],  # (11,21) (10,21) (10,20) (11,20)
        [[2, 2], [0, -2]],  # (11,21) -> (11,20)
        [[2, 0], [2, 0], [0, 2], [-2, 0]],  # (11,20) (12,20) (12,21) (11,21)
    ],
}


def test_a_topology_decodes_to_the_squares_it_encodes_with_shared_and_reversed_arcs():
    left = topology_geometry(TOPOLOGY, "countries", "001")
    right = topology_geometry(TOPOLOGY, "countries", "002")

    assert left.equals(shapely.box(10, 20, 11, 21))
    assert right.equals(shapely.box(11, 20, 12, 21))
    assert left.intersection(right).length == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("object_name", "feature_id", "message"),
    [
        ("land", "001", "no object 'land'"),
        ("countries", "860", "no feature with id '860'"),
        ("countries", "003", "is a LineString, not a polygon"),
    ],
)
def test_a_topology_without_the_feature_is_refused_by_name(object_name, feature_id, message):
    with pytest.raises(TopologyError, match=message):
        topology_geometry(TOPOLOGY, object_name, feature_id)


def test_an_open_ring_is_refused_naming_its_arcs():
    broken = json.loads(json.dumps(TOPOLOGY))
    broken["objects"]["countries"]["geometries"][0]["arcs"] = [[0]]
    with pytest.raises(TopologyError, match=r"the arcs \[0\] do not form a closed ring"):
        topology_geometry(broken, "countries", "001")
    broken["objects"]["countries"]["geometries"][0]["arcs"] = [[0, 7]]
    with pytest.raises(TopologyError, match="arc index 7 is outside the 3 arcs"):
        topology_geometry(broken, "countries", "001")


def test_the_conversion_writes_the_feature_as_geojson(tmp_path):
    source = tmp_path / "countries.json"
    topology = json.loads(json.dumps(TOPOLOGY))
    topology["objects"]["countries"]["geometries"][0]["id"] = "860"
    source.write_text(json.dumps(topology))
    written = outline_convert(source, tmp_path / "out.geojson")

    feature = json.loads((tmp_path / "out.geojson").read_text())
    assert shapely.from_geojson(json.dumps(feature["geometry"])).equals(written)
    assert written.equals(shapely.box(10, 20, 11, 21))


def test_the_committed_outline_is_uzbekistan_with_its_published_area_and_extent():
    outline = country_outline()
    to_area = pyproj.Transformer.from_crs("EPSG:4326", AREA_CRS, always_xy=True)
    area = shapely.transform(outline, lambda xy: np.column_stack(to_area.transform(xy[:, 0], xy[:, 1]))).area

    assert OUTLINE_PATH.is_file()
    # 448,978 km2 (State Committee of the Republic of Uzbekistan on Statistics); Natural Earth's 1:10m
    # generalisation is within 1 %.
    assert area / 1e6 == pytest.approx(448_978, rel=0.01)
    # Extent: westernmost point 55 deg 59' E (Ustyurt), easternmost 73 deg 09' E (Fergana valley),
    # southernmost 37 deg 11' N (Termez), northernmost 45 deg 36' N (Aral Sea shore).
    west, south, east, north = outline.bounds
    assert (west, south, east, north) == pytest.approx((55.98, 37.18, 73.15, 45.58), abs=0.05)
    # Tashkent, Samarkand and Nukus inside; Bishkek, Dushanbe and Ashgabat outside.
    assert all(outline.contains(shapely.Point(p)) for p in [(69.28, 41.31), (66.96, 39.65), (59.61, 42.46)])
    assert not any(
        outline.contains(shapely.Point(p)) for p in [(74.59, 42.87), (68.78, 38.56), (58.38, 37.95)]
    )

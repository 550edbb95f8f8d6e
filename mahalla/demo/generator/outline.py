"""The country's outline: Uzbekistan from Natural Earth (public domain), as packaged in TopoJSON by npm's
`world-atlas` (ISC).

The outline is converted once, at build time, from the package's `countries-10m.json` into the GeoJSON file
committed next to this module (`data/uzbekistan-ne10m.geojson`; provenance and licence in
`data/README.md`), so nothing is fetched at run time. To rebuild it from the npm package:

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python -m mahalla.demo.generator.outline package/countries-10m.json

TopoJSON (https://github.com/topojson/topojson-specification) stores each shared border once, as an "arc" of
delta-encoded integer positions; a polygon's rings are lists of arc indices, a negative index ~i meaning arc
i reversed. `topology_geometry` decodes one object's geometry to shapely.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, shape

DATA_DIR = Path(__file__).resolve().parent / "data"
OUTLINE_PATH = DATA_DIR / "uzbekistan-ne10m.geojson"
UZBEKISTAN_ISO_NUMERIC = "860"


class TopologyError(ValueError):
    """The TopoJSON file is not what the converter expects; the message names what and where."""


def _decoded_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    transform = topology.get("transform")
    arcs: list[list[tuple[float, float]]] = []
    for number, arc in enumerate(topology.get("arcs", [])):
        if not isinstance(arc, list) or not arc:
            raise TopologyError(f"arc {number} is not a non-empty list of positions")
        if transform is None:
            arcs.append([(float(p[0]), float(p[1])) for p in arc])
            continue
        (kx, ky), (dx, dy) = transform["scale"], transform["translate"]
        x = y = 0
        points = []
        for position in arc:
            x += position[0]
            y += position[1]
            points.append((x * kx + dx, y * ky + dy))
        arcs.append(points)
    return arcs


def _ring(arcs: list[list[tuple[float, float]]], indices: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indices:
        if not 0 <= (index if index >= 0 else ~index) < len(arcs):
            raise TopologyError(f"arc index {index} is outside the {len(arcs)} arcs of the topology")
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        # Consecutive arcs share their end and start position: keep it once.
        points.extend(arc[1:] if points else arc)
    if len(points) < 4 or points[0] != points[-1]:
        raise TopologyError(f"the arcs {indices} do not form a closed ring")
    return points


def topology_geometry(topology: dict[str, Any], object_name: str, feature_id: str) -> Any:
    """The shapely geometry of the feature with `id` `feature_id` in the object `object_name`."""
    try:
        collection = topology["objects"][object_name]
    except KeyError as error:
        raise TopologyError(f"the topology has no object {object_name!r}") from error
    found = [g for g in collection.get("geometries", []) if str(g.get("id")) == feature_id]
    if not found:
        raise TopologyError(f"object {object_name!r} has no feature with id {feature_id!r}")
    geometry = found[0]
    arcs = _decoded_arcs(topology)
    if geometry["type"] == "Polygon":
        rings = [_ring(arcs, r) for r in geometry["arcs"]]
        return Polygon(rings[0], rings[1:])
    if geometry["type"] == "MultiPolygon":
        polygons = []
        for polygon in geometry["arcs"]:
            rings = [_ring(arcs, r) for r in polygon]
            polygons.append(Polygon(rings[0], rings[1:]))
        return MultiPolygon(polygons)
    raise TopologyError(f"feature {feature_id!r} is a {geometry['type']}, not a polygon")


def outline_convert(topology_path: Path, output_path: Path = OUTLINE_PATH) -> Any:
    """Write Uzbekistan's outline from world-atlas's `countries-10m.json` as GeoJSON; returns it."""
    topology = json.loads(topology_path.read_text(encoding="utf-8"))
    geometry = shapely.make_valid(topology_geometry(topology, "countries", UZBEKISTAN_ISO_NUMERIC))
    feature = {
        "type": "Feature",
        "properties": {
            "name": "Uzbekistan",
            "source": "Natural Earth 1:10m Admin 0 countries, via npm world-atlas@2.0.2 countries-10m.json",
        },
        "geometry": json.loads(shapely.to_geojson(geometry)),
    }
    output_path.write_text(json.dumps(feature, separators=(",", ":")) + "\n", encoding="utf-8")
    return geometry


@cache
def country_outline() -> Any:
    """Uzbekistan's outline (lon/lat, WGS 84) from Natural Earth 1:10m: the mainland and the exclaves inside
    Kyrgyzstan (So'x, Shohimardon and a smaller one), as one MultiPolygon."""
    feature = json.loads(OUTLINE_PATH.read_text(encoding="utf-8"))
    return shape(feature["geometry"])


if __name__ == "__main__":  # pragma: no cover - the build step documented above
    if len(sys.argv) != 2:
        sys.exit("usage: python -m mahalla.demo.generator.outline PATH/countries-10m.json")
    written = outline_convert(Path(sys.argv[1]))
    print(f"{OUTLINE_PATH}: {written.geom_type}, {len(shapely.get_parts(written))} parts")

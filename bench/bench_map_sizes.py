"""Map data size per level, before and after the per-level generalisation done at import time.

Builds the nation's territory with the demo generator (seed 2026, 9,000 mahallas on Natural Earth's outline
of Uzbekistan), then writes the map's GeoJSON the way `web:map-data` does (one feature per mahalla with the
same properties) for the country, the largest region and the demo district:

- before: the full boundaries (and, for the country, the centroid points it drew until now);
- after: the boundaries generalised for the level (territory.geometry.boundaries_simplified: coverage
  simplification, then a coordinate grid; the district map keeps the full boundary).

Sizes are bytes of JSON and of its gzip (what the server's GZipMiddleware sends). The time of the
generalisation over all mahallas (paid once per territory import) is printed against the time of writing
the full country GeoJSON once, measured in the same run.

Machine: 2 cores, shared. Run: `.venv/bin/python bench/bench_map_sizes.py`.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from mahalla.demo.generator.territory import TINY_DISTRICT_CODE, build_territory  # noqa: E402
from mahalla.territory.geometry import (  # noqa: E402
    boundaries_simplified,
    boundary_to_geojson,
    representative_point,
)


def feature(mahalla: Any, geometry: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {
            "code": mahalla.code,
            "name": mahalla.name_uz,
            "class": "yellow",
            "class_label": "yellow",
            "colour": "#f9a825",
            "offences": 12,
            "hotspot": "",
            "url": f"/mahalla/{mahalla.code}/",
        },
    }


def sizes(features: list[dict[str, Any]]) -> tuple[int, int]:
    body = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    return len(body), len(gzip.compress(body, 6))


def main() -> None:
    started = time.perf_counter()
    territory = build_territory(2026, "nation")
    print(f"nation built in {time.perf_counter() - started:.1f} s: {len(territory.mahallas)} mahallas")
    mahallas = territory.mahallas
    full = [boundary_to_geojson(m.boundary) for m in mahallas]

    started = time.perf_counter()
    sizes([feature(m, g) for m, g in zip(mahallas, full, strict=True)])
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    simplified = boundaries_simplified([m.boundary for m in mahallas])
    simplify_seconds = time.perf_counter() - started

    region_counts: dict[str, int] = {}
    for m in mahallas:
        region_counts[m.region_code] = region_counts.get(m.region_code, 0) + 1
    largest_region = max(region_counts, key=lambda code: region_counts[code])
    selections = {
        "country": range(len(mahallas)),
        f"region {largest_region}": [i for i, m in enumerate(mahallas) if m.region_code == largest_region],
        f"district {TINY_DISTRICT_CODE}": [
            i for i, m in enumerate(mahallas) if m.district_code == TINY_DISTRICT_CODE
        ],
    }
    print()
    print(f"{'map':<18} {'mahallas':>8} {'before':>12} {'gzip':>10} {'after':>12} {'gzip':>10} {'ratio':>7}")
    for label, indices in selections.items():
        level = label.split()[0]
        before = sizes([feature(mahallas[i], full[i]) for i in indices])
        if level == "district":
            after = before
        else:
            after = sizes([feature(mahallas[i], simplified[i][level]) for i in indices])
        print(
            f"{label:<18} {len(indices):>8} {before[0]:>12,} {before[1]:>10,} {after[0]:>12,} {after[1]:>10,}"
            f" {after[0] / before[0]:>7.2f}"
        )
        if level == "country":
            points = []
            for i in indices:
                lat, lon = representative_point(mahallas[i].boundary)
                points.append(feature(mahallas[i], {"type": "Point", "coordinates": [lon, lat]}))
            dots = sizes(points)
            print(f"{'  (points, old)':<18} {len(indices):>8} {dots[0]:>12,} {dots[1]:>10,}")
    print()
    print(
        f"generalisation of all {len(mahallas)} boundaries (once per import): {simplify_seconds:.2f} s = "
        f"{simplify_seconds / baseline:.1f} x the time of writing the full country GeoJSON once "
        f"({baseline:.2f} s)"
    )
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

"""The synthetic Uzbekistan generator: plain Python (numpy, shapely, pyproj), no Django.

`generate(scale, seed, as_of, out)` writes, into `out`:

- `territories.csv`  regions, districts and mahallas with boundaries and law-and-order posts (import format)
- `offences.csv`     crimes (source `EJR`) and administrative offences (`E-MAMURIY`) (import format)
- `officials.csv`    officials, institutions and the Mahalla Seven (docs/import-formats.md, "Officials")
- `truth.json`       parameters, calibration targets and every planted pattern
- `truth_offences.csv`  per offence: origin (background, near_repeat, emerging_hotspot, ...) and parent
- `truth_mahallas.csv`  per mahalla: population, persistent effect, expected crimes in each year
- `manifest.json`    scale, seed, as-of date, row counts and the SHA-256 of every file

Same (scale, seed, as_of) -> the same bytes: every random draw comes from numpy Generators seeded from
`seed`, rows are written in a fixed order, floats with fixed decimals, JSON with sorted keys, and nothing
records the wall clock.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import shapely

from mahalla.incidents.formats import OFFENCE_COLUMNS
from mahalla.territory.formats import TERRITORY_COLUMNS

from .offences import build_offences
from .people import OFFICIAL_COLUMNS, build_officials
from .territory import SCALES, Territory, build_territory

__all__ = ["SCALES", "GenerationResult", "generate"]

FORMAT_VERSION = 1


@dataclass(frozen=True)
class GenerationResult:
    out: Path
    files: dict[str, str]  # file name -> sha256
    counts: dict[str, int]


def _ring(coords: Any) -> str:
    return "[" + ",".join(f"[{x:.6f},{y:.6f}]" for x, y in coords) + "]"


def geojson_text(geometry: Any) -> str:
    """Compact GeoJSON with exactly six decimals, exterior rings counter-clockwise (RFC 7946 3.1.6)."""
    geometry = shapely.orient_polygons(geometry) if hasattr(shapely, "orient_polygons") else geometry
    if geometry.geom_type == "Polygon":
        rings = [geometry.exterior.coords, *[r.coords for r in geometry.interiors]]
        return '{"type":"Polygon","coordinates":[' + ",".join(_ring(r) for r in rings) + "]}"
    if geometry.geom_type == "MultiPolygon":
        polygons = []
        for part in geometry.geoms:
            rings = [part.exterior.coords, *[r.coords for r in part.interiors]]
            polygons.append("[" + ",".join(_ring(r) for r in rings) + "]")
        return '{"type":"MultiPolygon","coordinates":[' + ",".join(polygons) + "]}"
    raise ValueError(f"boundary must be a Polygon or MultiPolygon, got {geometry.geom_type}")


def _centroid(geometry: Any) -> tuple[str, str]:
    point = shapely.point_on_surface(geometry)
    return f"{point.y:.6f}", f"{point.x:.6f}"


def territory_rows(territory: Territory) -> list[dict[str, str]]:
    """Regions and districts that hold generated mahallas, then the mahallas, parents first."""
    district_codes = sorted({m.district_code for m in territory.mahallas})
    region_codes = sorted({territory.districts[c].region_code for c in district_codes})
    households: dict[str, int] = {}
    for m in territory.mahallas:
        households[m.district_code] = households.get(m.district_code, 0) + m.households
    rows: list[dict[str, str]] = []
    for code in region_codes:
        region = territory.regions[code]
        lat, lon = _centroid(region.boundary)
        rows.append(
            {
                "level": "region",
                "code": code,
                "parent_code": "",
                "kind": region.kind,
                "name_uz": region.name_uz,
                "name_uz_cyrl": region.name_uz_cyrl,
                "name_ru": region.name_ru,
                "population": str(region.population),
                "households": "",
                "boundary": geojson_text(region.boundary),
                "centroid_lat": lat,
                "centroid_lon": lon,
            }
        )
    for code in district_codes:
        district = territory.districts[code]
        lat, lon = _centroid(district.boundary)
        rows.append(
            {
                "level": "district",
                "code": code,
                "parent_code": district.region_code,
                "kind": district.kind,
                "name_uz": district.name_uz,
                "name_uz_cyrl": district.name_uz_cyrl,
                "name_ru": district.name_ru,
                "population": str(district.population),
                "households": str(households[code]),
                "boundary": geojson_text(district.boundary),
                "centroid_lat": lat,
                "centroid_lon": lon,
            }
        )
    for m in territory.mahallas:
        lat, lon = _centroid(m.boundary)
        rows.append(
            {
                "level": "mahalla",
                "code": m.code,
                "parent_code": m.district_code,
                "kind": "",
                "name_uz": m.name_uz,
                "name_uz_cyrl": m.name_uz_cyrl,
                "name_ru": m.name_ru,
                "population": str(m.population),
                "households": str(m.households),
                "boundary": geojson_text(m.boundary),
                "centroid_lat": lat,
                "centroid_lon": lon,
                "post_number": m.post_number,
                "post_address": m.post_address,
                "inspector_name": m.inspector_name,
                "inspector_phone": m.inspector_phone,
            }
        )
    return rows


def _csv_bytes(columns: tuple[str, ...], rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    # itemgetter runs in C; DictWriter's per-row key checks cost more than the writing itself.
    pick = operator.itemgetter(*columns)
    empty = dict.fromkeys(columns, "")
    writer.writerows(pick(row) if len(row) == len(columns) else pick({**empty, **row}) for row in rows)
    return buffer.getvalue().encode("utf-8")


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def generate(
    scale: str, seed: int, as_of: date, out: Path | str, *, progress: Callable[[str], None] | None = None
) -> GenerationResult:
    """Generate the synthetic nation at `scale` ("tiny", "region" or "nation") into directory `out`.

    Parameters
    ----------
    scale : {"tiny", "region", "nation"}
        tiny: one district (Mirobod, Tashkent) with 30 mahallas; region: Andijon region; nation: all 209
        districts, about 9,000 mahallas and 37 million people.
    seed : int
        Seed of every random draw (>= 0).
    as_of : datetime.date
        End of the three-year period (exclusive); offences occur before it.
    out : path
        Directory to write into (created if missing; files of the same name are replaced).
    progress : callable, optional
        Called with the name of each step ("territory", "offences", "officials", "files") as it starts.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: expected one of {', '.join(SCALES)}")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    if not isinstance(as_of, date):
        raise ValueError(f"as_of must be a date, got {as_of!r}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    step = progress or (lambda name: None)  # told each step as it starts (the command's progress bar)
    step("territory")
    territory = build_territory(seed, scale)
    step("offences")
    offences = build_offences(territory, seed, as_of, scale)
    step("officials")
    officials = build_officials(territory, seed)
    territory_table = territory_rows(territory)

    crimes = [r for r in offences.rows if r["code_kind"] == "criminal"]
    population = sum(m.population for m in territory.mahallas)
    years = offences.parameters["years"]
    cyber = [
        r
        for r in crimes
        if r["computer_means"] == "1" and r["article"] in ("168", "169") or r["article"].startswith("278-")
    ]
    summary = {
        "mahallas": len(territory.mahallas),
        "districts": len({m.district_code for m in territory.mahallas}),
        "population": population,
        "crimes": len(crimes),
        "administrative_offences": len(offences.rows) - len(crimes),
        "crimes_per_100k_per_year": round(len(crimes) / years / population * 100_000, 3)
        if population
        else 0.0,
        "cyber_share_of_crimes": round(len(cyber) / len(crimes), 4) if crimes else 0.0,
    }
    truth = {
        "format_version": FORMAT_VERSION,
        "scale": scale,
        "seed": seed,
        "as_of": as_of.isoformat(),
        "parameters": offences.parameters,
        "planted": offences.planted,
        "conventions": {
            "dates": "start_date is the first day, end_date the day after the last (half-open)",
            "times": "occurred_at and registered_at are Asia/Tashkent local time without an offset",
            "years": "year 1..3 are the 365-day blocks ending at as_of (exclusive); year 3 is the last",
        },
        "summary": summary,
        "geometry": {
            "plane_crs": "+proj=eqc +lat_ts=41 +lon_0=64 (affine in lon/lat: edges stay straight)",
            "grid_degrees": 1e-6,
            "mahalla_code": "district SOATO code (7 digits) + serial from the district centre outwards "
            "(3 digits, 4 when a district has 1,000 or more)",
        },
    }
    step("files")
    files = {
        "territories.csv": _csv_bytes(TERRITORY_COLUMNS, territory_table),
        "offences.csv": _csv_bytes(OFFENCE_COLUMNS, offences.rows),
        "officials.csv": _csv_bytes(OFFICIAL_COLUMNS, officials),
        "truth.json": _json_bytes(truth),
        "truth_offences.csv": _csv_bytes(
            ("registration_number", "kind", "origin", "planted_id", "parent_registration_number"),
            offences.event_truth,
        ),
        "truth_mahallas.csv": _csv_bytes(tuple(offences.mahalla_truth[0]), offences.mahalla_truth),
    }
    hashes = {name: hashlib.sha256(content).hexdigest() for name, content in sorted(files.items())}
    counts = {
        "territories": len(territory_table),
        "offences": len(offences.rows),
        "officials": len(officials),
        **{k: v for k, v in summary.items() if isinstance(v, int)},
    }
    manifest = {
        "format_version": FORMAT_VERSION,
        "scale": scale,
        "seed": seed,
        "as_of": as_of.isoformat(),
        "files": hashes,
        "counts": counts,
    }
    for name, content in files.items():
        (out / name).write_bytes(content)
    (out / "manifest.json").write_bytes(_json_bytes(manifest))
    return GenerationResult(out=out, files=hashes, counts=counts)

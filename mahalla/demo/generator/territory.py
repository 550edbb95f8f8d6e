"""The synthetic territory: 14 regions and 209 districts with their real codes and names, about 9,000 mahallas
with Uzbek names, populations and polygon boundaries that tile each district.

Geometry is built in a plane coordinate system, the equidistant cylindrical projection with true scale at
41 deg N (`PLANE_CRS`). That projection is an affine map of longitude/latitude, so every straight edge in the
plane is a straight edge in WGS 84 too: cells that share an edge in the plane still share it once written
as longitude/latitude, and the tiling survives. Distances in it are within about 7 % over Uzbekistan, which
is enough for synthetic shapes; areas are measured with an equal-area projection (`AREA_CRS`).

Districts are the Voronoi cells of the approximate district centres (matched by name to the SOATO list),
clipped to Uzbekistan's outline from Natural Earth (`outline.py`; the mainland and the So'x exclave, the
parts that hold a district centre); a piece of a cell cut off by the concave border goes to the neighbour
it shares most border with, so each district is one polygon. Regions are unions of their districts.
Mahallas are the Voronoi cells of seed points drawn inside each district (denser towards the district
centre), clipped to the district and made single polygons the same way. Coordinates are snapped to a
1e-6 degree grid (about 0.1 m) before anything is written, and mahallas on a district border take in their
neighbours' border vertices, so that the mahallas of the whole country form one exact coverage (no gap, no
overlap) and districts and regions, as their unions, do too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyproj
import shapely
import shapely.ops
from shapely.geometry import MultiPoint, Point, Polygon

from mahalla.territory.reference_data import REFERENCE_DIR, reference_districts, reference_regions

from .names import mahalla_name_scripts, mahalla_names, person_name
from .outline import country_outline
from .transliterate import normalise_apostrophes

PLANE_CRS = "+proj=eqc +lat_ts=41 +lat_0=0 +lon_0=64 +x_0=0 +y_0=0 +R=6371008.8 +units=m +no_defs"
AREA_CRS = "+proj=aea +lat_1=38 +lat_2=44 +lat_0=41 +lon_0=64 +datum=WGS84 +units=m +no_defs"
GRID_DEGREES = 1e-6

# Resident population by region, thousands, 1 January 2024 (Statistics Agency under the President of the
# Republic of Uzbekistan, rounded; used only as relative weights, the total is scaled to TARGET_POPULATION).
REGION_POPULATION_THOUSANDS: dict[str, int] = {
    "1735": 2025,  # Qoraqalpog'iston
    "1703": 3323,  # Andijon
    "1706": 1988,  # Buxoro
    "1708": 1485,  # Jizzax
    "1710": 3523,  # Qashqadaryo
    "1712": 1052,  # Navoiy
    "1714": 2954,  # Namangan
    "1718": 4159,  # Samarqand
    "1722": 2873,  # Surxondaryo
    "1724": 911,  # Sirdaryo
    "1727": 3009,  # Toshkent viloyati
    "1730": 3984,  # Farg'ona
    "1733": 1977,  # Xorazm
    "1726": 3040,  # Toshkent shahri
}
TARGET_POPULATION = 37_000_000
TARGET_MAHALLAS = 9_008  # the 2025 count (DOMAIN.md section 4)
MAHALLA_POPULATION_MIN = 1_000
MAHALLA_POPULATION_MAX = 12_000
# City mahallas are larger (apartment blocks) than village ones; ratio of mean sizes.
URBAN_SIZE_FACTOR = 1.45

TINY_DISTRICT_CODE = "1726273"  # Mirobod tumani, Toshkent shahri
TINY_MAHALLAS = 30
REGION_SCALE_CODE = "1703"  # Andijon viloyati
SCALES = ("tiny", "region", "nation")

_TO_PLANE = pyproj.Transformer.from_crs("EPSG:4326", PLANE_CRS, always_xy=True)
_TO_LONLAT = pyproj.Transformer.from_crs(PLANE_CRS, "EPSG:4326", always_xy=True)


@dataclass
class RegionUnit:
    code: str
    kind: str
    name_uz: str
    name_uz_cyrl: str
    name_ru: str
    boundary: Any = None  # shapely geometry, lon/lat
    population: int = 0


@dataclass
class DistrictUnit:
    code: str
    region_code: str
    kind: str
    name_uz: str
    name_uz_cyrl: str
    name_ru: str
    urban: bool
    centre_plane: tuple[float, float]
    centre_matched: bool
    population: int = 0
    cell_plane: Any = None
    boundary: Any = None
    mahalla_codes: list[str] = field(default_factory=list)


@dataclass
class MahallaUnit:
    code: str
    district_code: str
    region_code: str
    name_uz: str
    name_uz_cyrl: str
    name_ru: str
    population: int
    households: int
    boundary: Any  # shapely Polygon, lon/lat on the 1e-6 grid
    urban: bool
    distance_to_centre_km: float
    post_number: str = ""
    post_address: str = ""
    inspector_name: str = ""
    inspector_phone: str = ""


@dataclass
class Territory:
    regions: dict[str, RegionUnit]
    districts: dict[str, DistrictUnit]
    mahallas: list[MahallaUnit]
    outline_plane: Any


def to_plane(geometry: Any) -> Any:
    return shapely.transform(geometry, lambda xy: np.column_stack(_TO_PLANE.transform(xy[:, 0], xy[:, 1])))


def to_lonlat(geometry: Any) -> Any:
    """Plane -> WGS 84 longitude/latitude, snapped to the 1e-6 degree grid that the files are written in."""
    lonlat = shapely.transform(geometry, lambda xy: np.column_stack(_TO_LONLAT.transform(xy[:, 0], xy[:, 1])))
    return shapely.set_precision(lonlat, GRID_DEGREES)


def _normalise_name(name: str) -> str:
    name = normalise_apostrophes(name).lower()
    return re.sub(r"[^a-zа-яёўқғҳ0-9]+", "", name)


def _district_centres() -> dict[tuple[str, str], tuple[float, float]]:
    """(region code, normalised name) -> (lon, lat) for each name form of each centroid record."""
    raw = json.loads((REFERENCE_DIR / "district_centroids.json").read_text(encoding="utf-8"))["uzbekistan"]
    regions_by_name = {}
    for region in reference_regions():
        for key in ("name_uz", "name_uz_cyrl", "name_ru"):
            regions_by_name[_normalise_name(region[key])] = region["code"]
    centres: dict[tuple[str, str], tuple[float, float]] = {}
    for region in raw.values():
        region_code = regions_by_name.get(_normalise_name(region["name_uz"])) or regions_by_name.get(
            _normalise_name(region["name_ru"])
        )
        if region_code is None:
            continue
        for district in region["districts"]:
            for key in ("name_uz", "name_uzk", "name_ru"):
                centres.setdefault(
                    (region_code, _normalise_name(district[key])), (district["lon"], district["lat"])
                )
    return centres


def _place_district_centres(rng: np.random.Generator) -> dict[str, DistrictUnit]:
    centres = _district_centres()
    districts: dict[str, DistrictUnit] = {}
    unmatched: list[dict[str, Any]] = []
    for row in sorted(reference_districts(), key=lambda r: r["code"]):
        found = None
        for key in ("name_uz", "name_uz_cyrl", "name_ru"):
            found = centres.get((row["region_code"], _normalise_name(row[key])))
            if found:
                break
        if found is None:
            unmatched.append(row)
            continue
        x, y = _TO_PLANE.transform(*found)
        districts[row["code"]] = _district_unit(row, (float(x), float(y)), matched=True)
    for row in unmatched:
        # No published centre: put it inside its region, at a random convex combination of three
        # siblings' centres, so that the region stays in one piece.
        siblings = sorted(d.code for d in districts.values() if d.region_code == row["region_code"])
        chosen = rng.choice(len(siblings), size=min(3, len(siblings)), replace=False)
        weights = rng.dirichlet(np.ones(len(chosen)))
        anchors = np.array([districts[siblings[int(i)]].centre_plane for i in chosen])
        centre = weights @ anchors
        districts[row["code"]] = _district_unit(row, (float(centre[0]), float(centre[1])), matched=False)
    _separate_coincident_centres(districts, rng)
    return dict(sorted(districts.items()))


def _district_unit(row: dict[str, Any], centre: tuple[float, float], matched: bool) -> DistrictUnit:
    return DistrictUnit(
        code=row["code"],
        region_code=row["region_code"],
        kind=row["kind"],
        name_uz=row["name_uz"],
        name_uz_cyrl=row["name_uz_cyrl"],
        name_ru=row["name_ru"],
        urban=row["kind"] == "city" or row["region_code"] == "1726",
        centre_plane=centre,
        centre_matched=matched,
    )


def _separate_coincident_centres(districts: dict[str, DistrictUnit], rng: np.random.Generator) -> None:
    """A city and the district around it often share one published centre; move the district 5-9 km away so
    both get a cell (the city keeps the centre)."""
    codes = sorted(districts)
    for _ in range(5):
        moved = False
        points = np.array([districts[c].centre_plane for c in codes])
        for i, code in enumerate(codes):
            distance = np.hypot(*(points - points[i]).T)
            distance[i] = np.inf
            j = int(np.argmin(distance))
            if distance[j] < 2_000 and districts[code].kind != "city":
                angle = rng.uniform(0, 2 * np.pi)
                radius = rng.uniform(5_000, 9_000)
                x, y = districts[codes[j]].centre_plane
                districts[code].centre_plane = (x + radius * np.cos(angle), y + radius * np.sin(angle))
                points[i] = districts[code].centre_plane
                moved = True
        if not moved:
            return


def _country_plane(districts: dict[str, DistrictUnit]) -> Any:
    """The Natural Earth outline in the plane: the parts (mainland, exclaves) that hold a district centre."""
    parts = [to_plane(part) for part in shapely.get_parts(country_outline())]
    centres = [Point(d.centre_plane) for d in districts.values()]
    kept = [part for part in parts if any(part.contains(c) for c in centres)]
    return shapely.union_all(kept or [max(parts, key=lambda p: p.area)])


def _move_centres_inside(districts: dict[str, DistrictUnit], country: Any) -> None:
    """A published centre that falls outside the outline (the centroid list is approximate, and the border
    is drawn at 1:10m) is moved to the nearest point 3 km inside the border."""
    inner = country.buffer(-3_000)
    for district in districts.values():
        centre = Point(district.centre_plane)
        if not country.contains(centre):
            moved = shapely.ops.nearest_points(inner, centre)[0]
            district.centre_plane = (float(moved.x), float(moved.y))


def _single_polygons(cells: list[Any], anchors: list[Any] | None = None) -> list[Any]:
    """Each cell as one polygon: a cell cut in pieces by a concave outline keeps the piece holding its anchor
    (else its largest) and hands every other piece to the neighbour that shares the longest edge with it
    (a piece that touches nobody is dropped: it lies beyond the area being tiled)."""
    cells = list(cells)
    for _ in range(20):
        orphans: list[Any] = []
        for index, cell in enumerate(cells):
            if cell.geom_type == "Polygon" and not cell.is_empty:
                continue
            parts = [p for p in shapely.get_parts(cell) if p.geom_type == "Polygon" and p.area > 0]
            if not parts:
                continue
            anchor = anchors[index] if anchors is not None else None
            keep = next((p for p in parts if anchor is not None and p.contains(anchor)), None)
            keep = keep or max(parts, key=lambda p: p.area)
            cells[index] = keep
            orphans.extend(p for p in parts if p is not keep)
        if not orphans:
            return cells
        # A piece may touch only other pieces (two cut-off corners side by side): it waits for them to be
        # placed first, and is dropped only when a whole pass places nothing.
        while orphans:
            waiting = []
            for orphan in orphans:
                array = np.array(cells, dtype=object)
                # Edges shared up to half a metre: clipping computes the two sides' vertices separately.
                near = orphan.boundary.buffer(0.5)
                shared = shapely.length(shapely.intersection(shapely.boundary(array), near))
                target = int(np.argmax(shared))
                if shared[target] > 1.0:
                    cells[target] = shapely.union(cells[target], shapely.snap(orphan, cells[target], 0.5))
                else:
                    waiting.append(orphan)
            if len(waiting) == len(orphans):
                break
            orphans = waiting
    raise ValueError("cells could not be made single polygons in 20 rounds")


def _district_cells(districts: dict[str, DistrictUnit]) -> Any:
    """Voronoi cells of the district centres clipped to Uzbekistan's outline (Natural Earth 1:10m)."""
    country = _country_plane(districts)
    _move_centres_inside(districts, country)
    codes = list(districts)
    points = MultiPoint([districts[c].centre_plane for c in codes])
    cells = shapely.voronoi_polygons(points, extend_to=country.envelope.buffer(10_000), ordered=True)
    clipped = list(shapely.intersection(shapely.get_parts(cells), country))
    single = _single_polygons(clipped, [Point(districts[c].centre_plane) for c in codes])
    for code, cell in zip(codes, single, strict=True):
        districts[code].cell_plane = cell
    return country


def _largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to `weights` that sum exactly to `total` (Hamilton's method)."""
    share = weights / weights.sum() * total
    whole = np.floor(share).astype(np.int64)
    remainder = int(total - whole.sum())
    order = np.argsort(-(share - whole), kind="stable")
    whole[order[:remainder]] += 1
    result: np.ndarray = whole
    return result


def _district_populations(districts: dict[str, DistrictUnit], rng: np.random.Generator) -> None:
    total_weight = sum(REGION_POPULATION_THOUSANDS.values())
    for region_code, thousands in sorted(REGION_POPULATION_THOUSANDS.items()):
        members = [d for d in districts.values() if d.region_code == region_code]
        region_population = round(TARGET_POPULATION * thousands / total_weight)
        # District sizes vary about 2.5-fold; district-level cities hold more people than the average tuman.
        weights = rng.lognormal(0.0, 0.35, size=len(members))
        weights *= np.array([1.4 if d.urban and region_code != "1726" else 1.0 for d in members])
        for district, population in zip(members, _largest_remainder(weights, region_population), strict=True):
            district.population = int(population)


def _mahalla_counts(districts: dict[str, DistrictUnit]) -> dict[str, int]:
    factors = {c: URBAN_SIZE_FACTOR if d.urban else 1.0 for c, d in districts.items()}
    # Choose the base size so that the whole country has TARGET_MAHALLAS mahallas.
    base = sum(d.population / factors[c] for c, d in districts.items()) / TARGET_MAHALLAS
    return {c: max(3, round(d.population / (base * factors[c]))) for c, d in districts.items()}


def _mahalla_populations(rng: np.random.Generator, count: int, total: int) -> np.ndarray:
    """Populations of `count` mahallas summing to `total`, within [1,000, 12,000] where the total allows."""
    weights = rng.lognormal(0.0, 0.45, size=count)
    low = MAHALLA_POPULATION_MIN if total >= count * MAHALLA_POPULATION_MIN else 0
    high = max(MAHALLA_POPULATION_MAX, int(np.ceil(total / count)))
    values = weights / weights.sum() * total
    for _ in range(50):
        values = np.clip(values, low, high)
        values *= total / values.sum()
        if values.min() >= low - 1e-9 and values.max() <= high + 1e-9:
            break
    result = _largest_remainder(values, total)
    clipped: np.ndarray = np.clip(result, low, high)
    return clipped


def _seed_points(
    rng: np.random.Generator, cell: Polygon, centre: tuple[float, float], count: int
) -> np.ndarray:
    """Mahalla seed points: 60 % around the district centre (a town), the rest spread over the district."""
    minx, miny, maxx, maxy = cell.bounds
    spread = 0.22 * np.sqrt(cell.area)
    points: list[np.ndarray] = []
    needed = count
    shapely.prepare(cell)
    while needed > 0:
        batch = max(4 * needed, 16)
        central = rng.random(batch) < 0.6
        xy = np.where(
            central[:, None],
            np.column_stack([rng.normal(centre[0], spread, batch), rng.normal(centre[1], spread, batch)]),
            np.column_stack([rng.uniform(minx, maxx, batch), rng.uniform(miny, maxy, batch)]),
        )
        inside = xy[shapely.contains_xy(cell, xy[:, 0], xy[:, 1])]
        points.append(inside[:needed])
        needed -= len(points[-1])
    xy = np.concatenate(points)
    # Two points closer than 50 m would give a sliver mahalla; nudge duplicates apart deterministically.
    rounded = np.round(xy / 50.0)
    _, first = np.unique(rounded, axis=0, return_index=True)
    if len(first) < len(xy):
        duplicate = np.setdiff1d(np.arange(len(xy)), first)
        xy[duplicate] += rng.normal(0, 200, size=(len(duplicate), 2))
    return xy


def _mahalla_cells(cell: Polygon, seeds: np.ndarray) -> list[Polygon]:
    voronoi = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=cell, ordered=True)
    clipped = shapely.intersection(shapely.get_parts(voronoi), cell)
    first = _single_polygons(list(clipped), list(shapely.points(seeds)))
    # One Lloyd step (move each seed to its cell's centroid) evens out the slivers a random draw leaves.
    moved = shapely.get_coordinates(shapely.centroid(np.array(first, dtype=object)))
    voronoi = shapely.voronoi_polygons(MultiPoint(moved), extend_to=cell, ordered=True)
    cells = list(shapely.intersection(shapely.get_parts(voronoi), cell))
    if any(c.is_empty for c in cells):
        # In a strongly concave district a moved seed can lose its whole cell: keep the first tiling.
        return first
    second: list[Polygon] = _single_polygons(cells, list(shapely.points(moved)))
    if any(c.is_empty or c.geom_type != "Polygon" for c in second):
        return first
    return second


def selected_district_codes(scale: str, districts: dict[str, DistrictUnit]) -> list[str]:
    if scale == "tiny":
        return [TINY_DISTRICT_CODE]
    if scale == "region":
        return sorted(c for c, d in districts.items() if d.region_code == REGION_SCALE_CODE)
    if scale == "nation":
        return sorted(districts)
    raise ValueError(f"unknown scale {scale!r}: expected one of {', '.join(SCALES)}")


def build_territory(seed: int, scale: str) -> Territory:
    """Regions, districts and the mahallas of the districts that `scale` selects, drawn from `seed`."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: expected one of {', '.join(SCALES)}")
    rng = np.random.default_rng([seed, 1])
    regions = {
        r["code"]: RegionUnit(r["code"], r["kind"], r["name_uz"], r["name_uz_cyrl"], r["name_ru"])
        for r in sorted(reference_regions(), key=lambda r: r["code"])
    }
    districts = _place_district_centres(rng)
    outline = _district_cells(districts)
    _district_populations(districts, rng)
    counts = _mahalla_counts(districts)
    selected = selected_district_codes(scale, districts)
    if scale == "tiny":
        # A small fixture: 30 mahallas of the district's usual size rather than all of its mahallas.
        tiny = districts[TINY_DISTRICT_CODE]
        tiny.population = round(tiny.population / max(1, counts[TINY_DISTRICT_CODE])) * TINY_MAHALLAS
        counts[TINY_DISTRICT_CODE] = TINY_MAHALLAS
    mahallas: list[MahallaUnit] = []
    for code in selected:
        district = districts[code]
        # Each district draws from its own stream, so its mahallas do not depend on the other districts'.
        district_rng = np.random.default_rng([seed, 2, int(code)])
        mahallas.extend(_build_mahallas(district_rng, district, counts[code]))
    _close_border_junctions(mahallas)
    parts_by_district: dict[str, list[Any]] = {}
    for mahalla in mahallas:
        parts_by_district.setdefault(mahalla.district_code, []).append(mahalla.boundary)
    for district in districts.values():
        parts = parts_by_district.get(district.code, [])
        # A district is written as the union of its own mahallas so that each lies inside it exactly.
        district.boundary = (
            shapely.set_precision(shapely.union_all(parts), GRID_DEGREES)
            if parts
            else to_lonlat(district.cell_plane)
        )
    for region in regions.values():
        members = [d for d in districts.values() if d.region_code == region.code]
        region.population = sum(d.population for d in members)
        region.boundary = shapely.set_precision(
            shapely.union_all([d.boundary for d in members]), GRID_DEGREES
        )
    return Territory(regions=regions, districts=districts, mahallas=mahallas, outline_plane=outline)


def _close_border_junctions(mahallas: list[MahallaUnit]) -> None:
    """Insert into each mahalla on a district border the vertices its neighbours across the border have there.

    Inside a district, neighbouring mahallas share their edges vertex for vertex. Across a district border
    they do not: each side has its own vertices where its inner edges meet the border (T-junctions), and after
    snapping to the 1e-6 degree grid those vertices sit a few centimetres off the other side's straight edge,
    leaving slivers of gap and overlap. Snapping each border mahalla to the other side's nearby vertices
    (GEOS GeometrySnapper inserts them into the edges they lie on) makes both sides share the same vertices,
    so the mahallas of the whole country form one exact coverage.
    """
    boundaries = np.array([m.boundary for m in mahallas], dtype=object)
    district_of = np.array([m.district_code for m in mahallas])
    tree = shapely.STRtree(boundaries)
    tolerance = 3 * GRID_DEGREES
    left, right = tree.query(boundaries, predicate="dwithin", distance=tolerance)
    across = district_of[left] != district_of[right]
    left, right = left[across], right[across]
    order = np.argsort(left, kind="stable")
    left, right = left[order], right[order]
    for index, group in zip(*np.unique(left, return_index=True), strict=True):
        stop = int(np.searchsorted(left, index, side="right"))
        neighbours = right[group:stop]
        points = shapely.get_coordinates(boundaries[neighbours])
        near = shapely.dwithin(boundaries[index], shapely.points(points), tolerance)
        if not near.any():
            continue
        reference = shapely.MultiPoint(np.unique(points[near], axis=0))
        snapped = shapely.snap(boundaries[index], reference, tolerance)
        # Snapping can, rarely, fold a polygon; keep the original then (the slivers stay, as measured).
        if snapped.is_valid and snapped.geom_type == "Polygon":
            mahallas[int(index)].boundary = shapely.set_precision(snapped, GRID_DEGREES)


def _build_mahallas(rng: np.random.Generator, district: DistrictUnit, count: int) -> list[MahallaUnit]:
    seeds = _seed_points(rng, district.cell_plane, district.centre_plane, count)
    cells = _mahalla_cells(district.cell_plane, seeds)
    populations = _mahalla_populations(rng, count, district.population)
    names = mahalla_names(rng, count)
    centre = Point(district.centre_plane)
    # Serial numbers run from the district centre outwards, as registries usually number the old town first.
    order = np.argsort([cell.centroid.distance(centre) for cell in cells], kind="stable")
    household_size = 4.2 if district.urban else 5.1
    result: list[MahallaUnit] = []
    for serial, index in enumerate(order, start=1):
        cell = cells[int(index)]
        name_uz = names[serial - 1]
        name_cyrl, name_ru = mahalla_name_scripts(name_uz)
        population = int(populations[serial - 1])
        code = f"{district.code}{serial:03d}" if count < 1000 else f"{district.code}{serial:04d}"
        inspector_female = bool(rng.random() < 0.12)
        result.append(
            MahallaUnit(
                code=code,
                district_code=district.code,
                region_code=district.region_code,
                name_uz=name_uz,
                name_uz_cyrl=name_cyrl,
                name_ru=name_ru,
                population=population,
                households=int(round(population / household_size)),
                boundary=to_lonlat(cell),
                urban=district.urban,
                distance_to_centre_km=float(cell.centroid.distance(centre) / 1000.0),
                post_number=f"{district.code[-3:]}-{serial:03d}",
                post_address=f"{name_uz.removesuffix(' MFY')} ko'chasi, {int(rng.integers(1, 120))}-uy",
                inspector_name=person_name(rng, female=inspector_female),
                inspector_phone=f"+998 {int(rng.choice([71, 90, 91, 93, 94, 97, 99]))} "
                f"{int(rng.integers(100, 1000))}-{int(rng.integers(10, 100))}-{int(rng.integers(10, 100))}",
            )
        )
    for item in result:
        district.mahalla_codes.append(item.code)
    return result

"""Geometry, names, codes and populations of the synthetic territory."""

import json
import re

import numpy as np
import pyproj
import pytest
import shapely

from mahalla.demo.generator.outline import country_outline
from mahalla.demo.generator.territory import (
    AREA_CRS,
    GRID_DEGREES,
    MAHALLA_POPULATION_MAX,
    MAHALLA_POPULATION_MIN,
    TINY_DISTRICT_CODE,
    build_territory,
)
from mahalla.demo.generator.transliterate import latin_to_cyrillic
from mahalla.territory.reference_data import REFERENCE_DIR, reference_districts, reference_regions

from .conftest import NATION_AS_OF

# Square metres per square degree at 41 N: slivers are measured in lon/lat, where the files' straight edges
# live (an equal-area reprojection of a centimetre-wide sliver would bend its long edges and mismeasure it).
M2_PER_DEGREE2 = 111_195.0**2 * np.cos(np.radians(41))


def to_area_crs(geometry):
    to_area = pyproj.Transformer.from_crs("EPSG:4326", AREA_CRS, always_xy=True)
    return shapely.transform(geometry, lambda xy: np.column_stack(to_area.transform(xy[:, 0], xy[:, 1])))


def _overlap_and_gap_m2(shapes):
    """Total pairwise overlap of `shapes` and total area of holes inside their union, in square metres."""
    geoms = np.asarray(shapes)
    tree = shapely.STRtree(geoms)
    pairs = tree.query(geoms, predicate="intersects")
    pairs = pairs[:, pairs[0] < pairs[1]]
    overlap = shapely.area(shapely.intersection(geoms[pairs[0]], geoms[pairs[1]])).sum()
    union = shapely.union_all(geoms)
    # Holes of the country's own outline are not gaps: Sarvan, an enclave of Tajikistan (about 30 km2), its
    # border written on the 1e-6 degree grid (hence the widening by two grid steps).
    enclaves = shapely.union_all(
        [shapely.Polygon(ring) for part in shapely.get_parts(country_outline()) for ring in part.interiors]
    ).buffer(2 * GRID_DEGREES)
    holes = sum(
        shapely.difference(shapely.Polygon(ring), enclaves).area
        for part in shapely.get_parts(union)
        for ring in part.interiors
    )
    return overlap * M2_PER_DEGREE2, holes * M2_PER_DEGREE2, union


def test_tiny_is_one_district_of_thirty_mahallas_that_tile_it(tiny):
    mahallas = tiny.mahallas
    districts = tiny.districts
    assert list(districts.index) == [TINY_DISTRICT_CODE]
    assert len(mahallas) == 30
    shapes = tiny.shapes(mahallas)
    district = tiny.shapes(districts)[TINY_DISTRICT_CODE]
    assert shapely.is_valid(shapes).all()
    overlap, gap, union = _overlap_and_gap_m2(shapes.to_numpy())
    assert overlap < 1.0 and gap < 1.0
    assert shapely.symmetric_difference(union, district).area * M2_PER_DEGREE2 < 1.0
    assert all(district.covers(shape) for shape in shapes)


def test_coordinates_are_written_on_the_1e6_degree_grid(tiny):
    boundary = json.loads(tiny.mahallas["boundary"].iloc[0])
    coords = np.array(boundary["coordinates"][0])
    assert np.allclose(coords, np.round(coords / GRID_DEGREES) * GRID_DEGREES, atol=1e-12, rtol=0)
    assert re.fullmatch(
        r'\{"type":"Polygon","coordinates":\[\[\[[0-9.,\[\]]+\]\]\]\}', tiny.mahallas["boundary"].iloc[0]
    )


def test_mahalla_codes_are_the_district_code_and_a_three_digit_serial(tiny):
    for code, row in tiny.mahallas.iterrows():
        assert re.fullmatch(rf"{row['parent_code']}\d{{3}}", code)
    serials = sorted(int(code[-3:]) for code in tiny.mahallas.index)
    assert serials == list(range(1, 31))


def test_mahalla_names_are_unique_in_a_district_and_written_in_three_scripts(tiny):
    mahallas = tiny.mahallas
    assert mahallas["name_uz"].is_unique
    assert mahallas["name_uz"].str.endswith(" MFY").all()
    assert (mahallas["name_uz_cyrl"] == mahallas["name_uz"].map(latin_to_cyrillic)).all()
    assert mahallas["name_uz_cyrl"].str.endswith(" МФЙ").all()
    assert mahallas["name_ru"].str.startswith("махалля ").all()


def test_every_mahalla_has_a_post_with_a_named_inspector(tiny):
    mahallas = tiny.mahallas
    assert (mahallas["post_number"] != "").all() and mahallas["post_number"].is_unique
    assert (mahallas["inspector_name"].str.count(" ") >= 1).all()
    assert mahallas["inspector_phone"].str.fullmatch(r"\+998 \d{2} \d{3}-\d{2}-\d{2}").all()


def test_the_same_seed_builds_the_same_mahallas_and_another_seed_other_ones():
    first = build_territory(5, "tiny")
    second = build_territory(5, "tiny")
    assert [m.boundary.wkb for m in first.mahallas] == [m.boundary.wkb for m in second.mahallas]
    other_seed = build_territory(6, "tiny")
    assert [m.boundary.wkb for m in first.mahallas] != [m.boundary.wkb for m in other_seed.mahallas]


def test_unknown_scale_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown scale 'planet'"):
        build_territory(1, "planet")


@pytest.mark.slow
def test_the_nation_has_all_regions_and_districts_with_their_reference_codes_and_names(nation):
    regions = nation.regions
    districts = nation.districts
    assert sorted(regions.index) == sorted(r["code"] for r in reference_regions())
    reference = {d["code"]: d for d in reference_districts()}
    assert sorted(districts.index) == sorted(reference)
    for code, row in districts.iterrows():
        assert row["name_uz"] == reference[code]["name_uz"]
        assert row["name_uz_cyrl"] == reference[code]["name_uz_cyrl"]
        assert row["parent_code"] == reference[code]["region_code"]


@pytest.mark.slow
def test_the_nation_has_about_9000_mahallas_and_37_million_people(nation):
    mahallas = nation.mahallas
    population = mahallas["population"].astype(int)
    assert 8_800 <= len(mahallas) <= 9_200
    assert population.sum() == pytest.approx(37_000_000, rel=0.01)
    assert population.min() >= MAHALLA_POPULATION_MIN and population.max() <= MAHALLA_POPULATION_MAX
    # Districts and regions carry the sums of their mahallas.
    district_sum = population.groupby(mahallas["parent_code"]).sum()
    assert (nation.districts["population"].astype(int).reindex(district_sum.index) == district_sum).all()


@pytest.mark.slow
def test_city_mahallas_are_denser_than_village_ones(nation):
    mahallas = nation.mahallas
    area_km2 = shapely.area(nation.shapes(mahallas).to_numpy()) * M2_PER_DEGREE2 / 1e6
    density = mahallas["population"].astype(int) / area_km2
    city_codes = {code for code, row in nation.districts.iterrows() if row["kind"] == "city"}
    city_codes |= {code for code in nation.districts.index if code.startswith("1726")}
    in_city = mahallas["parent_code"].isin(city_codes)
    assert density[in_city].median() > 5 * density[~in_city].median()
    assert (
        mahallas["population"].astype(int)[in_city].mean()
        > mahallas["population"].astype(int)[~in_city].mean()
    )


@pytest.mark.slow
def test_every_geometry_is_valid_and_mahallas_tile_their_districts(nation):
    mahallas = nation.mahallas
    shapes = nation.shapes(mahallas)
    district_shapes = nation.shapes(nation.districts)
    assert shapely.is_valid(shapes).all() and shapely.is_valid(district_shapes).all()
    assert shapely.is_valid(nation.shapes(nation.regions)).all()
    total_m2 = shapely.area(district_shapes.to_numpy()).sum() * M2_PER_DEGREE2
    for code, group in shapes.groupby(mahallas["parent_code"]):
        district = district_shapes[code]
        assert all(district.covers(shape) for shape in group), code
        assert shapely.area(group.to_numpy()).sum() == pytest.approx(district.area, rel=1e-9), code
    # Across district borders too: the mahallas of the whole country form one coverage, edges shared vertex
    # for vertex, with no gap and no overlap (of 500,000 km2, less than one square metre either way).
    overlap, gap, _ = _overlap_and_gap_m2(shapes.to_numpy())
    assert total_m2 > 4e11
    assert overlap < 1.0
    assert gap < 1.0
    assert shapely.coverage_is_valid(shapely.GeometryCollection(list(shapes)))


@pytest.mark.slow
def test_districts_tile_their_regions_and_the_country(nation):
    district_shapes = nation.shapes(nation.districts)
    region_shapes = nation.shapes(nation.regions)
    parents = nation.districts["parent_code"]
    total = shapely.area(district_shapes.to_numpy()).sum()
    for code, region in region_shapes.items():
        members = district_shapes[parents == code].to_numpy()
        union = shapely.union_all(members)
        assert shapely.symmetric_difference(union, region).area * M2_PER_DEGREE2 < 1.0, code
        assert all(region.covers(member) or region.buffer(1e-6).covers(member) for member in members), code
    overlap, gap, union = _overlap_and_gap_m2(district_shapes.to_numpy())
    assert total * M2_PER_DEGREE2 > 4e11
    assert overlap < 1.0
    assert gap < 1.0
    # One country in two pieces, as on Natural Earth's map: the mainland and the So'x exclave (the district
    # of that name); no island or sliver elsewhere.
    parts = sorted(shapely.get_parts(union), key=lambda p: -p.area)
    assert len(parts) == 2
    assert parts[1].contains(shapely.Point(71.1278, 39.9536))  # So'x tumani's published centre
    # Its area against the published 448,978 km2 (State Committee on Statistics; Natural Earth's 1:10m outline
    # gives 447,400 km2 with the exclaves; the two small exclaves without a district are left out).
    area_km2 = to_area_crs(union).area / 1e6
    assert area_km2 == pytest.approx(448_978, rel=0.01)


@pytest.mark.slow
def test_districts_sit_where_their_published_centres_are(nation):
    raw = json.loads((REFERENCE_DIR / "district_centroids.json").read_text(encoding="utf-8"))["uzbekistan"]
    centres = {}
    for region in raw.values():
        for district in region["districts"]:
            centres[district["name_uz"]] = (district["lon"], district["lat"])
    shapes = nation.shapes(nation.districts)
    known = [
        (code, centres[row["name_uz"]])
        for code, row in nation.districts.iterrows()
        if row["name_uz"] in centres
    ]
    assert len(known) >= 150
    near = [shapes[code].distance(shapely.Point(lonlat)) < 0.1 for code, lonlat in known]  # within ~10 km
    assert np.mean(near) > 0.95


@pytest.mark.slow
def test_the_region_scale_is_andijon_with_all_its_districts_tiled(tmp_path):
    from mahalla.demo.generator import generate

    from .conftest import load_generated

    generate("region", 3, NATION_AS_OF, tmp_path)
    region = load_generated(tmp_path)
    andijon = sorted(d["code"] for d in reference_districts() if d["region_code"] == "1703")
    assert list(region.regions.index) == ["1703"]
    assert sorted(region.districts.index) == andijon
    assert 600 <= len(region.mahallas) <= 1_100
    shapes = region.shapes(region.mahallas)
    overlap, _, _ = _overlap_and_gap_m2(shapes.to_numpy())
    assert overlap < 1.0
    # The region may enclose districts of other regions (not generated at this scale), so gaps are checked
    # per district: each is one polygon (a Voronoi cell clipped to the country's outline), its mahallas fill
    # it without holes, and it lies inside Natural Earth's outline of Uzbekistan.
    country = country_outline().buffer(1e-5)
    for code, group in shapes.groupby(region.mahallas["parent_code"]):
        union = shapely.union_all(group.to_numpy())
        assert union.geom_type == "Polygon" and len(union.interiors) == 0, code
        assert country.covers(union), code
    assert set(region.offences["mahalla_code"]) <= set(region.mahallas.index)

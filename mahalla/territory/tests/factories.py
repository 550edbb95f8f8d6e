"""Territory test objects. Regions and districts come from the reference data that every database is
created with (migration territory 0002); mahallas are made here."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from mahalla.territory.models import District, LawAndOrderPost, Mahalla, Region


def reference_region(code: str) -> Region:
    return Region.objects.get(code=code)


def reference_district(code: str) -> District:
    return District.objects.select_related("region").get(code=code)


class MahallaFactory(DjangoModelFactory):
    class Meta:
        model = Mahalla

    code = factory.Sequence(lambda n: f"9{n:07d}")
    name_uz = factory.Sequence(lambda n: f"Mahalla {n}")
    name_uz_cyrl = factory.Sequence(lambda n: f"Маҳалла {n}")
    name_ru = factory.Sequence(lambda n: f"Махалля {n}")
    population = 3000
    district = factory.LazyFunction(lambda: District.objects.order_by("code").first())
    region = factory.LazyAttribute(lambda mahalla: mahalla.district.region)


class LawAndOrderPostFactory(DjangoModelFactory):
    class Meta:
        model = LawAndOrderPost

    mahalla = factory.SubFactory(MahallaFactory)
    number = factory.Sequence(lambda n: f"P-{n}")
    inspector_name = "Inspector"


# The small country the access tests run over: two reference regions, two of their districts each, two
# mahallas in each district. Labels name the place: "A2b" is mahalla b of district 2 of region A.
WORLD_REGIONS = {"A": "1703", "B": "1706"}
WORLD_DISTRICTS = {"A1": "1703202", "A2": "1703203", "B1": "1706204", "B2": "1706207"}
WORLD_MAHALLA_LABELS = [f"{district}{letter}" for district in WORLD_DISTRICTS for letter in "ab"]


def world_mahallas() -> dict[str, Mahalla]:
    """Create the eight mahallas of the test world; codes are "M" + label for readable assertions."""
    # One query for the districts and one insert for the mahallas: this runs in hundreds of table cases.
    districts = {d.code: d for d in District.objects.filter(code__in=WORLD_DISTRICTS.values())}
    created = Mahalla.objects.bulk_create(
        Mahalla(
            code=f"M{label}",
            name_uz=f"Mahalla {label}",
            population=3000,
            district=districts[WORLD_DISTRICTS[label[:2]]],
            region_id=districts[WORLD_DISTRICTS[label[:2]]].region_id,
        )
        for label in WORLD_MAHALLA_LABELS
    )
    return dict(zip(WORLD_MAHALLA_LABELS, created, strict=True))


# Scopes of the table-driven access tests: name -> (level, region label, district label, mahalla labels,
# the mahallas that scope must see). Written out by hand: the expectation is the specification, not a
# second run of the code under test.
ALL_MAHALLAS = frozenset(WORLD_MAHALLA_LABELS)
VALID_SCOPES: dict[str, tuple[str, str | None, str | None, tuple[str, ...], frozenset[str]]] = {
    "country": ("country", None, None, (), ALL_MAHALLAS),
    "region A": ("region", "A", None, (), frozenset({"A1a", "A1b", "A2a", "A2b"})),
    "region B": ("region", "B", None, (), frozenset({"B1a", "B1b", "B2a", "B2b"})),
    "district A1": ("district", None, "A1", (), frozenset({"A1a", "A1b"})),
    "district B2": ("district", None, "B2", (), frozenset({"B2a", "B2b"})),
    "district A2 naming its region": ("district", "A", "A2", (), frozenset({"A2a", "A2b"})),
    "mahallas A1a and B2b": ("mahallas", None, None, ("A1a", "B2b"), frozenset({"A1a", "B2b"})),
    "mahalla A2b in its district": ("mahallas", None, "A2", ("A2b",), frozenset({"A2b"})),
}
# Scopes that are missing or inconsistent: whoever holds one sees nothing.
BROKEN_SCOPES: dict[str, tuple[str, str | None, str | None, tuple[str, ...]]] = {
    "no scope at all": ("", None, None, ()),
    "unknown scope level": ("planet", None, None, ()),
    "country scope naming a region": ("country", "A", None, ()),
    "region scope also naming a district": ("region", "A", "A1", ()),
    "district of region A said to be in region B": ("district", "B", "A1", ()),
    "mahallas scope with no mahalla": ("mahallas", None, None, ()),
    "mahalla outside the named district": ("mahallas", None, "A1", ("A1a", "B1a")),
    "mahalla outside the named region": ("mahallas", "A", None, ("A1a", "B1a")),
}


def world_user(
    role: str,
    scope: tuple[str, str | None, str | None, tuple[str, ...]]
    | tuple[str, str | None, str | None, tuple[str, ...], frozenset[str]],
    mahallas: dict[str, Mahalla],
    **fields: object,
):  # -> accounts.User
    from mahalla.accounts.tests.factories import UserFactory

    level, region_label, district_label, mahalla_labels = scope[:4]
    return UserFactory(
        role=role,
        scope_level=level,
        scope_region=reference_region(WORLD_REGIONS[region_label]) if region_label else None,
        scope_district=reference_district(WORLD_DISTRICTS[district_label]) if district_label else None,
        mahallas=[mahallas[label] for label in mahalla_labels],
        **fields,
    )

"""Offence test objects. Categories and causes come from the reference data (migration incidents 0002)."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from mahalla.incidents.models import Offence, OffenceCategory
from mahalla.territory.tests.factories import MahallaFactory

TASHKENT = dt.timezone(dt.timedelta(hours=5))


class OffenceFactory(DjangoModelFactory):
    class Meta:
        model = Offence

    source_system = "EJR"
    registration_number = factory.Sequence(lambda n: f"R-{n:06d}")
    code_kind = "criminal"
    article = "169"
    category = factory.LazyFunction(lambda: OffenceCategory.objects.get(code="theft"))
    occurred_at = dt.datetime(2026, 3, 10, 14, 0, tzinfo=TASHKENT)
    registered_at = factory.LazyAttribute(lambda offence: offence.occurred_at)
    mahalla = factory.SubFactory(MahallaFactory)
    district = factory.LazyAttribute(lambda offence: offence.mahalla.district)
    region = factory.LazyAttribute(lambda offence: offence.mahalla.region)


def world_offences(mahallas: dict) -> dict[str, Offence]:
    """One offence in each mahalla of the test world, its registration number the mahalla's label."""
    # One insert for all of them: this runs in hundreds of table cases.
    theft = OffenceCategory.objects.get(code="theft")
    occurred = dt.datetime(2026, 3, 10, 14, 0, tzinfo=TASHKENT)
    created = Offence.objects.bulk_create(
        Offence(
            source_system="EJR",
            registration_number=label,
            code_kind="criminal",
            article="169",
            category=theft,
            occurred_at=occurred,
            registered_at=occurred,
            mahalla=mahalla,
            district_id=mahalla.district_id,
            region_id=mahalla.region_id,
        )
        for label, mahalla in mahallas.items()
    )
    return dict(zip(mahallas, created, strict=True))

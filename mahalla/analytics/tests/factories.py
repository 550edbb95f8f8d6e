"""A small analysable district for the daily-run tests: mahallas on a grid with centroids and populations,
and offences written in bulk (the run reads offences with values_list, so no model logic is skipped)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable

from mahalla.incidents.models import Offence, OffenceCategory
from mahalla.territory.models import District, Mahalla
from mahalla.territory.tests.factories import MahallaFactory, reference_district

TASHKENT = dt.timezone(dt.timedelta(hours=5))
DISTRICT_CODE = "1703202"
OTHER_DISTRICT_CODE = "1706204"
_numbers = itertools.count(1)


def grid_mahallas(
    district_code: str = DISTRICT_CODE, *, rows: int = 4, cols: int = 4, prefix: str = "G"
) -> list[Mahalla]:
    """rows x cols mahallas about 1 km apart, 3,000 residents each, codes "<prefix><row><col>"."""
    district: District = reference_district(district_code)
    mahallas = []
    for row in range(rows):
        for col in range(cols):
            lat, lon = 40.5 + row * 0.009, 72.3 + col * 0.012
            mahallas.append(
                MahallaFactory(
                    code=f"{prefix}{row}{col}",
                    name_uz=f"{prefix} mahalla {row}-{col}",
                    district=district,
                    region=district.region,
                    population=3000,
                    centroid_lat=lat,
                    centroid_lon=lon,
                    boundary={
                        "type": "Polygon",
                        "coordinates": [
                            [
                                [lon - 0.006, lat - 0.0045],
                                [lon + 0.006, lat - 0.0045],
                                [lon + 0.006, lat + 0.0045],
                                [lon - 0.006, lat + 0.0045],
                                [lon - 0.006, lat - 0.0045],
                            ]
                        ],
                    },
                )
            )
    return mahallas


def add_offences(
    mahalla: Mahalla,
    days: Iterable[dt.date],
    *,
    category: str = "theft",
    per_day: int = 1,
    hour: int = 14,
    **flags: bool,
) -> int:
    """`per_day` offences of `category` in `mahalla` at `hour`:00 Tashkent time on each of `days`."""
    category_object = OffenceCategory.objects.get(code=category)
    rows = []
    for day in days:
        for _ in range(per_day):
            at = dt.datetime.combine(day, dt.time(hour, 30), tzinfo=TASHKENT)
            rows.append(
                Offence(
                    source_system="TEST",
                    registration_number=f"T-{next(_numbers):07d}",
                    code_kind="criminal",
                    article="169",
                    category=category_object,
                    occurred_at=at,
                    registered_at=at,
                    mahalla=mahalla,
                    district_id=mahalla.district_id,
                    region_id=mahalla.region_id,
                    **flags,
                )
            )
    Offence.objects.bulk_create(rows)
    return len(rows)


def days_back(end: dt.date, count: int, step: int = 1) -> list[dt.date]:
    """`count` dates ending on `end`, every `step` days."""
    return [end - dt.timedelta(days=i * step) for i in range(count)]

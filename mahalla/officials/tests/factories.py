"""Constructed worlds for the assignment rules: reference districts, a few mahallas, yearly classes written
as finished daily runs on 31 December, and officials by position."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping

from mahalla.analytics.models import DailyRun, MahallaDayResult
from mahalla.officials.models import Official
from mahalla.territory.models import District, Mahalla
from mahalla.territory.tests.factories import MahallaFactory, reference_district

DISTRICT_CODE = "1703202"
NEIGHBOUR_DISTRICT_CODE = "1703203"  # Andijon tumani, in the same region (Andijan) as DISTRICT_CODE
OTHER_DISTRICT_CODE = "1706204"  # in another region (Bukhara)
_ids = itertools.count(1)


def mahallas_in(district_code: str, count: int, prefix: str) -> list[Mahalla]:
    district: District = reference_district(district_code)
    return [
        MahallaFactory(
            code=f"{prefix}{i:02d}",
            name_uz=f"{prefix} {i}",
            district=district,
            region=district.region,
            population=3000,
        )
        for i in range(count)
    ]


def classes_write(by_year: Mapping[int, Mapping[Mahalla, str]], *, day: tuple[int, int] = (12, 31)) -> None:
    """One finished run per year on `day`, with the given class per mahalla (rate ratio 2 for red)."""
    for year, classes in by_year.items():
        date = dt.date(year, *day)
        run = DailyRun.objects.create(date=date, status=DailyRun.Status.DONE)
        MahallaDayResult.objects.filter(date=date).delete()
        MahallaDayResult.objects.bulk_create(
            [
                MahallaDayResult(
                    run=run,
                    date=date,
                    mahalla=mahalla,
                    district_id=mahalla.district_id,
                    region_id=mahalla.region_id,
                    crime_class=crime_class,
                    explanation={"rate_ratio": 2.0 if crime_class == "red" else 0.5},
                )
                for mahalla, crime_class in classes.items()
            ]
        )


def official_create(
    position: str, *, level: str = "district", territory: object = None, **extra: object
) -> Official:
    """An official at `level` in `territory` (a District, Region, or None for a national institution)."""
    values: dict[str, object] = {"region": None, "district": None}
    if level == "district":
        values = {"district": territory, "region": territory.region}  # type: ignore[attr-defined]
    elif level == "region":
        values = {"region": territory, "district": None}
    number = next(_ids)
    return Official.objects.create(
        external_id=f"T{number:06d}",
        name=extra.pop("name", f"Official {number}"),
        position=position,
        title=position,
        organisation="Test",
        level=level,
        **values,
        **extra,
    )

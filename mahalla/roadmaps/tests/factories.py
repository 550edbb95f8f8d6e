"""Roadmaps, measures and the users who plan and carry them out, for tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mahalla.accounts.tests.factories import UserFactory
from mahalla.core.roles import Role, ScopeLevel
from mahalla.territory.models import District, Mahalla


def district_chief(district: District, **kwargs: Any) -> Any:
    return UserFactory(
        role=Role.DISTRICT_CHIEF, scope_level=ScopeLevel.DISTRICT, scope_district=district, **kwargs
    )


def regional_chief(district: District, **kwargs: Any) -> Any:
    return UserFactory(
        role=Role.REGIONAL_CHIEF, scope_level=ScopeLevel.REGION, scope_region=district.region, **kwargs
    )


def inspector(*mahallas: Mahalla, **kwargs: Any) -> Any:
    return UserFactory(
        role=Role.PREVENTIVE_INSPECTOR, scope_level=ScopeLevel.MAHALLAS, mahallas=list(mahallas), **kwargs
    )


def mahallas_create(district_code: str, count: int, prefix: str = "") -> list[Mahalla]:
    district = District.objects.get(code=district_code)
    return [
        Mahalla.objects.create(
            code=f"{district_code}{prefix}{i:03d}",
            name_uz=f"Mahalla {prefix}{i}",
            district=district,
            region=district.region,
            population=4000,
        )
        for i in range(1, count + 1)
    ]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


_numbers = iter(range(1, 10**9))
TASHKENT = dt.timezone(dt.timedelta(hours=5))


def offence_create(
    mahalla: Mahalla,
    when: dt.datetime | dt.date,
    *,
    category: str = "theft",
    causes: tuple[str, ...] = (),
    latitude: float | None = None,
    longitude: float | None = None,
    place_type: str = "street",
    **fields: Any,
) -> Any:
    """One crime in `mahalla` (at 14:00 Tashkent time when given a date), with its causes."""
    from mahalla.incidents.models import CauseCode, Offence, OffenceCategory, OffenceCause

    if not isinstance(when, dt.datetime):
        when = dt.datetime.combine(when, dt.time(14), tzinfo=TASHKENT)
    offence = Offence.objects.create(
        source_system="TEST",
        registration_number=f"R-{next(_numbers):07d}",
        code_kind="criminal",
        article="169",
        category=OffenceCategory.objects.get(code=category),
        occurred_at=when,
        registered_at=when,
        mahalla=mahalla,
        district_id=mahalla.district_id,
        region_id=mahalla.region_id,
        latitude=latitude,
        longitude=longitude,
        place_type=place_type,
        **fields,
    )
    for code in causes:
        OffenceCause.objects.create(offence=offence, cause=CauseCode.objects.get(code=code))
    return offence

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

"""Persons, territory and users of every role for the casework tests."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from mahalla.accounts.tests.factories import UserFactory
from mahalla.core.roles import Role, ScopeLevel
from mahalla.territory.models import District, Mahalla

from ..models import Person, Sex
from ..names import name_skeleton

_pinfls = itertools.count(31_000_000_000_000)


def pinfl_next() -> str:
    return str(next(_pinfls))


def mahalla_make(district: District, code: str) -> Mahalla:
    return Mahalla.objects.create(
        code=code, name_uz=f"Mahalla {code}", district=district, region=district.region, population=3000
    )


def person_make(
    mahalla: Mahalla,
    name: str = "Karimova Malika",
    *,
    birth: dt.date = dt.date(1990, 5, 1),
    sex: str = Sex.FEMALE,
    **kwargs: Any,
) -> Person:
    from mahalla.core.transliterate import latin_to_cyrillic, latin_to_russian

    return Person.objects.create(
        pinfl=kwargs.pop("pinfl", None) or pinfl_next(),
        name_latin=name,
        name_cyrillic=latin_to_cyrillic(name),
        name_russian=latin_to_russian(name),
        name_key=name_skeleton(name),
        birth_date=birth,
        sex=sex,
        mahalla=mahalla,
        district_id=mahalla.district_id,
        region_id=mahalla.region_id,
        **kwargs,
    )


def user_for(
    role: str, *, mahallas: list[Mahalla] | None = None, district: District | None = None, region: Any = None
) -> Any:
    if mahallas:
        return UserFactory(role=role, scope_level=ScopeLevel.MAHALLAS, mahallas=mahallas)
    if district is not None:
        return UserFactory(role=role, scope_level=ScopeLevel.DISTRICT, scope_district=district)
    if region is not None:
        return UserFactory(role=role, scope_level=ScopeLevel.REGION, scope_region=region)
    return UserFactory(role=role, scope_level=ScopeLevel.COUNTRY)


def inspector(*mahallas: Mahalla) -> Any:
    return user_for(Role.PREVENTIVE_INSPECTOR, mahallas=list(mahallas))

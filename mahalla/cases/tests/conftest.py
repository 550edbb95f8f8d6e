"""Two districts of one region, two mahallas in the first and one in the second, and a person in each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from mahalla.territory.models import District, Mahalla

from ..models import Person
from .factories import inspector, mahalla_make, person_make


@dataclass
class Place:
    district: District
    other_district: District
    home: Mahalla
    neighbour: Mahalla
    far: Mahalla
    person: Person
    neighbour_person: Person
    far_person: Person
    inspector: Any


@pytest.fixture
def place(db: None) -> Place:
    first = District.objects.order_by("code").first()
    assert first is not None
    other = District.objects.filter(region=first.region).exclude(pk=first.pk).order_by("code").first()
    assert other is not None
    home = mahalla_make(first, f"{first.code}901")
    neighbour = mahalla_make(first, f"{first.code}902")
    far = mahalla_make(other, f"{other.code}901")
    return Place(
        district=first,
        other_district=other,
        home=home,
        neighbour=neighbour,
        far=far,
        person=person_make(home, "Karimova Malika"),
        neighbour_person=person_make(neighbour, "Rahimov Jasur", sex="M"),
        far_person=person_make(far, "Toshmatova Dilnoza"),
        inspector=inspector(home),
    )

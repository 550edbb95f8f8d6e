"""Fixtures of the coordination tests: the small world with three agencies and their staff."""

from __future__ import annotations

import pytest

from mahalla.coordination.models import AgencyKind, TaskType
from mahalla.core.roles import Role
from mahalla.territory.tests.factories import WORLD_DISTRICTS, reference_district, world_mahallas

from .factories import agency_create, staff_user


@pytest.fixture
def world(db):
    mahallas = world_mahallas()
    a1 = reference_district(WORLD_DISTRICTS["A1"])
    b2 = reference_district(WORLD_DISTRICTS["B2"])
    police = agency_create(a1, AgencyKind.INTERNAL_AFFAIRS, "IIB A1")
    inson = agency_create(a1, AgencyKind.SOCIAL_CENTRE, "Inson A1")
    other = agency_create(b2, AgencyKind.SOCIAL_CENTRE, "Inson B2")
    return {
        "mahallas": mahallas,
        "a1": a1,
        "b2": b2,
        "police": police,
        "inson": inson,
        "other": other,
        "officer": staff_user(
            police, role=Role.PREVENTIVE_INSPECTOR, username="officer", email="officer@iib.test"
        ),
        "worker": staff_user(inson, username="worker", email="worker@inson.test"),
        "stranger": staff_user(other, username="stranger"),
        "type": TaskType.objects.get(key="social-assistance"),
    }

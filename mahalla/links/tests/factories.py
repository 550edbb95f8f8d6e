"""Test data of the drug-network workbench: territories, users of every role, sources, cameras."""

from __future__ import annotations

from typing import Any

from mahalla.accounts.tests.factories import UserFactory, mahalla_create
from mahalla.core.roles import Role, ScopeLevel
from mahalla.links.models import SourceKind
from mahalla.links.services import camera_register, source_create

# Two reference districts of Tashkent city (SOATO): Mirobod and Yunusobod.
DISTRICT_A = "1726273"
DISTRICT_B = "1726266"


def two_mahallas() -> tuple[Any, Any]:
    """One mahalla in each of two districts of one region."""
    return (
        mahalla_create(district_code=DISTRICT_A, code=f"{DISTRICT_A}901"),
        mahalla_create(district_code=DISTRICT_B, code=f"{DISTRICT_B}901"),
    )


def narcotics_officer(mahalla: Any, **kwargs: Any) -> Any:
    return UserFactory(
        role=Role.NARCOTICS_OFFICER,
        scope_level=ScopeLevel.DISTRICT,
        scope_district=mahalla.district,
        **kwargs,
    )


def feed_create(mahalla: Any, reference: str = "ANPR Tashkent") -> Any:
    return source_create(
        actor=None,
        kind=SourceKind.DETECTION_FEED,
        reference=reference,
        legal_basis="Law on operational-search activity, art. 14 (public-space video monitoring)",
        mahalla=mahalla,
        system=True,
    )


def cameras_create(mahalla: Any, codes: list[str], feed: Any = None) -> list[Any]:
    feed = feed or feed_create(mahalla)
    return [
        camera_register(
            actor=None,
            code=code,
            name=f"Camera {code}",
            lat=41.29 + 0.001 * n,
            lon=69.28 + 0.001 * n,
            mahalla=mahalla,
            feed=feed,
            system=True,
        )
        for n, code in enumerate(codes)
    ]

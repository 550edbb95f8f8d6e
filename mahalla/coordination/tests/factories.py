"""Agencies and staff for coordination tests, on the territory tests' small world (two regions, two districts
each, two mahallas per district)."""

from __future__ import annotations

from typing import Any

from mahalla.accounts.tests.factories import UserFactory
from mahalla.coordination.models import Agency, AgencyKind, StaffMember
from mahalla.core.roles import Role, ScopeLevel
from mahalla.territory.models import District


def agency_create(district: District, kind: str = AgencyKind.INTERNAL_AFFAIRS, name: str = "") -> Agency:
    return Agency.objects.create(
        name=name or f"{kind} {district.code}",
        kind=kind,
        level="district",
        region_id=district.region_id,
        district=district,
    )


def staff_user(
    agency: Agency, *, role: str = Role.AGENCY_OFFICER, head: bool = True, email: str = "", **user: Any
) -> Any:
    """An account working for `agency` (district scope), with its staff record."""
    account = UserFactory(
        role=role, scope_level=ScopeLevel.DISTRICT, scope_district=agency.district, email=email, **user
    )
    StaffMember.objects.create(
        agency=agency,
        user=account,
        full_name=f"Staff {account.username}",
        is_head=head,
        region_id=agency.region_id,
        district=agency.district,
        email=email,
    )
    return account


def contact(
    agency: Agency, *, channel: str, email: str = "", phone: str = "", head: bool = False, **fields: Any
):
    return StaffMember.objects.create(
        agency=agency,
        full_name=fields.pop("full_name", f"Contact {channel}"),
        channel=channel,
        email=email,
        phone=phone,
        is_head=head,
        region_id=agency.region_id,
        district=agency.district,
        **fields,
    )

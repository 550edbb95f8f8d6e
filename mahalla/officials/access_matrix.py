"""Access matrix rows of the officials' pages and API and their admin (see mahalla/core/access_matrix.py)."""

from __future__ import annotations

from mahalla.core.access_matrix import ALL_ROLES, Call, Place, Route, admin_routes
from mahalla.core.roles import Role

from .services import DECIDERS

OFFICIALS_USERS = frozenset(
    {
        Role.NATIONAL_ANALYST,
        Role.REGIONAL_CHIEF,
        Role.DISTRICT_CHIEF,
        Role.RESPONSIBLE_OFFICIAL,
        Role.PROSECUTOR,
        Role.ADMINISTRATOR,
    }
)


def _official(place: Place):  # -> Official
    from .models import Official

    return Official.objects.create(
        external_id=f"X-{place.marker}",
        name=f"Official {place.marker}",
        position="district_prosecutor",
        title="Prosecutor",
        organisation="Prosecutor's office",
        level="district",
        region=place.region,
        district=place.district,
    )


def _assignment(place: Place):  # -> Assignment
    from .models import Assignment, AssignmentRuleConfig

    rule = AssignmentRuleConfig.objects.order_by("pk").first()
    assert rule is not None, "the default assignment rules are reference data"
    return Assignment.objects.create(
        official=_official(place),
        year=2026,
        rule=rule,
        target="mahalla",
        mahalla=place.mahalla,
        district=place.district,
        region=place.region,
        target_key=f"mahalla:{place.mahalla.pk}",
    )


def _assignment_call(data: dict[str, object] | None = None, content: str = "json"):  # -> builder
    return lambda place: Call(
        kwargs={"assignment_id": _assignment(place).pk}, data=data or {}, content=content
    )


DECIDE = frozenset(DECIDERS)

ROUTES: list[Route] = [
    Route("officials:assignments", roles=ALL_ROLES, territorial=False),
    Route(
        "officials:assignment-confirm",
        method="POST",
        roles=DECIDE,
        success=(302,),
        build=_assignment_call(content="multipart"),
    ),
    Route(
        "officials:assignment-change",
        method="POST",
        roles=DECIDE,
        success=(302, 404),
        build=_assignment_call({"official": "", "reason": "x"}, content="multipart"),
        note="no replacement official named: 404 for it; the change itself is tested in officials/tests",
    ),
    Route("officials:districts", roles=ALL_ROLES, territorial=False),
    Route(
        "officials:official",
        roles=ALL_ROLES,
        build=lambda place: Call(kwargs={"official_id": _official(place).pk}),
    ),
    Route("officials-api:official-list", roles=ALL_ROLES, territorial=False),
    Route(
        "officials-api:official-accountability",
        roles=ALL_ROLES,
        build=lambda place: Call(kwargs={"official_id": _official(place).pk}),
    ),
    Route("officials-api:assignment-list", roles=ALL_ROLES, territorial=False),
    Route(
        "officials-api:assignment-propose",
        method="POST",
        roles=DECIDE,
        territorial=False,
        success=(200, 201, 400),
        refused=(400, 403, 404),
        build=lambda place: Call(data={"year": 2026, "dry_run": True}, content="json"),
        note="the year's classes are not in the world: 400; the proposal is tested in officials/tests",
    ),
    Route(
        "officials-api:assignment-confirm",
        method="POST",
        roles=DECIDE,
        success=(200,),
        build=_assignment_call(),
    ),
    Route(
        "officials-api:assignment-change",
        method="POST",
        roles=DECIDE,
        success=(200, 400, 404),
        build=_assignment_call({"official": 0, "reason": "x"}),
    ),
    Route(
        "officials-api:assignment-end",
        method="POST",
        roles=DECIDE,
        success=(200,),
        build=_assignment_call({"reason": "moved"}),
    ),
    Route("officials-api:district-accountability", roles=ALL_ROLES, territorial=False),
    *admin_routes("officials", "assignmentruleconfig"),
    *admin_routes("officials", "official"),
    *admin_routes("officials", "conflictofinterest"),
    *admin_routes("officials", "assignment"),
]

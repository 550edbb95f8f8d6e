"""Who may see and change roadmaps: the one funnel for a roadmap or a measure by id, and the role sets.

Reading follows the territory (territory.access.territory_filter_for): a roadmap is visible inside the
actor's scope. Planning (creating roadmaps, adding measures, assigning owners, running the effect) belongs
to the chiefs, the responsible officials and administrators; working on a measure (status, evidence,
comments) also to its owner and to the preventive inspectors of the territory.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from mahalla.core.errors import AccessDenied
from mahalla.core.roles import Role, ScopeLevel
from mahalla.territory.access import TerritoryScope, territory_filter_for

from .models import Measure, Roadmap

ROADMAP_PLANNERS = frozenset(
    {Role.REGIONAL_CHIEF, Role.DISTRICT_CHIEF, Role.RESPONSIBLE_OFFICIAL, Role.ADMINISTRATOR}
)
MEASURE_WORKERS = ROADMAP_PLANNERS | {Role.PREVENTIVE_INSPECTOR, Role.MAHALLA_SEVEN}


def roadmap_filter_for(actor: Any, *, prefix: str = "") -> Q:
    return territory_filter_for(actor).q(
        region=f"{prefix}region", district=f"{prefix}district", mahalla=f"{prefix}mahalla"
    )


def territory_in_scope(
    scope: TerritoryScope, *, region_id: int, district_id: int | None, mahalla_id: int | None
) -> bool:
    """Whether a roadmap of this territory lies wholly inside the scope (seeing a region from below, as a
    district chief does to name it, is not enough to plan for it)."""
    if scope.level == ScopeLevel.COUNTRY:
        return True
    if scope.level == ScopeLevel.REGION:
        return region_id == scope.region_id
    if scope.level == ScopeLevel.DISTRICT:
        return district_id is not None and district_id == scope.district_id
    if scope.level == ScopeLevel.MAHALLAS:
        return mahalla_id is not None and mahalla_id in scope.mahalla_ids
    return False


def is_active_user(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active


def roadmap_planning_allowed(actor: Any) -> bool:
    return is_active_user(actor) and actor.role in ROADMAP_PLANNERS


def access_roadmap_by_id(actor: Any, roadmap_id: object) -> Roadmap:
    """The roadmap if the actor may see it; otherwise AccessDenied, as for one that does not exist."""
    not_found = AccessDenied(_("Roadmap not found"), {"id": str(roadmap_id)})
    if not is_active_user(actor):
        raise not_found
    if not str(roadmap_id).isdigit():
        raise not_found
    roadmap = (
        Roadmap.objects.select_related("region", "district", "mahalla", "created_by")
        .defer("region__boundary", "district__boundary", "mahalla__boundary")
        .filter(roadmap_filter_for(actor), pk=int(str(roadmap_id)))
        .first()
    )
    if roadmap is None:
        raise not_found
    return roadmap


def access_measure_by_id(actor: Any, measure_id: object) -> Measure:
    """The measure if the actor may see its roadmap; otherwise AccessDenied, as for a missing one."""
    not_found = AccessDenied(_("Measure not found"), {"id": str(measure_id)})
    if not is_active_user(actor):
        raise not_found
    if not str(measure_id).isdigit():
        raise not_found
    measure = (
        Measure.objects.select_related("roadmap", "owner")
        .filter(roadmap_filter_for(actor, prefix="roadmap__"), pk=int(str(measure_id)))
        .first()
    )
    if measure is None:
        raise not_found
    return measure


def measure_work_allowed(actor: Any, measure: Measure) -> bool:
    """Whether the actor may change the measure's status, add evidence or comment (seeing it is checked by
    the funnel above)."""
    if not is_active_user(actor):
        return False
    if measure.owner_id is not None and measure.owner_id == actor.pk:
        return True
    return actor.role in MEASURE_WORKERS

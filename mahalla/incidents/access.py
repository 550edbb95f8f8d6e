"""Who may see offence records. Person-level records (flags about minors, women and families, causes,
pseudonymous victim and offender keys) go only to the roles in OFFENCE_RECORD_READERS, and only inside the
actor's territory (territory.access.territory_filter_for). Everyone with a valid scope sees aggregates."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from mahalla.core.errors import AccessDenied
from mahalla.core.roles import OFFENCE_RECORD_READERS
from mahalla.territory.access import NOTHING, territory_filter_for

from .models import Offence


def offence_records_allowed(actor: Any) -> bool:
    """Whether the actor's role may read offence records at all (territory aside)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if not actor.is_active:
        return False
    return actor.role in OFFENCE_RECORD_READERS


def offence_filter_for(actor: Any, *, prefix: str = "") -> Q:
    """The rows of Offence (or of a model reaching it through ``prefix``, e.g. ``"offence__"``) that the
    actor may read at person level."""
    if not offence_records_allowed(actor):
        return NOTHING
    return territory_filter_for(actor).q(
        region=f"{prefix}region", district=f"{prefix}district", mahalla=f"{prefix}mahalla"
    )


def offence_aggregate_filter_for(actor: Any, *, prefix: str = "") -> Q:
    """The rows of Offence the actor may count: every valid role, inside its territory."""
    return territory_filter_for(actor).q(
        region=f"{prefix}region", district=f"{prefix}district", mahalla=f"{prefix}mahalla"
    )


def access_offence_by_id(actor: Any, offence_id: object) -> Offence:
    """The offence if the actor may read it; otherwise AccessDenied, reported as "not found" so that an
    actor cannot learn that an offence exists outside their territory."""
    not_found = AccessDenied(_("Offence not found"), {"id": str(offence_id)})
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise not_found
    if not actor.is_active:
        raise not_found
    if actor.role not in OFFENCE_RECORD_READERS:
        raise not_found
    scope = territory_filter_for(actor)
    if scope.sees_nothing:
        raise not_found
    if not str(offence_id).isdigit():
        raise not_found
    offence = (
        Offence.objects.select_related("category", "mahalla", "district", "region")
        .prefetch_related("causes")
        .filter(scope.q(), pk=int(str(offence_id)))
        .first()
    )
    if offence is None:
        raise not_found
    return offence

"""Who may use the drug-network workbench and see which entities: the funnels for an entity or a shop by id.

Only the drug units (narcotics officers) and the national analysts (LINKS_READERS) see anything; inside that,
the territory decides (territory_filter_for): an entity is visible when its region / district / mahalla lies
in the actor's scope. An entity without a territory is visible to country scope only. Every read of an entity
is audited by the caller (selectors.entity_dossier and the views), with its purpose.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from mahalla.core.errors import AccessDenied
from mahalla.core.roles import LINKS_READERS, LINKS_WRITERS
from mahalla.territory.access import NOTHING, territory_filter_for

from .models import Entity


def is_active_user(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active


def links_read_allowed(actor: Any) -> bool:
    return is_active_user(actor) and actor.role in LINKS_READERS


def links_write_allowed(actor: Any) -> bool:
    return is_active_user(actor) and actor.role in LINKS_WRITERS


def links_filter_for(actor: Any, *, prefix: str = "") -> Q:
    """The territorial filter for rows with region / district / mahalla fields; nothing for other roles."""
    if not links_read_allowed(actor):
        return NOTHING
    return territory_filter_for(actor).q(
        region=f"{prefix}region", district=f"{prefix}district", mahalla=f"{prefix}mahalla"
    )


def access_entity_by_id(actor: Any, entity_id: object) -> Entity:
    """The entity if the actor may see it; otherwise AccessDenied, as for one that does not exist."""
    not_found = AccessDenied(_("Entity not found"), {"id": str(entity_id)})
    if not links_read_allowed(actor):
        raise not_found
    if not str(entity_id).isdigit():
        raise not_found
    entity = Entity.objects.filter(links_filter_for(actor), pk=int(str(entity_id))).first()
    if entity is None:
        raise not_found
    return entity


def access_shop_by_id(actor: Any, shop_id: object) -> Entity:
    entity = access_entity_by_id(actor, shop_id)
    if entity.schema != "Shop":
        raise AccessDenied(_("Shop not found"), {"id": str(shop_id)})
    return entity


def require_writer(actor: Any) -> None:
    if not links_write_allowed(actor):
        raise AccessDenied(
            _("Only narcotics officers may change the network."), {"role": getattr(actor, "role", "")}
        )

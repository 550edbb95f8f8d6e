"""Access matrix rows of the audit log search and the audit admin (see mahalla/core/access_matrix.py)."""

from __future__ import annotations

from mahalla.core.access_matrix import Call, Place, Route, admin_routes
from mahalla.core.roles import AUDIT_READERS


def _event(place: Place) -> Call:
    """The event the place's district chief left by reading the place's offence (made by the world)."""
    from .models import AuditEvent

    event = AuditEvent.objects.filter(actor=place.chief).order_by("-id").first()
    assert event is not None
    return Call(kwargs={"object_id": str(event.pk)})


ROUTES: list[Route] = [
    Route("audit:event-list", roles=frozenset(AUDIT_READERS), territorial=False),
    Route(
        "audit:event-list",
        roles=frozenset(AUDIT_READERS),
        territorial=False,
        build=lambda place: Call(query={"object_type": "incidents.offence"}),
        variant="filtered",
        note="the issue's probe: filtering by object type must not widen the scope",
    ),
    *admin_routes(
        "audit",
        "auditevent",
        roles=frozenset(AUDIT_READERS),
        build=_event,
        add_roles=frozenset(),
        delete_roles=frozenset(),
    ),
]

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from mahalla.core.errors import AccessDenied
from mahalla.core.roles import AUDIT_READERS

from .models import AuditEvent


def audit_event_list(
    *,
    actor: Any,
    actor_username: str | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """Search the audit log. Fail-closed: only administrators and prosecutors, and only when active."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise AccessDenied("Not signed in")
    if not getattr(actor, "is_active", False):
        raise AccessDenied("Inactive account")
    if getattr(actor, "role", None) not in AUDIT_READERS:
        raise AccessDenied("Only administrators and prosecutors may search the audit log")
    events = AuditEvent.objects.all()
    if actor_username:
        events = events.filter(actor_username=actor_username)
    if action:
        events = events.filter(action=action)
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if since:
        events = events.filter(at__gte=since)
    if until:
        events = events.filter(at__lt=until)
    return events

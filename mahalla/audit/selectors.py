from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.module_loading import import_string

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
    events = AuditEvent.objects.filter(audit_event_filter_for(actor))
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


# The one territorial filter of the platform, named by path: the audit app sits below territory (which
# writes to the log), so it does not import it.
TERRITORY_FILTER = "mahalla.territory.access.territory_filter_for"


def audit_event_filter_for(actor: Any) -> Q:
    """The events a reader may search: those of the accounts acting inside the reader's territory.

    A country-wide reader sees every event; a regional one the events whose actor worked in its region; a
    district one those of its district; a reader of selected mahallas only its own events. Events without a
    territory (country-wide actors, the system, failed sign-ins of unknown callers) are for country-wide
    readers only. Fail-closed: an unusable scope sees nothing."""
    nothing = Q(pk__in=[])
    scope = import_string(TERRITORY_FILTER)(actor)
    if scope.sees_nothing:
        return nothing
    if scope.sees_everything:
        return Q()
    if scope.level == "region" and scope.region_id:
        return Q(territory_region_id=scope.region_id)
    if scope.level == "district" and scope.district_id:
        return Q(territory_district_id=scope.district_id)
    if scope.level == "mahallas":
        return Q(actor_id=actor.pk)
    return nothing

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from .context import current_request
from .models import AuditAction, AuditEvent


def _actor_fields(actor: Any) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_username": getattr(actor, "username", "") or "", "actor_role": ""}
    return {"actor": actor, "actor_username": actor.username, "actor_role": getattr(actor, "role", "")}


def audit_record(
    *,
    actor: Any,
    action: AuditAction | str,
    object_type: str,
    object_id: object = "",
    object_repr: str = "",
    purpose: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Called inside the caller's transaction so that a failed write leaves no trace of
    having succeeded, and a successful one never lacks its audit row."""
    context = current_request.get()
    return AuditEvent.objects.create(
        **_actor_fields(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:80],
        object_repr=object_repr[:200],
        purpose=purpose[:500],
        ip_address=context.ip_address,
        user_agent=context.user_agent,
        request_path=context.path,
        details=details or {},
    )


def audit_record_reads(
    *, actor: Any, objects: Iterable[models.Model], purpose: str = "", details: dict[str, Any] | None = None
) -> int:
    """One READ event per person-level record shown, written in one statement."""
    context = current_request.get()
    fields = _actor_fields(actor)
    events = [
        AuditEvent(
            **fields,
            action=AuditAction.READ,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_repr=str(obj)[:200],
            purpose=purpose[:500],
            ip_address=context.ip_address,
            user_agent=context.user_agent,
            request_path=context.path,
            details=details or {},
        )
        for obj in objects
    ]
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    return len(events)

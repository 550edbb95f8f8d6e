from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from typing import Any

from django.db import connections, models, router, transaction
from django.db.models.sql import InsertQuery

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
    _insert_compiled_first(events)
    return len(events)


def _insert_compiled_first(events: list[AuditEvent]) -> None:
    """INSERT the events with every statement compiled before the database is touched.

    ``bulk_create`` opens its transaction (on SQLite: BEGIN IMMEDIATE, the database's single write lock)
    and only then turns the objects into SQL, a few milliseconds of Python per page of 20 rows that, with
    other threads wanting the interpreter, stretched to tens of milliseconds during which every other
    writer waited. Here the SQL is built first; one statement (up to a batch) then runs on its own, so the
    lock is held only while SQLite itself inserts. Several statements share one transaction, so a page of
    reads is recorded entirely or not at all. Like ``bulk_create``: no save() and no signals."""
    if not events:
        return
    database = router.db_for_write(AuditEvent)
    connection = connections[database]
    fields = [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]
    batch = max(1, connection.ops.bulk_batch_size(fields, events))
    statements: list[tuple[str, Any]] = []
    for start in range(0, len(events), batch):
        query = InsertQuery(AuditEvent)
        query.insert_values(fields, events[start : start + batch])
        statements.extend(query.get_compiler(using=database).as_sql())
    with transaction.atomic(using=database) if len(statements) > 1 else nullcontext():
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)

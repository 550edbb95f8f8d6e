from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, cast

from django.db import connections, models, router, transaction
from django.db.models.sql import InsertQuery
from django.utils import timezone

from .chain import events_chain
from .context import current_request
from .models import AuditAction, AuditEvent


def _actor_territory(actor: Any) -> dict[str, int | None]:
    """The region and district of the acting account's scope (None where it has none, or spans more)."""
    none: dict[str, int | None] = {"territory_region_id": None, "territory_district_id": None}
    level = getattr(actor, "scope_level", "")
    if level == "region":
        return {"territory_region_id": actor.scope_region_id, "territory_district_id": None}
    if level == "district" and actor.scope_district_id:
        return {
            "territory_region_id": _district_region_id(actor),
            "territory_district_id": actor.scope_district_id,
        }
    if level == "mahallas":
        places = set(actor.scope_mahallas.values_list("region_id", "district_id"))
        regions = {region for region, _ in places}
        districts = {district for _, district in places}
        return {
            "territory_region_id": regions.pop() if len(regions) == 1 else None,
            "territory_district_id": districts.pop() if len(districts) == 1 else None,
        }
    return none


def _district_region_id(actor: Any) -> int | None:
    """The region of the actor's district: its id only (``actor.scope_district`` would load the district's
    boundary, thousands of numbers, on every audited page). Remembered on the user object with the district
    it belongs to under the key that territory.access uses for the same lookup (the audit layer cannot
    import that app, which sits above it), so that a page whose scope check has read it makes no query."""
    cached = actor.__dict__.get("_scope_district_region")
    if cached is not None and cached[0] == actor.scope_district_id:
        return cast(int | None, cached[1])
    # actor._meta, not type(actor): request.user is a lazy proxy, which forwards attributes only.
    district_model = actor._meta.get_field("scope_district").related_model
    region_id = (
        district_model.objects.filter(pk=actor.scope_district_id).values_list("region_id", flat=True).first()
    )
    if region_id is not None:
        actor.__dict__["_scope_district_region"] = (actor.scope_district_id, region_id)
    return cast(int | None, region_id)


def _actor_fields(actor: Any) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {
            "actor": None,
            "actor_username": getattr(actor, "username", "") or "",
            "actor_role": "",
            "territory_region_id": None,
            "territory_district_id": None,
        }
    return {
        "actor": actor,
        "actor_username": actor.username,
        "actor_role": getattr(actor, "role", ""),
        **_actor_territory(actor),
    }


# Events of an audit_deferred() block, written together when it ends; None outside one.
_deferred: ContextVar[list[AuditEvent] | None] = ContextVar("mahalla_audit_deferred", default=None)


@contextmanager
def audit_deferred() -> Iterator[None]:
    """Run a bulk load in one transaction whose audit events are chained and inserted together at its end
    (the same events, in the same order, with the times they were recorded at) instead of one chain-head
    read and one INSERT each: 21,000 of them were a third of the demo's drug-network load. Only for loads
    that let every error end the block, so that no event of a rolled-back write is kept."""
    database = router.db_for_write(AuditEvent)
    events: list[AuditEvent] = []
    token = _deferred.set(events)
    try:
        with transaction.atomic(using=database):
            yield
            _insert_compiled_first(events)
    finally:
        _deferred.reset(token)


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
    event = AuditEvent(
        **_actor_fields(actor),
        at=timezone.now(),
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
    pending = _deferred.get()
    if pending is not None:
        pending.append(event)
        return event
    database = router.db_for_write(AuditEvent)
    with transaction.atomic(using=database):
        events_chain([event], using=database)
        event.save(using=database)
    return event


def audit_record_reads(
    *, actor: Any, objects: Iterable[models.Model], purpose: str = "", details: dict[str, Any] | None = None
) -> int:
    """One READ event per person-level record shown, written in one statement."""
    context = current_request.get()
    fields = _actor_fields(actor)
    now = timezone.now()
    events = [
        AuditEvent(
            **fields,
            at=now,
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
    writer waited. Here the SQL is built right after the chain's head is read under its lock (the hashes
    need it); one statement (up to a batch) then runs on its own, so the
    lock is held only while SQLite itself inserts. Several statements share one transaction, so a page of
    reads is recorded entirely or not at all. Like ``bulk_create``: no save() and no signals."""
    if not events:
        return
    database = router.db_for_write(AuditEvent)
    connection = connections[database]
    fields = [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]
    batch = max(1, connection.ops.bulk_batch_size(fields, events))
    statements: list[tuple[str, Any]] = []
    with transaction.atomic(using=database):
        # The chain's lock is taken here, inside the transaction of the insert, so the hashes are made
        # against the head that is current when the rows go in.
        events_chain(events, using=database)
        for start in range(0, len(events), batch):
            query = InsertQuery(AuditEvent)
            query.insert_values(fields, events[start : start + batch])
            statements.extend(query.get_compiler(using=database).as_sql())
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)

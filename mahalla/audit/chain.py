"""The audit log's hash chain: every event carries an HMAC over the previous event's hash and its own
content, so that a row changed, removed or moved, even by someone holding the database owner's rights,
breaks the chain that ``mahalla audit verify`` recomputes.

The key (``MAHALLA_AUDIT_KEY``, else derived from the secret key) lives outside the database: whoever can
rewrite the table but does not hold the key cannot forge a consistent chain. Appends are serialised
(PostgreSQL: a transaction-level advisory lock; SQLite: its single writer, the transactions being
IMMEDIATE), so each event chains to the one committed before it.

Limit: removing the newest events leaves a shorter chain that still verifies; keep the head that
``verify`` prints (the daily job logs it) somewhere the database owner cannot reach.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connections, router

from .models import AuditEvent

GENESIS = "0" * 64
_LOCK_KEY = 0x4D41484C  # "MAHL": the advisory lock of the chain on PostgreSQL

HASHED_FIELDS = (
    "at",
    "actor_id",
    "actor_username",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "purpose",
    "ip_address",
    "user_agent",
    "request_path",
    "details",
    "territory_region_id",
    "territory_district_id",
)


def _key() -> bytes:
    configured = getattr(settings, "AUDIT_CHAIN_KEY", "") or ""
    if configured:
        return configured.encode()
    return hashlib.sha256(f"mahalla-audit-chain:{settings.SECRET_KEY}".encode()).digest()


def _canonical(event: AuditEvent) -> bytes:
    values: dict[str, Any] = {}
    for name in HASHED_FIELDS:
        value = getattr(event, name)
        if name == "at":
            value = value.isoformat(timespec="microseconds") if value is not None else None
        elif name == "details":
            value = json.loads(json.dumps(value or {}, default=str))
        elif value is not None and not isinstance(value, int | str):
            value = str(value)
        values[name] = value
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def event_hash(event: AuditEvent, *, seq: int, previous: str) -> str:
    message = f"{seq}\n{previous}\n".encode() + _canonical(event)
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def chain_lock_and_head(using: str) -> tuple[int, str]:
    """Take the chain's lock for the current transaction and return (last seq, last hash)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    last = (
        AuditEvent.objects.using(using)
        .filter(chain_seq__isnull=False)
        .order_by("-chain_seq")
        .values_list("chain_seq", "chain_hash")
        .first()
    )
    return (int(last[0]), str(last[1])) if last else (0, GENESIS)


def events_chain(events: Iterable[AuditEvent], *, using: str | None = None) -> None:
    """Give each (unsaved) event its place and hash. Call inside the transaction that inserts them."""
    database = using or router.db_for_write(AuditEvent)
    seq, previous = chain_lock_and_head(database)
    for event in events:
        seq += 1
        event.chain_seq = seq
        event.chain_hash = event_hash(event, seq=seq, previous=previous)
        previous = event.chain_hash


@dataclass
class ChainReport:
    checked: int = 0
    unchained: int = 0  # rows written before the chain existed
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def chain_verify(*, using: str | None = None, limit_problems: int = 50) -> ChainReport:
    """Recompute the chain from the first event: a changed row fails its hash, a removed one leaves a gap
    in the sequence, a reordered one fails the link to its predecessor; a row added around the chain
    (without a place in it, after it started) is reported too."""
    database = using or router.db_for_read(AuditEvent)
    report = ChainReport()
    events = AuditEvent.objects.using(database).filter(chain_seq__isnull=False).order_by("chain_seq")
    previous, expected_seq = GENESIS, 1
    first_chained_id: int | None = None
    for event in events.iterator(chunk_size=2000):
        if first_chained_id is None:
            first_chained_id = event.pk
        report.checked += 1
        if event.chain_seq != expected_seq:
            report.problems.append(
                f"event {event.pk}: position {event.chain_seq}, expected {expected_seq} "
                f"({'removed' if (event.chain_seq or 0) > expected_seq else 'duplicated'} events before it)"
            )
        if event.chain_hash != event_hash(event, seq=int(event.chain_seq or 0), previous=previous):
            report.problems.append(f"event {event.pk} (position {event.chain_seq}): changed or moved")
        previous, expected_seq = event.chain_hash, int(event.chain_seq or 0) + 1
        report.head_seq, report.head_hash = int(event.chain_seq or 0), event.chain_hash
        if len(report.problems) >= limit_problems:
            report.problems.append("... (stopped)")
            break
    unchained = AuditEvent.objects.using(database).filter(chain_seq__isnull=True)
    report.unchained = unchained.count()
    if first_chained_id is not None:
        late = unchained.filter(pk__gt=first_chained_id).count()
        if late:
            report.problems.append(f"{late} events without a place in the chain were added after it started")
    return report


def audit_chain_check() -> ChainReport:
    """Verify the chain and raise the alarm when it is broken: a CRITICAL log record (sent to the
    administrators by the logging configuration) and an audit event of its own, which says where the
    chain broke. The head is logged every day: a copy kept elsewhere shows a shortened chain."""
    import logging

    from .services import audit_record

    logger = logging.getLogger("mahalla.audit.chain")
    report = chain_verify()
    logger.info("audit chain head: position %s hash %s", report.head_seq, report.head_hash)
    if not report.intact:
        logger.critical("The audit chain is BROKEN: %s", "; ".join(report.problems[:10]))
        audit_record(
            actor=None,
            action="run",
            object_type="audit.chain",
            object_repr="audit chain verification FAILED",
            details={"intact": False, "problems": report.problems[:50], "checked": report.checked},
        )
    return report

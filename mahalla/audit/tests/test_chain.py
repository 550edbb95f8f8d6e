"""The hash chain: `mahalla audit verify` detects an UPDATE, a DELETE and a re-ordering made as the
database owner (triggers lifted, which the owner can do), and the daily check raises the alarm."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from mahalla.audit.chain import audit_chain_check, chain_verify
from mahalla.audit.models import AuditEvent
from mahalla.audit.services import audit_record, audit_record_reads


def _audit_triggers(*, present: bool) -> None:
    """Drop the append-only triggers and, when `present`, create them again with the migration's own
    statements (what the owner can do)."""
    import importlib

    statements = importlib.import_module("mahalla.audit.migrations.0002_append_only_triggers")
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        on = " ON audit_auditevent" if postgres else ""
        for name in ("audit_event_no_update", "audit_event_no_delete", "audit_event_no_truncate"):
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on}")
        if present:
            for statement in statements.POSTGRES if postgres else statements.SQLITE:
                cursor.execute(statement)


pytestmark = pytest.mark.django_db


def _events(count: int) -> list[AuditEvent]:
    for number in range(count):
        audit_record(
            actor=None, action="run", object_type="test.thing", object_id=number, details={"n": number}
        )
    return list(AuditEvent.objects.order_by("chain_seq"))


def _as_owner(sql: str, params: list[object]) -> None:
    """Tamper as the owner would: lift the append-only triggers, change the table, put them back."""
    _audit_triggers(present=False)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    finally:
        _audit_triggers(present=True)


def test_an_untouched_chain_verifies() -> None:
    events = _events(5)
    audit_record_reads(actor=None, objects=events[:3])
    report = chain_verify()
    assert report.intact, report.problems
    assert report.checked == 8
    call_command("audit", "verify")


def test_verify_detects_an_update_by_the_owner() -> None:
    events = _events(5)
    _as_owner("UPDATE audit_auditevent SET object_repr = %s WHERE id = %s", ["forged", events[2].pk])
    report = chain_verify()
    assert not report.intact
    assert any(f"event {events[2].pk}" in problem and "changed" in problem for problem in report.problems)
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("audit", "verify")


def test_verify_detects_a_delete_by_the_owner() -> None:
    events = _events(5)
    _as_owner("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    report = chain_verify()
    assert not report.intact
    assert any("removed" in problem for problem in report.problems)


def test_verify_detects_a_reordering_by_the_owner() -> None:
    events = _events(5)
    first, second = events[1], events[3]
    # Swap the two rows' places in the chain, hashes and all (through a free position: the column is unique).
    _as_owner("UPDATE audit_auditevent SET chain_seq = -1 WHERE id = %s", [first.pk])
    _as_owner("UPDATE audit_auditevent SET chain_seq = %s WHERE id = %s", [first.chain_seq, second.pk])
    _as_owner("UPDATE audit_auditevent SET chain_seq = %s WHERE id = %s", [second.chain_seq, first.pk])
    _as_owner(
        "UPDATE audit_auditevent SET chain_hash = CASE WHEN id = %s THEN %s ELSE %s END WHERE id IN (%s, %s)",
        [first.pk, second.chain_hash, first.chain_hash, first.pk, second.pk],
    )
    report = chain_verify()
    assert not report.intact


def test_the_daily_check_raises_the_alarm_when_the_chain_breaks(caplog: pytest.LogCaptureFixture) -> None:
    events = _events(3)
    _as_owner("UPDATE audit_auditevent SET purpose = %s WHERE id = %s", ["x", events[0].pk])
    with caplog.at_level("CRITICAL", logger="mahalla.audit.chain"):
        report = audit_chain_check()
    assert not report.intact
    assert "BROKEN" in caplog.text
    alarm = AuditEvent.objects.filter(object_type="audit.chain").get()
    assert alarm.details["intact"] is False

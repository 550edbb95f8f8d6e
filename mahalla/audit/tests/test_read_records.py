"""Person-level reads are recorded one row per record, in as few statements as possible, each compiled
before the database is touched (so SQLite's write lock is held only while rows are inserted)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mahalla.audit.context import RequestContext, current_request
from mahalla.audit.models import AuditAction, AuditEvent
from mahalla.audit.services import audit_record_reads
from mahalla.audit.tests.factories import user_create

pytestmark = pytest.mark.django_db


def test_a_page_of_reads_is_one_insert_with_a_row_per_record():
    reader = user_create(username="analyst")
    records = [user_create() for _ in range(20)]
    token = current_request.set(RequestContext(ip_address="10.0.0.7", user_agent="bench", path="/mahalla/X/"))
    try:
        with CaptureQueriesContext(connection) as queries:
            assert audit_record_reads(actor=reader, objects=records, purpose="mahalla page") == 20
    finally:
        current_request.reset(token)
    statements = [q["sql"] for q in queries.captured_queries]
    # One INSERT for the page, after one read of the hash chain's head (and its lock on PostgreSQL).
    inserts = [sql for sql in statements if sql.startswith("INSERT INTO")]
    assert len(inserts) == 1
    assert len([sql for sql in statements if sql.startswith("SELECT")]) <= 2
    rows = AuditEvent.objects.filter(action=AuditAction.READ).order_by("id")
    assert [r.object_id for r in rows] == [str(r.pk) for r in records]
    first = rows[0]
    assert (first.actor, first.actor_username, first.purpose) == (reader, "analyst", "mahalla page")
    assert (first.ip_address, first.user_agent, first.request_path) == ("10.0.0.7", "bench", "/mahalla/X/")
    assert first.object_type == "accounts.user" and first.at is not None


def test_more_reads_than_one_statement_holds_are_all_recorded():
    reader = user_create()
    records = [user_create() for _ in range(3)] * 100  # the same records shown many times: 300 rows
    assert audit_record_reads(actor=reader, objects=records) == 300
    assert AuditEvent.objects.filter(action=AuditAction.READ).count() == 300


def test_no_reads_write_nothing():
    reader = user_create()
    with CaptureQueriesContext(connection) as queries:
        assert audit_record_reads(actor=reader, objects=[]) == 0
    assert queries.captured_queries == []

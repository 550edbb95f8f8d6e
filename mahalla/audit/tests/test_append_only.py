"""Nobody edits or deletes the audit log: the model refuses, and beneath it the database refuses
(triggers of migration 0002), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from mahalla.audit.models import AuditEvent
from mahalla.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def event() -> AuditEvent:
    return audit_record(
        actor=None, action="create", object_type="test.thing", object_id=1, object_repr="thing"
    )


def test_saving_an_existing_event_again_is_refused(event):
    event.object_repr = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).object_repr == "thing"


def test_deleting_an_event_is_refused(event):
    with pytest.raises(PermissionError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_queryset_update_and_delete_are_refused(event):
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(purpose="changed")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).purpose == ""


def test_raw_sql_update_is_refused_by_the_database(event):
    with pytest.raises(DatabaseError, match="append-only"):
        # A savepoint, so that PostgreSQL's aborted statement does not poison the test's transaction.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET object_repr = 'rewritten' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).object_repr == "thing"


def test_raw_sql_delete_is_refused_by_the_database(event):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_raw_sql_truncate_is_refused_on_postgresql(event):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; its DELETE trigger covers 'DELETE FROM' without WHERE")
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            # Run the deferred foreign-key checks of the fixture's insert now; otherwise PostgreSQL refuses
            # the TRUNCATE for having pending trigger events before our trigger is reached.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_delete_of_every_row_is_refused_on_sqlite_too(event):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 1


def test_appending_still_works_after_refusals(event):
    with pytest.raises(PermissionError):
        event.delete()
    audit_record(actor=None, action="read", object_type="test.thing", object_id=1)
    assert AuditEvent.objects.count() == 2

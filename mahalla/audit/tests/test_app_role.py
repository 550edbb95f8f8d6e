"""PostgreSQL: the application's role may insert into and read the audit log, and nothing more; the
triggers cannot be lifted by it (issue 9, item 3)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from mahalla.audit.models import AuditEvent
from mahalla.audit.services import audit_record

pytestmark = pytest.mark.django_db(transaction=False)

ROLE = "mahalla_test_app_role"


@pytest.fixture
def app_role():  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("database roles are a PostgreSQL matter")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {ROLE}")
        cursor.execute(f"CREATE ROLE {ROLE} NOLOGIN")
    call_command("db-app-role", ROLE, verbosity=0, stdout=open("/dev/null", "w"))
    yield ROLE


def _as_app(sql: str, params: list[object] | None = None) -> str | None:
    """Run one statement as the application role (SET ROLE inside a savepoint); the error text or None."""
    from django.db import DatabaseError, transaction

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {ROLE}")
            cursor.execute(sql, params or [])
        return None
    except DatabaseError as error:
        return str(error)


def test_the_application_role_inserts_and_reads_the_audit_log_but_cannot_change_it(app_role: str) -> None:
    event = audit_record(actor=None, action="run", object_type="test.thing")
    assert _as_app("SELECT count(*) FROM audit_auditevent") is None
    assert "permission denied" in (_as_app("UPDATE audit_auditevent SET purpose = 'x'") or "")
    assert "permission denied" in (_as_app("DELETE FROM audit_auditevent") or "")
    assert "must be owner" in (_as_app("ALTER TABLE audit_auditevent DISABLE TRIGGER USER") or "")
    assert "must be owner" in (_as_app("DROP TRIGGER audit_event_no_update ON audit_auditevent") or "")
    assert _as_app("SELECT count(*) FROM incidents_offence") is None
    assert AuditEvent.objects.get(pk=event.pk).purpose == ""

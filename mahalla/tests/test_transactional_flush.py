"""The flush that ends a transactional (live-server) test keeps what every later test relies on: the reference
data of the data migrations and the audit log's append-only triggers (mahalla/conftest.py)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.special import RunPython
from django.test import TransactionTestCase

from mahalla.audit.models import AuditEvent
from mahalla.audit.services import audit_record
from mahalla.incidents.models import ArticleCategoryRule, CauseCode, OffenceCategory
from mahalla.officials.models import AssignmentRuleConfig
from mahalla.territory.models import District, Region


def _reference_counts() -> dict[str, int]:
    return {
        "regions": Region.objects.count(),
        "districts": District.objects.count(),
        "categories": OffenceCategory.objects.count(),
        "article_rules": ArticleCategoryRule.objects.count(),
        "causes": CauseCode.objects.count(),
        "assignment_rules": AssignmentRuleConfig.objects.count(),
    }


def test_the_reload_registry_names_every_data_migration_of_the_project(
    reference_loaders, non_data_migrations, django_db_setup, django_db_blocker
):
    with django_db_blocker.unblock():
        loader = MigrationLoader(connection, ignore_no_migrations=True)
    found = set()
    for migration in loader.disk_migrations.values():
        if not migration.__module__.startswith("mahalla."):
            continue
        for operation in migration.operations:
            if isinstance(operation, RunPython):
                found.add((migration.__module__, operation.code.__name__))

    assert found, "the project's migrations have RunPython operations (regions, districts, ...)"
    assert found - set(non_data_migrations) == set(reference_loaders)


@pytest.mark.django_db
def test_the_reference_data_of_the_migrations_is_present():
    counts = _reference_counts()

    # 14 regions and 209 districts (territory/reference); the seven default rules of docs/officials.md.
    assert counts["regions"] == 14 and counts["districts"] == 209
    assert counts["assignment_rules"] == 7
    assert all(counts.values()), counts


class _Transactional(TransactionTestCase):
    """A stand-in for a live-server test: the teardown flushes every table."""

    def runTest(self) -> None:  # noqa: N802 (unittest's name)
        pass


def test_a_flush_after_a_transactional_test_keeps_reference_data_and_audit_triggers(
    django_db_setup, django_db_blocker
):
    with django_db_blocker.unblock():
        before = _reference_counts()
        case = _Transactional()
        case._pre_setup()
        # An audit row and a changed rule: the flush must get past the triggers and the reload must restore.
        audit_record(actor=None, action="test.flush", object_type="test")
        AssignmentRuleConfig.objects.all().delete()
        case._post_teardown()

        after = _reference_counts()
        assert AuditEvent.objects.count() == 0
        assert after == before

        # The triggers stand again: the database refuses to delete an audit row (the model refuses too;
        # raw SQL goes past it to the triggers). Inside a transaction that is rolled back.
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                audit_record(actor=None, action="test.flush", object_type="test")
                cursor.execute("DELETE FROM audit_auditevent")
        assert AuditEvent.objects.count() == 0

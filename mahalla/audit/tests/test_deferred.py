"""audit_deferred (bulk loads): the events of the block are written at its end, in order, on the chain; a
failed block leaves neither the writes nor their events."""

from __future__ import annotations

import pytest

from mahalla.audit.chain import chain_verify
from mahalla.audit.models import AuditEvent
from mahalla.audit.services import audit_deferred, audit_record

pytestmark = pytest.mark.django_db


def test_the_events_of_a_deferred_block_are_written_at_its_end_in_order_and_chained():
    audit_record(actor=None, action="create", object_type="test.before", object_repr="before")
    with audit_deferred():
        for n in range(5):
            audit_record(actor=None, action="create", object_type="test.bulk", object_repr=f"row {n}")
        assert not AuditEvent.objects.filter(object_type="test.bulk").exists()
    rows = list(AuditEvent.objects.filter(object_type="test.bulk").order_by("chain_seq"))
    assert [r.object_repr for r in rows] == [f"row {n}" for n in range(5)]
    assert [r.pk for r in rows] == sorted(r.pk for r in rows)
    report = chain_verify()
    assert not report.problems, report.problems


def test_a_failed_deferred_block_leaves_no_event():
    with pytest.raises(RuntimeError), audit_deferred():
        audit_record(actor=None, action="create", object_type="test.failed", object_repr="lost")
        raise RuntimeError("the load failed")
    assert not AuditEvent.objects.filter(object_type="test.failed").exists()
    audit_record(actor=None, action="create", object_type="test.after", object_repr="after")
    assert AuditEvent.objects.filter(object_type="test.after").count() == 1

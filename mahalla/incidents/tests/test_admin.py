"""Reference data in the admin: edits are audited; offence records are not in the admin at all."""

from __future__ import annotations

import pytest
from django.test import Client

from mahalla.accounts.tests.factories import UserFactory
from mahalla.audit.models import AuditEvent
from mahalla.core.roles import Role
from mahalla.incidents.models import CauseCode, OffenceCategory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    user = UserFactory(is_staff=True, is_superuser=True, role=Role.ADMINISTRATOR)
    client = Client()
    client.force_login(user)
    return client, user


def test_changing_an_offence_category_in_the_admin_is_audited(admin_client):
    client, user = admin_client
    category = OffenceCategory.objects.get(code="theft")
    response = client.post(
        f"/admin/incidents/offencecategory/{category.pk}/change/",
        {
            "code": "theft",
            "name_en": "Theft",
            "name_uz": category.name_uz,
            "name_ru": category.name_ru,
            "severity": "2.0",
            "ordering": category.ordering,
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="update")
    assert (event.actor, event.object_type, event.object_id) == (
        user,
        "incidents.offencecategory",
        str(category.pk),
    )
    assert event.details == {"via": "admin", "changed": ["severity"]}


def test_deleting_an_unused_cause_in_the_admin_is_audited(admin_client):
    client, _ = admin_client
    leaf = CauseCode.objects.filter(children__isnull=True).first()
    response = client.post(f"/admin/incidents/causecode/{leaf.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CauseCode.objects.filter(pk=leaf.pk).exists()
    event = AuditEvent.objects.get(action="delete")
    assert (event.object_type, event.object_id, event.object_repr) == (
        "incidents.causecode",
        str(leaf.pk),
        str(leaf),
    )


def test_offence_records_are_not_in_the_admin(admin_client):
    client, _ = admin_client
    assert client.get("/admin/incidents/offence/").status_code == 404

"""The admin shows the audit log read-only to everyone, superusers included."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory

from mahalla.audit.models import AuditEvent
from mahalla.audit.services import audit_record
from mahalla.core.roles import Role

from .factories import user_create

pytestmark = pytest.mark.django_db


def staff_client(**fields) -> tuple[Client, object]:
    user = user_create(is_staff=True, **fields)
    client = Client()
    client.force_login(user)
    return client, user


def test_nobody_has_add_change_or_delete_permission_on_the_audit_log():
    model_admin = admin.site._registry[AuditEvent]
    superuser = user_create(is_staff=True, is_superuser=True, role=Role.ADMINISTRATOR)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.get_actions(request) == {}


def test_a_superuser_cannot_delete_an_event_through_the_admin_pages():
    event = audit_record(actor=None, action="create", object_type="test.thing", object_id=1)
    client, _ = staff_client(is_superuser=True, role=Role.ADMINISTRATOR)
    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_staff_outside_the_audit_readers_do_not_see_the_log_in_the_admin():
    client, _ = staff_client(is_superuser=True, role=Role.NATIONAL_ANALYST)
    # Refused at the door now (the admin admits administrators and prosecutors only): a redirect to its login.
    assert client.get("/admin/audit/auditevent/").status_code in (302, 403)


def test_reading_the_log_in_the_admin_is_itself_logged():
    event = audit_record(actor=None, action="create", object_type="test.thing", object_id=1)
    client, prosecutor = staff_client(role=Role.PROSECUTOR, is_superuser=True)
    assert client.get("/admin/audit/auditevent/", {"action__exact": "create"}).status_code == 200
    assert client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 200
    logged = AuditEvent.objects.filter(actor=prosecutor, object_type="audit.auditevent").order_by("id")
    assert [(e.action, e.object_id) for e in logged] == [("list", ""), ("read", str(event.pk))]
    assert logged[0].details == {"via": "admin", "filters": {"action__exact": "create"}}

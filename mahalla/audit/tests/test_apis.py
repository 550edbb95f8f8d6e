"""Audit log search: administrators and prosecutors only, filterable, and itself audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from mahalla.audit.models import AuditEvent
from mahalla.audit.services import audit_record
from mahalla.core.roles import Role, ScopeLevel

from .factories import user_create

pytestmark = pytest.mark.django_db

# Written out: the issue names exactly these two roles as the log's readers.
READERS = {"administrator", "prosecutor"}


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", list(Role.values))
def test_only_administrators_and_prosecutors_may_search_the_audit_log(role):
    user = user_create(role=role, scope_level=ScopeLevel.COUNTRY)
    audit_record(actor=user, action="read", object_type="incidents.offence", object_id=7)
    response = client_for(user).get("/api/audit/events/")
    if role in READERS:
        assert response.status_code == 200
        shown = {(row["action"], row["object_id"]) for row in response.json()["results"]}
        assert ("read", "7") in shown
    else:
        assert response.status_code == 403
        assert response.json()["message"] == "Only administrators and prosecutors may search the audit log."


def test_an_inactive_prosecutor_cannot_search_the_log():
    prosecutor = user_create(role=Role.PROSECUTOR)
    client = client_for(prosecutor)
    prosecutor.is_active = False
    prosecutor.save()
    assert client.get("/api/audit/events/").status_code in (401, 403)


def test_the_log_is_searched_by_actor_action_object_and_time_and_the_search_is_logged():
    prosecutor = user_create(username="oversight", role=Role.PROSECUTOR)
    inspector = user_create(username="inspector", role=Role.PREVENTIVE_INSPECTOR)
    audit_record(
        actor=inspector, action="read", object_type="incidents.offence", object_id=1, purpose="visit"
    )
    audit_record(actor=inspector, action="denied", object_type="incidents.offence", object_id=2)
    audit_record(actor=prosecutor, action="read", object_type="incidents.offence", object_id=3)
    client = client_for(prosecutor)

    def ids(**params) -> list[str]:
        response = client.get("/api/audit/events/", params)
        assert response.status_code == 200, response.content
        return [row["object_id"] for row in response.json()["results"]]

    assert ids(actor_username="inspector", object_type="incidents.offence") == ["2", "1"]
    assert ids(action="denied") == ["2"]
    assert ids(object_type="incidents.offence", object_id="1") == ["1"]
    tomorrow = (timezone.now() + dt.timedelta(days=1)).isoformat()
    assert ids(since=tomorrow) == []
    searches = AuditEvent.objects.filter(action="list", object_type="audit.auditevent", actor=prosecutor)
    assert searches.count() == 4
    assert searches.filter(details__filters__action="denied").count() == 1


def test_a_bad_filter_value_is_a_400_naming_the_field():
    client = client_for(user_create(role=Role.ADMINISTRATOR))
    response = client.get("/api/audit/events/", {"action": "erase"})
    assert response.status_code == 400
    assert "action" in response.json()["extra"]["fields"]
    assert client.get("/api/audit/events/", {"since": "last week"}).status_code == 400


def test_the_api_offers_no_way_to_change_or_delete_events():
    client = client_for(user_create(role=Role.ADMINISTRATOR))
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)("/api/audit/events/").status_code == 405

"""The coordination API: lists page with counts, bad input names the field, another territory is a 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from mahalla.coordination.models import Task, TaskType
from mahalla.coordination.services import task_create
from mahalla.core.roles import Role


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_task_list_pages_with_a_count(world):
    for index in range(55):
        task_create(
            actor=world["officer"], to_agency=world["inson"], task_type=world["type"], title=f"task {index}"
        )
    response = _client(world["worker"]).get("/api/coordination/tasks/?box=incoming")
    assert response.status_code == 200
    assert response.json()["count"] == 55 and len(response.json()["results"]) == 50
    assert response.json()["next"].endswith("page=2")


def test_a_task_with_a_bad_deadline_is_refused_naming_the_field_and_nothing_is_stored(world):
    response = _client(world["officer"]).post(
        "/api/coordination/tasks/",
        {
            "to_agency": world["inson"].pk,
            "task_type": "social-assistance",
            "title": "x",
            "deadline": "2026-13-01",
        },
        format="json",
    )
    assert response.status_code == 400 and response.json()["extra"] == {"field": "deadline"}
    past = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    response = _client(world["officer"]).post(
        "/api/coordination/tasks/",
        {"to_agency": world["inson"].pk, "task_type": "social-assistance", "title": "x", "deadline": past},
        format="json",
    )
    assert response.status_code == 400 and response.json()["extra"] == {"field": "deadline"}
    assert Task.objects.count() == 0


def test_a_task_of_another_district_is_not_found_and_cannot_be_acted_on(world):
    task = task_create(actor=world["officer"], to_agency=world["inson"], task_type=world["type"], title="x")
    client = _client(world["stranger"])
    assert client.get(f"/api/coordination/tasks/{task.pk}/").status_code == 404
    assert (
        client.post(
            f"/api/coordination/tasks/{task.pk}/action/", {"action": "accept"}, format="json"
        ).status_code
        == 404
    )
    task.refresh_from_db()
    assert task.status == "sent"


def test_accept_and_refuse_through_the_api(world):
    task = task_create(actor=world["officer"], to_agency=world["inson"], task_type=world["type"], title="x")
    client = _client(world["worker"])
    response = client.post(f"/api/coordination/tasks/{task.pk}/action/", {"action": "refuse"}, format="json")
    assert response.status_code == 400 and response.json()["extra"] == {"field": "reason"}
    response = client.post(f"/api/coordination/tasks/{task.pk}/action/", {"action": "accept"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "accepted"


@pytest.mark.parametrize("role", [Role.MAHALLA_SEVEN, Role.INVESTIGATOR])
def test_roles_without_oversight_see_no_findings_and_no_training_plan(world, role):
    from mahalla.accounts.tests.factories import UserFactory

    user = UserFactory(role=role, scope_level="district", scope_district=world["a1"])
    client = _client(user)
    assert client.get("/api/coordination/findings/").json()["count"] == 0
    assert client.get("/api/coordination/training/needs/").status_code == 404
    assert TaskType.objects.exists()

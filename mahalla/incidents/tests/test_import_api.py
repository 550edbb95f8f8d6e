"""Imports through the HTTP API: only importers, the same all-or-nothing answers as the command."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from rest_framework.test import APIClient

from mahalla.accounts.tests.factories import UserFactory
from mahalla.audit.models import AuditEvent
from mahalla.core.roles import IMPORTERS, Role
from mahalla.incidents.models import ImportBatch, Offence
from mahalla.territory.models import Mahalla

DATA = Path(__file__).parent / "data"
TERRITORIES = Path(__file__).parents[2] / "territory" / "tests" / "data" / "territories.csv"
OFFENCES_URL = "/api/imports/offences/"
TERRITORIES_URL = "/api/imports/territories/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are asserted in English, whatever the project's default language (Uzbek)."""
    with translation.override("en"):
        yield


def upload(path: Path, name: str | None = None, content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes() if content is None else content)


def client_for(role: str) -> tuple[APIClient, object]:
    user = UserFactory(role=role)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client, user


def test_an_administrator_imports_territories_then_offences() -> None:
    client, user = client_for(Role.ADMINISTRATOR)
    answer = client.post(TERRITORIES_URL, {"file": upload(TERRITORIES)}, format="multipart")
    assert answer.status_code == 201, answer.json()
    assert (answer.json()["rows_created"], answer.json()["committed"]) == (5, True)
    answer = client.post(OFFENCES_URL, {"file": upload(DATA / "offences.csv")}, format="multipart")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["rows_read"], body["rows_created"], body["rows_rejected"], body["errors"]) == (6, 6, 0, [])
    batch = ImportBatch.objects.get(pk=body["batch"])
    assert batch.started_by == user
    assert AuditEvent.objects.get(object_type="incidents.importbatch").actor == user


@pytest.mark.parametrize("role", sorted(set(Role.values) - set(IMPORTERS)))
def test_roles_that_are_not_importers_are_refused_and_nothing_is_imported(role: str) -> None:
    client, _user = client_for(role)
    answer = client.post(TERRITORIES_URL, {"file": upload(TERRITORIES)}, format="multipart")
    assert answer.status_code == 403
    assert answer.json()["message"] == "Your role may not import data."
    assert not Mahalla.objects.exists()


def test_an_anonymous_upload_is_refused() -> None:
    answer = APIClient(HTTP_ACCEPT_LANGUAGE="en").post(
        TERRITORIES_URL, {"file": upload(TERRITORIES)}, format="multipart"
    )
    assert answer.status_code in (401, 403)
    assert not Mahalla.objects.exists()


def test_a_bad_file_answers_400_with_the_rows_and_changes_nothing() -> None:
    client, _user = client_for(Role.NATIONAL_ANALYST)
    client.post(TERRITORIES_URL, {"file": upload(TERRITORIES)}, format="multipart")
    content = (DATA / "offences.csv").read_bytes().replace(b"2025-03-17", b"2025-03-47")
    answer = client.post(
        OFFENCES_URL, {"file": upload(DATA / "offences.csv", content=content)}, format="multipart"
    )
    assert answer.status_code == 400
    body = answer.json()
    assert "nothing was changed" in body["message"]
    assert body["extra"]["errors"] == [
        {
            "row": 4,
            "column": "occurred_at",
            "value": "2025-03-47",
            "reason": "not an ISO 8601 date-time (expected e.g. 2025-03-14T18:30 or 2025-03-14)",
        }
    ]
    assert not Offence.objects.exists()


def test_skip_invalid_through_the_api_imports_the_rest_and_lists_the_rejected() -> None:
    client, _user = client_for(Role.ADMINISTRATOR)
    client.post(TERRITORIES_URL, {"file": upload(TERRITORIES)}, format="multipart")
    content = (DATA / "offences.csv").read_bytes().replace(b",1703203001,", b",9999999,")
    answer = client.post(
        OFFENCES_URL,
        {"file": upload(DATA / "offences.csv", content=content), "skip_invalid": "true"},
        format="multipart",
    )
    assert answer.status_code == 201
    body = answer.json()
    assert (body["rows_created"], body["rows_rejected"], body["error_count"]) == (5, 1, 1)
    assert body["errors"][0]["row"] == 4 and body["errors"][0]["column"] == "mahalla_code"
    assert Offence.objects.count() == 5


def test_an_empty_upload_and_a_wrong_file_type_are_refused_clearly() -> None:
    client, _user = client_for(Role.ADMINISTRATOR)
    answer = client.post(OFFENCES_URL, {"file": SimpleUploadedFile("o.csv", b"")}, format="multipart")
    assert answer.status_code == 400
    assert "empty" in answer.json()["extra"]["fields"]["file"][0]
    answer = client.post(OFFENCES_URL, {"file": SimpleUploadedFile("o.pdf", b"%PDF-1.4")}, format="multipart")
    assert answer.status_code == 400
    assert "Unsupported file type 'pdf'" in answer.json()["message"]
    answer = client.post(OFFENCES_URL, {}, format="multipart")
    assert answer.status_code == 400
    assert "file" in answer.json()["extra"]["fields"]


def test_an_xlsx_upload_is_read_as_a_workbook() -> None:
    import openpyxl

    client, _user = client_for(Role.ADMINISTRATOR)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["level", "code", "name_uz", "population"])
    sheet.append(["region", 1703, "Andijon viloyati", 3300000])
    buffer = io.BytesIO()
    workbook.save(buffer)
    answer = client.post(
        TERRITORIES_URL, {"file": SimpleUploadedFile("t.xlsx", buffer.getvalue())}, format="multipart"
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["rows_updated"] == 1

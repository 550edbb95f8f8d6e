"""Regression tests of issue 9 (security and reliability hardening): each fails on the code before it."""

from __future__ import annotations

import subprocess

import pytest
from django.test import Client
from rest_framework.test import APIClient

from mahalla.accounts.models import User
from mahalla.accounts.tests.factories import PASSWORD, UserFactory
from mahalla.audit.models import AuditEvent
from mahalla.audit.services import audit_record
from mahalla.core.roles import Role, ScopeLevel
from mahalla.territory.models import District, Region

pytestmark = pytest.mark.django_db

DISTRICT_A, DISTRICT_B = "1703202", "1706204"  # Andijan region / Bukhara region


def _district_user(code: str, role: str, **fields: object) -> User:
    return UserFactory(
        role=role, scope_level=ScopeLevel.DISTRICT, scope_district=District.objects.get(code=code), **fields
    )


def _region_user(code: str, role: str, **fields: object) -> User:
    return UserFactory(
        role=role, scope_level=ScopeLevel.REGION, scope_region=Region.objects.get(code=code), **fields
    )


# ------------------------------------------------------------------ 1. the audit search is scoped


def test_a_district_prosecutor_does_not_find_another_districts_events_by_filtering() -> None:
    prosecutor = _district_user(DISTRICT_A, Role.PROSECUTOR)
    own_chief = _district_user(DISTRICT_A, Role.DISTRICT_CHIEF, username="chief.own")
    other_chief = _district_user(DISTRICT_B, Role.DISTRICT_CHIEF, username="chief.other")
    audit_record(actor=own_chief, action="read", object_type="incidents.offence", object_id=1)
    audit_record(actor=other_chief, action="read", object_type="incidents.offence", object_id=2)
    client = APIClient()
    client.force_login(prosecutor)
    response = client.get(
        "/api/audit/events/", {"object_type": "incidents.offence", "actor_username": "chief.other"}
    )
    assert response.status_code == 200
    assert response.json()["results"] == []
    own = client.get("/api/audit/events/", {"object_type": "incidents.offence"}).json()["results"]
    assert [row["actor_username"] for row in own] == ["chief.own"]


def test_failed_sign_ins_of_the_country_are_hidden_from_a_district_reader() -> None:
    prosecutor = _district_user(DISTRICT_A, Role.PROSECUTOR)
    Client().post("/accounts/login/", {"username": "someone.elsewhere", "password": "wrong password!"})
    assert AuditEvent.objects.filter(action="login_failed").exists()
    client = APIClient()
    client.force_login(prosecutor)
    rows = client.get("/api/audit/events/", {"action": "login_failed"}).json()["results"]
    assert rows == []
    country = UserFactory(role=Role.PROSECUTOR, scope_level=ScopeLevel.COUNTRY)
    client.force_login(country)
    rows = client.get("/api/audit/events/", {"action": "login_failed"}).json()["results"]
    assert [row["details"]["username"] for row in rows] == ["someone.elsewhere"]


# ------------------------------------------------------------------ 2. the admin obeys the territory rules


def _regional_admin() -> tuple[Client, User]:
    admin = _region_user("1703", Role.ADMINISTRATOR, is_staff=True, username="admin.andijan")
    from django.contrib.auth.models import Permission

    admin.user_permissions.add(*Permission.objects.filter(codename__in=["change_user", "view_user"]))
    client = Client()
    client.force_login(admin)
    return client, admin


def _change_form(user: User, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "username": user.username,
        "role": user.role,
        "scope_level": user.scope_level,
        "scope_region": user.scope_region_id or "",
        "scope_district": user.scope_district_id or "",
        "is_active": "on",
        "preferred_language": getattr(user, "preferred_language", "") or "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_a_regional_administrator_cannot_open_or_move_a_chief_of_another_region_in_the_admin() -> None:
    client, _ = _regional_admin()
    other = _district_user(DISTRICT_B, Role.DISTRICT_CHIEF)
    page = client.get(f"/admin/accounts/user/{other.pk}/change/")
    assert page.status_code in (302, 404)
    client.post(
        f"/admin/accounts/user/{other.pk}/change/",
        _change_form(other, scope_district=District.objects.get(code=DISTRICT_A).pk, is_active=None),
    )
    other.refresh_from_db()
    assert other.scope_district.code == DISTRICT_B and other.is_active
    assert "chief" not in client.get("/admin/accounts/user/").content.decode() or other.username not in (
        client.get("/admin/accounts/user/").content.decode()
    )


def test_a_regional_administrator_cannot_make_itself_a_country_superuser_in_the_admin() -> None:
    client, admin = _regional_admin()
    client.post(
        f"/admin/accounts/user/{admin.pk}/change/",
        _change_form(admin, scope_level="country", scope_region="", is_superuser="on", is_staff="on"),
    )
    admin.refresh_from_db()
    assert not admin.is_superuser
    assert admin.scope_level == ScopeLevel.REGION


def test_a_regional_administrator_still_manages_accounts_of_its_own_region_in_the_admin() -> None:
    client, _ = _regional_admin()
    chief = _district_user(DISTRICT_A, Role.DISTRICT_CHIEF)
    assert client.get(f"/admin/accounts/user/{chief.pk}/change/").status_code == 200
    response = client.post(
        f"/admin/accounts/user/{chief.pk}/change/",
        _change_form(chief, scope_district=District.objects.get(code="1703203").pk),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    chief.refresh_from_db()
    assert chief.scope_district.code == "1703203"


def test_reference_data_in_the_admin_is_for_country_administrators_only() -> None:
    client, _ = _regional_admin()
    assert client.get("/admin/territory/mahalla/").status_code == 403
    country = UserFactory(
        role=Role.ADMINISTRATOR, scope_level=ScopeLevel.COUNTRY, is_staff=True, is_superuser=True
    )
    client.force_login(country)
    assert client.get("/admin/territory/mahalla/").status_code == 200


# ------------------------------------------------------------------ 7. smaller leaks


def test_the_new_roadmap_form_names_no_account_of_another_territory() -> None:
    chief = _district_user(DISTRICT_A, Role.DISTRICT_CHIEF)
    _district_user(DISTRICT_B, Role.PREVENTIVE_INSPECTOR, username="inspector.elsewhere")
    _district_user(DISTRICT_A, Role.PREVENTIVE_INSPECTOR, username="inspector.here")
    client = Client()
    client.force_login(chief)
    body = client.get("/roadmaps/new/").content.decode()
    assert "inspector.here" in body
    assert "inspector.elsewhere" not in body


def test_a_non_numeric_owner_on_the_new_roadmap_form_is_a_clear_error_not_a_server_error() -> None:
    chief = _district_user(DISTRICT_A, Role.DISTRICT_CHIEF)
    client = Client()
    client.force_login(chief)
    response = client.post(
        "/roadmaps/new/",
        {
            "level": "district",
            "code": DISTRICT_A,
            "period_kind": "month",
            "period_start": "2026-02-01",
            "template_keys": ["cyber_awareness"],
            "owner": "abc",
        },
    )
    assert response.status_code == 200
    assert "abc is not an account" in response.content.decode()


_ = PASSWORD


# ------------------------------------------------------------------ 5. bad parameters are 400, not 500


@pytest.mark.parametrize(
    "path",
    [
        "/country/?date=x",
        "/region/1703/?date=x",
        f"/district/{DISTRICT_A}/?date=x",
        f"/map/district/{DISTRICT_A}.geojson?date=x",
        f"/briefing/district/{DISTRICT_A}/?date=x",
        f"/roadmaps/causes/district/{DISTRICT_A}/?first=0001-01-01",
        f"/roadmaps/causes/district/{DISTRICT_A}/?last=9999-12-31",
        f"/api/roadmaps/causes/?level=district&code={DISTRICT_A}&first=0001-01-01",
        f"/api/roadmaps/causes/?level=district&code={DISTRICT_A}&last=9999-12-31",
    ],
)
def test_a_bad_date_parameter_is_a_client_error_not_a_server_error(path: str) -> None:
    analyst = UserFactory(role=Role.NATIONAL_ANALYST, scope_level=ScopeLevel.COUNTRY)
    client = Client(raise_request_exception=False)
    client.force_login(analyst)
    response = client.get(path)
    assert 400 <= response.status_code < 500, (path, response.status_code)


def test_a_roadmap_for_the_year_9999_is_refused_with_its_field_named() -> None:
    chief = _district_user(DISTRICT_A, Role.DISTRICT_CHIEF)
    client = APIClient(raise_request_exception=False)
    client.force_login(chief)
    response = client.post(
        "/api/roadmaps/create/",
        {
            "level": "district",
            "code": DISTRICT_A,
            "period_kind": "month",
            "period_start": "9999-12-01",
            "template_keys": ["cyber_awareness"],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["extra"]["field"] == "period_start"


# ------------------------------------------------------------------ 8. the OpenAPI schema


def _schema() -> dict:
    analyst = UserFactory(role=Role.NATIONAL_ANALYST, scope_level=ScopeLevel.COUNTRY)
    client = Client()
    client.force_login(analyst)
    response = client.get("/api/schema/", {"format": "json"}, HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    import json

    return json.loads(response.content)


def _request_ref(schema: dict, path: str) -> str:
    body = schema["paths"][path]["post"]["requestBody"]["content"]
    return next(iter(body.values()))["schema"]["$ref"]


def test_each_endpoint_is_documented_with_its_own_request_body() -> None:
    schema = _schema()
    create = _request_ref(schema, "/api/roadmaps/create/")
    propose = _request_ref(schema, "/api/officials/assignments/propose/")
    assert create != propose
    fields = schema["components"]["schemas"][create.rsplit("/", 1)[1]]["properties"]
    assert {"level", "code", "period_kind", "period_start", "template_keys"} <= set(fields)
    assert not {"Input", "Output", "InputRequest"} & set(schema["components"]["schemas"])


def test_the_paginated_audit_search_is_documented_as_a_page() -> None:
    schema = _schema()
    response = schema["paths"]["/api/audit/events/"]["get"]["responses"]["200"]["content"]
    ref = next(iter(response.values()))["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"count", "next", "previous", "results"} <= set(schema["components"]["schemas"][ref]["properties"])


# ------------------------------------------------------------------ 7. repeat-place coordinates are audited


def test_repeat_place_coordinates_leave_a_read_in_the_audit_log() -> None:
    import datetime as dt

    from mahalla.roadmaps.tests.factories import offence_create
    from mahalla.territory.models import Mahalla

    district = District.objects.get(code=DISTRICT_A)
    mahalla = Mahalla.objects.create(
        code="MREP1", name_uz="Rep", district=district, region=district.region, population=100
    )
    for day in (1, 5, 9):
        offence_create(mahalla, dt.date(2025, 6, day), latitude=40.75, longitude=72.35, place_type="home")
    analyst = _district_user(DISTRICT_A, Role.DISTRICT_CHIEF)
    client = APIClient()
    client.force_login(analyst)
    body = client.get(
        "/api/roadmaps/causes/",
        {"level": "district", "code": DISTRICT_A, "first": "2025-01-01", "last": "2025-12-31"},
    ).json()
    located = [place for place in body["recurrence"]["places"] if place["latitude"] is not None]
    assert located, body["recurrence"]
    reads = AuditEvent.objects.filter(action="read", object_type="incidents.offence", actor=analyst)
    assert reads.count() == 3
    assert reads.first().purpose == "repeat places"


# ------------------------------------------------------------------ 7. evidence files


def _measure_for(chief: User):  # -> Measure
    import datetime as dt

    from mahalla.roadmaps.models import Measure, Roadmap

    roadmap = Roadmap.objects.create(
        level="district",
        region=chief.scope_district.region,
        district=chief.scope_district,
        period_kind="month",
        period_start=dt.date(2026, 1, 1),
        title="Plan",
        created_by=chief,
    )
    return Measure.objects.create(roadmap=roadmap, title="Lights", deadline=dt.date(2026, 1, 31), owner=chief)


def test_an_evidence_file_is_stored_readable_by_the_server_only(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import stat

    from django.core.files.uploadedfile import SimpleUploadedFile

    from mahalla.roadmaps.models import MeasureEvidence

    settings.MEDIA_ROOT = tmp_path / "media"
    chief = _district_user(DISTRICT_A, Role.DISTRICT_CHIEF)
    measure = _measure_for(chief)
    client = APIClient()
    client.force_login(chief)
    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n% report\n", content_type="application/pdf")
    response = client.post(
        f"/api/roadmaps/measures/{measure.pk}/evidence/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 201, response.content
    path = MeasureEvidence.objects.get().file.path
    assert stat.S_IMODE(__import__("os").stat(path).st_mode) == 0o600


def test_an_oversized_evidence_upload_is_stopped_while_it_arrives(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from mahalla.core.uploads import SizeLimitUploadHandler

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ROADMAP_EVIDENCE_MAX_BYTES = 1000
    chief = _district_user(DISTRICT_A, Role.DISTRICT_CHIEF)
    measure = _measure_for(chief)
    client = APIClient()
    client.force_login(chief)
    received: list[int] = []
    original = SizeLimitUploadHandler.receive_data_chunk

    def spy(self, raw_data: bytes, start: int) -> bytes:  # type: ignore[no-untyped-def]
        received.append(len(raw_data))
        return original(self, raw_data, start)

    SizeLimitUploadHandler.receive_data_chunk = spy  # type: ignore[method-assign]
    try:
        big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 5_000_000, content_type="application/pdf")
        response = client.post(
            f"/api/roadmaps/measures/{measure.pk}/evidence/", {"file": big}, format="multipart"
        )
    finally:
        SizeLimitUploadHandler.receive_data_chunk = original  # type: ignore[method-assign]
    assert response.status_code == 400
    assert sum(received) < 1_000_000  # stopped early, not after 5 MB
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*.pdf"))


# ------------------------------------------------------------------ 7. deployment defaults fail safe


def _settings_probe(module: str, env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    import os
    import sys
    import tempfile
    from pathlib import Path

    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("MAHALLA_", "DATABASE_URL"))
    }
    environment.update(DJANGO_SETTINGS_MODULE=module, MAHALLA_VAR_DIR=tempfile.mkdtemp(), **env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=Path(__file__).resolve().parents[2],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_demo_settings_run_without_debug_unless_asked_and_still_serve_static_files() -> None:
    probe = _settings_probe(
        "config.settings.local",
        {},
        "from django.conf import settings; from django.test import Client\n"
        "print(settings.DEBUG, Client().get('/static/vendor/leaflet/leaflet.css').status_code)",
    )
    assert probe.stdout.split()[-2:] == ["False", "200"], probe.stderr[-2000:]
    asked = _settings_probe(
        "config.settings.local",
        {"MAHALLA_DEBUG": "true"},
        "from django.conf import settings; print(settings.DEBUG)",
    )
    assert asked.stdout.split()[-1] == "True"


def test_production_refuses_a_short_secret() -> None:
    env = {
        "DATABASE_URL": "postgres://app@127.0.0.1:5432/none",
        "MAHALLA_REDIS_URL": "redis://127.0.0.1:6379/9",
        "MAHALLA_CYBER_CARD_HASH_KEY": "a-card-hash-key-of-the-deployment",
    }
    short = _settings_probe(
        "config.settings.production", {**env, "MAHALLA_SECRET_KEY": "abc123"}, "print('started')"
    )
    assert short.returncode != 0 and "too weak" in short.stderr
    strong = _settings_probe(
        "config.settings.production",
        {**env, "MAHALLA_SECRET_KEY": "k" * 30 + "abcdefghijklmnopqrstuvwxyz"},
        "print('started')",
    )
    assert strong.stdout.strip().endswith("started"), strong.stderr[-2000:]


def test_a_username_with_a_cyrillic_look_alike_markup_or_a_tab_is_refused() -> None:
    from mahalla.accounts.services import user_create
    from mahalla.core.errors import ApplicationError

    admin = UserFactory(role=Role.ADMINISTRATOR, scope_level=ScopeLevel.COUNTRY)
    for username in ("аdmin", "<b>chief</b>", "chief\tone"):  # the first "а" is Cyrillic
        with pytest.raises(ApplicationError) as raised:
            user_create(
                actor=admin,
                username=username,
                password=None,
                role=Role.NATIONAL_ANALYST,
                scope_level="country",
            )
        assert raised.value.extra["field"] == "username"

"""The territory API over every role and scope, plus filters and the offline API docs."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from mahalla.core.roles import Role
from mahalla.territory.models import District

from .factories import BROKEN_SCOPES, VALID_SCOPES, WORLD_DISTRICTS, world_mahallas, world_user
from .test_selectors import EXPECTED_UNITS

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def codes(client: APIClient, path: str, **params) -> set[str]:
    params.setdefault("page_size", 500)
    found: set[str] = set()
    url: str | None = path
    while url:
        response = client.get(url, params if url == path else None)
        assert response.status_code == 200, response.content
        found |= {row["code"] for row in response.json()["results"]}
        url = response.json()["next"]
    return found


@pytest.mark.parametrize("role", list(Role.values))
@pytest.mark.parametrize("scope_name", list(VALID_SCOPES))
def test_the_territory_api_shows_the_scope_and_its_parents_only(role, scope_name):
    mahallas = world_mahallas()
    client = client_for(world_user(role, VALID_SCOPES[scope_name], mahallas))
    regions, districts = EXPECTED_UNITS[scope_name]
    if regions is None:
        # Every reference unit: the count is enough (listing 209 districts in each role's case is slow).
        assert client.get("/api/territories/regions/", {"page_size": 1}).json()["count"] == 14
        assert client.get("/api/territories/districts/", {"page_size": 1}).json()["count"] == 209
    else:
        if districts == "districts of A":
            districts = set(District.objects.filter(region__code="1703").values_list("code", flat=True))
        elif districts == "districts of B":
            districts = set(District.objects.filter(region__code="1706").values_list("code", flat=True))
        assert codes(client, "/api/territories/regions/") == regions
        assert codes(client, "/api/territories/districts/") == districts
    visible = {code.removeprefix("M") for code in codes(client, "/api/territories/mahallas/")}
    assert visible == VALID_SCOPES[scope_name][4]
    for label, mahalla in mahallas.items():
        status = client.get(f"/api/territories/mahallas/{mahalla.code}/").status_code
        assert status == (200 if label in visible else 404)


@pytest.mark.parametrize("scope_name", list(BROKEN_SCOPES))
def test_the_territory_api_is_empty_for_a_broken_scope(scope_name):
    mahallas = world_mahallas()
    client = client_for(world_user(Role.DISTRICT_CHIEF, BROKEN_SCOPES[scope_name], mahallas))
    for path in ("regions", "districts", "mahallas"):
        assert codes(client, f"/api/territories/{path}/") == set()
    assert client.get("/api/territories/regions/1703/").status_code == 404


def test_a_district_chief_gets_404_for_a_district_next_door_like_for_a_missing_one():
    mahallas = world_mahallas()
    client = client_for(world_user(Role.DISTRICT_CHIEF, VALID_SCOPES["district A1"], mahallas))
    own = client.get(f"/api/territories/districts/{WORLD_DISTRICTS['A1']}/")
    assert own.status_code == 200
    assert own.json()["region"]["code"] == "1703"
    next_door = client.get(f"/api/territories/districts/{WORLD_DISTRICTS['A2']}/")
    missing = client.get("/api/territories/districts/0000000/")
    assert next_door.status_code == missing.status_code == 404
    assert next_door.json() == missing.json() | {"message": next_door.json()["message"]}


def test_territory_filters_by_parent_and_search_through_the_api():
    mahallas = world_mahallas()
    client = client_for(world_user(Role.NATIONAL_ANALYST, VALID_SCOPES["country"], mahallas))
    assert codes(client, "/api/territories/mahallas/", district=WORLD_DISTRICTS["B1"]) == {"MB1a", "MB1b"}
    assert codes(client, "/api/territories/districts/", search="Olot") == {WORLD_DISTRICTS["B1"]}
    assert codes(client, "/api/territories/regions/", search="Бухар") == {"1706"}
    response = client.get("/api/territories/regions/", {"kind": "galaxy"})
    assert response.status_code == 400
    assert "kind" in response.json()["extra"]["fields"]


def test_an_anonymous_request_to_the_territory_api_is_refused():
    assert APIClient().get("/api/territories/regions/").status_code in (401, 403)


def test_the_api_docs_and_schema_are_for_signed_in_users_only():
    assert APIClient().get("/api/docs/").status_code in (401, 403)
    assert APIClient().get("/api/schema/").status_code in (401, 403)


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_the_api_docs_pages_load_only_files_served_by_this_server(page):
    client = APIClient()
    client.force_login(world_user(Role.MAHALLA_SEVEN, VALID_SCOPES["country"], {}))
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    references = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    references += re.findall(r"""(?:url\s*:|spec-url\s*=)\s*["']([^"']+)["']""", html)
    # The sidecar's files, ReDoc's through mahalla/core/redoc.py (without the logo from cdn.redoc.ly).
    assert any(
        "drf_spectacular_sidecar" in ref or ref.endswith("redoc.standalone.js") for ref in references
    ), references
    outside = [ref for ref in references if re.match(r"^(https?:)?//", ref)]
    assert outside == []
    assert all(ref.startswith("/") for ref in references), references
    # The Content-Security-Policy allows no inline script: every script must be a file.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    for ref in references:
        assert client.get(ref).status_code == 200, ref
    if page == "/api/docs/":
        start_up = client.get("/api/docs/?script=").content.decode()
        assert '"validatorUrl": null' in start_up


def test_the_schema_lists_the_territory_offence_audit_and_auth_endpoints():
    client = APIClient()
    client.force_login(world_user(Role.MAHALLA_SEVEN, VALID_SCOPES["country"], {}))
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/territories/regions/",
        "/api/territories/mahallas/{code}/",
        "/api/offences/",
        "/api/offences/{offence_id}/",
        "/api/offences/counts/",
        "/api/audit/events/",
        "/api/auth/token/",
    ):
        assert path in paths

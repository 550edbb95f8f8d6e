"""The access matrix, generated from the URL configuration (mahalla/core/access_matrix.py).

1. Every URL pattern is declared by some app's ``access_matrix.ROUTES``; a new URL without a declaration
   fails here, and so does a declaration naming no URL.
2. For every declared route, every role (each with a district scope) and both places (own district, and a
   district of another region): the status is the declared one, no request gives a server error, and no
   response the actor may read names an object of the other territory.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from mahalla.core.access_matrix import Call, Place, Route
from mahalla.core.roles import Role, ScopeLevel

# Unnamed patterns that are no view of their own: Django's admin redirects "<object_id>/" to the change
# view (declared) and its catch-all answers 404 / a redirect to the login.
UNNAMED_ALLOWED = ("admin/", "admin/(?P<url>.*)$")


def _walk(patterns: list[Any], prefix: str = "", namespace: str | None = None) -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name
            if name and namespace:
                name = f"{namespace}:{name}"
            yield prefix + str(pattern.pattern), name or ""


def url_patterns() -> list[tuple[str, str]]:
    """(route, name) of every pattern of the URL configuration."""
    return list(_walk(get_resolver().url_patterns))


def declared_routes() -> list[Route]:
    """Every app's ROUTES (mahalla.<app>.access_matrix), in INSTALLED_APPS order."""
    routes: list[Route] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("mahalla."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.access_matrix")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.access_matrix":
                raise
            continue
        routes.extend(getattr(module, "ROUTES", ()))
    return routes


ROUTES = declared_routes()


def test_every_url_pattern_is_declared_in_the_access_matrix() -> None:
    declared = {route.name for route in ROUTES}
    missing = sorted(
        f"{name or '(unnamed)'} ({path})"
        for path, name in url_patterns()
        if (name and name not in declared)
        or (
            not name
            and not (path.startswith(UNNAMED_ALLOWED[0]) and path.endswith(("<path:object_id>/", "$")))
        )
    )
    assert not missing, (
        "URL patterns without a row in any app's access_matrix.ROUTES (docs/access.md, "
        f"'Adding a URL to the access matrix'): {missing}"
    )


def test_every_declaration_names_a_url_pattern() -> None:
    names = {name for _, name in url_patterns() if name}
    unknown = sorted(route.name for route in ROUTES if route.name not in names)
    assert not unknown, f"access_matrix routes naming no URL pattern: {unknown}"
    keys = [route.key() for route in ROUTES]
    assert len(keys) == len(set(keys)), "a route is declared twice"


# ------------------------------------------------------------------------------------------- the world


OWN_DISTRICT, OTHER_DISTRICT = "1703202", "1706204"  # Andijan region / Bukhara region


def _place(side: str, district_code: str, marker: str) -> Place:
    from mahalla.accounts.tests.factories import UserFactory
    from mahalla.incidents.tests.factories import OffenceFactory
    from mahalla.territory.models import District, Mahalla

    district = District.objects.select_related("region").get(code=district_code)
    mahalla = Mahalla.objects.create(
        code=f"M{marker}",
        name_uz=f"Mahalla {marker}",
        name_ru=f"Махалля {marker}",
        population=4000,
        district=district,
        region=district.region,
    )
    chief = UserFactory(
        username=f"chief.{marker.lower()}",
        role=Role.DISTRICT_CHIEF,
        scope_level=ScopeLevel.DISTRICT,
        scope_district=district,
    )
    offence = OffenceFactory(
        registration_number=f"REG-{marker}",
        mahalla=mahalla,
        occurred_at=dt.datetime(2025, 12, 20, 14, 0, tzinfo=dt.UTC),
        latitude=41.3,
        longitude=69.2,
    )
    from mahalla.audit.services import audit_record

    # The chief's own trail (a read of the offence, a failed sign-in): the audit search must show it to
    # the readers of this territory only.
    audit_record(
        actor=chief,
        action="read",
        object_type="incidents.offence",
        object_id=offence.pk,
        object_repr=offence.registration_number,
    )
    return Place(
        side=side,
        region=district.region,
        district=district,
        mahalla=mahalla,
        marker=marker,
        chief=chief,
        offence=offence,
    )


def _actors(own: Place) -> dict[str, Any]:
    from mahalla.accounts.tests.factories import UserFactory

    return {
        role: UserFactory(
            username=f"actor.{role}",
            role=role,
            scope_level=ScopeLevel.DISTRICT,
            scope_district=own.district,
        )
        for role in Role.values
    }


def _foreign_markers(other: Place) -> list[str]:
    """Texts that only an object of the other territory carries."""
    return [other.marker, other.chief.username, other.mahalla.code]


def _request(client: Client, route: Route, call: Call) -> Any:
    url = reverse(route.name, kwargs=dict(call.kwargs))
    method = getattr(client, route.method.lower())
    if route.method == "GET":
        return method(url, data=dict(call.query))
    if call.query:
        from urllib.parse import urlencode

        url = f"{url}?{urlencode(dict(call.query))}"
    for value in (call.data or {}).values():
        if hasattr(value, "seek"):
            value.seek(0)  # the same upload is sent once per role
    if call.content == "json":
        return method(url, data=json.dumps(dict(call.data or {})), content_type="application/json")
    return method(url, data=dict(call.data or {}))


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=[route.key() for route in ROUTES])
def test_access_matrix(route: Route) -> None:
    own = _place("own", OWN_DISTRICT, "OWNA1")
    other = _place("other", OTHER_DISTRICT, "OTHB1")
    actors = _actors(own)
    calls = {"own": route.build(own), "other": route.build(other)}
    foreign = _foreign_markers(other)
    failures: list[str] = []

    def check(who: str, role: str | None, side: str, expected: tuple[int, ...], client: Client) -> None:
        with transaction.atomic():
            try:
                response = _request(client, route, calls[side])
            except Exception as error:  # noqa: BLE001 - a server error is a finding, reported with the route
                failures.append(f"{who} on {side}: server error {type(error).__name__}: {error}")
                transaction.set_rollback(True)
                return
            transaction.set_rollback(True)
        if response.status_code not in expected:
            failures.append(f"{who} on {side}: status {response.status_code}, expected one of {expected}")
            return
        if route.leak_check and response.status_code < 300:
            body = _body(response)
            leaked = [marker for marker in foreign if marker in body]
            if leaked:
                failures.append(f"{who} on {side}: the response names the other territory ({leaked})")

    anonymous = Client()
    check("anonymous", None, "own", route.success if route.public else (302, 401, 403, 404), anonymous)
    if route.public:
        assert not failures, failures
        return
    for role, actor in actors.items():
        if route.staff:
            type(actor).objects.filter(pk=actor.pk).update(is_staff=True)
            actor.is_staff = True
        client = Client()
        client.force_login(actor)
        allowed = role in route.roles
        check(role, role, "own", route.success if allowed else route.refused, client)
        if route.territorial:
            check(role, role, "other", route.refused, client)
    assert not failures, f"{route.key()}:\n  " + "\n  ".join(failures)

"""Requests generated from the published OpenAPI schema (schemathesis), sent to the Django app in-process.

The schema is the one ``/api/schema/`` serves. For every operation, schemathesis generates up to
``EXAMPLES_PER_OPERATION`` valid requests (fixed seed, no shrinking, no example database: the run is the same
every time and bounded) and sends each through Django's WSGI handler, signed in by token as a district chief
and as a national (country) analyst of the tiny nation. Every response must be no server error and must
conform to the schema: a documented status code, the documented content type and a body of the documented
shape.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

EXAMPLES_PER_OPERATION = 6
CHECK_NAMES = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)


def _actors(tiny_nation: Any) -> dict[str, Any]:
    from mahalla.accounts.tests.factories import UserFactory
    from mahalla.core.roles import Role, ScopeLevel
    from mahalla.territory.models import District

    district = District.objects.get(code=tiny_nation.district_code)
    return {
        "district chief": UserFactory(
            username="fuzz.chief",
            role=Role.DISTRICT_CHIEF,
            scope_level=ScopeLevel.DISTRICT,
            scope_district=district,
        ),
        "country analyst": UserFactory(
            username="fuzz.analyst", role=Role.NATIONAL_ANALYST, scope_level=ScopeLevel.COUNTRY
        ),
    }


def _token_for(user: Any) -> str:
    """The actor's token, signed in again and re-armed before every request: a generated request may revoke
    the token, deactivate the account or change its scope, and the run must go on as the same actor."""
    from rest_framework.authtoken.models import Token

    type(user).objects.filter(pk=user.pk).update(
        is_active=True,
        role=user.role,
        scope_level=user.scope_level,
        scope_region=user.scope_region,
        scope_district=user.scope_district,
        is_superuser=False,
        is_staff=False,
    )
    token, _ = Token.objects.get_or_create(user_id=user.pk)
    return token.key


def _published_schema(user: Any) -> dict[str, Any]:
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200, response.content[:500]
    return response.json()


def _run_operation(operation: Any, role: str, user: Any, checks: list[Any], failures: list[str]) -> int:
    """Send the generated requests of one operation as one actor; record each distinct failure."""
    from hypothesis import HealthCheck, Phase, given
    from hypothesis import settings as hypothesis_settings

    sent = 0
    seen: set[str] = set()

    @hypothesis_settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def generated(case: Any) -> None:
        nonlocal sent
        sent += 1
        try:
            case.call_and_validate(headers={"Authorization": f"Token {_token_for(user)}"}, checks=checks)
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - every distinct failure of every operation is reported
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            if first_line not in seen:
                seen.add(first_line)
                failures.append(f"{operation.label} as {role}: {error}")

    generated()
    return sent


@pytest.mark.django_db
def test_generated_requests_get_no_server_error_and_conform_to_the_schema(tiny_nation: Any) -> None:
    import schemathesis
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections
    from schemathesis import checks as schemathesis_checks

    actors = _actors(tiny_nation)
    schema = schemathesis.openapi.from_dict(_published_schema(actors["country analyst"]))
    schema.app = WSGIHandler()
    checks = [getattr(schemathesis_checks, name) for name in CHECK_NAMES]

    failures: list[str] = []
    covered: set[str] = set()
    examples = 0
    started = time.perf_counter()
    # As Django's test client does: neither the start nor the end of a request may close the test's
    # connection (and its transaction) midway.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            label = operation.label
            for role, user in actors.items():
                examples += _run_operation(operation, role, user, checks, failures)
                covered.add(label)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    elapsed = time.perf_counter() - started
    print(f"schemathesis: {len(covered)} operations, {examples} requests, {elapsed:.1f} s")
    assert not failures, f"{len(failures)} failing operation(s):\n\n" + "\n\n".join(failures)

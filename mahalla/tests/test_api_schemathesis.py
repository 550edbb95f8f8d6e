"""Requests generated from the published OpenAPI schema (schemathesis), sent to the Django app in-process.

The schema is the one ``/api/schema/`` serves. For every operation, schemathesis generates up to
``EXAMPLES_PER_OPERATION`` valid requests (fixed seed, no shrinking, no example database: the run is the same
every time and bounded) and sends each through Django's WSGI handler, signed in by token as a district chief
and as a national (country) analyst of the tiny nation. Every response must be no server error and must
conform to the schema: a documented status code, the documented content type and a body of the documented
shape.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from typing import Any

import pytest

EXAMPLES_PER_OPERATION = 6
# Again with the path parameters naming objects that exist in the actors' district, so that the answers
# carry bodies (a generated id is mostly a 404).
EXAMPLES_WITH_KNOWN_OBJECTS = 4
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


def _known_objects(tiny_nation: Any, chief: Any) -> dict[str, Any]:
    """Objects of the chief's district (an offence, a person, an official, a roadmap with a measure without
    owner) by the name of the path parameter that takes them; `code` is resolved per path."""
    import datetime as dt

    from mahalla.cases.tests.factories import person_make
    from mahalla.incidents.models import Offence
    from mahalla.officials.tests.factories import official_create
    from mahalla.roadmaps import services as roadmap_services
    from mahalla.territory.models import District, Mahalla

    district = District.objects.get(code=tiny_nation.district_code)
    mahalla = Mahalla.objects.get(code=tiny_nation.mahalla_codes[0])
    roadmap = roadmap_services.roadmap_create_from_template(
        actor=chief,
        level="mahalla",
        code=mahalla.code,
        period_kind="month",
        period_start=dt.date(2026, 1, 1),
        template_keys=["safe_street"],
    )
    measure = roadmap_services.measure_create(
        actor=chief, roadmap_id=roadmap.pk, title="Street lights", deadline=dt.date(2026, 1, 20)
    )
    return {
        "offence_id": Offence.objects.filter(mahalla=mahalla).values_list("pk", flat=True).first(),
        "person_id": person_make(mahalla).pk,
        "official_id": official_create("district_chief", territory=district).pk,
        "roadmap_id": roadmap.pk,
        "measure_id": measure.pk,
        "user_id": chief.pk,
        "/api/territories/regions/{code}/": tiny_nation.region_code,
        "/api/territories/districts/{code}/": tiny_nation.district_code,
        "/api/territories/mahallas/{code}/": mahalla.code,
        "/api/roadmaps/suggestion/{code}/": mahalla.code,
    }


def _known_path_parameters(operation: Any, known: dict[str, Any]) -> dict[str, Any] | None:
    names = [parameter.name for parameter in operation.path_parameters]
    if not names:
        return None
    values = {name: known.get(name if name != "code" else operation.path) for name in names}
    return values if all(value is not None for value in values.values()) else None


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


def _baseline_cpu_per_request(user: Any, requests: int = 20) -> float:
    """CPU seconds of one plain authenticated GET through Django's test client: the yardstick the run's
    per-request CPU is printed against (wall time on a shared machine says little)."""
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Token {_token_for(user)}")
    client.get("/api/auth/me/")
    started = time.process_time()
    for _ in range(requests):
        assert client.get("/api/auth/me/").status_code == 200
    return (time.process_time() - started) / requests


def _published_schema(user: Any) -> dict[str, Any]:
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200, response.content[:500]
    return response.json()


def _run_operation(
    operation: Any,
    role: str,
    user: Any,
    checks: list[Any],
    failures: list[str],
    statuses: Counter[int],
    *,
    examples: int = EXAMPLES_PER_OPERATION,
    path_parameters: dict[str, Any] | None = None,
) -> int:
    """Send the generated requests of one operation as one actor; record each distinct failure."""
    from hypothesis import HealthCheck, Phase, given
    from hypothesis import settings as hypothesis_settings

    sent = 0
    seen: set[str] = set()

    @hypothesis_settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(path_parameters=path_parameters))
    def generated(case: Any) -> None:
        nonlocal sent
        sent += 1
        headers = {"Authorization": f"Token {_token_for(user)}"}
        try:
            response = case.call(headers=headers)
            statuses[response.status_code] += 1
            case.validate_response(response, checks=checks, headers=headers)
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
    known = _known_objects(tiny_nation, actors["district chief"])
    statuses: Counter[int] = Counter()
    schema = schemathesis.openapi.from_dict(_published_schema(actors["country analyst"]))
    schema.app = WSGIHandler()
    checks = [getattr(schemathesis_checks, name) for name in CHECK_NAMES]

    failures: list[str] = []
    covered: set[str] = set()
    examples = 0
    baseline_cpu = _baseline_cpu_per_request(actors["country analyst"])
    started, started_cpu = time.perf_counter(), time.process_time()
    # As Django's test client does: neither the start nor the end of a request may close the test's
    # connection (and its transaction) midway.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            label = operation.label
            for role, user in actors.items():
                examples += _run_operation(operation, role, user, checks, failures, statuses)
                path_parameters = _known_path_parameters(operation, known)
                if path_parameters:
                    examples += _run_operation(
                        operation,
                        role,
                        user,
                        checks,
                        failures,
                        statuses,
                        examples=EXAMPLES_WITH_KNOWN_OBJECTS,
                        path_parameters=path_parameters,
                    )
                covered.add(label)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    per_request = cpu / max(examples, 1)
    print(
        f"schemathesis: {len(covered)} operations, {examples} requests, {elapsed:.1f} s wall, {cpu:.1f} s CPU"
        f" ({per_request * 1000:.1f} ms CPU a request = {per_request / baseline_cpu:.1f} x a plain GET of "
        f"/api/auth/me/), load average {os.getloadavg()[0]:.1f}; statuses {dict(sorted(statuses.items()))}"
    )
    assert not failures, f"{len(failures)} failing operation(s):\n\n" + "\n\n".join(failures)

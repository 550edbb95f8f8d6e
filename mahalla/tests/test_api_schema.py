"""The published OpenAPI schema tells the truth (issue 9, item 8): fields that can be null are nullable,
paginated lists are documented as the page objects they are, every operation documents the error answers
with their one body, and an unmatched URL under /api/ answers that JSON body, not the site's HTML page. The
generated requests of test_api_schemathesis.py check the same against the running app."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from rest_framework import serializers

# (component, property): null for an assignment not yet confirmed, ended or replaced, for an official of
# the country level, for a measure without an owner, for a task without assignee, for an entity without
# coordinates.
NULLABLE = [
    ("OfficialAssignment", "mahalla"),
    ("OfficialAssignment", "confirmed_by"),
    ("OfficialAssignment", "confirmed_at"),
    ("OfficialAssignment", "ended_at"),
    ("OfficialAssignment", "replaced_by"),
    ("Official", "region"),
    ("Official", "district"),
    ("MeasureOutput", "owner"),
    ("MeasureOutput", "completed_at"),
    ("CoordinationTaskOutput", "assignee"),
    ("LinksEntityOutput", "lat"),
    ("PaginatedOfficialAssignmentList", "next"),
]
NOT_NULLABLE = [
    ("OfficialAssignment", "district"),
    ("OfficialAssignment", "official"),
    ("Official", "name"),
    ("CoordinationTaskOutput", "deadline"),
]


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    from drf_spectacular.settings import spectacular_settings

    # The project's generator, as /api/schema/ uses it: it applies the views' annotations first.
    return spectacular_settings.DEFAULT_GENERATOR_CLASS().get_schema(request=None, public=True)


@pytest.fixture(scope="module")
def components(schema: dict[str, Any]) -> dict[str, Any]:
    return schema["components"]["schemas"]


@pytest.mark.parametrize("component,name", NULLABLE, ids=[".".join(pair) for pair in NULLABLE])
def test_a_field_that_can_be_null_is_documented_as_nullable(components, component, name) -> None:
    assert components[component]["properties"][name].get("nullable") is True


@pytest.mark.parametrize("component,name", NOT_NULLABLE, ids=[".".join(pair) for pair in NOT_NULLABLE])
def test_a_field_that_is_never_null_is_not_documented_as_nullable(components, component, name) -> None:
    assert not components[component]["properties"][name].get("nullable")


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


def _nullable_path(model: Any, source: str) -> bool | None:
    """Whether the model path `source` ("mahalla.code") can give None; None when it names no field."""
    nullable = False
    for part in source.split("."):
        try:
            field = model._meta.get_field(part)
        except Exception:  # noqa: BLE001 - a property or a method: not a field of the model
            return None
        nullable = nullable or bool(getattr(field, "null", False))
        if field.is_relation and field.related_model:
            model = field.related_model
    return nullable


def test_every_model_serializer_field_over_a_nullable_column_allows_null() -> None:
    """A model serializer's field whose source crosses a null=True column must allow null (and so be
    documented as nullable); drf-spectacular documents what the field declares, not what the model holds."""
    for config in apps.get_app_configs():
        if config.name.startswith("mahalla."):
            for module in ("apis", "api_urls", "import_apis"):
                try:
                    importlib.import_module(f"{config.name}.{module}")
                except ModuleNotFoundError as error:
                    if error.name != f"{config.name}.{module}":
                        raise
    missing = []
    for cls in set(_subclasses(serializers.ModelSerializer)):
        if not cls.__module__.startswith("mahalla.") or ".tests" in cls.__module__:
            continue
        for name, field in cls().get_fields().items():
            if isinstance(field, serializers.SerializerMethodField) or field.source == "*":
                continue
            if _nullable_path(cls.Meta.model, field.source or name) and not field.allow_null:
                missing.append(f"{cls.__module__}.{cls.__qualname__}.{name}")
    assert not missing, f"fields over nullable columns without allow_null=True: {sorted(missing)}"


# Lists that paginate by hand in an APIView (the schema generator reads the view's pagination_class).
PAGINATED = [
    "/api/coordination/tasks/",
    "/api/coordination/meetings/",
    "/api/coordination/findings/",
    "/api/cyber/reports/",
    "/api/cyber/campaigns/",
    "/api/cyber/bank/requests/",
    "/api/links/entities/",
    "/api/officials/",
    "/api/officials/assignments/",
    "/api/roadmaps/",
    "/api/roadmaps/alerts/",
    "/api/cases/persons/",
    "/api/cases/orders/",
    "/api/audit/events/",
    "/api/offences/",
]


def _component(schema: dict[str, Any], reference: str) -> dict[str, Any]:
    return schema["components"]["schemas"][reference.rsplit("/", 1)[1]]


@pytest.mark.parametrize("path", PAGINATED)
def test_a_paginated_list_is_documented_as_a_page(schema, path) -> None:
    operation = schema["paths"][path]["get"]
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    page = _component(schema, body["$ref"])
    assert set(page["properties"]) == {"count", "next", "previous", "results"}, path
    assert page["properties"]["results"]["type"] == "array"
    assert "page" in {parameter["name"] for parameter in operation.get("parameters", [])}


def test_the_training_plan_is_documented_with_its_quarter(schema) -> None:
    body = schema["paths"]["/api/coordination/training/needs/"]["get"]["responses"]["200"]["content"]
    plan = _component(schema, body["application/json"]["schema"]["$ref"])
    assert set(plan["properties"]) == {"count", "quarter", "results"}


def test_every_operation_documents_the_error_answers_with_their_body(schema) -> None:
    undocumented = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = {"400", "401", "403", "404"} | ({"409"} if method != "get" else set())
            for code in sorted(codes):
                response = operation["responses"].get(code)
                reference = (response or {}).get("content", {}).get("application/json", {}).get("schema", {})
                if reference.get("$ref") != "#/components/schemas/Error":
                    undocumented.append(f"{method.upper()} {path} {code}")
    assert not undocumented, undocumented
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"message", "extra"}
    assert "429" in schema["paths"]["/api/auth/token/"]["post"]["responses"]


@pytest.mark.django_db
def test_an_unmatched_url_under_api_answers_the_json_error_and_the_site_its_page(client) -> None:
    from mahalla.accounts.tests.factories import UserFactory

    client.force_login(UserFactory())
    # <int:order_id> refuses a negative id: no pattern matches.
    response = client.post("/api/cases/orders/-1/extend/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"message": "Not found.", "extra": {}}
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")


def test_the_views_annotations_recorded_at_import_are_in_the_schema(schema) -> None:
    """The views' extend_schema annotations are applied when the schema is generated (core/api_schema.py):
    names, bodies and parameters given only by an annotation are there."""
    operations = {
        operation["operationId"]: operation
        for methods in schema["paths"].values()
        for operation in methods.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    assert "cases_person_detail" in operations
    assert "council_meeting_list" in operations
    counts = schema["paths"]["/api/offences/counts/"]["get"]
    group_by = [p for p in counts["parameters"] if p["name"] == "group_by"]
    assert group_by and group_by[0]["required"] is True

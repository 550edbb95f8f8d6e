"""Fields that can be null are documented as nullable in the published OpenAPI schema (issue 9, item 8): a
client generated from the schema must not fail on a null it was promised a string for."""

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
def components() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]


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

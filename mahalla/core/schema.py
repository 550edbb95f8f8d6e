"""The OpenAPI schema's AutoSchema.

- Nested ``InputSerializer`` / ``OutputSerializer`` classes (the styleguide's thin APIs) are named after the
  API that holds them, so that two endpoints never share one component and each is documented with its own
  body (``RoadmapCreateApiInput``, not ``Input``).
- The error answers of ``mahalla.core.exceptions.api_exception_handler`` are documented on every operation
  with their one shape ``{"message", "extra"}``: a client (and schemathesis) must find every status code the
  API can answer in the schema, not only the success.
- The generator applies the views' annotations (``mahalla.core.api_schema.extend_schema``) first: they are
  recorded at import and handed to drf-spectacular only when a schema is asked for.

Imported only when a schema is generated (settings: DEFAULT_SCHEMA_CLASS, DEFAULT_GENERATOR_CLASS).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from mahalla.core.api_schema import annotations_apply


class ErrorSerializer(serializers.Serializer):
    """The body of every API error (mahalla.core.exceptions.api_exception_handler)."""

    message = serializers.CharField()
    extra = serializers.DictField()

    class Meta:
        ref_name = "Error"


# Answered by every operation: bad input, no or an expired credential, a role that may not, an object that
# does not exist or is outside the actor's territory (reported as absent).
ERROR_RESPONSES = {
    "400": _("Bad input: `extra.fields` names each field and its errors."),
    "401": _("Not signed in, or the token is unknown or has expired."),
    "403": _("The actor's role may not do this."),
    "404": _("No such object, or it lies outside the actor's territory."),
}
# Answered by writes: the record changed since the caller read it (`extra.server` holds its current values).
WRITE_ERROR_RESPONSES = {"409": _("The record changed since it was read.")}
THROTTLED_RESPONSES = {"429": _("Too many attempts; try again later.")}


class MahallaAutoSchema(AutoSchema):
    def _get_serializer_name(self, serializer: Any, direction: str, bypass_extensions: bool = False) -> str:
        name = super()._get_serializer_name(serializer, direction, bypass_extensions)
        cls = serializer if isinstance(serializer, type) else type(serializer)
        meta = getattr(cls, "Meta", None)
        if meta is not None and getattr(meta, "ref_name", None):
            return name
        parts = cls.__qualname__.split(".")
        if len(parts) < 2 or "<locals>" in parts:
            return name
        outer, inner = parts[-2], parts[-1]
        nested = outer + inner.removesuffix("Serializer")
        suffix = "Request" if name.endswith("Request") and not nested.endswith("Request") else ""
        return nested + suffix

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = dict(ERROR_RESPONSES)
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            errors.update(WRITE_ERROR_RESPONSES)
        if getattr(self.view, "throttle_classes", None):
            errors.update(THROTTLED_RESPONSES)
        for code, description in errors.items():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = str(description)
                responses[code] = response
        return responses


class MahallaSchemaGenerator(SchemaGenerator):
    def create_view(self, callback: Any, method: str, request: Any = None) -> Any:
        # Called for each endpoint once all of them are found, so every API module has been imported (and
        # its annotations recorded) by then; drf-spectacular reads a view's annotation right here.
        annotations_apply()
        return super().create_view(callback, method, request)

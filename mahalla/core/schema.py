"""The OpenAPI schema's AutoSchema: nested ``InputSerializer`` / ``OutputSerializer`` classes (the
styleguide's thin APIs) are named after the API that holds them, so that two endpoints never share one
component and each is documented with its own body (``RoadmapCreateApiInput``, not ``Input``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema


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

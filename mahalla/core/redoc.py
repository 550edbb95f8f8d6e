"""ReDoc's bundle without its one request to another host.

The bundle (drf-spectacular-sidecar, served locally) draws the "API docs by Redocly" logo in its side menu
from https://cdn.redoc.ly/redoc/logo-mini.svg, with no option to turn it off. Air-gapped networks, and the
rule that no page asks another host for anything, want no such request: this view serves the same bundle
with that address replaced by an inline image."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import drf_spectacular_sidecar
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

LOGO_URL = "https://cdn.redoc.ly/redoc/logo-mini.svg"
# An empty image: the link text "API docs by Redocly" stays, without its picture.
LOCAL_LOGO = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E"
BUNDLE = (
    Path(drf_spectacular_sidecar.__file__).parent
    / "static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
)


@cache
def redoc_bundle() -> bytes:
    """The sidecar's ReDoc bundle with the outside logo replaced (read once per process)."""
    return BUNDLE.read_text(encoding="utf-8").replace(LOGO_URL, LOCAL_LOGO).encode("utf-8")


@require_GET
def redoc_script(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(redoc_bundle(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response

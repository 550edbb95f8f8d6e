"""The API's error answers and the error handlers of the URL configuration.

DRF is imported inside the functions: Django imports the handlers (handler404, handler500) when it checks
the URL configuration, and a server worker that answers no API request does not need DRF.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404

from .errors import AccessDenied, ApplicationError, Conflict

if TYPE_CHECKING:
    from rest_framework.response import Response


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error has the same shape: {"message": ..., "extra": {...}}."""
    from rest_framework import exceptions
    from rest_framework.response import Response
    from rest_framework.serializers import as_serializer_error
    from rest_framework.views import exception_handler

    if isinstance(exc, AccessDenied):
        exc = exceptions.NotFound()
    elif isinstance(exc, Conflict):
        return Response({"message": exc.message, "extra": exc.extra}, status=409)
    elif isinstance(exc, ApplicationError):
        return Response({"message": exc.message, "extra": exc.extra}, status=400)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"message": "Validation error", "extra": {"fields": response.data}}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        response.data = {"message": str(detail), "extra": {}}
    return response


def _is_api(request: Any) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: Any, exception: Exception) -> Any:
    """404 for a URL that matches no pattern: under /api/ the API's JSON error (a client parsing JSON must
    not get the site's HTML page, e.g. for /api/cases/orders/-1/extend/), elsewhere the site's page."""
    from django.http import JsonResponse
    from django.views import defaults

    if _is_api(request):
        from rest_framework import exceptions

        return JsonResponse({"message": str(exceptions.NotFound.default_detail), "extra": {}}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: Any) -> Any:
    """500: under /api/ the API's JSON error, elsewhere the site's page."""
    from django.http import JsonResponse
    from django.views import defaults

    if _is_api(request):
        from rest_framework import exceptions

        return JsonResponse({"message": str(exceptions.APIException.default_detail), "extra": {}}, status=500)
    return defaults.server_error(request)

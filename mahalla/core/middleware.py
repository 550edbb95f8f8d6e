from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

# Everything is served by this server: no CDN, no web font, no outside request
# (police networks are air-gapped).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data: blob:",
        "style-src 'self' 'unsafe-inline'",
        "script-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
    ]
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        if request.user.is_authenticated if hasattr(request, "user") else False:
            # Pages about people must not linger in shared caches or the browser history cache.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class ApplicationErrorMiddleware:
    """A page whose view lets an ApplicationError out (a bad parameter: ``?date=x``) answers 400 with the
    message, and an AccessDenied 404, instead of a server error. Plain text: the message may quote what
    the user sent."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        return self.get_response(request)

    def process_exception(self, request: Any, exception: Exception) -> Any:
        from django.http import HttpResponseBadRequest, HttpResponseNotFound

        from .errors import AccessDenied, ApplicationError

        if isinstance(exception, AccessDenied):
            return HttpResponseNotFound(str(exception.message), content_type="text/plain; charset=utf-8")
        if isinstance(exception, ApplicationError):
            return HttpResponseBadRequest(str(exception.message), content_type="text/plain; charset=utf-8")
        return None

"""Password sign-in that refuses a locked-out username or address, whichever door is used (login page,
admin, API token)."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from .selectors import login_locked_until


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address as the server saw it. Behind a reverse proxy, the proxy (waitress with
    trusted_proxy, nginx with real_ip) must put the client's address in REMOTE_ADDR, or every user
    would share the proxy's lock-out count."""
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


class LockoutModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if login_locked_until(username=username, ip_address=client_address(request)) is not None:
            # PermissionDenied stops Django from trying any other backend and reports a failed sign-in.
            raise PermissionDenied("locked out")
        return super().authenticate(request, username=username, password=password, **kwargs)

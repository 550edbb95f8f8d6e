"""Where a request came from, so that services deep down can record it without passing the request around."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    user_agent: str = ""
    path: str = ""


NO_REQUEST = RequestContext()
current_request: ContextVar[RequestContext] = ContextVar("mahalla_request_context", default=NO_REQUEST)

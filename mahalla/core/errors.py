"""The one error type a user can cause. APIs map it to {"message", "extra"}; commands print it."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    def __init__(self, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class AccessDenied(ApplicationError):
    """The actor's role or territory does not allow this. Reported as 404 where existence itself is secret."""


class Conflict(ApplicationError):
    """The record changed since the caller read it (its version is older than the server's). Reported as 409
    with the server's current values in ``extra["server"]``, so that nothing is overwritten silently."""

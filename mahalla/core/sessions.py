"""Sessions that expire after inactivity without a database write on every request.

Django offers two choices: SESSION_SAVE_EVERY_REQUEST=True (the expiry counts from the last request, but
every page writes the session row, and SQLite serialises writers) or False (one write at sign-in, so the
session dies SESSION_COOKIE_AGE after sign-in however active the user is). This middleware sits between:
the session is saved, and its server-side expiry pushed forward, only when more than
SESSION_REFRESH_SECONDS have passed since the last save. The session stays in the database, so signing out
or deleting the row still ends it at once (docs/decisions/0003-sessions-and-worker-processes.md).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

# Seconds since the epoch of the last save; a private key that no view uses.
REFRESHED_AT_KEY = "_mahalla_refreshed_at"


def session_refresh_seconds() -> int:
    """The refresh interval, checked: it must be shorter than the session's age, or an active user would be
    signed out before the first refresh."""
    value = int(getattr(settings, "SESSION_REFRESH_SECONDS", 300))
    if value < 0 or value >= settings.SESSION_COOKIE_AGE:
        raise ImproperlyConfigured(
            f"SESSION_REFRESH_SECONDS must be between 0 and SESSION_COOKIE_AGE "
            f"({settings.SESSION_COOKIE_AGE}); got {value}."
        )
    return value


class InactivityRefreshSessionMiddleware(SessionMiddleware):
    """SessionMiddleware that refreshes a non-empty session at most once every SESSION_REFRESH_SECONDS.

    With SESSION_SAVE_EVERY_REQUEST off, Django saves only a modified session; marking the session modified
    when its last save is older than the interval gives an inactivity expiry between
    SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS and SESSION_COOKIE_AGE after the last request.
    """

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        super().__init__(get_response)
        self.refresh_seconds = session_refresh_seconds()

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        # An empty session (anonymous visitor, or just signed out and flushed) is never created here.
        if session is not None and not session.is_empty() and session.keys():
            now = int(time.time())
            last = session.get(REFRESHED_AT_KEY)
            if session.modified or not isinstance(last, int) or now - last >= self.refresh_seconds:
                session[REFRESHED_AT_KEY] = now
        return super().process_response(request, response)

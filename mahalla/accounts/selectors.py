"""Reads about accounts: the lock-out state of a sign-in."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from .models import LoginFailure


def login_failure_limit_per_address() -> int:
    # One office often shares one address: it may make several people's worth of typing mistakes.
    return int(getattr(settings, "LOGIN_FAILURE_LIMIT_PER_ADDRESS", 4 * settings.LOGIN_FAILURE_LIMIT))


def _locked_until(failure_times: list[dt.datetime], limit: int, window: dt.timedelta) -> dt.datetime | None:
    # Newest first. The sign-in opens again when the limit-th newest failure leaves the window: from then
    # on fewer than `limit` failures remain inside it.
    if limit <= 0 or len(failure_times) < limit:
        return None
    return failure_times[limit - 1] + window


def login_locked_until(*, username: str | None, ip_address: str | None) -> dt.datetime | None:
    """When the lock-out of this username or address ends, or None if sign-in is allowed now.

    Counted over the last LOGIN_LOCKOUT_MINUTES: LOGIN_FAILURE_LIMIT failures for one username (any letter
    case, so that "Admin" and "admin" share a count) or LOGIN_FAILURE_LIMIT_PER_ADDRESS from one address.
    """
    window = dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    since = timezone.now() - window
    ends: list[dt.datetime] = []
    if username:
        times = list(
            LoginFailure.objects.filter(username__iexact=username, at__gte=since)
            .order_by("-at")
            .values_list("at", flat=True)[: settings.LOGIN_FAILURE_LIMIT]
        )
        end = _locked_until(times, settings.LOGIN_FAILURE_LIMIT, window)
        if end is not None:
            ends.append(end)
    if ip_address:
        limit = login_failure_limit_per_address()
        times = list(
            LoginFailure.objects.filter(ip_address=ip_address, at__gte=since)
            .order_by("-at")
            .values_list("at", flat=True)[:limit]
        )
        end = _locked_until(times, limit, window)
        if end is not None:
            ends.append(end)
    return max(ends) if ends else None

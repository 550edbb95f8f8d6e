"""Reads about accounts: the lock-out state of a sign-in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import LoginFailure, User


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


def user_manageable_filter(actor: Any) -> Q:
    """The accounts an administrator manages: those whose scope lies inside its own (the rule of
    ``services.scope_within_actor``, as a filter). Fail-closed: anything else matches no account."""
    from mahalla.core.roles import Role

    if actor is None or getattr(actor, "role", None) != Role.ADMINISTRATOR:
        return Q(pk__in=[])
    return user_within_filter(actor)


def user_active_within_list(actor: Any, *, limit: int = 500) -> list[User]:
    """Active accounts working inside the actor's territory, by username: the names a page may offer to
    choose from (measure owners, alert assignees). Never the accounts of another territory."""
    return list(
        User.objects.filter(user_within_filter(actor), is_active=True)
        .only("id", "username", "first_name", "last_name")
        .order_by("username")[:limit]
    )


def user_within_filter(actor: Any) -> Q:
    """Accounts whose scope lies inside the actor's own scope. Fail-closed: an inactive actor, or a scope
    that is not country, region or district, matches no account."""
    from mahalla.core.roles import ScopeLevel

    nothing = Q(pk__in=[])
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return nothing
    mahalla_model = User._meta.get_field("scope_mahallas").related_model
    if (
        actor.scope_level == ScopeLevel.COUNTRY
        and actor.scope_region_id is None
        and actor.scope_district_id is None
    ):
        return Q()
    if actor.scope_level == ScopeLevel.REGION and actor.scope_region_id and actor.scope_district_id is None:
        outside = mahalla_model.objects.exclude(region_id=actor.scope_region_id)
        return (
            Q(scope_level=ScopeLevel.REGION, scope_region_id=actor.scope_region_id)
            | Q(scope_level=ScopeLevel.DISTRICT, scope_district__region_id=actor.scope_region_id)
            | (
                Q(
                    pk__in=User.objects.filter(
                        scope_level=ScopeLevel.MAHALLAS, scope_mahallas__isnull=False
                    ).values("pk")
                )
                & ~Q(pk__in=User.objects.filter(scope_mahallas__in=outside).values("pk"))
            )
        )
    if actor.scope_level == ScopeLevel.DISTRICT and actor.scope_district_id:
        outside = mahalla_model.objects.exclude(district_id=actor.scope_district_id)
        return Q(scope_level=ScopeLevel.DISTRICT, scope_district_id=actor.scope_district_id) | (
            Q(
                pk__in=User.objects.filter(
                    scope_level=ScopeLevel.MAHALLAS, scope_mahallas__isnull=False
                ).values("pk")
            )
            & ~Q(pk__in=User.objects.filter(scope_mahallas__in=outside).values("pk"))
        )
    return nothing

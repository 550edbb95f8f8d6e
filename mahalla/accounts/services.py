"""Writes on accounts: create a user, change a user's role and scope, deactivate; the lock-out counters.

Each account write is atomic, validated and audited. Only an active administrator may manage accounts, and
only inside the administrator's own territory: a regional administrator cannot create a country-wide
analyst. ``actor=None`` is the system itself (management commands, the demo), recorded as such.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from mahalla.audit.models import AuditAction
from mahalla.audit.services import audit_record
from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.core.roles import Role, ScopeLevel

from .models import LoginFailure, User

# Which scope fields each level needs, and which it may carry (a district may name its own region).
SCOPE_REQUIRES = {
    ScopeLevel.COUNTRY: frozenset(),
    ScopeLevel.REGION: frozenset({"scope_region"}),
    ScopeLevel.DISTRICT: frozenset({"scope_district"}),
    ScopeLevel.MAHALLAS: frozenset({"scope_mahallas"}),
}
SCOPE_ALLOWS = {
    **SCOPE_REQUIRES,
    ScopeLevel.DISTRICT: frozenset({"scope_district", "scope_region"}),
    ScopeLevel.MAHALLAS: frozenset({"scope_mahallas", "scope_district", "scope_region"}),
}


# ASCII only: a Cyrillic "а" in "admin" looks the same on screen and in the audit log.
USERNAME_PATTERN = re.compile(r"[A-Za-z0-9._@+-]{1,150}")


def _require_account_manager(actor: Any) -> None:
    if actor is None:
        return
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise AccessDenied(_("Only an active administrator may manage accounts."))
    if actor.role != Role.ADMINISTRATOR:
        raise AccessDenied(_("Only an active administrator may manage accounts."))


def user_scope_validate(
    *, role: str, scope_level: str, scope_region: Any, scope_district: Any, scope_mahallas: Sequence[Any]
) -> None:
    """A role and scope that a selector can use; anything else is refused here rather than stored and
    then silently seeing nothing."""
    if role not in Role.values:
        raise ApplicationError(
            _("Unknown role '%(value)s'.") % {"value": role}, {"field": "role", "value": role}
        )
    if scope_level not in ScopeLevel.values:
        raise ApplicationError(
            _("Unknown scope level '%(value)s'.") % {"value": scope_level},
            {"field": "scope_level", "value": scope_level},
        )
    level = ScopeLevel(scope_level)
    given = {
        "scope_region": scope_region is not None,
        "scope_district": scope_district is not None,
        "scope_mahallas": bool(scope_mahallas),
    }
    for field, present in given.items():
        if field in SCOPE_REQUIRES[level] and not present:
            raise ApplicationError(
                _("A %(level)s scope needs %(field)s.") % {"level": scope_level, "field": field},
                {"field": field},
            )
        if field not in SCOPE_ALLOWS[level] and present:
            raise ApplicationError(
                _("A %(level)s scope must not set %(field)s.") % {"level": scope_level, "field": field},
                {"field": field},
            )
    if (
        scope_level == ScopeLevel.DISTRICT
        and scope_region is not None
        and scope_region.pk != scope_district.region_id
    ):
        raise ApplicationError(
            _("District %(district)s is not in region %(region)s.")
            % {"district": scope_district.code, "region": scope_region.code},
            {"field": "scope_region"},
        )
    if scope_level == ScopeLevel.MAHALLAS:
        # Naming the district or region of the listed mahallas is allowed; naming another is an error.
        for mahalla in scope_mahallas:
            if scope_district is not None and mahalla.district_id != scope_district.pk:
                raise ApplicationError(
                    _("Mahalla %(mahalla)s is not in district %(district)s.")
                    % {"mahalla": mahalla.code, "district": scope_district.code},
                    {"field": "scope_mahallas"},
                )
            if scope_region is not None and mahalla.region_id != scope_region.pk:
                raise ApplicationError(
                    _("Mahalla %(mahalla)s is not in region %(region)s.")
                    % {"mahalla": mahalla.code, "region": scope_region.code},
                    {"field": "scope_mahallas"},
                )


def scope_within_actor(
    actor: Any, *, scope_level: str, scope_region: Any, scope_district: Any, scope_mahallas: Sequence[Any]
) -> bool:
    """Whether the given scope lies inside the managing administrator's own scope."""
    if actor is None or actor.scope_level == ScopeLevel.COUNTRY:
        return True
    if actor.scope_level == ScopeLevel.REGION:
        if scope_level == ScopeLevel.REGION:
            return scope_region.pk == actor.scope_region_id
        if scope_level == ScopeLevel.DISTRICT:
            return scope_district.region_id == actor.scope_region_id
        if scope_level == ScopeLevel.MAHALLAS:
            return all(mahalla.region_id == actor.scope_region_id for mahalla in scope_mahallas)
        return False
    if actor.scope_level == ScopeLevel.DISTRICT:
        if scope_level == ScopeLevel.DISTRICT:
            return scope_district.pk == actor.scope_district_id
        if scope_level == ScopeLevel.MAHALLAS:
            return all(mahalla.district_id == actor.scope_district_id for mahalla in scope_mahallas)
        return False
    if actor.scope_level == ScopeLevel.MAHALLAS and scope_level == ScopeLevel.MAHALLAS:
        own = set(actor.scope_mahallas.values_list("pk", flat=True))
        return {mahalla.pk for mahalla in scope_mahallas} <= own
    return False


def _user_within_actor(actor: Any, user: User) -> bool:
    return scope_within_actor(
        actor,
        scope_level=user.scope_level,
        scope_region=user.scope_region,
        scope_district=user.scope_district,
        scope_mahallas=list(user.scope_mahallas.all()),
    )


def _scope_details(user: User) -> dict[str, Any]:
    return {
        "role": user.role,
        "scope_level": user.scope_level,
        "scope_region": user.scope_region.code if user.scope_region else None,
        "scope_district": user.scope_district.code if user.scope_district else None,
        "scope_mahallas": sorted(user.scope_mahallas.values_list("code", flat=True)),
    }


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str | None,
    role: str,
    scope_level: str,
    scope_region: Any = None,
    scope_district: Any = None,
    scope_mahallas: Iterable[Any] = (),
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    position: str = "",
    organisation: str = "",
) -> User:
    """Create an account with a role and a territorial scope. ``password=None`` makes an account that can
    only sign in through single sign-on."""
    _require_account_manager(actor)
    mahallas = list(scope_mahallas)
    username = username.strip()
    if not username:
        raise ApplicationError(_("A username is required."), {"field": "username"})
    if not USERNAME_PATTERN.fullmatch(username):
        raise ApplicationError(
            _(
                "The username '%(value)s' is not allowed: use Latin letters, digits and . _ - @ + only "
                "(a look-alike letter from another script, markup or a tab would impersonate or mislead)."
            )
            % {"value": username[:40].encode("unicode_escape").decode("ascii")},
            {"field": "username", "value": username[:40]},
        )
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(
            _("The username '%(value)s' is taken.") % {"value": username},
            {"field": "username", "value": username},
        )
    user_scope_validate(
        role=role,
        scope_level=scope_level,
        scope_region=scope_region,
        scope_district=scope_district,
        scope_mahallas=mahallas,
    )
    if not scope_within_actor(
        actor,
        scope_level=scope_level,
        scope_region=scope_region,
        scope_district=scope_district,
        scope_mahallas=mahallas,
    ):
        raise AccessDenied(_("You may only give access inside your own territory."))
    user = User(
        username=username,
        role=role,
        scope_level=scope_level,
        scope_region=scope_region,
        scope_district=scope_district,
        first_name=first_name,
        last_name=last_name,
        email=email,
        position=position,
        organisation=organisation,
    )
    if password is None:
        user.set_unusable_password()
    else:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ApplicationError(" ".join(error.messages), {"field": "password"}) from error
        user.set_password(password)
    user.save()
    user.scope_mahallas.set(mahallas)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="accounts.user",
        object_id=user.pk,
        object_repr=user.username,
        details=_scope_details(user),
    )
    return user


@transaction.atomic
def user_create_from_sign_on(
    *, username: str, subject: str = "", email: str = "", first_name: str = "", last_name: str = ""
) -> User:
    """An account made at first single sign-on: no role and no scope, so it sees nothing until an
    administrator gives it access."""
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role="",
        scope_level="",
        sign_on_subject=subject or None,
    )
    user.set_unusable_password()
    user.save()
    audit_record(
        actor=None,
        action=AuditAction.CREATE,
        object_type="accounts.user",
        object_id=user.pk,
        object_repr=user.username,
        details={"via": "single sign-on", "role": "", "scope_level": ""},
    )
    return user


@transaction.atomic
def user_scope_change(
    *,
    actor: Any,
    user: User,
    role: str | None = None,
    scope_level: str,
    scope_region: Any = None,
    scope_district: Any = None,
    scope_mahallas: Iterable[Any] = (),
) -> User:
    """Give an account a new scope (and, when given, a new role). The administrator must hold both the old
    and the new territory."""
    _require_account_manager(actor)
    mahallas = list(scope_mahallas)
    new_role = user.role if role is None else role
    user_scope_validate(
        role=new_role,
        scope_level=scope_level,
        scope_region=scope_region,
        scope_district=scope_district,
        scope_mahallas=mahallas,
    )
    if user.scope_level and not _user_within_actor(actor, user):
        raise AccessDenied(_("This account is outside your territory."))
    if not scope_within_actor(
        actor,
        scope_level=scope_level,
        scope_region=scope_region,
        scope_district=scope_district,
        scope_mahallas=mahallas,
    ):
        raise AccessDenied(_("You may only give access inside your own territory."))
    before = _scope_details(user)
    user.role = new_role
    user.scope_level = scope_level
    user.scope_region = scope_region
    user.scope_district = scope_district
    user.save(update_fields=["role", "scope_level", "scope_region", "scope_district"])
    user.scope_mahallas.set(mahallas)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="accounts.user",
        object_id=user.pk,
        object_repr=user.username,
        details={"before": before, "after": _scope_details(user)},
    )
    return user


@transaction.atomic
def user_deactivate(*, actor: Any, user: User) -> User:
    """Close an account: it can no longer sign in, its API tokens are revoked, and every selector already
    treats an inactive account as seeing nothing."""
    _require_account_manager(actor)
    if actor is not None and actor.pk == user.pk:
        raise ApplicationError(_("You cannot deactivate your own account."), {"field": "user"})
    if user.scope_level and not _user_within_actor(actor, user):
        raise AccessDenied(_("This account is outside your territory."))
    user.is_active = False
    user.save(update_fields=["is_active"])
    Token.objects.filter(user=user).delete()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="accounts.user",
        object_id=user.pk,
        object_repr=user.username,
        details={"is_active": False},
    )
    return user


def login_failure_record(*, username: str, ip_address: str | None) -> LoginFailure:
    return LoginFailure.objects.create(username=username[:150], ip_address=ip_address or None)


def login_failures_clear(*, username: str) -> None:
    """After a successful sign-in the account's count starts again; the address's count is kept."""
    LoginFailure.objects.filter(username__iexact=username).delete()

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from mahalla.audit.models import AuditAction
from mahalla.audit.services import audit_record

from .backends import client_address
from .selectors import login_locked_until
from .services import login_failure_record, login_failures_clear


@receiver(user_logged_in)
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    login_failures_clear(username=user.get_username())
    audit_record(actor=user, action=AuditAction.LOGIN, object_type="accounts.user", object_id=user.pk)


@receiver(user_logged_out)
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action=AuditAction.LOGOUT, object_type="accounts.user", object_id=user.pk)


@receiver(user_login_failed)
def record_login_failure(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username") or "")[:150]
    address = client_address(request)
    locked = login_locked_until(username=username, ip_address=address) is not None
    # Attempts while locked are audited but not counted, so the lock ends on time rather than being
    # extended forever by whoever keeps trying.
    if username and not locked:
        login_failure_record(username=username, ip_address=address)
    audit_record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        object_type="accounts.user",
        details={"username": username, "locked": locked},
    )

"""`mahalla user_create`: bootstrapping accounts from the command line, through the audited service."""

from __future__ import annotations

import io
import sys

import pytest
from django.core.management import CommandError, call_command

from mahalla.accounts.models import User
from mahalla.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "a long and unusual passphrase 7\n"


def run(*args: str, password: str = PASSWORD) -> str:
    out = io.StringIO()
    stdin = io.StringIO(password)
    saved, sys.stdin = sys.stdin, stdin
    try:
        call_command("user-create", *args, "--password-stdin", stdout=out)
    finally:
        sys.stdin = saved
    return out.getvalue()


def test_the_first_administrator_is_created_from_the_command_line_and_audited():
    assert "Created root." in run("root", "--role", "administrator", "--scope", "country", "--staff")
    user = User.objects.get(username="root")
    assert (user.role, user.scope_level, user.is_staff) == ("administrator", "country", True)
    assert user.check_password("a long and unusual passphrase 7")
    event = AuditEvent.objects.get(action="create")
    assert (event.actor, event.object_id) == (None, str(user.pk))


def test_a_district_scope_is_given_by_its_code():
    run("chief", "--role", "district_chief", "--scope", "district", "--code", "1703202")
    assert User.objects.get(username="chief").scope_district.code == "1703202"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("x", "--role", "district_chief", "--scope", "district"), "takes 1 to 1 codes"),
        (
            ("x", "--role", "district_chief", "--scope", "district", "--code", "0000000"),
            "No territory with code '0000000'",
        ),
        (("x", "--role", "national_analyst", "--scope", "country", "--code", "1703"), "takes 0 to 0 codes"),
    ],
)
def test_a_wrong_scope_is_a_clear_error_and_creates_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not User.objects.filter(username="x").exists()


def test_a_weak_password_is_refused():
    with pytest.raises(CommandError, match="too short"):
        run("x", "--role", "national_analyst", "--scope", "country", password="short\n")

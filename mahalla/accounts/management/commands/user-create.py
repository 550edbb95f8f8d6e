"""`mahalla user-create USERNAME --role ROLE --scope LEVEL [--code CODE ...]`: an account with a role and
a scope, through the audited service as the system. The way to make the first administrator of a fresh
install (the API needs an administrator to exist)."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mahalla.accounts.models import User
from mahalla.accounts.services import user_create
from mahalla.core.errors import ApplicationError
from mahalla.core.management.base import MahallaCommand
from mahalla.core.roles import Role, ScopeLevel


def _territories(field: str, codes: list[str]) -> list[Any]:
    # Through the user model's own foreign keys: accounts imports nothing of territory.
    model: Any = User._meta.get_field(field).related_model
    found = {unit.code: unit for unit in model._default_manager.filter(code__in=codes)}
    missing = [code for code in codes if code not in found]
    if missing:
        raise CommandError(_("No territory with code '%(code)s'.") % {"code": missing[0]})
    return [found[code] for code in codes]


class Command(MahallaCommand):
    help = gettext_lazy("Create an account with a role and a territorial scope (audited, as the system).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--scope", required=True, choices=ScopeLevel.values)
        parser.add_argument(
            "--code",
            action="append",
            default=[],
            dest="codes",
            help=_("a region, district or mahalla code of the scope (repeat for several mahallas)"),
        )
        parser.add_argument("--staff", action="store_true", help=_("may sign in to the admin"))
        parser.add_argument(
            "--password-stdin", action="store_true", help=_("read the password from standard input")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scope = options["scope"]
        codes = options["codes"]
        expected = {"country": (0, 0), "region": (1, 1), "district": (1, 1), "mahallas": (1, 10_000)}[scope]
        if not expected[0] <= len(codes) <= expected[1]:
            raise CommandError(
                _("A %(level)s scope takes %(low)s to %(high)s codes, got %(count)s.")
                % {"level": scope, "low": expected[0], "high": expected[1], "count": len(codes)}
            )
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass(_("Password: "))
        territory: dict[str, Any] = {}
        if scope == ScopeLevel.REGION:
            territory["scope_region"] = _territories("scope_region", codes)[0]
        elif scope == ScopeLevel.DISTRICT:
            territory["scope_district"] = _territories("scope_district", codes)[0]
        elif scope == ScopeLevel.MAHALLAS:
            territory["scope_mahallas"] = _territories("scope_mahallas", codes)
        try:
            user = user_create(
                actor=None,
                username=options["username"],
                password=password,
                role=options["role"],
                scope_level=scope,
                **territory,
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        if options["staff"]:
            User.objects.filter(pk=user.pk).update(is_staff=True)
        self.stdout.write(_("Created %(username)s.") % {"username": user.username})

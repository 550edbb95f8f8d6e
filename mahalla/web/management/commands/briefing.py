"""`mahalla briefing --date D --territory CODE --out FILE.pdf`: the daily briefing as PDF (a thin wrapper).

The territory is a region or district code, or UZ for the country. The briefing is produced as `--user` sees
it; without --user it is produced for the operator of the server with national scope (whoever can run this
command can read the database anyway)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from mahalla.core.errors import AccessDenied
from mahalla.core.roles import Role, ScopeLevel
from mahalla.territory.access import access_district_by_code, access_region_by_code
from mahalla.web.briefing import briefing_context, briefing_html, briefing_pdf


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{value!r} is not a date in the form YYYY-MM-DD") from error


class Command(BaseCommand):
    help = "Write the daily briefing of the country (UZ), a region or a district as PDF (or HTML)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", type=_date, required=True)
        parser.add_argument("--territory", required=True, help="UZ, a region code or a district code")
        parser.add_argument("--out", required=True, help="output file; .html writes HTML, anything else PDF")
        parser.add_argument("--user", help="produce the briefing as this user sees it")
        parser.add_argument("--language", default="uz", choices=["uz", "ru", "en"])

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self._actor(options["user"])
        code = options["territory"].strip()
        with translation.override(options["language"]):
            region = district = None
            try:
                if code.upper() != "UZ":
                    try:
                        district = access_district_by_code(actor, code)
                        region = district.region
                    except AccessDenied:
                        region = access_region_by_code(actor, code)
                context = briefing_context(
                    actor=actor, date=options["date"], region=region, district=district
                )
            except AccessDenied as error:
                raise CommandError(f"territory {code!r}: {error.message}") from error
            if context["aggregate"] is None:
                raise CommandError(f"{options['date']} has not been analysed: run `mahalla analyze` first")
            out = Path(options["out"])
            if out.suffix.lower() == ".html":
                out.write_text(briefing_html(context), encoding="utf-8")
            else:
                out.write_bytes(briefing_pdf(context))
        self.stdout.write(f"wrote {out}")

    def _actor(self, username: str | None) -> Any:
        user_model = get_user_model()
        if username:
            actor = user_model.objects.filter(username=username, is_active=True).first()
            if actor is None:
                raise CommandError(f"no active user {username!r}")
            return actor
        # Unsaved: it exists only for the territorial filter and is never written anywhere.
        return user_model(username="operator", role=Role.NATIONAL_ANALYST, scope_level=ScopeLevel.COUNTRY)

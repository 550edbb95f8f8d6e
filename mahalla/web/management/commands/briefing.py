"""`mahalla briefing --date D --territory CODE --out FILE.pdf`: the daily briefing as PDF (a thin wrapper).

The territory is a region or district code, or UZ for the country. The briefing is produced as `--user` sees
it; without --user it is produced for the operator of the server with national scope (whoever can run this
command can read the database anyway)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mahalla.core.errors import AccessDenied
from mahalla.core.management.base import MahallaCommand, date_argument, date_option
from mahalla.core.roles import Role, ScopeLevel
from mahalla.territory.access import access_district_by_code, access_region_by_code


class Command(MahallaCommand):
    help = gettext_lazy(
        "Write the daily briefing of the country (UZ), a region or a district as PDF (or HTML)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", type=date_argument, required=True, help=gettext_lazy("YYYY-MM-DD"))
        parser.add_argument(
            "--territory", required=True, help=gettext_lazy("UZ, a region code or a district code")
        )
        parser.add_argument(
            "--out", required=True, help=gettext_lazy("output file; .html writes HTML, anything else PDF")
        )
        parser.add_argument("--user", help=gettext_lazy("produce the briefing as this user sees it"))
        parser.add_argument(
            "--language",
            choices=["uz", "ru", "en"],
            help=gettext_lazy("language of the briefing (default: the language of the run, --lang)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from mahalla.web.briefing import briefing_context, briefing_html, briefing_pdf

        options["date"] = date_option(options["date"], "--date")
        actor = self._actor(options["user"])
        code = options["territory"].strip()
        steps = iter(self.progress(range(2), total=2, desc=_("briefing")))
        with translation.override(options["language"] or translation.get_language()):
            region = district = None
            try:
                if code.upper() != "UZ":
                    try:
                        district = access_district_by_code(actor, code)
                        region = district.region
                    except AccessDenied:
                        region = access_region_by_code(actor, code)
                context = briefing_context(
                    actor=actor,
                    date=options["date"],
                    region=region,
                    district=district,
                    site_url=settings.SITE_URL,
                )
            except AccessDenied as error:
                raise CommandError(
                    _("territory %(code)r: %(reason)s") % {"code": code, "reason": error.message}
                ) from error
            if context["aggregate"] is None:
                raise CommandError(
                    _("%(date)s has not been analysed: run `mahalla analyze` first")
                    % {"date": options["date"]}
                )
            next(steps, None)
            out = Path(options["out"])
            if out.suffix.lower() == ".html":
                out.write_text(briefing_html(context), encoding="utf-8")
            else:
                out.write_bytes(briefing_pdf(context))
            next(steps, None)
            next(steps, None)
        self.stdout.write(_("wrote %(file)s") % {"file": out})

    def _actor(self, username: str | None) -> Any:
        user_model = get_user_model()
        if username:
            actor = user_model.objects.filter(username=username, is_active=True).first()
            if actor is None:
                raise CommandError(_("no active user %(name)r") % {"name": username})
            return actor
        # Unsaved: it exists only for the territorial filter and is never written anywhere.
        return user_model(username="operator", role=Role.NATIONAL_ANALYST, scope_level=ScopeLevel.COUNTRY)

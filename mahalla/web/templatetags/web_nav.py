"""The sections of the top navigation a user may use (web/base.html): the officials' and the roadmaps' pages
are linked only for the roles that work with them. Decided from the role alone, without a query (the tag
runs on every page); what the pages then show is limited by the user's territory as everywhere else."""

from __future__ import annotations

from typing import Any

from django import template

from mahalla.core.navigation import sections_for
from mahalla.core.paging import page_query as _page_query
from mahalla.core.roles import Role
from mahalla.roadmaps.access import MEASURE_WORKERS, ROADMAP_PLANNERS

register = template.Library()

# Officials: who decides on assignments (the chiefs), who proposes them (analysts, administrators), the
# responsible officials themselves, and oversight (prosecutors) - docs/officials.md, "Decisions".
OFFICIALS_USERS = frozenset(
    {
        Role.NATIONAL_ANALYST,
        Role.REGIONAL_CHIEF,
        Role.DISTRICT_CHIEF,
        Role.RESPONSIBLE_OFFICIAL,
        Role.PROSECUTOR,
        Role.ADMINISTRATOR,
    }
)
# Roadmaps: who plans them and who works on their measures (roadmaps/access.py), and national analysts and
# prosecutors, who follow progress and causes.
ROADMAPS_USERS = ROADMAP_PLANNERS | MEASURE_WORKERS | {Role.NATIONAL_ANALYST, Role.PROSECUTOR}


@register.simple_tag
def nav_sections(user: Any) -> dict[str, bool]:
    """{"officials": bool, "roadmaps": bool} for the signed-in `user`."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return {"officials": False, "roadmaps": False}
    role = getattr(user, "role", "")
    return {"officials": role in OFFICIALS_USERS, "roadmaps": role in ROADMAPS_USERS}


@register.simple_tag
def nav_entries(user: Any) -> list[dict[str, Any]]:
    """The sections that apps registered (mahalla.core.navigation) which `user` may see."""
    return sections_for(user)


@register.simple_tag
def page_query(request: Any, number: int) -> str:
    """The request's query string with `page` set to `number` (web/_pagination.html)."""
    return _page_query(request, number)

"""The top navigation's sections, declared by the apps that own them.

An app registers its section in its AppConfig.ready():

    from mahalla.core.navigation import NavigationSection, register_section
    register_section(NavigationSection(key="cyber", url_name="cyber:index", label=_("Cyber"),
                                       roles=CYBER_READERS, order=60))

web/base.html shows the sections whose `roles` contain the signed-in user's role, ordered by `order`. The
role decides only whether the link is shown; what the pages show is limited by the user's territory, as
everywhere else. Keeping the list here means a new app adds a menu entry without editing the layout."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavigationSection:
    key: str
    url_name: str
    label: Any  # a lazily translated string
    roles: frozenset[str]
    order: int = 100


_SECTIONS: dict[str, NavigationSection] = {}


def register_section(section: NavigationSection) -> None:
    """Add (or replace, by key) a section of the top navigation."""
    _SECTIONS[section.key] = section


def sections_for(user: Any) -> list[dict[str, Any]]:
    """The sections `user` may see, as {"key", "url", "label"} dicts in display order."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    role = getattr(user, "role", "")
    visible: Iterable[NavigationSection] = (s for s in _SECTIONS.values() if role in s.roles)
    entries = []
    for section in sorted(visible, key=lambda s: (s.order, s.key)):
        try:
            url = reverse(section.url_name)
        except NoReverseMatch:  # an app whose URLs are not installed in this configuration
            continue
        entries.append({"key": section.key, "url": url, "label": section.label})
    return entries

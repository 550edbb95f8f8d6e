"""The cyber section's tabs, each shown only to the roles its view lets in (no tab that answers 404)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mahalla.cyber.access import (
    CYBER_ANALYSTS,
    CYBER_BULLETINS,
    CYBER_DASHBOARD,
    CYBER_INTAKE,
    CYBER_READERS,
    has_role,
)

register = template.Library()

# (URL name, label, the roles its view requires): the same sets the views check in mahalla/cyber/views.py.
TABS = (
    ("cyber:index", _("Dashboard"), CYBER_DASHBOARD | CYBER_INTAKE),
    ("cyber:reports", _("Reports"), CYBER_READERS),
    ("cyber:campaigns", _("Campaigns"), CYBER_READERS),
    ("cyber:blocking", _("Blocking"), CYBER_ANALYSTS),
    ("cyber:bulletins", _("Bulletins"), CYBER_BULLETINS),
    ("cyber:report-new", _("New statement"), CYBER_INTAKE),
    ("cyber:import", _("Import"), CYBER_ANALYSTS),
)


@register.simple_tag
def cyber_tabs(user: Any) -> list[dict[str, Any]]:
    return [{"url": reverse(name), "label": label} for name, label, roles in TABS if has_role(user, roles)]

"""Small-count suppression for the aggregate panels: a role that may not read the person-level records
behind a count (the Mahalla Seven, the women's-affairs inspector) sees counts of 1 to 4 as "<5", so that
no panel points at a person (issue 12, part 8)."""

from __future__ import annotations

from typing import Any

from django import template

from mahalla.core.roles import OFFENCE_RECORD_READERS

register = template.Library()

SUPPRESSION_THRESHOLD = 5


@register.filter
def suppress_small(value: Any, user: Any) -> Any:
    if getattr(user, "role", None) in OFFENCE_RECORD_READERS:
        return value
    try:
        number = int(value)
    except (TypeError, ValueError):
        return value
    if 0 < number < SUPPRESSION_THRESHOLD:
        return "<5"
    return value

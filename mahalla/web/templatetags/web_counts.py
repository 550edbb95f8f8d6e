"""Small-count suppression for the aggregate panels: a role that may not read the person-level records
behind a count (the Mahalla Seven, the women's-affairs inspector) sees counts of 1 to 4 as "<5", so that
no panel points at a person (issue 12, part 8).

A value derived from a suppressed count is suppressed with it: the mahalla page's z = 2 (sqrt(now) -
sqrt(before)) beside a shown "before" gives "now" back exactly (now = (z / 2 + sqrt(before))^2), so z is
not shown where either count is suppressed (issue 9)."""

from __future__ import annotations

from typing import Any

from django import template

from mahalla.core.roles import OFFENCE_RECORD_READERS

register = template.Library()

SUPPRESSION_THRESHOLD = 5
# In place of a value derived from a suppressed count.
DERIVED_SUPPRESSED = "·"


def _suppressed(value: Any) -> bool:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return False
    return 0 < number < SUPPRESSION_THRESHOLD


@register.filter
def suppress_small(value: Any, user: Any) -> Any:
    if getattr(user, "role", None) in OFFENCE_RECORD_READERS:
        return value
    if _suppressed(value):
        return "<5"
    return value


@register.filter
def comparison_z(comparison: Any, user: Any) -> Any:
    """The z of a comparison row ({"current", "year_before", "z_year_before", ...}) for `user`: hidden where
    the reader may not read the records and either count is suppressed, since z would give it away."""
    z = (comparison or {}).get("z_year_before")
    if getattr(user, "role", None) in OFFENCE_RECORD_READERS:
        return z
    if _suppressed(comparison.get("current")) or _suppressed(comparison.get("year_before")):
        return DERIVED_SUPPRESSED
    return z

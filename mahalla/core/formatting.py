"""Numbers as the reader's language writes them: one convention per language, used by every page.

    uz: 12 345,6    ru: 12 345,6    en: 12,345.6

Thousands are always grouped (Django's locale formats give the separators: a no-break space and a decimal
comma for Uzbek and Russian, a comma and a decimal point for English). Templates use the filters of
`{% load numbers %}`: `{{ n|num }}` (a count), `{{ x|num:1 }}` (one decimal), `{{ z|num:2 }}` (a z-score),
`{{ share|percent }}` (a share 0..1 as "12,3 %"); a missing value is shown as "-"."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from django.utils import formats

MISSING = "-"


def number(value: Any, decimals: int = 0) -> str:
    """`value` with `decimals` decimals in the active language, grouped by thousands; "-" if missing."""
    if value is None or value == "":
        return MISSING
    try:
        numeric = value if isinstance(value, int | Decimal) else float(value)
    except (TypeError, ValueError):
        return str(value)
    if isinstance(numeric, float) and not math.isfinite(numeric):
        return MISSING
    # Rounded here: Django's number_format cuts the digits off instead of rounding them.
    numeric = round(numeric) if decimals == 0 else round(Decimal(str(numeric)), decimals)
    text = formats.number_format(numeric, decimal_pos=decimals, use_l10n=True, force_grouping=True)
    # "-0" and "-0,0" read as a change where there is none.
    if text.startswith("-") and not any(ch in "123456789" for ch in text):
        text = text[1:]
    return text


def percent(share: Any, decimals: int = 0) -> str:
    """A share between 0 and 1 as a percentage in the active language ("12 %", "12,5 %")."""
    if share is None or share == "":
        return MISSING
    try:
        return f"{number(float(share) * 100, decimals)}\u00a0%"
    except (TypeError, ValueError):
        return str(share)


def signed_number(value: Any, decimals: int = 0) -> str:
    """As `number`, with "+" before a positive value (a change, a z-score)."""
    text = number(value, decimals)
    if text != MISSING and not text.startswith("-") and any(ch in "123456789" for ch in text):
        return "+" + text
    return text

"""`{% load numbers %}`: `{{ n|num }}`, `{{ x|num:1 }}`, `{{ share|percent }}` (mahalla.core.formatting)."""

from __future__ import annotations

from typing import Any

from django import template

from mahalla.core import formatting

register = template.Library()


@register.filter
def num(value: Any, decimals: int | str = 0) -> str:
    """A number in the reader's language, grouped by thousands, with `decimals` decimals."""
    return formatting.number(value, int(decimals))


@register.filter
def percent(value: Any, decimals: int | str = 0) -> str:
    """A share between 0 and 1 as a percentage in the reader's language."""
    return formatting.percent(value, int(decimals))

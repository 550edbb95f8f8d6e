"""`{% load roadmaps_text %}`: `{{ roadmap|territory_label }}` (mahalla.roadmaps.presentation)."""

from __future__ import annotations

from typing import Any

from django import template

from mahalla.roadmaps.presentation import territory_label as _territory_label

register = template.Library()


@register.filter
def territory_label(item: Any) -> str:
    """The name of the roadmap's territory in the reader's language, instead of its code."""
    return _territory_label(item)

"""`{% load officials_text %}`: `{{ assignment|reason_text }}` (mahalla.officials.presentation)."""

from __future__ import annotations

from django import template

from mahalla.officials.models import Assignment
from mahalla.officials.presentation import assignment_reason

register = template.Library()


@register.filter
def reason_text(assignment: Assignment) -> str:
    """Why the official answers for the territory, in the reader's language."""
    return assignment_reason(assignment)

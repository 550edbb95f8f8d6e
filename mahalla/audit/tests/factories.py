"""Accounts for audit tests, made through the configured user model: audit sits below accounts in the
layers and imports none of it."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model

_numbers = itertools.count()


def user_create(**fields):
    fields.setdefault("username", f"audit-user-{next(_numbers)}")
    fields.setdefault("role", "national_analyst")
    fields.setdefault("scope_level", "country")
    return get_user_model().objects.create(**fields)

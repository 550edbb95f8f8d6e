"""Dates a user may give: parsed with a clear error, and kept within a range that arithmetic on them
(a year back, a quarter ahead) cannot overflow."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from .errors import ApplicationError

DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)


def date_check(value: dt.date, *, field: str = "date") -> dt.date:
    if not DATE_MIN <= value <= DATE_MAX:
        raise ApplicationError(
            _("%(value)s is outside the dates this platform handles (%(first)s to %(last)s).")
            % {"value": value.isoformat(), "first": DATE_MIN.isoformat(), "last": DATE_MAX.isoformat()},
            {"field": field, "value": value.isoformat()},
        )
    return value


def date_parse(value: str, *, field: str = "date") -> dt.date:
    try:
        parsed = dt.date.fromisoformat(value)
    except ValueError as error:
        raise ApplicationError(
            _("%(value)s is not a date (YYYY-MM-DD).") % {"value": value[:40]},
            {"field": field, "value": value[:40]},
        ) from error
    return date_check(parsed, field=field)

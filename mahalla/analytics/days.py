"""Tashkent days as datetime bounds: a light module (no pandas) that selectors and app-loading code import."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings


def local_day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[first 00:00, last + 1 day 00:00) in the platform's time zone: days are Tashkent days."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(first, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start, end

"""Load the inputs of the daily run as pandas frames: the mahallas and the offences of the history window.

Rows are read with `values_list` (tuples, never model instances): the national run reads a few hundred
thousand offences and model instances would cost most of the time budget.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connections
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast

from mahalla.analytics.days import local_day_bounds
from mahalla.incidents.models import Offence, OffenceCategory, OffenceCause
from mahalla.territory.models import District, Mahalla, Region

OFFENCE_FLAGS = ("involves_minor", "involves_youth", "involves_woman", "family_relation")


@dataclass(frozen=True)
class Inputs:
    """Everything the computation needs, with no database handle."""

    date: dt.date
    start: dt.date
    mahallas: pd.DataFrame  # index mahalla id; code, district_id, region_id, population, lat, lon
    offences: pd.DataFrame  # offence id, mahalla_id, category, day (datetime64), latitude, longitude, flags
    categories: list[str]
    severity: dict[str, float]
    causes: pd.DataFrame  # offence_id, cause code (offences of the last `cause_days` days only)
    regions: list[int]
    districts: pd.DataFrame  # index district id; region_id


def history_start(date: dt.date, history_days: int) -> dt.date:
    """First day loaded: far enough back for the year-to-date comparison with the year before."""
    year_before_start = dt.date(date.year - 1, 1, 1)
    return min(year_before_start, date - dt.timedelta(days=history_days - 1))


def _raw_rows(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list`` query as the database driver returns them, without Django's
    per-value converters (a timezone-aware datetime and four booleans per offence took a second for a
    nation's history); the caller converts whole columns with pandas. Instants are to be selected as text
    (:func:`_as_text`): the drivers' own datetime parsers run in Python, once a value."""
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _as_text(field: str) -> Cast:
    """The column cast to text in SQL: SQLite gives its stored UTC text, PostgreSQL the instant with its
    offset; pandas parses either in one vectorised pass, where the drivers' converters (Django's on SQLite,
    psycopg's with Django's time-zone loader on PostgreSQL) cost tenths of a second per nation's history."""
    return Cast(field, output_field=TextField())


def load_inputs(date: dt.date, *, history_days: int, code_kinds: list[str], cause_days: int = 365) -> Inputs:
    mahalla_rows = list(
        Mahalla.objects.order_by("id").values_list(
            "id", "code", "district_id", "region_id", "population", "centroid_lat", "centroid_lon"
        )
    )
    mahallas = pd.DataFrame(
        mahalla_rows, columns=["id", "code", "district_id", "region_id", "population", "lat", "lon"]
    ).set_index("id")
    categories = list(
        OffenceCategory.objects.order_by("ordering", "code").values_list("id", "code", "severity")
    )
    category_code = {pk: code for pk, code, _severity in categories}
    start = history_start(date, history_days)
    window_start, window_end = local_day_bounds(start, date)
    offence_rows = _raw_rows(
        Offence.objects.filter(
            occurred_at__gte=window_start, occurred_at__lt=window_end, code_kind__in=code_kinds
        )
        .annotate(occurred_text=_as_text("occurred_at"))
        .values_list(
            "id", "mahalla_id", "category_id", "occurred_text", "latitude", "longitude", *OFFENCE_FLAGS
        )
    )
    offences = pd.DataFrame(
        offence_rows,
        columns=["id", "mahalla_id", "category_id", "occurred_at", "latitude", "longitude", *OFFENCE_FLAGS],
    )
    # Not every offence is geocoded: a missing coordinate is NaN (the grid forecast leaves it out).
    for coordinate in ("latitude", "longitude"):
        offences[coordinate] = pd.to_numeric(offences[coordinate], errors="coerce").astype(float)
    # SQLite gives the instants as UTC text (with or without fractions of a second), PostgreSQL as text with
    # the offset of the session's time zone: both parse to the same UTC timestamps, in one vectorised pass.
    occurred = pd.to_datetime(offences["occurred_at"], utc=True, format="ISO8601").dt.tz_convert(
        settings.TIME_ZONE
    )
    offences["day"] = occurred.dt.tz_localize(None).dt.normalize().astype("datetime64[ns]")
    offences["category"] = offences["category_id"].map(category_code).astype(object)
    offences = offences.drop(columns=["occurred_at", "category_id"])
    for flag in OFFENCE_FLAGS:
        offences[flag] = offences[flag].astype(bool)
    cause_start, cause_end = local_day_bounds(date - dt.timedelta(days=cause_days - 1), date)
    cause_rows = list(
        OffenceCause.objects.filter(
            offence__occurred_at__gte=cause_start,
            offence__occurred_at__lt=cause_end,
            offence__code_kind__in=code_kinds,
        ).values_list("offence_id", "cause__code")
    )
    causes = pd.DataFrame(cause_rows, columns=["offence_id", "cause"])
    districts = pd.DataFrame(
        list(District.objects.order_by("id").values_list("id", "region_id")), columns=["id", "region_id"]
    ).set_index("id")
    return Inputs(
        date=date,
        start=start,
        mahallas=mahallas,
        offences=offences,
        categories=[code for _pk, code, _s in categories],
        severity={code: float(severity) for _pk, code, severity in categories},
        causes=causes,
        regions=list(Region.objects.order_by("id").values_list("id", flat=True)),
        districts=districts,
    )


def projected_centroids(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Centroids in metres for nearest-neighbour circles: an equirectangular projection about the mean
    latitude. Over Uzbekistan (37-46 N) the distortion of distances between nearby mahallas is below 1 %,
    which does not change who is whose nearest neighbour in practice; missing centroids go far away so that
    they are never anybody's neighbour."""
    earth_radius = 6_371_000.0
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    known = np.isfinite(lat) & np.isfinite(lon)
    lat0 = float(np.mean(lat[known])) if known.any() else 41.0
    x = np.radians(np.where(known, lon, 0.0)) * earth_radius * np.cos(np.radians(lat0))
    y = np.radians(np.where(known, lat, 0.0)) * earth_radius
    missing = ~known
    if missing.any():
        # Spread unknown centroids 10,000 km apart: each is its own circle.
        x[missing] = 1e10 + np.arange(int(missing.sum())) * 1e7
        y[missing] = 0.0
    return np.column_stack([x, y])

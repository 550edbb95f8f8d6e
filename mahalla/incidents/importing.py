"""Import of offences from CSV/XLSX/JSONL (docs/import-formats.md), and the batch record of every import.

Built for volume (a million rows in well under 1 GB): the file is streamed in chunks; each chunk is validated
column by column with dict look-ups for codes, articles and causes and one STRtree query for all its
coordinates, from the second chunk on in a worker process while the importing one stores the previous chunk;
valid rows go to staging tables (`executemany` into a temporary table on SQLite, `COPY` on PostgreSQL) outside
any transaction, and only when the whole file is valid (or
`skip_invalid`) are they merged into the offences in ONE short transaction of set-based statements, so a
refused file changes nothing and SQLite's write lock is held for the merge only.

Idempotency: offences are keyed by (`source_system`, `registration_number`). A row whose key is stored already
is not written again: "unchanged" when it matches the stored offence, "conflicting" when it differs. Conflicts
are reported (row, key, differing columns) and the stored offence is kept: an import never rewrites a
registered offence behind the analyses already run on it; corrections are made in the source system's record
and loaded through a deliberate correction, not a re-import. A key twice in one file is an error on the later
row, naming the first.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import logging
import multiprocessing
import os
import threading
import time
import traceback
from collections import defaultdict
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

import numpy as np
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import shape

from mahalla.audit.models import AuditAction
from mahalla.audit.services import audit_record
from mahalla.core.tabular import (
    ProgressCallback,
    RejectsWriter,
    RowChunk,
    RowError,
    TableReader,
    TabularError,
)
from mahalla.territory.geometry import MahallaLocator
from mahalla.territory.importing import (
    BatchRecorder,
    ImportOutcome,
    ImportRejected,
    coordinate_parse,
    import_failure_record,
    import_refused,
    territory_import,
)
from mahalla.territory.models import Mahalla

from .formats import OFFENCE_COLUMNS, OFFENCE_FLAGS
from .models import (
    ArticleCategoryRule,
    CauseCode,
    CodeKind,
    CyberMethod,
    ImportBatch,
    Offence,
    OffenceCause,
    OffenceStatus,
    PlaceType,
)

logger = logging.getLogger(__name__)
TASHKENT = ZoneInfo("Asia/Tashkent")
# An offence dated more than a day ahead of the server clock is a typing error, not a record.
FUTURE_SLACK = dt.timedelta(days=1)
# Bulk-load mode (see _BulkLoad) only for files of at least this many rows.
BULK_LOAD_MIN_ROWS = 10_000
SQLITE_IMPORT_CACHE_KIB = 256 * 1024
# SQLite's own default page cache (2 MB), for building indexes: CREATE INDEX sorts in runs sized by the cache,
# and on a million offences it took 1.95 s of CPU with the import's 256 MB cache against 0.99 s with this one
# (0.91 s at 500 KB, 1.27 s at 8 MB; a temporary store in memory doubled it).
SQLITE_INDEX_BUILD_CACHE_KIB = 2000
# Helper threads of SQLite's sorter while the indexes are built (see _BulkLoad.finish).
SQLITE_INDEX_BUILD_THREADS = min(4, os.cpu_count() or 1)


def _offences_stored_estimate() -> int:
    """Roughly how many offences are stored, without counting a large table row by row."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [Offence._meta.db_table]
            )
            row = cursor.fetchone()
            if row and row[0] >= 0:
                return int(row[0])
        return Offence.objects.count()


OFFENCE_REQUIRED = ("source_system", "registration_number", "code_kind", "article", "occurred_at")
TEXT_LIMITS = {
    "source_system": 40,
    "registration_number": 64,
    "article": 20,
    "article_part": 20,
    "victim_ref": 64,
    "offender_ref": 64,
}
BOOLEANS = {"": False, "0": False, "false": False, "no": False, "1": True, "true": True, "yes": True}

# Model fields staged for a new offence, in the order of the record lists built below (each record starts
# with its row number in the file, which keys the staging tables).
STAGED_FIELDS = (
    "source_system",
    "registration_number",
    "code_kind",
    "article",
    "article_part",
    "category",
    "occurred_at",
    "registered_at",
    "mahalla",
    "district",
    "region",
    "latitude",
    "longitude",
    "place_type",
    "cyber_method",
    "victim_ref",
    "offender_ref",
    "status",
    *OFFENCE_FLAGS,
)
# Compared with a stored offence of the same key to tell "unchanged" from "conflicting".
COMPARED_FIELDS = STAGED_FIELDS[2:]
# Temporary tables of the import's connection (docs/decisions/0002-imports-conflicts-and-bulk-load.md).
STAGING_TABLE = "mahalla_import_offence"
STAGING_CAUSE_TABLE = "mahalla_import_cause"
STAGING_MATCH_TABLE = "mahalla_import_match"
# Conflicts reported in detail (all are counted).
CONFLICTS_REPORTED = 200


# -- reference data --------------------------------------------------------------------------------------


@dataclass
class _Reference:
    """Codes resolved by dict look-up; the point-in-polygon index is built on first need."""

    mahallas: dict[str, tuple[int, int, int]]
    rules: dict[tuple[str, str], list[tuple[str, dt.date | None, dt.date | None, int]]]
    causes: dict[str, int]
    category_cache: dict[tuple[str, str, bool, dt.date], int | str] = field(default_factory=dict)
    _locator: MahallaLocator | None = None
    _by_id: dict[int, tuple[int, int, int]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> _Reference:
        mahallas = {
            code: (pk, district_id, region_id)
            for pk, code, district_id, region_id in Mahalla.objects.values_list(
                "id", "code", "district_id", "region_id"
            )
        }
        rules: dict[tuple[str, str], list[tuple[str, dt.date | None, dt.date | None, int]]] = defaultdict(
            list
        )
        for rule in ArticleCategoryRule.objects.all():
            rules[(rule.code_kind, rule.article.strip().lower())].append(
                (rule.condition, rule.valid_from, rule.valid_to, rule.category_id)
            )
        causes = dict(CauseCode.objects.values_list("code", "id"))
        return cls(mahallas=mahallas, rules=dict(rules), causes=causes)

    @property
    def locator(self) -> MahallaLocator:
        if self._locator is None:
            keys: list[tuple[int, int, int]] = []
            boundaries = []
            # In code order: a point on an edge shared by two mahallas goes to the lower code.
            rows = (
                Mahalla.objects.filter(boundary__isnull=False)
                .order_by("code")
                .values_list("id", "district_id", "region_id", "boundary")
            )
            for pk, district_id, region_id, boundary in rows.iterator(chunk_size=2000):
                if boundary:
                    keys.append((pk, district_id, region_id))
                    # Stored boundaries were validated by the territory import.
                    boundaries.append(shape(boundary))
            self._locator = MahallaLocator(keys, boundaries)
        return self._locator

    def category(self, code_kind: str, article: str, computer_means: bool, day: dt.date) -> int | str:
        """The category id, or the reason why there is none."""
        key = (code_kind, article, computer_means, day)
        found = self.category_cache.get(key)
        if found is None:
            found = self._category_resolve(*key)
            self.category_cache[key] = found
        return found

    def _category_resolve(
        self, code_kind: str, article: str, computer_means: bool, day: dt.date
    ) -> int | str:
        rules = self.rules.get((code_kind, article.lower()))
        if not rules:
            return _("unknown article of the %(code)s code: no category rule") % {"code": code_kind}
        valid = [
            (condition, category)
            for condition, start, end, category in rules
            if (start is None or start <= day) and (end is None or day < end)
        ]
        if not valid:
            spans = ", ".join(f"{start or '...'} - {end or '...'}" for _c, start, end, _k in rules)
            return _("article %(article)s has no category rule in force on %(day)s (rules: %(spans)s)") % {
                "article": article,
                "day": day.isoformat(),
                "spans": spans,
            }
        # A rule with the computer-means condition takes precedence when the offence has the flag.
        if computer_means:
            for condition, category in valid:
                if condition == ArticleCategoryRule.Condition.COMPUTER_MEANS:
                    return category
        for condition, category in valid:
            if condition == ArticleCategoryRule.Condition.NONE:
                return category
        return _(
            "article %(article)s is categorised only when committed by computer means or with a bank card"
        ) % {"article": article}


def _datetime_parse(text: str) -> tuple[dt.datetime, dt.date]:
    """An ISO 8601 date-time (or date) as (naive UTC datetime, its calendar day in Tashkent). A time
    without an offset is Tashkent time. Naive UTC internally because attaching a tzinfo costs more than
    the rest of the parse; the writers and the comparison with stored offences treat it as UTC."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            _("not an ISO 8601 date-time (expected e.g. 2025-03-14T18:30 or 2025-03-14)")
        ) from None
    try:
        if value.tzinfo is None:
            return value - _tashkent_offset(value), value.date()
        return value.astimezone(dt.UTC).replace(tzinfo=None), value.astimezone(TASHKENT).date()
    except OverflowError:
        # The first or last hours of the calendar (0001-01-01, 9999-12-31) have no UTC time to store.
        raise ValueError(_("lies outside the range of dates that can be stored")) from None


_TASHKENT_OFFSETS: dict[int, dt.timedelta] = {}


def _tashkent_offset(local: dt.datetime) -> dt.timedelta:
    """UTC offset of a naive Tashkent time from the tz database, looked up once per local hour: every change
    of offset in Tashkent's history falls on a whole hour."""
    hour = local.toordinal() * 24 + local.hour
    offset = _TASHKENT_OFFSETS.get(hour)
    if offset is None:
        offset = local.replace(minute=0, second=0, microsecond=0, tzinfo=TASHKENT).utcoffset()
        assert offset is not None
        _TASHKENT_OFFSETS[hour] = offset
    return offset


# -- validation of a chunk -------------------------------------------------------------------------------
#
# Column by column, in numpy and pandas: a column of codes is factorised and each distinct value is checked
# once by the rule (the same function a single row would go through); dates and coordinates are parsed as
# whole columns, and only the rows that the vectorised parse cannot take are walked one by one, through the
# per-value parser that names the reason. Every error still names its row, column and value; the checks run
# in the same order for every row, so a row's errors are listed in the same order as before.

# The forms of a date-time without an offset that a source system writes, with the positions of their
# separators. A value of exactly this shape is parsed by pandas (same result as `datetime.fromisoformat`, a
# strict shape being checked first: pandas alone would take "2024-1-01"); anything else (an offset, a
# fraction of a second, a typing error) goes through `_datetime_parse`, which parses it or names the reason.
_DATETIME_SHAPES = (
    ("%Y-%m-%dT%H:%M:%S", {4: "-", 7: "-", 10: "T", 13: ":", 16: ":"}),
    ("%Y-%m-%d %H:%M:%S", {4: "-", 7: "-", 10: " ", 13: ":", 16: ":"}),
    ("%Y-%m-%dT%H:%M", {4: "-", 7: "-", 10: "T", 13: ":"}),
    ("%Y-%m-%d %H:%M", {4: "-", 7: "-", 10: " ", 13: ":"}),
    ("%Y-%m-%d", {4: "-", 7: "-"}),
)
_NAT = np.datetime64("NaT", "us")


def _shape_matches(text: np.ndarray, width: int, separators: dict[int, str]) -> np.ndarray:
    """Rows of a fixed-width unicode array of exactly `width` characters, digits everywhere but at the
    separators."""
    if text.dtype.itemsize // 4 < width:
        return np.zeros(len(text), dtype=bool)
    codes = text.view(np.uint32).reshape(len(text), -1)
    matches = np.ones(len(text), dtype=bool)
    if codes.shape[1] > width:
        matches &= codes[:, width] == 0
    for position in range(width):
        column = codes[:, position]
        if position in separators:
            matches &= column == ord(separators[position])
        else:
            # Tens of minutes and seconds at most 5: pandas would roll a leap second over to the next minute.
            matches &= (column >= 48) & (column <= (53 if position in (14, 17) else 57))
    return matches


def _datetimes_parse(values: list[str]) -> tuple[np.ndarray, np.ndarray, dict[int, str]]:
    """`_datetime_parse` of a column: (naive UTC datetime64[us], the Tashkent day as datetime64[D], the reason
    per position of an unparsable value). Empty values are NaT, without a reason."""
    import pandas as pd

    n = len(values)
    utc = np.full(n, _NAT)
    days = np.full(n, np.datetime64("NaT", "D"))
    reasons: dict[int, str] = {}
    pending = np.fromiter(map(len, values), dtype=np.int64, count=n) > 0
    if not pending.any():
        return utc, days, reasons
    # Wide enough for the longest form plus one: a longer value is cut there and matches no shape.
    text = np.array(values, dtype="U20")
    local = np.full(n, _NAT)
    series = pd.Series(values, dtype=object)
    for form, separators in _DATETIME_SHAPES:
        width = len(dt.datetime(2000, 1, 1).strftime(form))
        rows = np.flatnonzero(pending & _shape_matches(text, width, separators))
        if len(rows) == 0:
            continue
        parsed = pd.to_datetime(series.iloc[rows], format=form, errors="coerce").to_numpy("datetime64[us]")
        good = ~np.isnat(parsed)
        local[rows[good]] = parsed[good]
        pending[rows[good]] = False
    # The calendar's first and last days go through `_datetime_parse`, which refuses those that have no UTC
    # time (numpy would store a year 0).
    edge = (local < np.datetime64("0001-01-02", "us")) | (local >= np.datetime64("9999-12-31", "us"))
    pending |= edge
    local[edge] = _NAT
    fast = ~np.isnat(local)
    if fast.any():
        # Local Tashkent time to UTC: the offset from the tz database, once per distinct local hour (every
        # change of offset in Tashkent's history falls on a whole hour).
        hours, hour_of = np.unique(local[fast].astype("datetime64[h]").astype(np.int64), return_inverse=True)
        offsets = np.array(list(map(_tashkent_offset_of_hour, hours.tolist())), dtype=np.int64).astype(
            "timedelta64[us]"
        )
        utc[fast] = local[fast] - offsets[hour_of]
        days[fast] = local[fast].astype("datetime64[D]")
    for i in np.flatnonzero(pending).tolist():
        try:
            moment, day = _datetime_parse(values[i])
        except ValueError as exc:
            reasons[i] = str(exc)
            continue
        utc[i] = np.datetime64(moment, "us")
        days[i] = np.datetime64(day, "D")
    return utc, days, reasons


_TASHKENT_OFFSETS_US: dict[int, int] = {}


def _tashkent_offset_of_hour(hour: int) -> int:
    """`_tashkent_offset` of a local hour counted from the epoch, in microseconds; memoised."""
    offset = _TASHKENT_OFFSETS_US.get(hour)
    if offset is None:
        local = dt.datetime(1970, 1, 1) + dt.timedelta(hours=hour)
        offset = _TASHKENT_OFFSETS_US[hour] = _tashkent_offset(local) // dt.timedelta(microseconds=1)
    return offset


def _datetimes_text(values: np.ndarray) -> list[str]:
    """Naive UTC datetimes as the text Django's SQLite backend stores (`datetime.isoformat(" ")`: seconds,
    and microseconds only when there are some); PostgreSQL reads the same text in a UTC session."""
    text = np.datetime_as_string(values.astype("datetime64[s]"), unit="s")
    text.view(np.uint32).reshape(len(text), -1)[:, 10] = ord(" ")
    out: list[str] = text.tolist()
    fractional = np.flatnonzero(values != values.astype("datetime64[s]"))
    for i in fractional.tolist():
        out[i] = values[i].astype(dt.datetime).isoformat(" ")
    return out


def _coordinates_parse(values: list[str], *, latitude: bool) -> tuple[np.ndarray, dict[int, str]]:
    """`coordinate_parse` of a column: the numbers (NaN where empty or refused) and the reason per position
    of a refused value. numpy converts text with Python's own `float`, so the numbers are bit for bit those
    of the per-value parser; a column it cannot convert whole (a decimal comma, a typing error) and every
    value out of range go through `coordinate_parse`, which parses it or names the reason."""
    n = len(values)
    empty = np.fromiter(map(len, values), dtype=np.int64, count=n) == 0
    numbers = np.full(n, np.nan)
    reasons: dict[int, str] = {}
    try:
        numbers = np.array([value or "nan" for value in values], dtype=np.float64)
        suspects = np.flatnonzero(~empty & ~(np.abs(numbers) <= (90.0 if latitude else 180.0)))
    except ValueError:
        suspects = np.flatnonzero(~empty)
    for i in suspects.tolist():
        try:
            numbers[i] = coordinate_parse(values[i], latitude=latitude)
        except ValueError as exc:
            numbers[i] = np.nan
            reasons[i] = str(exc)
    return numbers, reasons


def _factorised(values: list[str]) -> tuple[np.ndarray, list[str]]:
    """(code per row, distinct values stripped): a rule over a column of codes runs once per value. Plain
    dicts (C hashing of str) are three times faster here than pandas.factorize on an object array."""
    uniques = list(dict.fromkeys(values))
    index = {value: k for k, value in enumerate(uniques)}
    codes = np.fromiter(map(index.__getitem__, values), dtype=np.intp, count=len(values))
    return codes, [value.strip() for value in uniques]


@dataclass
class _Validated:
    """The valid rows of a chunk column by column: the row numbers, then STAGED_FIELDS, as lists of plain
    Python values that the database drivers take (datetimes as text, see `_datetimes_text`); and their causes
    as (row number, cause id) pairs."""

    columns: list[list[Any]] = field(default_factory=list)
    causes: list[tuple[int, int]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.columns[0]) if self.columns else 0


def _chunk_validate(
    chunk: RowChunk, reference: _Reference, seen: dict[str, int], now: dt.datetime
) -> tuple[_Validated, dict[int, list[RowError]]]:
    n = len(chunk.numbers)
    numbers = chunk.numbers
    index_of = {name: i for i, name in enumerate(chunk.columns)}
    errors: dict[int, list[RowError]] = {}
    position_of = {number: i for i, number in enumerate(numbers)} if chunk.row_errors else {}
    for number, row_errors in chunk.row_errors.items():
        errors[position_of[number]] = list(row_errors)
    skipped = np.zeros(n, dtype=bool)
    skipped[list(errors)] = True

    transposed = list(zip(*chunk.cells, strict=True))
    empty_column = [""] * n

    def raw(name: str) -> list[str]:
        i = index_of.get(name)
        return empty_column if i is None else list(transposed[i])

    def column(name: str) -> list[str]:
        i = index_of.get(name)
        return empty_column if i is None else list(map(str.strip, transposed[i]))

    def fail(position: int, name: str, value: str, reason: str) -> None:
        errors.setdefault(position, []).append(RowError(numbers[position], name, value, reason))

    def fail_by_value(
        codes: np.ndarray, uniques: list[str], bad: dict[int, str], name: str, where: np.ndarray | None = None
    ) -> None:
        """Fails every row whose distinct value (by code) has a reason in `bad`, in row order."""
        if not bad:
            return
        rows = np.isin(codes, list(bad))
        if where is not None:
            rows &= where
        for i in np.flatnonzero(rows).tolist():
            fail(i, name, uniques[codes[i]], bad[codes[i]])

    text: dict[str, list[str]] = {name: column(name) for name in TEXT_LIMITS}
    for name, limit in TEXT_LIMITS.items():
        values = text[name]
        if max(map(len, values), default=0) > limit:
            for i, value in enumerate(values):
                if len(value) > limit:
                    fail(i, name, value, _("longer than %(limit)s characters") % {"limit": limit})
    for name in ("source_system", "registration_number", "article"):
        values = text[name]
        if "" in values:
            for i, value in enumerate(values):
                if not value and not skipped[i]:
                    fail(i, name, value, _("required"))

    valid_kinds = set(CodeKind.values)
    kind_codes, kind_uniques = _factorised(raw("code_kind"))
    kind_uniques = [value.lower() for value in kind_uniques]
    kind_known = np.array([value in valid_kinds for value in kind_uniques], dtype=bool)
    fail_by_value(
        kind_codes,
        kind_uniques,
        {
            k: _("must be %(choices)s") % {"choices": " or ".join(CodeKind.values)}
            for k, known in enumerate(kind_known)
            if not known
        },
        "code_kind",
        ~skipped,
    )
    kind_valid = kind_known[kind_codes] if n else np.zeros(0, dtype=bool)
    code_kinds = np.array(kind_uniques + [""], dtype=object)[kind_codes]

    flags: dict[str, np.ndarray] = {}
    for name in OFFENCE_FLAGS:
        codes, uniques = _factorised(raw(name))
        parsed = [BOOLEANS.get(value, BOOLEANS.get(value.lower())) for value in uniques]
        fail_by_value(
            codes,
            uniques,
            {
                k: _("not a boolean (use 1/0, true/false or yes/no)")
                for k, flag in enumerate(parsed)
                if flag is None
            },
            name,
        )
        flags[name] = np.array([bool(flag) for flag in parsed] + [False], dtype=bool)[codes]

    choices: dict[str, np.ndarray] = {}
    for name, allowed, default in (
        ("place_type", PlaceType.values, PlaceType.OTHER.value),
        ("cyber_method", CyberMethod.values, ""),
        ("status", OffenceStatus.values, OffenceStatus.REGISTERED.value),
    ):
        allowed_set = set(allowed)
        codes, uniques = _factorised(raw(name))
        uniques = [value.lower() or default for value in uniques]
        fail_by_value(
            codes,
            uniques,
            {
                k: _("must be one of %(choices)s") % {"choices": ", ".join(allowed)}
                for k, value in enumerate(uniques)
                if value not in allowed_set and value != default
            },
            name,
        )
        choices[name] = np.array(uniques + [default], dtype=object)[codes]

    horizon = np.datetime64(now + FUTURE_SLACK, "us")
    occurred_text = column("occurred_at")
    occurred, occurred_days, reasons = _datetimes_parse(occurred_text)
    occurred_empty = np.fromiter(map(len, occurred_text), dtype=np.int64, count=n) == 0
    occurred_future = occurred > horizon
    for i in np.flatnonzero(occurred_empty | occurred_future | np.isnat(occurred)).tolist():
        if occurred_empty[i]:
            if not skipped[i]:
                fail(i, "occurred_at", "", _("required"))
        elif i in reasons:
            fail(i, "occurred_at", occurred_text[i], reasons[i])
        else:
            fail(i, "occurred_at", occurred_text[i], _("lies in the future"))
    registered_text = column("registered_at")
    registered, _registered_days, reasons = _datetimes_parse(registered_text)
    registered_given = np.fromiter(map(len, registered_text), dtype=np.int64, count=n) > 0
    registered_bad = registered_given & (np.isnat(registered) | (registered > horizon))
    registered_bad |= registered_given & (registered < occurred)
    for i in np.flatnonzero(registered_bad).tolist():
        value = registered_text[i]
        if i in reasons:
            fail(i, "registered_at", value, reasons[i])
            continue
        if registered[i] < occurred[i]:
            fail(i, "registered_at", value, _("precedes occurred_at"))
        if registered[i] > horizon:
            fail(i, "registered_at", value, _("lies in the future"))
    registered = np.where(registered_given, registered, occurred)

    cause_codes, cause_uniques = _factorised(raw("causes"))
    cause_ids: list[list[int]] = []
    for k, value in enumerate(cause_uniques):
        ids: list[int] = []
        unknown: list[str] = []
        for code in dict.fromkeys(part.strip() for part in value.split(";")) if value else ():
            if not code:
                continue
            cause = reference.causes.get(code) or reference.causes.get(code.upper())
            if cause is None:
                unknown.append(code)
            else:
                ids.append(cause)
        cause_ids.append(ids)
        if unknown:
            # One error per unknown code, as a row has them.
            for i in np.flatnonzero(cause_codes == k).tolist():
                for code in unknown:
                    fail(i, "causes", value, _("unknown cause code %(code)r") % {"code": code})

    latitudes = column("latitude")
    longitudes = column("longitude")
    lat_values, lat_reasons = _coordinates_parse(latitudes, latitude=True)
    lon_values, lon_reasons = _coordinates_parse(longitudes, latitude=False)
    lat_given = np.fromiter(map(len, latitudes), dtype=np.int64, count=n) > 0
    lon_given = np.fromiter(map(len, longitudes), dtype=np.int64, count=n) > 0
    for i in np.flatnonzero(lat_given | lon_given).tolist():
        if not lat_given[i] or not lon_given[i]:
            name = "latitude" if not lat_given[i] else "longitude"
            fail(i, name, "", _("give both latitude and longitude or neither"))
            continue
        if i in lat_reasons:
            fail(i, "latitude", latitudes[i], lat_reasons[i])
        if i in lon_reasons:
            fail(i, "longitude", longitudes[i], lon_reasons[i])
    has_point = ~np.isnan(lat_values) & ~np.isnan(lon_values)

    # The mahalla: from its code, else from the coordinates; when both are given they must agree.
    code_of, code_uniques = _factorised(raw("mahalla_code"))
    found_by_code = [reference.mahallas.get(code) if code else None for code in code_uniques]
    code_given = np.array([bool(code) for code in code_uniques] + [False], dtype=bool)[code_of]
    fail_by_value(
        code_of,
        code_uniques,
        {
            k: _("unknown mahalla code")
            for k, code in enumerate(code_uniques)
            if code and found_by_code[k] is None
        },
        "mahalla_code",
    )
    # Per row: the (mahalla, district, region) ids, -1 where none.
    keys = np.array([found or (-1, -1, -1) for found in found_by_code] + [(-1, -1, -1)], dtype=np.int64)
    places = keys[code_of] if n else np.zeros((0, 3), dtype=np.int64)
    found = places[:, 0] >= 0
    missing = ~code_given & ~has_point & ~skipped & ~lat_given & ~lon_given
    for i in np.flatnonzero(missing).tolist():
        fail(i, "mahalla_code", "", _("give mahalla_code or latitude and longitude"))
    to_locate = np.flatnonzero(~code_given & has_point)
    if len(to_locate):
        locator = reference.locator
        found_at = locator.locate(lon_values[to_locate], lat_values[to_locate])
        outside = found_at < 0
        for i in to_locate[outside].tolist():
            fail(
                i,
                "latitude",
                f"{float(lat_values[i])}, {float(lon_values[i])}",
                _("the point (latitude, longitude) lies outside every mahalla"),
            )
        located = to_locate[~outside]
        if len(located):
            places[located] = np.array(locator.keys, dtype=np.int64)[found_at[~outside]]
            found[located] = True
    to_confirm = np.flatnonzero(found & code_given & has_point)
    if len(to_confirm):
        locator = reference.locator
        position_of_key = locator.position_of_key
        positions = np.array([position_of_key.get(tuple(key), -1) for key in places[to_confirm].tolist()])
        checkable = to_confirm[positions >= 0]
        if len(checkable):
            inside = locator.contains(positions[positions >= 0], lon_values[checkable], lat_values[checkable])
            for i in checkable[~inside].tolist():
                fail(
                    i,
                    "latitude",
                    f"{float(lat_values[i])}, {float(lon_values[i])}",
                    _("the point lies outside mahalla %(code)s") % {"code": code_uniques[code_of[i]]},
                )

    import pandas as pd

    sources, registration_numbers, articles = (
        text["source_system"],
        text["registration_number"],
        text["article"],
    )
    # The category: one rule look-up per distinct (code kind, article, computer means, day).
    article_of, article_uniques = pd.factorize(np.array(articles, dtype=object))
    categorised = np.flatnonzero(
        ~np.isnat(occurred)
        & kind_valid
        & (article_of >= 0)
        & (np.fromiter(map(len, articles), dtype=np.int64, count=n) > 0)
    )
    categories = np.zeros(n, dtype=np.int64)
    if len(categorised):
        means = flags["computer_means"] | flags["bank_card"]
        day_numbers = occurred_days.astype(np.int64)
        combination = np.stack(
            [kind_codes[categorised], article_of[categorised], means[categorised], day_numbers[categorised]],
            axis=1,
        )
        distinct, which = np.unique(combination, axis=0, return_inverse=True)
        resolved = [
            reference.category(
                kind_uniques[kind], str(article_uniques[article]), bool(mean), _epoch_day(int(day))
            )
            for kind, article, mean, day in distinct.tolist()
        ]
        resolved_ids = np.array(
            [found if isinstance(found, int) else -1 for found in resolved], dtype=np.int64
        )
        which = which.ravel()
        categories[categorised] = resolved_ids[which]
        for j in np.flatnonzero(resolved_ids[which] < 0).tolist():
            fail(int(categorised[j]), "article", articles[categorised[j]], str(resolved[which[j]]))

    # A key twice in the file: the later row is refused, naming the first (whatever the rows' validity).
    keyed = list(map("\x1f".join, zip(sources, registration_numbers, strict=True)))
    fresh = dict(zip(keyed, numbers, strict=True))
    if (
        len(fresh) == n
        and "" not in sources
        and "" not in registration_numbers
        and fresh.keys().isdisjoint(seen)
    ):
        seen.update(fresh)
    else:
        for i in range(n):
            source, registration = sources[i], registration_numbers[i]
            if not source or not registration:
                continue
            first = seen.setdefault(keyed[i], numbers[i])
            if first != numbers[i]:
                fail(
                    i,
                    "registration_number",
                    registration,
                    _("duplicate: %(source)s %(number)s is also in row %(first)s")
                    % {"source": source, "number": registration, "first": first},
                )

    valid = np.ones(n, dtype=bool)
    valid[list(errors)] = False
    rows = np.flatnonzero(valid)
    validated = _Validated()
    if not len(rows):
        return validated, errors
    number_array = np.array(numbers, dtype=np.int64)

    def strings(values: list[str]) -> list[str]:
        return values if len(rows) == n else [values[i] for i in rows.tolist()]

    def coordinates(values: np.ndarray) -> list[float | None]:
        picked = values[rows]
        return np.where(np.isnan(picked), None, picked).tolist()

    validated.columns = [
        number_array[rows].tolist(),
        strings(sources),
        strings(registration_numbers),
        code_kinds[rows].tolist(),
        strings(articles),
        strings(text["article_part"]),
        categories[rows].tolist(),
        _datetimes_text(occurred[rows]),
        _datetimes_text(registered[rows]),
        places[rows, 0].tolist(),
        places[rows, 1].tolist(),
        places[rows, 2].tolist(),
        coordinates(lat_values),
        coordinates(lon_values),
        choices["place_type"][rows].tolist(),
        choices["cyber_method"][rows].tolist(),
        strings(text["victim_ref"]),
        strings(text["offender_ref"]),
        choices["status"][rows].tolist(),
        *(flags[name][rows].tolist() for name in OFFENCE_FLAGS),
    ]
    with_causes = [k for k, ids in enumerate(cause_ids) if ids]
    if with_causes:
        for i in np.flatnonzero(np.isin(cause_codes, with_causes) & valid).tolist():
            validated.causes.extend((numbers[i], cause) for cause in cause_ids[cause_codes[i]])
    return validated, errors


def _epoch_day(day: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=day)


# -- writing ---------------------------------------------------------------------------------------------


def _column(model: Any, name: str) -> str:
    column: str = model._meta.get_field(name).column
    return column


class _Staging:
    """The valid rows of a file in temporary tables of the import's connection, then one set-based merge.

    Staging runs outside the import's transaction: on SQLite a temporary table lives in the connection's
    own temporary database, so filling it takes no lock on the main database file and the web keeps writing
    its audit rows while a large file is parsed and validated; only the merge holds the write lock. Rows go
    in with `COPY` on PostgreSQL and `executemany` on SQLite into tables without indexes (built once, after
    the last chunk). The merge is plain SQL on both databases: the staged rows whose key is stored already
    are matched and compared column by column in the database ("unchanged" or "conflicting", never written),
    the others inserted with one INSERT ... SELECT, and their causes joined back by key.
    """

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self.quote = connection.ops.quote_name
        self.offence_table = self.quote(Offence._meta.db_table)
        self.cause_table = self.quote(OffenceCause._meta.db_table)
        self.columns = [self.quote(_column(Offence, name)) for name in STAGED_FIELDS]
        self.text_columns = ", ".join(
            column
            for name, column in zip(STAGED_FIELDS, self.columns, strict=True)
            if Offence._meta.get_field(name).get_internal_type() == "CharField"
        )
        self.rows = 0
        # Null-safe "differs" of each database.
        self.differs = "IS DISTINCT FROM" if self.vendor == "postgresql" else "IS NOT"

    def create(self) -> None:
        self.drop()  # a table left by an import killed on this connection
        definitions = ", ".join(
            f"{column} {Offence._meta.get_field(name).db_type(connection)}"
            for name, column in zip(STAGED_FIELDS, self.columns, strict=True)
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {STAGING_TABLE} (row_number bigint NOT NULL, {definitions})"
            )
            cursor.execute(
                f"CREATE TEMPORARY TABLE {STAGING_CAUSE_TABLE} (row_number bigint, cause_id bigint)"
            )

    def drop(self) -> None:
        with connection.cursor() as cursor:
            for table in (STAGING_TABLE, STAGING_CAUSE_TABLE, STAGING_MATCH_TABLE):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")

    def payload(self, validated: _Validated) -> tuple[Any, Any]:
        """The valid rows of a chunk as `add` writes them, built where the chunk was validated (in the
        validation worker for all chunks but the first): on PostgreSQL the text that COPY reads, as CSV
        written by the csv module (in C; psycopg's write_row is a call per row), where an empty text is ''
        through FORCE_NOT_NULL and only the coordinates, the one nullable pair, are NULL; on SQLite the
        records for `executemany`."""
        records = zip(*validated.columns, strict=True)
        if self.vendor == "postgresql":
            rows, causes = io.StringIO(), io.StringIO()
            csv.writer(rows, lineterminator="\n").writerows(records)
            csv.writer(causes, lineterminator="\n").writerows(validated.causes)
            return rows.getvalue(), causes.getvalue()
        return list(records), validated.causes

    def add(self, payload: tuple[Any, Any], rows: int) -> None:
        self.rows += rows
        records, causes = payload
        columns = ", ".join(["row_number", *self.columns])
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                raw = cursor.cursor
                # The datetimes are naive UTC text; the server reads them in the session's zone.
                with transaction.atomic():
                    cursor.execute("SET LOCAL TIME ZONE 'UTC'")
                    with raw.copy(
                        f"COPY {STAGING_TABLE} ({columns}) FROM STDIN "
                        f"WITH (FORMAT csv, FORCE_NOT_NULL ({self.text_columns}))"
                    ) as copy:
                        copy.write(records)
                    if causes:
                        with raw.copy(
                            f"COPY {STAGING_CAUSE_TABLE} (row_number, cause_id) FROM STDIN WITH (FORMAT csv)"
                        ) as copy:
                            copy.write(causes)
                return
            marks = ", ".join(["%s"] * (len(self.columns) + 1))
            # One transaction of the temporary database per chunk: in autocommit each row was a transaction
            # of its own, with its journal written and deleted (a second import of 100,000 rows spent 16 s
            # of wall time there at load 11). BEGIN DEFERRED, not Django's atomic(), which begins IMMEDIATE
            # and so would take the main database's write lock: these statements touch the temporary
            # database only, and a deferred transaction locks only what it touches.
            # Inside a caller's transaction (a request under ATOMIC_REQUESTS, a test) the rows join that one.
            own_transaction = not connection.in_atomic_block
            if own_transaction:
                cursor.execute("BEGIN DEFERRED")
            try:
                cursor.executemany(f"INSERT INTO {STAGING_TABLE} ({columns}) VALUES ({marks})", records)  # noqa: S608
                if causes:
                    cursor.executemany(
                        f"INSERT INTO {STAGING_CAUSE_TABLE} (row_number, cause_id) VALUES (%s, %s)",  # noqa: S608
                        causes,
                    )
            except BaseException:
                if own_transaction:
                    cursor.execute("ROLLBACK")
                raise
            if own_transaction:
                cursor.execute("COMMIT")

    def index(self) -> None:
        """The staging tables' indexes, built once all rows are in (still outside the transaction)."""
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE UNIQUE INDEX {STAGING_TABLE}_row ON {STAGING_TABLE} (row_number)")
            cursor.execute(
                f"CREATE INDEX {STAGING_CAUSE_TABLE}_row ON {STAGING_CAUSE_TABLE} (row_number, cause_id)"
            )
            if self.vendor == "postgresql":
                # Temporary tables are never analysed by autovacuum: without statistics the planner takes
                # them for small and joins a million rows by nested loops.
                cursor.execute(f"ANALYZE {STAGING_TABLE}")
                cursor.execute(f"ANALYZE {STAGING_CAUSE_TABLE}")

    def merge(self, batch_id: int, outcome: ImportOutcome) -> None:
        """Inside the import's transaction: compare the staged rows with the stored offences of the same
        key, insert the new ones with the batch's id, then their causes."""
        offence, cause, differs = self.offence_table, self.cause_table, self.differs
        key = (
            f"o.{self.quote('source_system')} = s.{self.quote('source_system')} "
            f"AND o.{self.quote('registration_number')} = s.{self.quote('registration_number')}"
        )
        compared = [self.quote(_column(Offence, name)) for name in COMPARED_FIELDS]
        offence_id, cause_id = (self.quote(_column(OffenceCause, name)) for name in ("offence", "cause"))
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {STAGING_MATCH_TABLE} (row_number bigint PRIMARY KEY, "
                "offence_id bigint NOT NULL, fields_differ integer NOT NULL, causes_differ integer NOT NULL)"
            )
            any_differs = " OR ".join(f"s.{c} {differs} o.{c}" for c in compared)
            cursor.execute(
                f"INSERT INTO {STAGING_MATCH_TABLE} (row_number, offence_id, fields_differ, causes_differ) "  # noqa: S608
                f"SELECT s.row_number, o.id, CASE WHEN {any_differs} THEN 1 ELSE 0 END, 0 "
                f"FROM {STAGING_TABLE} s JOIN {offence} o ON {key}"
            )
            matched = cursor.rowcount
            if matched:
                self._causes_compare(cursor, offence_id, cause_id)
                self._conflicts_report(cursor, compared, outcome)
            expected = self.rows - matched
            names = ", ".join([*self.columns, self.quote(_column(Offence, "import_batch"))])
            unique = f"{self.quote('source_system')}, {self.quote('registration_number')}"
            staged = ", ".join(f"s.{c}" for c in self.columns)
            # ON CONFLICT: a key stored by a concurrent import since the match is not written twice, and the
            # count below then refuses the whole file rather than attach its causes to another's offence.
            cursor.execute(
                f"INSERT INTO {offence} ({names}) SELECT {staged}, %s FROM {STAGING_TABLE} s "  # noqa: S608
                f"WHERE NOT EXISTS (SELECT 1 FROM {STAGING_MATCH_TABLE} m WHERE m.row_number = s.row_number) "
                "ORDER BY s.row_number "
                f"ON CONFLICT ({unique}) DO NOTHING",
                [batch_id],
            )
            created = cursor.rowcount
            if created != expected:
                raise TabularError(
                    _(
                        "%(count)s offences of this file were stored by another import while it ran; "
                        "import the file again."
                    )
                    % {"count": expected - created}
                )
            cursor.execute(
                f"INSERT INTO {cause} ({offence_id}, {cause_id}) "  # noqa: S608
                f"SELECT o.id, c.cause_id FROM {STAGING_CAUSE_TABLE} c "
                f"JOIN {STAGING_TABLE} s ON s.row_number = c.row_number JOIN {offence} o ON {key} "
                f"WHERE o.{self.quote(_column(Offence, 'import_batch'))} = %s",
                [batch_id],
            )
        outcome.rows_created = created

    def _causes_compare(self, cursor: Any, offence_id: str, cause_id: str) -> None:
        """Marks the matched rows whose set of causes differs from the stored offence's."""
        cause = self.cause_table
        cursor.execute(
            f"UPDATE {STAGING_MATCH_TABLE} SET causes_differ = 1 WHERE row_number IN ("  # noqa: S608
            f"SELECT c.row_number FROM {STAGING_CAUSE_TABLE} c "
            f"JOIN {STAGING_MATCH_TABLE} m ON m.row_number = c.row_number "
            f"WHERE NOT EXISTS (SELECT 1 FROM {cause} oc "
            f"WHERE oc.{offence_id} = m.offence_id AND oc.{cause_id} = c.cause_id) "
            f"UNION SELECT m.row_number FROM {STAGING_MATCH_TABLE} m "
            f"JOIN {cause} oc ON oc.{offence_id} = m.offence_id "
            f"WHERE NOT EXISTS (SELECT 1 FROM {STAGING_CAUSE_TABLE} c "
            f"WHERE c.row_number = m.row_number AND c.cause_id = oc.{cause_id}))"
        )

    def _conflicts_report(self, cursor: Any, compared: list[str], outcome: ImportOutcome) -> None:
        conflicting = "m.fields_differ = 1 OR m.causes_differ = 1"
        cursor.execute(
            f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN {conflicting} THEN 1 ELSE 0 END), 0) "  # noqa: S608
            f"FROM {STAGING_MATCH_TABLE} m"
        )
        matched, conflicts = cursor.fetchone()
        outcome.rows_unchanged += int(matched) - int(conflicts)
        outcome.rows_conflicting += int(conflicts)
        if not conflicts:
            return
        flags = ", ".join(f"CASE WHEN s.{c} {self.differs} o.{c} THEN 1 ELSE 0 END" for c in compared)
        cursor.execute(
            f"SELECT s.row_number, s.{self.quote('source_system')}, "  # noqa: S608
            f"s.{self.quote('registration_number')}, m.causes_differ, {flags} "
            f"FROM {STAGING_MATCH_TABLE} m JOIN {STAGING_TABLE} s ON s.row_number = m.row_number "
            f"JOIN {self.offence_table} o ON o.id = m.offence_id WHERE {conflicting} "
            f"ORDER BY m.row_number LIMIT {CONFLICTS_REPORTED}"
        )
        for row_number, source, registration, causes_differ, *differ in cursor.fetchall():
            columns = [name for name, flag in zip(COMPARED_FIELDS, differ, strict=True) if flag]
            if causes_differ:
                columns.append("causes")
            outcome.conflicts.append(
                {
                    "row": int(row_number),
                    "source_system": source,
                    "registration_number": registration,
                    "columns": columns,
                }
            )


class _BulkLoad:
    """Bulk-load mode for a load that dwarfs the stored offences (the first load of a nation, a restore).

    The offence table's secondary indexes are dropped inside the import's transaction and built again
    before it commits, several times cheaper than maintaining 8 indexes row by row. On PostgreSQL the
    foreign keys of the offence and offence-cause tables are dropped too and added back: adding a foreign
    key checks all rows in one join, where the deferred per-row triggers would queue and run one look-up
    per row and key (PostgreSQL manual, "Populating a Database": remove indexes, remove foreign key
    constraints). The DDL is transactional on both databases, so a refused file gets everything back with
    the rollback. The unique (source_system, registration_number) index stays: idempotency needs it. Not
    used when the table already holds more rows than the file will add (estimated from the first chunk):
    there, rebuilding would cost more than it saves. On PostgreSQL the table is locked against readers
    until the import commits."""

    def __init__(self) -> None:
        self.indexes: list[tuple[str, str]] = []
        self.foreign_keys: list[tuple[str, str, str]] = []

    def start(self) -> None:
        table = Offence._meta.db_table
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                    "JOIN pg_class c ON c.relname = i.indexname "
                    "JOIN pg_index x ON x.indexrelid = c.oid "
                    "WHERE i.tablename = %s AND i.schemaname = current_schema() "
                    "AND NOT x.indisunique AND NOT x.indisprimary",
                    [table],
                )
                self.indexes = list(cursor.fetchall())
                for owner in (table, OffenceCause._meta.db_table):
                    cursor.execute(
                        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                        "WHERE conrelid = %s::regclass AND contype = 'f'",
                        [quote(owner)],
                    )
                    self.foreign_keys.extend(
                        (owner, name, definition) for name, definition in cursor.fetchall()
                    )
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
                # A table with pending deferred trigger events (the batch row just written) cannot be
                # altered: settle them first.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for owner, name, _definition in self.foreign_keys:
                    cursor.execute(f"ALTER TABLE {quote(owner)} DROP CONSTRAINT {quote(name)}")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            elif connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                    "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%'",
                    [table],
                )
                self.indexes = list(cursor.fetchall())
            for name, _definition in self.indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")

    def finish(self) -> None:
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # No index can be built on a table with pending deferred trigger events: settle any now,
                # then defer again as Django declares its constraints.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            elif connection.vendor == "sqlite":
                # Reset by _sqlite_cache_enlarged when the import ends.
                cursor.execute(f"PRAGMA cache_size = -{SQLITE_INDEX_BUILD_CACHE_KIB}")
                # CREATE INDEX sorts its keys in runs the size of the cache; with helper threads the runs are
                # sorted and merged on the other cores, idle by now (the validation worker has ended).
                cursor.execute(f"PRAGMA threads = {SQLITE_INDEX_BUILD_THREADS}")
            try:
                for _name, definition in self.indexes:
                    cursor.execute(definition)
            finally:
                if connection.vendor == "sqlite":
                    cursor.execute("PRAGMA threads = 0")
            for owner, name, definition in self.foreign_keys:
                cursor.execute(f"ALTER TABLE {quote(owner)} ADD CONSTRAINT {quote(name)} {definition}")
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                # Fresh planner statistics with the data: without them the planner still takes the table
                # for the empty one it was, and the next import's key look-ups scan it sequentially.
                for model in (Offence, OffenceCause):
                    cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")
        self.indexes = []
        self.foreign_keys = []


# -- the services ----------------------------------------------------------------------------------------


def _batch_recorder(*, actor: Any, kind: str) -> BatchRecorder:
    def record(outcome: ImportOutcome, status: str) -> int:
        batch = ImportBatch.objects.create(
            kind=kind,
            file_name=outcome.file_name[:300],
            file_sha256=outcome.file_sha256,
            started_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        _batch_finish(batch, outcome, status)
        return int(batch.pk)

    return record


def _batch_finish(batch: ImportBatch, outcome: ImportOutcome, status: str) -> None:
    batch.status = status
    batch.finished_at = timezone.now()
    batch.rows_read = outcome.rows_read
    batch.rows_created = outcome.rows_created
    batch.rows_unchanged = outcome.rows_unchanged
    batch.rows_rejected = outcome.rows_rejected
    notes = [outcome.summary()]
    if outcome.rows_conflicting:
        notes.append(_("%(count)s conflicting rows kept as stored") % {"count": outcome.rows_conflicting})
    if outcome.error_count:
        notes.extend(str(error) for error in outcome.errors[:20])
    batch.message = "\n".join(notes)
    batch.save()


def territory_file_import(
    *,
    actor: Any,
    source: str | os.PathLike[str] | BinaryIO,
    file_name: str | None = None,
    skip_invalid: bool = False,
    rejects: RejectsWriter | None = None,
    progress: ProgressCallback | None = None,
) -> ImportOutcome:
    """`territory_import` with its ImportBatch record (the batch model lives in this app)."""
    try:
        opened = TableReader(source, file_name=file_name, required=(), allowed=())
    except TabularError as exc:
        import_refusal_record(
            actor=actor, kind="territories", file_name=str(file_name or source), message=exc.message
        )
        raise
    opened.close()
    return territory_import(
        actor=actor,
        source=source,
        file_name=file_name,
        skip_invalid=skip_invalid,
        rejects=rejects,
        record_batch=_batch_recorder(actor=actor, kind="territories"),
        progress=progress,
    )


def import_refusal_record(*, actor: Any, kind: str, file_name: str, message: str) -> int | None:
    """A failed batch (and its audit row) for an import refused before its file could be opened: no
    file, an empty or unsupported one. Every refused import leaves its trace, whatever stopped it."""
    outcome = ImportOutcome(kind=kind, file_name=file_name or "(no file)")
    outcome.add_errors([RowError(0, "", "", message)])
    import_failure_record(
        actor=actor,
        outcome=outcome,
        object_type="incidents.importbatch" if kind == "offences" else "territory.import",
        record_batch=_batch_recorder(actor=actor, kind=kind),
    )
    return outcome.batch_id


class _Refused(Exception):
    """Raised inside the transaction to roll it back when the file has invalid rows."""


def offence_import(
    *,
    actor: Any,
    source: str | os.PathLike[str] | BinaryIO,
    file_name: str | None = None,
    skip_invalid: bool = False,
    rejects: RejectsWriter | None = None,
    progress: ProgressCallback | None = None,
    chunk_rows: int = 20_000,
) -> ImportOutcome:
    """Import offences from a CSV, XLSX or JSON Lines file (docs/import-formats.md).

    All-or-nothing unless `skip_invalid`: the file is parsed and validated into staging tables outside any
    transaction, then merged in one short transaction; audited with one audit row and one ImportBatch.
    Raises `TabularError` for an unreadable file and `ImportRejected` when rows are invalid and
    `skip_invalid` is false; then nothing is written but the trace of the attempt (a failed ImportBatch and
    its audit row).
    """
    try:
        reader = TableReader(
            source,
            file_name=file_name,
            required=OFFENCE_REQUIRED,
            allowed=OFFENCE_COLUMNS,
            chunk_rows=chunk_rows,
        )
    except TabularError as exc:
        import_refusal_record(
            actor=actor, kind="offences", file_name=str(file_name or source), message=exc.message
        )
        raise
    with reader:
        outcome = ImportOutcome(kind="offences", file_name=reader.file_name, file_sha256=reader.sha256())
        recorder = _batch_recorder(actor=actor, kind="offences")
        staging = _Staging()
        try:
            try:
                started = time.perf_counter()
                _offences_stage(
                    reader, outcome, staging, skip_invalid=skip_invalid, rejects=rejects, progress=progress
                )
                if outcome.rows_rejected and not skip_invalid:
                    raise _Refused
                staged = time.perf_counter()
                with _sqlite_cache_enlarged(), transaction.atomic():
                    _offences_merge(staging, outcome, actor=actor)
                # How long the write lock (SQLite) was held, for whoever sees pages wait during imports.
                logger.info(
                    "offence import %s: %s rows staged in %.1f s, merged in %.1f s",
                    outcome.file_name,
                    staging.rows,
                    staged - started,
                    time.perf_counter() - staged,
                )
            finally:
                staging.drop()
        except _Refused:
            # Nothing was written: the valid rows were only staged.
            outcome.batch_id = None
            outcome.rows_created = 0
            import_failure_record(
                actor=actor, outcome=outcome, object_type="incidents.importbatch", record_batch=recorder
            )
            raise import_refused(outcome) from None
        except TabularError as exc:
            outcome.batch_id = None
            outcome.rows_created = 0
            outcome.committed = False
            outcome.add_errors([RowError(int(exc.extra.get("row", 0) or 0), "", "", exc.message)])
            import_failure_record(
                actor=actor, outcome=outcome, object_type="incidents.importbatch", record_batch=recorder
            )
            raise
    return outcome


def _offences_merge(staging: _Staging, outcome: ImportOutcome, *, actor: Any) -> None:
    """The import's only transaction: the batch, the set-based merge, the batch's counts and the audit row."""
    batch = ImportBatch.objects.create(
        kind="offences",
        file_name=outcome.file_name[:300],
        file_sha256=outcome.file_sha256,
        started_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    outcome.batch_id = batch.pk
    bulk: _BulkLoad | None = None
    if staging.rows >= BULK_LOAD_MIN_ROWS and staging.rows > _offences_stored_estimate():
        bulk = _BulkLoad()
        bulk.start()
    staging.merge(batch.pk, outcome)
    if bulk is not None:
        bulk.finish()
    outcome.committed = True
    _batch_finish(batch, outcome, ImportBatch.Status.DONE)
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        object_type="incidents.importbatch",
        object_id=batch.pk,
        object_repr=outcome.file_name,
        details={
            "status": "done",
            "kind": "offences",
            "file_sha256": outcome.file_sha256,
            "rows_read": outcome.rows_read,
            "rows_created": outcome.rows_created,
            "rows_unchanged": outcome.rows_unchanged,
            "rows_conflicting": outcome.rows_conflicting,
            "rows_rejected": outcome.rows_rejected,
        },
    )


@contextmanager
def _sqlite_cache_enlarged() -> Iterator[None]:
    """On SQLite, a page cache large enough for the indexes being extended (the default is 2 MB); per
    connection, and given back at the end so that a web worker does not keep it."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache_before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {cache_before}")


def _offences_stage(
    reader: TableReader,
    outcome: ImportOutcome,
    staging: _Staging,
    *,
    skip_invalid: bool,
    rejects: RejectsWriter | None,
    progress: ProgressCallback | None,
) -> None:
    """Parse and validate the file chunk by chunk into the staging tables, outside any transaction. Once an
    invalid row is seen (and not `skip_invalid`) nothing more is staged, but the rest is still validated so
    that every error is reported."""
    # The cyclic garbage collector is paused while the file streams through: every chunk allocates a few
    # hundred thousand lists and tuples, none of them in a cycle, and each allocation burst would make the
    # collector traverse every live container again (it took more than half of the validation time).
    # Reference counting still frees each chunk as soon as it is done.
    collecting = gc.isenabled()
    gc.disable()
    try:
        reference = _Reference.load()
        now = timezone.now().astimezone(dt.UTC).replace(tzinfo=None)  # naive UTC, as the parsed times
        staging.create()
        results = _chunks_validated(
            reader, reference, now, staging, skip_invalid=skip_invalid, keep_rejected=rejects is not None
        )
        pipeline = _pipelined(results, reader, reference)
        # Closed here, on failure too, so that the worker ends and the reader lets go of the file before the
        # file is closed.
        with closing(results), closing(pipeline):
            for result in pipeline:
                outcome.rows_read = result.last_row
                if result.errors:
                    outcome.rows_rejected += len(result.errors)
                    for position in sorted(result.errors):
                        outcome.add_errors(result.errors[position])
                        if rejects is not None and skip_invalid:
                            number, raw = result.rejected[position]
                            rejects.write(number, raw, result.errors[position])
                if result.payload is not None and (skip_invalid or not outcome.rows_rejected):
                    staging.add(result.payload, result.rows)
                if progress is not None:
                    progress(outcome.rows_read, result.bytes_read, reader.size_bytes)
        staging.index()
    finally:
        if collecting:
            gc.enable()


@dataclass
class _ChunkResult:
    """A validated chunk as the staging takes it (`_Staging.payload`), with its errors by position in the
    chunk and, for the rejects file, the refused rows' cells: plain data, passed from the validating worker
    process to the importing one."""

    columns: list[str]
    last_row: int
    bytes_read: int
    rows: int
    errors: dict[int, list[RowError]]
    rejected: dict[int, tuple[int, dict[str, str]]]
    payload: Any


def _chunks_validated(
    reader: TableReader,
    reference: _Reference,
    now: dt.datetime,
    staging: _Staging,
    *,
    skip_invalid: bool,
    keep_rejected: bool,
) -> Iterator[_ChunkResult]:
    """The file's chunks read, validated and made ready for the staging. Once a row is refused (and not
    `skip_invalid`) no staging payload is built any more: nothing more will be staged."""
    seen: dict[str, int] = {}
    refused = False
    header_checked = False
    for chunk in reader.chunks():
        if not header_checked:
            header_checked = True
            if "mahalla_code" not in chunk.columns and not {"latitude", "longitude"} <= set(chunk.columns):
                raise TabularError(_("Missing column: mahalla_code, or latitude and longitude."))
        validated, errors = _chunk_validate(chunk, reference, seen, now)
        refused = refused or bool(errors)
        yield _ChunkResult(
            columns=chunk.columns,
            last_row=chunk.numbers[-1],
            bytes_read=chunk.bytes_read,
            rows=validated.rows,
            errors=errors,
            rejected={p: (chunk.numbers[p], chunk.raw_row(p)) for p in errors} if keep_rejected else {},
            payload=staging.payload(validated) if validated.rows and (skip_invalid or not refused) else None,
        )


def _pipelined(
    results: Iterator[_ChunkResult], reader: TableReader, reference: _Reference
) -> Iterator[_ChunkResult]:
    """`results`, with every chunk after the first read and validated in a worker process, one chunk ahead
    of the database storing the previous one: on two cores the file's parsing and validation (about 55 % of
    the staging's CPU) overlaps the staging inserts. The worker is forked after the first chunk, so a file of
    one chunk never starts one, and it inherits the reader's position, the reference data and the keys seen;
    it never touches the database (the point-in-polygon index is built before the fork; a query in the worker
    raises). Only from the main thread (the command line, a test): a request thread of the threaded server
    validates in-process as before, since a fork beside threads serving requests may copy a lock one of them
    holds."""
    first = next(results, None)
    if first is None:
        return
    more = first.last_row >= reader.chunk_rows and first.bytes_read < reader.size_bytes
    if not more or threading.current_thread() is not threading.main_thread():
        yield first
        yield from results
        return
    if {"latitude", "longitude"} <= set(first.columns):
        reference.locator  # noqa: B018 -- built here: the worker cannot query the database
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_validation_worker, args=(results, sender), name="offence-validation")
    worker.start()
    sender.close()
    try:
        yield first
        while True:
            try:
                kind, item = receiver.recv()
            except EOFError:
                raise RuntimeError(f"the validation worker ended with code {worker.exitcode}") from None
            if kind == "chunk":
                yield item
            elif kind == "done":
                return
            elif kind == "refused":
                message, extra = item
                raise TabularError(message, extra=extra)
            else:
                raise RuntimeError(f"the validation worker failed:\n{item}")
    finally:
        receiver.close()
        if worker.is_alive():
            worker.kill()
        worker.join()


def _validation_worker(results: Iterator[_ChunkResult], sender: Any) -> None:
    """In the forked worker: send each validated chunk, then "done"; a refused file as its message."""

    def no_queries(*_args: Any) -> None:
        raise RuntimeError("the validation worker must not query the database")

    try:
        with connection.execute_wrapper(no_queries):
            for result in results:
                sender.send(("chunk", result))
        sender.send(("done", None))
    except TabularError as exc:
        sender.send(("refused", (exc.message, exc.extra)))
    except BaseException:  # noqa: BLE001 -- reported to the importing process, which raises it
        sender.send(("failed", traceback.format_exc()))
    finally:
        sender.close()


__all__ = [
    "ImportOutcome",
    "ImportRejected",
    "OFFENCE_COLUMNS",
    "offence_import",
    "territory_file_import",
]

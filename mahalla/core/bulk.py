"""Writing many rows of one model at once: COPY on PostgreSQL, one prepared INSERT run many times on SQLite.

Django's `bulk_create` builds a model instance per row, prepares every value field by field and, on
PostgreSQL, sends multi-row INSERTs with one parameter per value; for the daily run's 9,000 result rows that
is most of the storage step. Here the caller gives plain values column by column (already JSON-ready), and
every column it leaves out gets the field's default, so a field added to the model later is still filled.
Runs inside the caller's transaction: nothing is committed here.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connections, models, router
from django.utils import timezone

SQLITE_BATCH = 5000


# One encoder for every value: json.dumps with an option builds a new encoder per call (measurable over the
# 45,000 JSON values of a nation's daily run); the text is the same.
_JSON_ENCODER = json.JSONEncoder(ensure_ascii=False)


def _json_text(value: Any) -> str | None:
    return None if value is None else _JSON_ENCODER.encode(value)


def _sqlite_value(value: Any, connection: Any) -> Any:
    if isinstance(value, dt.datetime):
        # Stored as the ORM stores it: UTC, in Django's text form (aware datetimes only, as USE_TZ wants).
        if timezone.is_naive(value):
            raise TypeError("bulk rows take aware datetimes")
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _sqlite_column(field: models.Field, values: Sequence[Any], connection: Any) -> Sequence[Any]:
    """A column in SQLite's storage form, converted column by column: only date and datetime columns need
    it, and a per-value check over every column was a third of the cost at a million rows."""
    if isinstance(field, models.DateField | models.DateTimeField | models.TimeField):
        return [_sqlite_value(value, connection) for value in values]
    return values


def rows_insert(model: type[models.Model], columns: Mapping[str, Sequence[Any]]) -> int:
    """Insert one row per position of the equal-length `columns` (field name -> values; a foreign key by
    its attribute name, e.g. `mahalla_id`) into `model`'s table; the number of rows written.

    JSON fields take Python values (dicts, lists, numbers); other fields take values of their database type
    (int, float, str, bool, datetime.date, aware datetime.datetime). Fields not named get their default
    (auto_now and auto_now_add fields: now); the primary key its sequence.
    """
    lengths = {len(values) for values in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"columns of unequal length: { {k: len(v) for k, v in columns.items()} }")
    count = lengths.pop() if lengths else 0
    if count == 0:
        return 0
    alias = router.db_for_write(model)
    connection = connections[alias]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    known = {f.attname for f in fields}
    unknown = sorted(set(columns) - known)
    if unknown:
        raise ValueError(f"{model.__name__} has no column(s) {unknown}")
    names: list[str] = []
    vectors: list[Sequence[Any]] = []
    ready: set[int] = set()  # columns already in SQLite's storage form
    for field in fields:
        is_json = isinstance(field, models.JSONField)
        if field.attname in columns:
            values = columns[field.attname]
            vectors.append([_json_text(v) for v in values] if is_json else values)
        else:
            # auto_now / auto_now_add fields have no default: the ORM sets them on save, so here too.
            stamped = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
            default = timezone.now() if stamped else field.get_default()
            value = _json_text(default) if is_json else default
            if connection.vendor != "postgresql":
                value = _sqlite_value(value, connection)  # once, not once a row
                ready.add(len(vectors))
            vectors.append([value] * count)
        names.append(field.column)
    table = connection.ops.quote_name(model._meta.db_table)
    column_list = ", ".join(connection.ops.quote_name(name) for name in names)
    if connection.vendor != "postgresql":
        vectors = [
            vector if index in ready else _sqlite_column(field, vector, connection)
            for index, (field, vector) in enumerate(zip(fields, vectors, strict=True))
        ]
    rows = zip(*vectors, strict=True)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({column_list}) FROM STDIN"
            started = time.monotonic()
            raw = cursor.cursor  # psycopg 3: COPY streams the rows in one round trip
            with raw.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
            if connection.queries_logged:  # counted like any other query (tests assert query counts)
                connection.queries_log.append(
                    {"sql": f"{sql} -- {count} rows", "time": f"{time.monotonic() - started:.3f}"}
                )
        else:
            placeholders = ", ".join(["%s"] * len(names))
            # Names from the model (quoted by the backend), values as parameters: nothing comes from users.
            sql = f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})"  # noqa: S608
            while batch := list(itertools.islice(rows, SQLITE_BATCH)):
                cursor.executemany(sql, batch)
    return count

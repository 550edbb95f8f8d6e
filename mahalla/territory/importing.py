"""Import of regions, districts and mahallas (with boundaries and law-and-order posts) from CSV/XLSX/JSONL.

The format is docs/import-formats.md. All-or-nothing: every row is validated, cross-row rules included
(parents exist, boundaries nest), before one transaction writes; a file with any invalid row changes
nothing unless `skip_invalid`. Re-importing a file is idempotent: rows are keyed by (level, code), an
identical row is "unchanged", and an empty optional cell never clears a stored value.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import shapely
import shapely.geometry
from django.db import transaction
from django.utils.translation import gettext as _

from mahalla.audit.models import AuditAction
from mahalla.audit.services import audit_record
from mahalla.core.errors import ApplicationError
from mahalla.core.tabular import ProgressCallback, RejectsWriter, RowError, TableReader, TabularError
from mahalla.territory.formats import TERRITORY_COLUMNS

from .geometry import (
    CONTAINMENT_TOLERANCE_DEGREES,
    BoundaryGeometry,
    GeometryError,
    boundaries_simplified,
    boundary_parse,
    boundary_to_geojson,
    bounding_box,
    point_within,
    representative_point,
)
from .models import District, LawAndOrderPost, Mahalla, Region

# Errors listed in a message or an API response; the count is always complete and --rejects has them all.
MAX_REPORTED_ERRORS = 200

TERRITORY_REQUIRED = ("level", "code", "name_uz")
LEVELS = ("region", "district", "mahalla")
CODE_LENGTHS = {"region": (4, 4), "district": (7, 7), "mahalla": (1, 16)}
KINDS = {"region": set(Region.Kind.values), "district": set(District.Kind.values), "mahalla": set()}
TEXT_LIMITS = {
    "name_uz": 200,
    "name_uz_cyrl": 200,
    "name_ru": 200,
    "post_number": 40,
    "post_address": 300,
    "inspector_name": 200,
    "inspector_phone": 40,
}
POST_FIELDS = {
    "post_number": "number",
    "post_address": "address",
    "inspector_name": "inspector_name",
    "inspector_phone": "inspector_phone",
}
MAX_POSITIVE_INTEGER = 2_147_483_647


# -- outcome shared by both importers --------------------------------------------------------------------


@dataclass
class ImportOutcome:
    """What an import did. `errors` lists at most MAX_REPORTED_ERRORS; `error_count` counts them all."""

    kind: str
    file_name: str
    file_sha256: str = ""
    rows_read: int = 0
    rows_created: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    rows_conflicting: int = 0
    rows_rejected: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    batch_id: int | None = None
    committed: bool = False

    def add_errors(self, errors: Iterable[RowError]) -> None:
        for error in errors:
            self.error_count += 1
            if len(self.errors) < MAX_REPORTED_ERRORS:
                self.errors.append(error)

    def summary(self) -> str:
        return _(
            "%(kind)s from %(file)s: %(read)s rows read, %(created)s created, %(updated)s updated, "
            "%(unchanged)s unchanged, %(conflicting)s conflicting, %(rejected)s rejected"
        ) % {
            "kind": self.kind,
            "file": self.file_name,
            "read": self.rows_read,
            "created": self.rows_created,
            "updated": self.rows_updated,
            "unchanged": self.rows_unchanged,
            "conflicting": self.rows_conflicting,
            "rejected": self.rows_rejected,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file_name": self.file_name,
            "file_sha256": self.file_sha256,
            "batch": self.batch_id,
            "committed": self.committed,
            "rows_read": self.rows_read,
            "rows_created": self.rows_created,
            "rows_updated": self.rows_updated,
            "rows_unchanged": self.rows_unchanged,
            "rows_conflicting": self.rows_conflicting,
            "rows_rejected": self.rows_rejected,
            "error_count": self.error_count,
            "errors": [error.as_dict() for error in self.errors],
            "conflicts": self.conflicts,
        }


class ImportRejected(ApplicationError):
    """The file was refused as a whole; nothing was written. `outcome` says why."""

    def __init__(self, message: str, outcome: ImportOutcome) -> None:
        super().__init__(message, extra=outcome.as_dict())
        self.outcome = outcome


BatchRecorder = Callable[[ImportOutcome, str], int | None]
"""Called inside the import's transaction with (outcome, "done"), or after a refusal with (outcome, "failed");
returns the id of the batch record it wrote. The incidents app passes one that writes an ImportBatch."""


def import_refused(outcome: ImportOutcome) -> ImportRejected:
    shown = "\n".join(f"  {error}" for error in outcome.errors[:20])
    more = outcome.error_count - min(outcome.error_count, 20)
    message = _("%(file)s was not imported: %(count)s error(s); nothing was changed.") % {
        "file": outcome.file_name,
        "count": outcome.error_count,
    }
    if shown:
        message += "\n" + shown
    if more > 0:
        message += "\n  " + _("... and %(more)s more") % {"more": more}
    return ImportRejected(message, outcome)


def import_failure_record(
    *, actor: Any, outcome: ImportOutcome, object_type: str, record_batch: BatchRecorder | None
) -> None:
    """Leave a trace of a refused import (who tried to load what, and why it failed) in its own
    transaction: the data tables stay untouched, the attempt does not vanish."""
    with transaction.atomic():
        if record_batch is not None:
            outcome.batch_id = record_batch(outcome, "failed")
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            object_type=object_type,
            object_id=outcome.batch_id or "",
            object_repr=outcome.file_name,
            details={
                "status": "failed",
                "file_sha256": outcome.file_sha256,
                "rows_read": outcome.rows_read,
                "error_count": outcome.error_count,
                "first_errors": [str(error) for error in outcome.errors[:5]],
            },
        )


# -- parsing of cells ------------------------------------------------------------------------------------


def integer_parse(value: str, *, minimum: int = 0, maximum: int = MAX_POSITIVE_INTEGER) -> int:
    """A whole number in [minimum, maximum]; raises ValueError with the reason."""
    text = value.strip().replace("_", "")
    if not text.lstrip("-").isdigit() or not text.isascii():
        raise ValueError(_("not a whole number"))
    number = int(text)
    if number < minimum:
        raise ValueError(_("must be at least %(minimum)s") % {"minimum": minimum})
    if number > maximum:
        raise ValueError(_("must be at most %(maximum)s") % {"maximum": maximum})
    return number


def coordinate_parse(value: str, *, latitude: bool) -> float:
    """A WGS 84 latitude (-90..90) or longitude (-180..180); raises ValueError with the reason."""
    try:
        number = float(value.strip().replace(",", "."))
    except ValueError:
        raise ValueError(_("not a number")) from None
    limit = 90.0 if latitude else 180.0
    if not -limit <= number <= limit:  # also refuses NaN
        raise ValueError(_("must lie between %(low)s and %(high)s") % {"low": -limit, "high": limit})
    return number


# -- the territory rows ----------------------------------------------------------------------------------


@dataclass
class TerritoryRow:
    row: int
    level: str
    code: str
    parent_code: str
    values: dict[str, Any]
    boundary: BoundaryGeometry | None
    post: dict[str, str]
    raw: dict[str, str]


def _territory_row_parse(row: int, raw: dict[str, str]) -> tuple[TerritoryRow | None, list[RowError]]:
    errors: list[RowError] = []

    def fail(column: str, reason: str) -> None:
        errors.append(RowError(row, column, raw.get(column, ""), reason))

    level = raw.get("level", "").strip().lower()
    code = raw.get("code", "").strip()
    parent_code = raw.get("parent_code", "").strip()
    if level not in LEVELS:
        fail("level", _("must be one of %(choices)s") % {"choices": ", ".join(LEVELS)})
        return None, errors
    low, high = CODE_LENGTHS[level]
    if not code:
        fail("code", _("required"))
    elif not (code.isascii() and code.isdigit() and low <= len(code) <= high):
        fail(
            "code",
            _("a %(level)s code is %(digits)s digits")
            % {"level": level, "digits": str(low) if low == high else f"{low}-{high}"},
        )
    if level == "region":
        if parent_code:
            fail("parent_code", _("a region has no parent"))
    elif not parent_code:
        fail("parent_code", _("required for a %(level)s") % {"level": level})
    kind = raw.get("kind", "").strip().lower()
    values: dict[str, Any] = {}
    if kind:
        if kind not in KINDS[level]:
            allowed = ", ".join(sorted(KINDS[level])) or _("nothing (leave empty)")
            fail("kind", _("for a %(level)s must be %(allowed)s") % {"level": level, "allowed": allowed})
        else:
            values["kind"] = kind
    for column, limit in TEXT_LIMITS.items():
        text = raw.get(column, "").strip()
        if len(text) > limit:
            fail(column, _("longer than %(limit)s characters") % {"limit": limit})
        elif text and column in ("name_uz", "name_uz_cyrl", "name_ru"):
            values[column] = text
    if not raw.get("name_uz", "").strip():
        fail("name_uz", _("required"))
    for column in ("population", "households"):
        text = raw.get(column, "").strip()
        if not text:
            if column == "population" and level == "mahalla":
                fail(column, _("required for a mahalla"))
            continue
        try:
            values[column] = integer_parse(text)
        except ValueError as exc:
            fail(column, str(exc))
    boundary: BoundaryGeometry | None = None
    if raw.get("boundary", "").strip():
        try:
            boundary = boundary_parse(raw["boundary"])
        except GeometryError as exc:
            fail("boundary", str(exc))
    lat_text, lon_text = raw.get("centroid_lat", "").strip(), raw.get("centroid_lon", "").strip()
    if bool(lat_text) != bool(lon_text):
        fail(
            "centroid_lat" if not lat_text else "centroid_lon",
            _("give both centroid_lat and centroid_lon or neither"),
        )
    elif lat_text:
        try:
            lat = coordinate_parse(lat_text, latitude=True)
            lon = coordinate_parse(lon_text, latitude=False)
        except ValueError as exc:
            fail("centroid_lat", str(exc))
        else:
            if boundary is not None and not point_within(boundary, lat=lat, lon=lon):
                fail(
                    "centroid_lat",
                    _("the centroid (%(lat)s, %(lon)s) lies outside the boundary") % {"lat": lat, "lon": lon},
                )
            values["centroid_lat"], values["centroid_lon"] = lat, lon
    if boundary is not None:
        values["boundary"] = boundary_to_geojson(boundary)
        if "centroid_lat" not in values:
            values["centroid_lat"], values["centroid_lon"] = representative_point(boundary)
        if level == "mahalla":
            values["min_lon"], values["min_lat"], values["max_lon"], values["max_lat"] = bounding_box(
                boundary
            )
    post = {POST_FIELDS[column]: raw[column].strip() for column in POST_FIELDS if raw.get(column, "").strip()}
    if post and level != "mahalla":
        fail(
            next(column for column in POST_FIELDS if raw.get(column, "").strip()),
            _("only a mahalla has a post"),
        )
    if errors:
        return None, errors
    return TerritoryRow(row, level, code, parent_code, values, boundary, post, raw), []


def _changed(instance: Any, values: dict[str, Any]) -> bool:
    return any(getattr(instance, name) != value for name, value in values.items())


def territory_import(
    *,
    actor: Any,
    source: str | os.PathLike[str] | BinaryIO,
    file_name: str | None = None,
    skip_invalid: bool = False,
    rejects: RejectsWriter | None = None,
    record_batch: BatchRecorder | None = None,
    progress: ProgressCallback | None = None,
) -> ImportOutcome:
    """Create or update regions, districts, mahallas and posts from a file (docs/import-formats.md).

    Raises `TabularError` for an unreadable file and `ImportRejected` when any row is invalid and
    `skip_invalid` is false; in both cases nothing is written but the audit trace of the attempt.
    """
    with TableReader(
        source, file_name=file_name, required=TERRITORY_REQUIRED, allowed=TERRITORY_COLUMNS
    ) as reader:
        outcome = ImportOutcome(kind="territories", file_name=reader.file_name, file_sha256=reader.sha256())
        try:
            rows, rejected = _territory_rows_read(reader, outcome, progress)
        except TabularError as exc:
            outcome.add_errors([RowError(int(exc.extra.get("row", 0) or 0), "", "", exc.message)])
            import_failure_record(
                actor=actor, outcome=outcome, object_type="territory.import", record_batch=record_batch
            )
            raise
        _territory_rows_check(rows, rejected)
        rows = [row for row in rows if row.row not in rejected]
        outcome.rows_rejected = len(rejected)
        for number in sorted(rejected):
            outcome.add_errors(rejected[number][1])
        if rejected and not skip_invalid:
            import_failure_record(
                actor=actor, outcome=outcome, object_type="territory.import", record_batch=record_batch
            )
            raise import_refused(outcome)
        if rejects is not None:
            for number in sorted(rejected):
                raw, errors = rejected[number]
                rejects.write(number, raw, errors)
        with transaction.atomic():
            _territory_rows_write(rows, outcome)
            outcome.committed = True
            if record_batch is not None:
                outcome.batch_id = record_batch(outcome, "done")
            audit_record(
                actor=actor,
                action=AuditAction.IMPORT,
                object_type="territory.import",
                object_id=outcome.batch_id or "",
                object_repr=outcome.file_name,
                details={
                    "status": "done",
                    "file_sha256": outcome.file_sha256,
                    "rows_read": outcome.rows_read,
                    "rows_created": outcome.rows_created,
                    "rows_updated": outcome.rows_updated,
                    "rows_unchanged": outcome.rows_unchanged,
                    "rows_rejected": outcome.rows_rejected,
                },
            )
    return outcome


Rejected = dict[int, tuple[dict[str, str], list[RowError]]]


def _territory_rows_read(
    reader: TableReader, outcome: ImportOutcome, progress: ProgressCallback | None
) -> tuple[list[TerritoryRow], Rejected]:
    rows: list[TerritoryRow] = []
    rejected: Rejected = {}
    first_row_of: dict[tuple[str, str], int] = {}
    for chunk in reader.chunks():
        for position, number in enumerate(chunk.numbers):
            raw = chunk.raw_row(position)
            if number in chunk.row_errors:
                rejected[number] = (raw, chunk.row_errors[number])
                continue
            parsed, errors = _territory_row_parse(number, raw)
            level, code = raw.get("level", "").strip().lower(), raw.get("code", "").strip()
            if level and code:
                first = first_row_of.setdefault((level, code), number)
                if first != number:
                    errors.append(
                        RowError(
                            number,
                            "code",
                            code,
                            _("duplicate: %(level)s %(code)s is also in row %(first)s")
                            % {"level": level, "code": code, "first": first},
                        )
                    )
            if errors or parsed is None:
                rejected[number] = (raw, errors)
            else:
                rows.append(parsed)
        outcome.rows_read = chunk.numbers[-1]
        if progress is not None:
            progress(outcome.rows_read, chunk.bytes_read, reader.size_bytes)
    return rows, rejected


class _Boundaries:
    """Effective parent and boundary per (level, code): stored values overlaid by the file's valid rows.
    Stored boundaries are parsed only when a check needs them."""

    def __init__(self) -> None:
        self.stored_regions = {r.code: r for r in Region.objects.all()}
        self.stored_districts = {d.code: d for d in District.objects.select_related("region")}
        self.stored_mahallas = {
            m["code"]: m for m in Mahalla.objects.values("code", "district__code", "boundary")
        }
        self.from_file: dict[tuple[str, str], TerritoryRow] = {}
        self._parsed: dict[tuple[str, str], BoundaryGeometry | None] = {}
        self._outer: dict[int, tuple[BoundaryGeometry, BoundaryGeometry]] = {}

    def exists(self, level: str, code: str) -> bool:
        if (level, code) in self.from_file:
            return True
        stored: dict[str, dict[str, Any]] = {
            "region": self.stored_regions,
            "district": self.stored_districts,
            "mahalla": self.stored_mahallas,
        }
        return code in stored[level]

    def within(self, inner: BoundaryGeometry, outer: BoundaryGeometry) -> bool:
        """`boundary_within` with each outer boundary prepared and buffered once: a district is the
        parent of dozens of mahallas, and buffering it for each would dominate a national import."""
        key = id(outer)
        cached = self._outer.get(key)
        if cached is None:
            buffered = outer.buffer(CONTAINMENT_TOLERANCE_DEGREES)
            shapely.prepare(outer)
            shapely.prepare(buffered)
            # The geometry itself is kept in the entry so that its id cannot be reused while cached.
            cached = self._outer[key] = (outer, buffered)
        return bool(cached[0].covers(inner) or cached[1].covers(inner))

    def boundary(self, level: str, code: str) -> BoundaryGeometry | None:
        row = self.from_file.get((level, code))
        if row is not None and row.boundary is not None:
            return row.boundary
        key = (level, code)
        if key not in self._parsed:
            stored: Any
            if level == "region":
                stored = getattr(self.stored_regions.get(code), "boundary", None)
            elif level == "district":
                stored = getattr(self.stored_districts.get(code), "boundary", None)
            else:
                stored = (self.stored_mahallas.get(code) or {}).get("boundary")
            try:
                self._parsed[key] = boundary_parse(stored) if stored else None
            except GeometryError:
                self._parsed[key] = None
        return self._parsed[key]


PARENT_LEVEL = {"district": "region", "mahalla": "district"}


def _territory_rows_check(rows: list[TerritoryRow], rejected: Rejected) -> None:
    """Cross-row rules: parents exist, codes nest, nothing moves to another parent, boundaries nest.

    Levels are checked parents first, and a refused row is withdrawn before its children are checked, so a
    mahalla never hangs under a district row that will not be written."""
    state = _Boundaries()
    for row in rows:
        state.from_file[(row.level, row.code)] = row

    def reject(row: TerritoryRow, column: str, reason: str) -> None:
        entry = rejected.setdefault(row.row, (row.raw, []))
        entry[1].append(RowError(row.row, column, row.raw.get(column, ""), reason))
        state.from_file.pop((row.level, row.code), None)

    for level in LEVELS:
        for row in [r for r in rows if r.level == level]:
            _territory_row_check(row, state, reject)


def _territory_row_check(
    row: TerritoryRow, state: _Boundaries, reject: Callable[[TerritoryRow, str, str], None]
) -> None:
    if row.level != "region":
        parent_level = PARENT_LEVEL[row.level]
        if not state.exists(parent_level, row.parent_code):
            reject(row, "parent_code", _("unknown %(level)s code") % {"level": parent_level})
            return
        if row.level == "district" and not row.code.startswith(row.parent_code):
            reject(
                row,
                "code",
                _("a district's SOATO code starts with its region's code %(parent)s")
                % {"parent": row.parent_code},
            )
            return
        stored_parent = (
            getattr(state.stored_districts.get(row.code), "region", None)
            if row.level == "district"
            else (state.stored_mahallas.get(row.code) or {}).get("district__code")
        )
        stored_parent_code = getattr(stored_parent, "code", stored_parent)
        if stored_parent_code is not None and stored_parent_code != row.parent_code:
            reject(
                row,
                "parent_code",
                _("%(level)s %(code)s belongs to %(stored)s; an import cannot move it")
                % {"level": row.level, "code": row.code, "stored": stored_parent_code},
            )
            return
        if row.boundary is not None:
            parent_boundary = state.boundary(parent_level, row.parent_code)
            if parent_boundary is not None and not state.within(row.boundary, parent_boundary):
                reject(
                    row,
                    "boundary",
                    _("the boundary does not lie inside the boundary of %(level)s %(parent)s")
                    % {"level": parent_level, "parent": row.parent_code},
                )
                return
    if row.boundary is None or row.level == "mahalla":
        return
    # A new boundary must still hold the stored children that the file does not replace (those it replaces
    # are checked against this boundary when their own row comes).
    if row.level == "region":
        children = [
            (code, "district") for code, d in state.stored_districts.items() if d.region.code == row.code
        ]
    else:
        children = [
            (code, "mahalla") for code, m in state.stored_mahallas.items() if m["district__code"] == row.code
        ]
    for child_code, child_level in children:
        child_row = state.from_file.get((child_level, child_code))
        if child_row is not None and child_row.boundary is not None:
            continue
        child_boundary = state.boundary(child_level, child_code)
        if child_boundary is not None and not state.within(child_boundary, row.boundary):
            reject(
                row,
                "boundary",
                _("the stored boundary of %(level)s %(child)s would lie outside this boundary")
                % {"level": child_level, "child": child_code},
            )
            return


def _territory_rows_write(rows: list[TerritoryRow], outcome: ImportOutcome) -> None:
    by_level: dict[str, list[TerritoryRow]] = {level: [] for level in LEVELS}
    for row in rows:
        by_level[row.level].append(row)

    regions = {r.code: r for r in Region.objects.select_for_update()}
    for row in by_level["region"]:
        region = regions.get(row.code)
        if region is None:
            regions[row.code] = Region.objects.create(code=row.code, **row.values)
            outcome.rows_created += 1
        elif _changed(region, row.values):
            for name, value in row.values.items():
                setattr(region, name, value)
            region.save()
            outcome.rows_updated += 1
        else:
            outcome.rows_unchanged += 1

    districts = {d.code: d for d in District.objects.select_for_update()}
    for row in by_level["district"]:
        district = districts.get(row.code)
        if district is None:
            districts[row.code] = District.objects.create(
                code=row.code, region=regions[row.parent_code], **row.values
            )
            outcome.rows_created += 1
        elif _changed(district, row.values):
            for name, value in row.values.items():
                setattr(district, name, value)
            district.save()
            outcome.rows_updated += 1
        else:
            outcome.rows_unchanged += 1

    codes = [row.code for row in by_level["mahalla"]]
    stored: dict[str, Mahalla] = {}
    for start in range(0, len(codes), 500):
        stored.update({m.code: m for m in Mahalla.objects.filter(code__in=codes[start : start + 500])})
    stored_ids = [m.pk for m in stored.values()]
    posts: dict[int, LawAndOrderPost] = {}
    for start in range(0, len(stored_ids), 500):
        chunk = LawAndOrderPost.objects.filter(mahalla_id__in=stored_ids[start : start + 500])
        posts.update({p.mahalla_id: p for p in chunk})
    created: list[Mahalla] = []
    updated: list[Mahalla] = []
    update_fields: set[str] = set()
    post_rows: list[tuple[TerritoryRow, Mahalla]] = []
    for row in by_level["mahalla"]:
        mahalla = stored.get(row.code)
        if mahalla is None:
            district = districts[row.parent_code]
            mahalla = Mahalla(code=row.code, district=district, region_id=district.region_id, **row.values)
            created.append(mahalla)
        else:
            post = posts.get(mahalla.pk)
            post_changed = bool(row.post) and (post is None or _changed(post, row.post))
            if _changed(mahalla, row.values):
                for name, value in row.values.items():
                    setattr(mahalla, name, value)
                updated.append(mahalla)
                update_fields.update(row.values)
            elif not post_changed:
                outcome.rows_unchanged += 1
                continue
            else:
                outcome.rows_updated += 1
        if row.post:
            post_rows.append((row, mahalla))
    Mahalla.objects.bulk_create(created, batch_size=500)
    if updated:
        Mahalla.objects.bulk_update(updated, sorted(update_fields), batch_size=500)
    outcome.rows_created += len(created)
    outcome.rows_updated += len(updated)

    new_posts: list[LawAndOrderPost] = []
    changed_posts: list[LawAndOrderPost] = []
    post_fields: set[str] = set()
    if any(m.pk is None for _row, m in post_rows):
        # bulk_create returns no ids on every backend; fetch them by code.
        ids: dict[str, int] = {}
        missing = [m.code for _row, m in post_rows if m.pk is None]
        for start in range(0, len(missing), 500):
            ids.update(
                Mahalla.objects.filter(code__in=missing[start : start + 500]).values_list("code", "id")
            )
        for _row, mahalla in post_rows:
            mahalla.pk = mahalla.pk or ids[mahalla.code]
    for row, mahalla in post_rows:
        post = posts.get(mahalla.pk)
        if post is None:
            new_posts.append(LawAndOrderPost(mahalla_id=mahalla.pk, **row.post))
        elif _changed(post, row.post):
            for name, value in row.post.items():
                setattr(post, name, value)
            changed_posts.append(post)
            post_fields.update(row.post)
    LawAndOrderPost.objects.bulk_create(new_posts, batch_size=500)
    if changed_posts:
        LawAndOrderPost.objects.bulk_update(changed_posts, sorted(post_fields), batch_size=500)
    if created or updated:
        mahalla_boundaries_simplify()


def mahalla_boundaries_simplify() -> int:
    """Store every mahalla's boundary generalised per map level (geometry.MAP_LEVELS). All mahallas are
    simplified as one coverage, so that edges shared across district borders stay shared. Returns the count.
    Runs inside the import's transaction."""
    rows = list(Mahalla.objects.exclude(boundary=None).order_by("pk").values_list("pk", "boundary"))
    if not rows:
        return 0
    shapes = [shapely.geometry.shape(boundary) for _pk, boundary in rows]
    simplified = boundaries_simplified(shapes)
    Mahalla.objects.bulk_update(
        [
            Mahalla(pk=pk, boundary_simplified=levels)
            for (pk, _b), levels in zip(rows, simplified, strict=True)
        ],
        ["boundary_simplified"],
        batch_size=500,
    )
    return len(rows)

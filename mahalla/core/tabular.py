"""Reading CSV, XLSX and JSON Lines files as numbered rows of text, and writing CSV/XLSX that is safe to open.

Reading streams: a file of half a million rows is never held in memory, rows arrive in chunks of lists so that
importers can validate a chunk column by column. Every problem with the file as a whole (not UTF-8, empty,
a missing or unknown column, an oversized field, a broken XLSX) is a `TabularError` naming what was wrong and,
where it applies, the row. Row numbers are 1-based data rows; the header is row 0 (docs/import-formats.md).

Writing neutralises formula injection (OWASP "CSV Injection"): a text cell that a spreadsheet would run as a
formula, one starting with ``= + - @`` or a tab or carriage return, is prefixed with a single quote.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import json
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO

from django.utils.translation import gettext as _

from .errors import ApplicationError

SUPPORTED_FORMATS = ("csv", "xlsx", "jsonl")
DEFAULT_CHUNK_ROWS = 20_000
# A GeoJSON boundary of a large district may run to a few megabytes; nothing legitimate is larger. The limit
# protects memory from a file that is one endless field (a runaway quote in a CSV, a binary pasted in a cell).
DEFAULT_MAX_FIELD_CHARS = 5_000_000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# The csv module refuses fields above a process-wide limit (128 KiB by default). Raise it once to our own
# limit plus one, so that our check, which names the row and column, is the one that fires.
if csv.field_size_limit() < DEFAULT_MAX_FIELD_CHARS + 1:
    csv.field_size_limit(DEFAULT_MAX_FIELD_CHARS + 1)


# Hostile files (docs/import-formats.md, "Hostile files"): limits checked before any row is read.
XLSX_MAX_UNCOMPRESSED_BYTES = 2 * 1024**3  # a million-row workbook unpacks to about 1 GB
XLSX_MAX_RATIO = 200  # real sheets compress 5-30 times; a zip bomb thousands of times
XLSX_RATIO_FLOOR_BYTES = 16 * 1024**2  # small members may compress as they like
IMPORT_MAX_ROWS = 5_000_000
# C0 control characters other than tab, line feed and carriage return, and DEL: never in a real value,
# refused by PostgreSQL (NUL) and a way to hide text from a reader.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_DIMENSION = re.compile(rb'<dimension[^>]*ref="[A-Z]+[0-9]+:[A-Z]+([0-9]+)"')


class TabularError(ApplicationError):
    """The file as a whole cannot be read: nothing in it is imported."""


@dataclass(frozen=True)
class RowError:
    """One reason why one row was refused."""

    row: int
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}

    def __str__(self) -> str:
        value = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        if self.column:
            return _("row %(row)s, column %(column)s, value %(value)r: %(reason)s") % {
                "row": self.row,
                "column": self.column,
                "value": value,
                "reason": self.reason,
            }
        return _("row %(row)s: %(reason)s") % {"row": self.row, "reason": self.reason}


@dataclass
class RowChunk:
    """Consecutive data rows. `cells[i][j]` is the text of column `columns[j]` in row `numbers[i]`; an empty
    cell is the empty string. `row_errors` holds rows refused while reading (e.g. an unknown key in a JSON
    line); their cells are empty and importers must skip them."""

    columns: list[str]
    numbers: list[int]
    cells: list[list[str]]
    row_errors: dict[int, list[RowError]] = field(default_factory=dict)
    bytes_read: int = 0

    def column(self, name: str) -> list[str]:
        index = self.columns.index(name)
        return [row[index] for row in self.cells]

    def raw_row(self, position: int) -> dict[str, str]:
        return dict(zip(self.columns, self.cells[position], strict=True))


class TableReader:
    """A tabular file opened for streaming, with its columns checked against what the importer accepts.

    Parameters
    ----------
    source : path or binary file
        The file. A binary file object (e.g. an upload) must be seekable.
    file_name : str, optional
        Name whose extension (``.csv``, ``.xlsx``, ``.jsonl``) chooses the format; defaults to the path's
        name.
    required : sequence of str
        Columns that must be in the header (CSV, XLSX). In JSON Lines a missing key is an empty cell, so a
        required value is checked by the importer row by row.
    allowed : sequence of str
        Every column the importer knows. Anything else is an error: a typo must not silently drop data.
    chunk_rows : int
        Rows per chunk.
    max_field_chars : int
        Longest accepted cell, in characters.
    """

    def __init__(
        self,
        source: str | os.PathLike[str] | BinaryIO,
        *,
        file_name: str | None = None,
        required: Sequence[str],
        allowed: Sequence[str],
        chunk_rows: int = DEFAULT_CHUNK_ROWS,
        max_field_chars: int = DEFAULT_MAX_FIELD_CHARS,
    ) -> None:
        if isinstance(source, (str, os.PathLike)):
            path = Path(source)
            if not path.is_file():
                raise TabularError(_("File not found: %(path)s") % {"path": path})
            self._owned: BinaryIO | None = path.open("rb")
            self._binary: BinaryIO = self._owned
            self.file_name = file_name or path.name
        else:
            self._owned = None
            self._binary = source
            self.file_name = file_name or getattr(source, "name", "") or ""
        self.format = file_format(self.file_name)
        self.required = list(required)
        self.allowed = list(allowed)
        self.chunk_rows = chunk_rows
        self.max_field_chars = max_field_chars
        self._binary.seek(0, io.SEEK_END)
        self.size_bytes = self._binary.tell()
        self._binary.seek(0)
        if self.size_bytes == 0:
            self.close()
            raise TabularError(_("The file %(name)s is empty (0 bytes).") % {"name": self.file_name})
        self.rows_read = 0

    def close(self) -> None:
        if self._owned is not None:
            self._owned.close()
            self._owned = None

    def __enter__(self) -> TableReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def sha256(self) -> str:
        """Hash of the file's bytes, read in blocks; leaves the file at its start."""
        import hashlib

        digest = hashlib.sha256()
        self._binary.seek(0)
        for block in iter(lambda: self._binary.read(1 << 20), b""):
            digest.update(block)
        self._binary.seek(0)
        return digest.hexdigest()

    def chunks(self) -> Iterator[RowChunk]:
        """Yield the data rows in chunks. Raises `TabularError` for a problem with the file as a whole,
        and when the file holds no data row."""
        self._binary.seek(0)
        if self.format == "csv":
            produced = self._csv_chunks()
        elif self.format == "xlsx":
            produced = self._xlsx_chunks()
        else:
            produced = self._jsonl_chunks()
        for chunk in produced:
            self.rows_read = chunk.numbers[-1]
            if self.rows_read > IMPORT_MAX_ROWS:
                raise TabularError(
                    _("The file %(name)s has more than %(limit)s data rows: split it.")
                    % {"name": self.file_name, "limit": IMPORT_MAX_ROWS},
                    extra={"row": self.rows_read},
                )
            _control_characters_refuse(chunk)
            yield chunk
        if self.rows_read == 0:
            raise TabularError(
                _("The file %(name)s has no data rows: nothing to import.") % {"name": self.file_name}
            )

    # -- header ------------------------------------------------------------------------------------------

    def _check_header(self, raw: Sequence[object]) -> list[str]:
        header = [str(cell if cell is not None else "").strip().lower() for cell in raw]
        # Trailing empty header cells come from spreadsheets that were edited to the right: ignore them.
        while header and header[-1] == "":
            header.pop()
        if not header:
            raise TabularError(_("The file %(name)s has no header row.") % {"name": self.file_name})
        if "" in header:
            position = header.index("") + 1
            raise TabularError(
                _("The header has an empty column name at position %(position)s.") % {"position": position}
            )
        seen: set[str] = set()
        for name in header:
            if name in seen:
                raise TabularError(_("The header names column %(column)r twice.") % {"column": name})
            seen.add(name)
        unknown = [name for name in header if name not in self.allowed]
        if unknown:
            raise TabularError(
                _("Unknown column(s) %(unknown)s. Known columns: %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(self.allowed)},
                extra={"unknown_columns": unknown},
            )
        missing = [name for name in self.required if name not in seen]
        if missing:
            raise TabularError(
                _("Missing required column(s): %(missing)s.") % {"missing": ", ".join(missing)},
                extra={"missing_columns": missing},
            )
        return header

    def _too_large(self, row: int, column: str | None) -> TabularError:
        if column is None:
            message = _("row %(row)s: a value is longer than the limit of %(limit)s characters.")
        else:
            message = _(
                "row %(row)s, column %(column)s: the value is longer than the limit of %(limit)s characters."
            )
        return TabularError(
            message % {"row": row, "column": column, "limit": self.max_field_chars},
            extra={"row": row, "column": column or ""},
        )

    # -- CSV ---------------------------------------------------------------------------------------------

    def _csv_chunks(self) -> Iterator[RowChunk]:
        head = self._binary.read(4)
        self._binary.seek(0)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE)):
            raise TabularError(
                _("The file %(name)s is UTF-16/UTF-32 encoded; save it as CSV UTF-8.")
                % {"name": self.file_name}
            )
        text = io.TextIOWrapper(self._binary, encoding="utf-8-sig", errors="strict", newline="")
        reader = csv.reader(text, strict=True)
        row_number = 0
        try:
            try:
                header = self._check_header(next(reader))
            except StopIteration:
                raise TabularError(
                    _("The file %(name)s has no header row.") % {"name": self.file_name}
                ) from None
            width = len(header)
            limit = self.max_field_chars
            while True:
                # A chunk's worth of rows is taken by C code; a chunk whose rows all have the header's width
                # and no oversized cell (the common case) is numbered and checked as a whole, any other
                # (a blank line, a short row) row by row below.
                rows: list[list[str]] = []
                try:
                    rows.extend(itertools.islice(reader, self.chunk_rows))
                except (UnicodeDecodeError, csv.Error):
                    # The rows read before the broken one stay in `rows`: count them, so that the error
                    # names the broken row.
                    row_number += sum(1 for cells in rows if cells)
                    raise
                if not rows:
                    return
                if (
                    set(map(len, rows)) != {width}
                    or max(map(len, itertools.chain.from_iterable(rows))) > limit
                ):
                    break
                start = row_number + 1
                row_number += len(rows)
                yield RowChunk(
                    columns=header,
                    numbers=list(range(start, row_number + 1)),
                    cells=rows,
                    bytes_read=self._binary.tell() if len(rows) == self.chunk_rows else self.size_bytes,
                )
            chunk = RowChunk(columns=header, numbers=[], cells=[])
            for cells in itertools.chain(rows, reader):
                row_number += 1
                if not cells:
                    # csv yields [] for a blank line; a blank line is not a row.
                    row_number -= 1
                    continue
                if len(cells) != width:
                    # Trailing empty cells beyond the header (spreadsheet residue) are harmless.
                    if len(cells) > width and not any(cell.strip() for cell in cells[width:]):
                        cells = cells[:width]
                    else:
                        chunk.row_errors[row_number] = [
                            RowError(
                                row_number,
                                "",
                                "",
                                _("the row has %(found)s cells but the header has %(expected)s")
                                % {"found": len(cells), "expected": width},
                            )
                        ]
                        cells = [""] * width
                if max(map(len, cells)) > limit:
                    index = next(i for i, cell in enumerate(cells) if len(cell) > limit)
                    raise self._too_large(row_number, header[index])
                chunk.numbers.append(row_number)
                chunk.cells.append(cells)
                if len(chunk.numbers) >= self.chunk_rows:
                    chunk.bytes_read = self._binary.tell()
                    yield chunk
                    chunk = RowChunk(columns=header, numbers=[], cells=[])
            if chunk.numbers:
                chunk.bytes_read = self.size_bytes
                yield chunk
        except UnicodeDecodeError as exc:
            raise TabularError(
                _(
                    "The file %(name)s is not valid UTF-8 (near data row %(row)s: byte %(byte)s cannot be "
                    "decoded). Save it as CSV UTF-8; files saved in Windows-1251 or another code page are "
                    "refused."
                )
                % {"name": self.file_name, "row": row_number + 1, "byte": hex(exc.object[exc.start])},
                extra={"row": row_number + 1},
            ) from None
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise self._too_large(row_number + 1, None) from None
            raise TabularError(
                _("The CSV file is malformed near data row %(row)s: %(reason)s")
                % {"row": row_number + 1, "reason": exc},
                extra={"row": row_number + 1},
            ) from None
        finally:
            text.detach()

    # -- XLSX --------------------------------------------------------------------------------------------

    def _xlsx_check(self) -> None:
        """Refuse a hostile workbook before reading a row: a zip bomb (declared sizes or ratio), a DTD
        (entity expansion), more rows than the limit (the sheet's declared dimension)."""
        name = self.file_name
        try:
            archive = zipfile.ZipFile(self._binary)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise TabularError(
                _("The file %(name)s is not a readable XLSX workbook (%(reason)s).")
                % {"name": name, "reason": exc.__class__.__name__}
            ) from None
        try:
            members = archive.infolist()
            total = sum(member.file_size for member in members)
            if total > XLSX_MAX_UNCOMPRESSED_BYTES:
                raise TabularError(
                    _("The workbook %(name)s unpacks to %(size)s MB, more than the %(limit)s MB accepted.")
                    % {
                        "name": name,
                        "size": total // 1024**2,
                        "limit": XLSX_MAX_UNCOMPRESSED_BYTES // 1024**2,
                    }
                )
            for member in members:
                if member.file_size > XLSX_RATIO_FLOOR_BYTES and member.file_size > XLSX_MAX_RATIO * max(
                    member.compress_size, 1
                ):
                    raise TabularError(
                        _(
                            "The workbook %(name)s looks like a zip bomb: %(member)s unpacks %(ratio)s "
                            "times its size."
                        )
                        % {
                            "name": name,
                            "member": member.filename,
                            "ratio": member.file_size // max(member.compress_size, 1),
                        }
                    )
            for member in members:
                if not member.filename.endswith((".xml", ".rels")):
                    continue
                with archive.open(member) as handle:
                    head = handle.read(8192)
                if _DTD.search(head):
                    raise TabularError(
                        _("The workbook %(name)s declares a DTD or entities in %(member)s: refused.")
                        % {"name": name, "member": member.filename}
                    )
                if member.filename.startswith("xl/worksheets/"):
                    dimension = _DIMENSION.search(head)
                    if dimension and int(dimension.group(1)) > IMPORT_MAX_ROWS + 1:
                        raise TabularError(
                            _(
                                "The workbook %(name)s declares %(rows)s rows, more than the %(limit)s "
                                "accepted."
                            )
                            % {"name": name, "rows": int(dimension.group(1)), "limit": IMPORT_MAX_ROWS}
                        )
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            raise TabularError(
                _("The file %(name)s is not a readable XLSX workbook (%(reason)s).")
                % {"name": name, "reason": exc.__class__.__name__}
            ) from None
        finally:
            archive.close()
            self._binary.seek(0)

    def _xlsx_chunks(self) -> Iterator[RowChunk]:
        try:
            yield from self._xlsx_rows()
        except TabularError:
            raise
        except (SyntaxError, zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError, ValueError) as exc:
            # A truncated or corrupt sheet, an entity refused by defusedxml (a ValueError): the file as a
            # whole is refused, with its name, never a traceback.
            raise TabularError(
                _("The file %(name)s is not a readable XLSX workbook (%(reason)s).")
                % {"name": self.file_name, "reason": exc.__class__.__name__},
                extra={"row": self.rows_read},
            ) from None

    def _xlsx_rows(self) -> Iterator[RowChunk]:
        import openpyxl

        self._xlsx_check()
        try:
            # data_only: a formula cell is read as its cached value, never as formula text to be trusted.
            workbook = openpyxl.load_workbook(self._binary, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise TabularError(
                _("The file %(name)s is not a readable XLSX workbook (%(reason)s).")
                % {"name": self.file_name, "reason": exc.__class__.__name__}
            ) from None
        try:
            sheet = workbook.worksheets[0]
            rows = sheet.iter_rows(values_only=True)
            header: list[str] | None = None
            for raw in rows:
                if raw is None or all(cell is None or str(cell).strip() == "" for cell in raw):
                    continue
                header = self._check_header(raw)
                break
            if header is None:
                raise TabularError(_("The file %(name)s has no header row.") % {"name": self.file_name})
            width = len(header)
            limit = self.max_field_chars
            chunk = RowChunk(columns=header, numbers=[], cells=[])
            row_number = 0
            for raw in rows:
                if raw is None or all(
                    cell is None or (isinstance(cell, str) and not cell.strip()) for cell in raw
                ):
                    continue
                row_number += 1
                values = [_cell_text(cell) for cell in raw]
                if len(values) > width:
                    if any(value.strip() for value in values[width:]):
                        chunk.row_errors[row_number] = [
                            RowError(
                                row_number, "", "", _("the row has cells to the right of the last column")
                            )
                        ]
                    values = values[:width]
                elif len(values) < width:
                    values.extend([""] * (width - len(values)))
                for index, value in enumerate(values):
                    if len(value) > limit:
                        raise self._too_large(row_number, header[index])
                chunk.numbers.append(row_number)
                chunk.cells.append(values)
                if len(chunk.numbers) >= self.chunk_rows:
                    yield chunk
                    chunk = RowChunk(columns=header, numbers=[], cells=[])
            if chunk.numbers:
                chunk.bytes_read = self.size_bytes
                yield chunk
        finally:
            workbook.close()

    # -- JSON Lines --------------------------------------------------------------------------------------

    def _jsonl_chunks(self) -> Iterator[RowChunk]:
        columns = list(self.allowed)
        index_of = {name: i for i, name in enumerate(columns)}
        limit = self.max_field_chars
        chunk = RowChunk(columns=columns, numbers=[], cells=[])
        row_number = 0
        position = 0
        first = True
        while True:
            # Bounded read: a "line" of gigabytes must not be pulled into memory before it is refused.
            line = self._binary.readline(limit * 4 + 2)
            if not line:
                break
            position += len(line)
            if first:
                first = False
                if line.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                    raise TabularError(
                        _("The file %(name)s is UTF-16 encoded; JSON Lines must be UTF-8.")
                        % {"name": self.file_name}
                    )
                if line.startswith(codecs.BOM_UTF8):
                    line = line[len(codecs.BOM_UTF8) :]
            if not line.strip():
                continue
            row_number += 1
            if len(line) >= limit * 4 + 2 and not line.endswith(b"\n"):
                raise self._too_large(row_number, None)
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise TabularError(
                    _("The file %(name)s is not valid UTF-8 (row %(row)s: byte %(byte)s cannot be decoded).")
                    % {"name": self.file_name, "row": row_number, "byte": hex(exc.object[exc.start])},
                    extra={"row": row_number},
                ) from None
            cells = [""] * len(columns)
            errors: list[RowError] = []
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                errors.append(RowError(row_number, "", text.strip()[:200], _("not valid JSON: %s") % exc.msg))
                record = {}
            if not isinstance(record, dict):
                errors.append(
                    RowError(row_number, "", text.strip()[:200], _("the line is not a JSON object"))
                )
                record = {}
            for key, value in record.items():
                name = str(key).strip().lower()
                if name not in index_of:
                    errors.append(RowError(row_number, name, _cell_text(value)[:200], _("unknown column")))
                    continue
                cell = _cell_text(value)
                if len(cell) > limit:
                    raise self._too_large(row_number, name)
                cells[index_of[name]] = cell
            if errors:
                chunk.row_errors[row_number] = errors
                cells = [""] * len(columns)
            chunk.numbers.append(row_number)
            chunk.cells.append(cells)
            if len(chunk.numbers) >= self.chunk_rows:
                chunk.bytes_read = position
                yield chunk
                chunk = RowChunk(columns=columns, numbers=[], cells=[])
        if chunk.numbers:
            chunk.bytes_read = self.size_bytes
            yield chunk


def file_format(file_name: str) -> str:
    """The format named by a file's extension; a clear error for anything else."""
    suffix = Path(file_name).suffix.lower().lstrip(".")
    if suffix == "ndjson":
        suffix = "jsonl"
    if suffix not in SUPPORTED_FORMATS:
        raise TabularError(
            _("Unsupported file type %(suffix)r for %(name)s: use .csv, .xlsx or .jsonl.")
            % {"suffix": suffix or "(none)", "name": file_name or "(unnamed)"}
        )
    return suffix


def _control_characters_refuse(chunk: RowChunk) -> None:
    """Refuse every row with a control character in a cell, naming the row and the column; its cells are
    emptied like any row refused while reading. One search per column of the chunk: rows are only looked
    at one by one in a column that holds one, and one search of the whole chunk first (in C: a clean chunk,
    the common case, costs no Python loop over its cells)."""
    clean = not CONTROL_CHARACTERS.search("\n".join(map("\n".join, chunk.cells)))
    for index, column in enumerate(() if clean else chunk.columns):
        if not CONTROL_CHARACTERS.search("\n".join(row[index] for row in chunk.cells)):
            continue
        for position, row in enumerate(chunk.cells):
            found = CONTROL_CHARACTERS.search(row[index])
            if found is None:
                continue
            number = chunk.numbers[position]
            chunk.row_errors.setdefault(number, []).append(
                RowError(
                    number,
                    column,
                    row[index].encode("unicode_escape").decode("ascii")[:60],
                    _("control character U+%(code)04X is not allowed") % {"code": ord(found.group())},
                )
            )
    for number in chunk.row_errors:
        if number in chunk.numbers:
            position = chunk.numbers.index(number)
            chunk.cells[position] = [""] * len(chunk.columns)


def _cell_text(value: object) -> str:
    """A cell from XLSX or JSON as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        # Excel stores every number as a float: a code 1703202 must not become "1703202.0".
        return str(int(value))
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value).strip()


# -- safe writing ----------------------------------------------------------------------------------------

_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise_formula(value: object) -> object:
    """Text that a spreadsheet would evaluate as a formula gets a leading single quote; numbers, dates and
    other non-text values pass through untouched (a negative number is data, not a formula)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_write(handle: IO[str], header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write a header and rows as CSV with every text cell neutralised; returns the number of data rows."""
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow([neutralise_formula(name) for name in header])
    count = 0
    for row in rows:
        writer.writerow(["" if cell is None else neutralise_formula(cell) for cell in row])
        count += 1
    return count


def xlsx_write(
    target: str | os.PathLike[str] | BinaryIO, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> int:
    """Write a one-sheet XLSX (streaming) with every text cell neutralised and stored as text, never as a
    formula; returns the number of data rows."""
    import openpyxl
    from openpyxl.cell.cell import WriteOnlyCell

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()

    def cells(values: Sequence[object]) -> list[WriteOnlyCell]:
        out = []
        for value in values:
            safe = neutralise_formula(value)
            if isinstance(safe, str):
                safe = _XLSX_ILLEGAL.sub("\ufffd", safe)
            cell = WriteOnlyCell(sheet, value=safe)
            if isinstance(safe, str):
                # openpyxl would otherwise store text beginning with "=" as a formula.
                cell.data_type = "s"
            out.append(cell)
        return out

    sheet.append(cells(header))
    count = 0
    for row in rows:
        sheet.append(cells(["" if cell is None else cell for cell in row]))
        count += 1
    workbook.save(target)
    return count


class RejectsWriter:
    """Writes refused rows, their original cells and the reasons, as a formula-safe CSV."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._handle: IO[str] | None = None
        self._writer: Any = None
        self._columns: list[str] = []
        self.count = 0

    def write(self, row: int, raw: dict[str, str], errors: Sequence[RowError]) -> None:
        if self._handle is None:
            self._columns = list(raw)
            self._handle = self.path.open("w", encoding="utf-8", newline="")
            self._writer = csv.writer(self._handle, lineterminator="\r\n")
            self._writer.writerow(["row", "errors", *self._columns])
        reasons = "; ".join(
            f"{error.column}: {error.reason}" if error.column else error.reason for error in errors
        )
        cells = [row, reasons, *(raw.get(name, "") for name in self._columns)]
        self._writer.writerow([neutralise_formula(cell) for cell in cells])
        self.count += 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


ProgressCallback = Callable[[int, int, int], None]
"""Called as progress(rows_done, bytes_done, bytes_total) after each chunk."""

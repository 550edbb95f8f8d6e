"""Reading officials.csv (docs/import-formats.md, "Officials"): all rows valid or nothing changes.

Rows are matched to existing officials by `official_id`: a known id updates the person (name, position,
territory, phone), a new one adds them. Officials missing from the file are left as they are: a partial file
(one region's list) must not retire the rest of the country.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.db import transaction
from django.utils.translation import gettext as _

from mahalla.audit.models import AuditAction
from mahalla.audit.services import audit_record
from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.core.roles import IMPORTERS
from mahalla.core.tabular import RowError, TableReader
from mahalla.territory.models import District, Mahalla, Region

from .models import Official, OfficialLevel

REQUIRED = ("official_id", "level", "position", "title_uz", "name", "organisation")
ALLOWED = (*REQUIRED, "territory_code", "phone")
MAX_LENGTHS = {
    "official_id": 40,
    "position": 60,
    "title_uz": 200,
    "name": 200,
    "organisation": 200,
    "phone": 40,
}
MAX_ERRORS_KEPT = 200


@dataclass
class OfficialImportOutcome:
    file_name: str
    rows_read: int = 0
    rows_created: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "rows_read": self.rows_read,
            "rows_created": self.rows_created,
            "rows_updated": self.rows_updated,
            "rows_unchanged": self.rows_unchanged,
            "errors": [error.as_dict() for error in self.errors],
            "error_count": self.error_count,
        }


class OfficialImportRejected(ApplicationError):
    """Some rows are invalid: nothing was written; `outcome.errors` names row, column, value and reason."""

    def __init__(self, outcome: OfficialImportOutcome) -> None:
        shown = "\n".join(f"  {error}" for error in outcome.errors[:20])
        message = _("%(file)s was not imported: %(count)s error(s); nothing was changed.") % {
            "file": outcome.file_name,
            "count": outcome.error_count,
        }
        super().__init__(f"{message}\n{shown}" if shown else message, outcome.as_dict())
        self.outcome = outcome


def _territories() -> tuple[dict[str, int], dict[str, tuple[int, int]], dict[str, tuple[int, int, int]]]:
    regions = dict(Region.objects.values_list("code", "pk"))
    districts = {
        code: (pk, region) for code, pk, region in District.objects.values_list("code", "pk", "region_id")
    }
    mahallas = {
        code: (pk, district, region)
        for code, pk, district, region in Mahalla.objects.values_list(
            "code", "pk", "district_id", "region_id"
        )
    }
    return regions, districts, mahallas


def _row_values(
    number: int,
    raw: dict[str, str],
    lookups: tuple[dict[str, int], dict[str, tuple[int, int]], dict[str, tuple[int, int, int]]],
) -> tuple[dict[str, Any] | None, list[RowError]]:
    regions, districts, mahallas = lookups
    errors: list[RowError] = []
    values = {name: (raw.get(name) or "").strip() for name in ALLOWED}

    def error(column: str, reason: str) -> None:
        errors.append(RowError(number, column, values.get(column, ""), reason))

    for name in REQUIRED:
        if not values[name]:
            error(name, _("required"))
    for name, limit in MAX_LENGTHS.items():
        if len(values[name]) > limit:
            error(name, _("longer than %(limit)s characters") % {"limit": limit})
    level = values["level"].lower()
    code = values["territory_code"]
    territory: dict[str, Any] = {"region_id": None, "district_id": None, "mahalla_id": None}
    if values["level"] and level not in OfficialLevel.values:
        error("level", _("must be one of %(choices)s") % {"choices": ", ".join(OfficialLevel.values)})
    elif level == OfficialLevel.COUNTRY:
        if code:
            error("territory_code", _("must be empty for a national institution (level country)"))
    elif level == OfficialLevel.REGION:
        if code not in regions:
            error("territory_code", _("no region with this code"))
        else:
            territory["region_id"] = regions[code]
    elif level == OfficialLevel.DISTRICT:
        if code not in districts:
            error("territory_code", _("no district with this code"))
        else:
            territory["district_id"], territory["region_id"] = districts[code]
    elif level == OfficialLevel.MAHALLA:
        if code not in mahallas:
            error("territory_code", _("no mahalla with this code"))
        else:
            territory["mahalla_id"], territory["district_id"], territory["region_id"] = mahallas[code]
    if errors:
        return None, errors
    return {
        "external_id": values["official_id"],
        "level": level,
        "position": values["position"].lower(),
        "title": values["title_uz"],
        "name": values["name"],
        "organisation": values["organisation"],
        "phone": values["phone"],
        **territory,
    }, []


UPDATED_FIELDS = (
    "level",
    "position",
    "title",
    "name",
    "organisation",
    "phone",
    "region_id",
    "district_id",
    "mahalla_id",
)


def officials_import(
    *, actor: Any, source: str | os.PathLike[str] | BinaryIO, file_name: str | None = None
) -> OfficialImportOutcome:
    """Import officials.csv (or .xlsx, .jsonl) all-or-nothing. `actor` None is the system (the command line);
    otherwise the actor's role must be an importer. Raises `OfficialImportRejected` naming every invalid
    row (up to 200), `TabularError` for an unreadable file."""
    if actor is not None and getattr(actor, "role", None) not in IMPORTERS:
        raise AccessDenied(_("Only administrators and national analysts import officials."))
    lookups = _territories()
    with TableReader(source, file_name=file_name, required=REQUIRED, allowed=ALLOWED) as reader:
        outcome = OfficialImportOutcome(file_name=reader.file_name)
        digest = reader.sha256()
        rows: dict[str, dict[str, Any]] = {}
        first_row: dict[str, int] = {}
        for chunk in reader.chunks():
            for position, number in enumerate(chunk.numbers):
                outcome.rows_read += 1
                if number in chunk.row_errors:
                    row_errors = chunk.row_errors[number]
                else:
                    values, row_errors = _row_values(number, chunk.raw_row(position), lookups)
                    if values is not None:
                        key = values["external_id"]
                        if key in rows:
                            row_errors = [
                                RowError(
                                    number,
                                    "official_id",
                                    key,
                                    _("duplicate: also in row %(row)s") % {"row": first_row[key]},
                                )
                            ]
                        else:
                            rows[key] = values
                            first_row[key] = number
                outcome.error_count += len(row_errors)
                room = MAX_ERRORS_KEPT - len(outcome.errors)
                outcome.errors.extend(row_errors[: max(room, 0)])
    if outcome.error_count:
        raise OfficialImportRejected(outcome)
    with transaction.atomic():
        existing = {o.external_id: o for o in Official.objects.filter(external_id__in=list(rows))}
        new: list[Official] = []
        changed: list[Official] = []
        for key, values in rows.items():
            official = existing.get(key)
            if official is None:
                new.append(Official(**values))
                continue
            if all(getattr(official, name) == values[name] for name in UPDATED_FIELDS):
                outcome.rows_unchanged += 1
                continue
            for name in UPDATED_FIELDS:
                setattr(official, name, values[name])
            changed.append(official)
        Official.objects.bulk_create(new, batch_size=2000)
        Official.objects.bulk_update(changed, list(UPDATED_FIELDS), batch_size=2000)
        outcome.rows_created, outcome.rows_updated = len(new), len(changed)
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            object_type="officials.official",
            object_repr=outcome.file_name,
            details={**{k: v for k, v in outcome.as_dict().items() if k != "errors"}, "sha256": digest},
        )
    return outcome

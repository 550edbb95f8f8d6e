"""Bulk import of cyber reports from banks and the 102 line (CSV, XLSX, JSON Lines; columns in formats.py).

All-or-nothing like the other importers (mahalla.territory.importing): every row is validated first; one
invalid row refuses the whole file with the rows, columns and reasons named, and nothing is stored but the
audit trace of the attempt. A value quoted in an error message has its card numbers masked, so that not even
a refusal echoes a card in clear.
"""

from __future__ import annotations

import datetime as dt
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.core.tabular import RowError, TableReader, TabularError
from mahalla.territory.importing import ImportOutcome, import_failure_record, import_refused
from mahalla.territory.models import Mahalla

from .access import CYBER_ANALYSTS, has_role
from .formats import REPORT_COLUMNS, REPORT_REQUIRED
from .indicators import redact_cards
from .models import AgeGroup, Channel, Source
from .services import ReportInput, loss_parse, reports_store

TASHKENT = ZoneInfo("Asia/Tashkent")
SOURCES = (Source.BANK, Source.LINE_102, Source.IMPORT)


def _when(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=TASHKENT)


def reports_import(
    *,
    actor: Any,
    source: IO[bytes] | str,
    file_name: str | None = None,
    origin: str = Source.IMPORT,
    join_campaigns: bool = True,
) -> ImportOutcome:
    if not has_role(actor, CYBER_ANALYSTS):
        raise AccessDenied(_("Your role does not import cyber reports."))
    if origin not in SOURCES:
        raise ApplicationError(_("Unknown source %(value)r.") % {"value": origin}, {"field": "source"})
    with TableReader(source, file_name=file_name, required=REPORT_REQUIRED, allowed=REPORT_COLUMNS) as reader:
        outcome = ImportOutcome(kind="cyber reports", file_name=reader.file_name, file_sha256=reader.sha256())
        inputs: list[ReportInput] = []
        try:
            mahallas: dict[str, Mahalla] = {}
            for chunk in reader.chunks():
                codes = set(chunk.column("mahalla_code")) if "mahalla_code" in chunk.columns else set()
                missing = codes - set(mahallas)
                if missing:
                    for mahalla in Mahalla.objects.filter(code__in=missing).defer("boundary"):
                        mahallas[mahalla.code] = mahalla
                for position, number in enumerate(chunk.numbers):
                    outcome.rows_read += 1
                    if number in chunk.row_errors:
                        outcome.add_errors(chunk.row_errors[number])
                        continue
                    row = chunk.raw_row(position)
                    errors: list[RowError] = []

                    def fail(
                        column: str,
                        reason: str,
                        row: dict[str, str] = row,
                        number: int = number,
                        errors: list[RowError] = errors,
                    ) -> None:
                        errors.append(
                            RowError(number, column, redact_cards(row.get(column, ""))[:200], reason)
                        )

                    for column in REPORT_REQUIRED:
                        if not row.get(column, "").strip():
                            fail(column, _("required"))
                    mahalla = mahallas.get(row.get("mahalla_code", ""))
                    if row.get("mahalla_code") and mahalla is None:
                        fail("mahalla_code", _("no mahalla with this code"))
                    if row.get("channel") and row["channel"] not in Channel.values:
                        fail("channel", _("not one of: %(choices)s") % {"choices": ", ".join(Channel.values)})
                    if row.get("victim_age_group", "") not in AgeGroup.values:
                        fail(
                            "victim_age_group",
                            _("not one of: %(choices)s")
                            % {"choices": ", ".join(v for v in AgeGroup.values if v)},
                        )
                    times = {}
                    for column in ("occurred_at", "reported_at"):
                        if row.get(column):
                            try:
                                times[column] = _when(row[column])
                            except ValueError:
                                fail(column, _("not an ISO 8601 date-time (expected e.g. 2025-03-14T18:30)"))
                    try:
                        loss = loss_parse(row.get("loss_amount", ""))
                    except ApplicationError as exc:
                        fail("loss_amount", exc.message)
                        loss = None
                    if errors:
                        outcome.add_errors(errors)
                        continue
                    inputs.append(
                        ReportInput(
                            narrative=row["narrative"],
                            message_text=row.get("message_text", ""),
                            occurred_at=times["occurred_at"],
                            reported_at=times.get("reported_at"),
                            channel=row["channel"],
                            mahalla=mahalla,
                            loss_amount=loss if loss is not None else "0",
                            currency=row.get("currency", "") or "UZS",
                            victim_age_group=row.get("victim_age_group", ""),
                            source_name=row.get("source_name", ""),
                            external_id=row.get("external_id", ""),
                        )
                    )
            if outcome.error_count:
                outcome.rows_rejected = outcome.error_count
                import_failure_record(
                    actor=actor, outcome=outcome, object_type="cyber.cyberreport", record_batch=None
                )
                raise import_refused(outcome)
            try:
                reports = reports_store(
                    actor=actor, inputs=inputs, source=origin, join_campaigns=join_campaigns
                )
            except ApplicationError as exc:
                row_number = int(exc.extra.get("row", 0) or 0)
                outcome.add_errors([RowError(row_number, str(exc.extra.get("field", "")), "", exc.message)])
                import_failure_record(
                    actor=actor, outcome=outcome, object_type="cyber.cyberreport", record_batch=None
                )
                raise import_refused(outcome) from None
            outcome.rows_created = len(reports)
            outcome.committed = True
        except TabularError as exc:
            outcome.add_errors([RowError(int(exc.extra.get("row", 0) or 0), "", "", exc.message)])
            import_failure_record(
                actor=actor, outcome=outcome, object_type="cyber.cyberreport", record_batch=None
            )
            raise
    return outcome

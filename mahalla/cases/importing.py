"""Bulk import of casework registers (the paper notebooks and registries the platform replaces), used by the
demo and by a migration from existing registries: `cases.json` as written by the demo generator.

Every row is validated as the services validate one (PINFL of 14 digits, a legal category that exists, a
supervision term of 6-12 months, a check-in calendar of 1-4 a month, a referral with consent or a reason,
a household round with an address, a known purpose and a person of its mahalla);
the first invalid row stops the import with its position and field, and nothing is written (one transaction).
Bulk inserts keep the nation's registers (hundreds of thousands of persons) to minutes.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from mahalla.audit.models import AuditAction
from mahalla.audit.services import audit_record
from mahalla.core.bulk import rows_insert
from mahalla.core.errors import ApplicationError
from mahalla.core.roles import Role, ScopeLevel
from mahalla.core.transliterate import latin_to_cyrillic, latin_to_russian
from mahalla.incidents.models import Offence
from mahalla.territory.models import Mahalla

from .models import (
    CheckIn,
    Conclusion,
    HouseholdRound,
    LegalCategory,
    Person,
    PersonSourceRef,
    ProtectionOrder,
    Referral,
    RegisterEntry,
    Supervision,
    ViolenceReport,
)
from .names import name_skeleton
from .services import checkin_calendar, conclusions_generate, pinfl_validate, supervision_term_validate

BATCH = 5000


def _columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Rows given as {attname: value} (all with the same keys) as the columns `rows_insert` takes."""
    if not rows:
        return {}
    return {name: [row[name] for row in rows] for name in rows[0]}


def _row_error(section: str, index: int, error: ApplicationError) -> ApplicationError:
    return ApplicationError(
        f"{section} row {index + 1}: {error.message}", {**error.extra, "section": section, "row": index + 1}
    )


def _aware(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _round_inspectors() -> tuple[dict[int, Any], dict[int, Any]]:
    """The preventive inspector accounts by the mahalla they work in, and by district for a district scope."""
    from django.contrib.auth import get_user_model

    inspectors = (
        get_user_model()
        .objects.filter(role=Role.PREVENTIVE_INSPECTOR, is_active=True)
        .prefetch_related("scope_mahallas")
        .order_by("pk")
    )
    by_mahalla: dict[int, Any] = {}
    by_district: dict[int, Any] = {}
    for user in inspectors:
        if user.scope_level == ScopeLevel.MAHALLAS:
            for mahalla in user.scope_mahallas.all():
                by_mahalla.setdefault(mahalla.pk, user)
        elif user.scope_level == ScopeLevel.DISTRICT and user.scope_district_id:
            by_district.setdefault(user.scope_district_id, user)
    return by_mahalla, by_district


def _household_rounds(
    rows: list[dict[str, Any]],
    as_of: dt.date,
    mahallas: dict[str, tuple[int, int, int]],
    by_pinfl: dict[str, int],
    territory_of: dict[str, tuple[int, int, int]],
) -> tuple[list[HouseholdRound], int]:
    """The planned rounds, each given to the preventive inspector account working in its mahalla (or its
    district); rounds of a mahalla without one are not loaded and counted as unassigned."""
    by_mahalla, by_district = _round_inspectors()
    rounds = []
    unassigned = 0
    for index, row in enumerate(rows):
        territory = mahallas.get(row.get("mahalla", ""))
        if territory is None:
            raise _row_error(
                "household_rounds", index, ApplicationError("unknown mahalla", {"field": "mahalla"})
            )
        if not str(row.get("address", "")).strip():
            raise _row_error("household_rounds", index, ApplicationError("no address", {"field": "address"}))
        if row.get("purpose") not in HouseholdRound.Purpose.values:
            raise _row_error(
                "household_rounds", index, ApplicationError("unknown purpose", {"field": "purpose"})
            )
        pinfl = row.get("pinfl")
        if pinfl and (pinfl not in by_pinfl or territory_of.get(pinfl, (None,))[0] != territory[0]):
            raise _row_error(
                "household_rounds",
                index,
                ApplicationError("the person is not on a register of this mahalla", {"field": "pinfl"}),
            )
        inspector = by_mahalla.get(territory[0]) or by_district.get(territory[1])
        if inspector is None:
            unassigned += 1
            continue
        rounds.append(
            HouseholdRound(
                address=row["address"].strip(),
                person_id=by_pinfl[pinfl] if pinfl else None,
                planned_on=as_of + dt.timedelta(days=int(row.get("planned_in_days", 0))),
                inspector=inspector,
                purpose=row["purpose"],
                mahalla_id=territory[0],
                district_id=territory[1],
                region_id=territory[2],
            )
        )
    return rounds, unassigned


def cases_import(path: Path | str, *, actor: Any = None) -> dict[str, int]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    as_of = dt.date.fromisoformat(data["as_of"])
    mahallas = {
        code: (pk, district_id, region_id)
        for code, pk, district_id, region_id in Mahalla.objects.values_list(
            "code", "pk", "district_id", "region_id"
        )
    }
    category_rows = {c.code: c for c in LegalCategory.objects.all()}
    categories = {code: category.pk for code, category in category_rows.items()}
    counts: dict[str, int] = {}
    with transaction.atomic():
        persons: list[dict[str, Any]] = []
        refs: list[tuple[str, str, str]] = []
        # The demo's names repeat (a few thousand surnames and given names): each spelling is worked out once.
        spellings: dict[str, tuple[str, str, str]] = {}
        for index, row in enumerate(data["persons"]):
            try:
                pinfl = pinfl_validate(row["pinfl"])
            except ApplicationError as error:
                raise _row_error("persons", index, error) from error
            territory = mahallas.get(row["mahalla"])
            if territory is None:
                raise ApplicationError(
                    f"persons row {index + 1}: unknown mahalla {row['mahalla']}",
                    {"field": "mahalla", "row": index + 1},
                )
            name = row["name_latin"]
            spelling = spellings.get(name)
            if spelling is None:
                latin = name.isascii() or "'" in name
                spelling = spellings[name] = (
                    latin_to_cyrillic(name) if latin else "",
                    latin_to_russian(name) if latin else "",
                    name_skeleton(name),
                )
            persons.append(
                {
                    "pinfl": pinfl,
                    "name_latin": name,
                    "name_cyrillic": spelling[0],
                    "name_russian": spelling[1],
                    "name_key": spelling[2],
                    "birth_date": dt.date.fromisoformat(row["birth_date"]),
                    "sex": row["sex"],
                    "mahalla_id": territory[0],
                    "district_id": territory[1],
                    "region_id": territory[2],
                }
            )
            refs.extend((pinfl, source, ref) for source, ref in row.get("source_refs", []))
        # The bulk path: plain rows through the cursor (core.bulk), no model instance per row.
        rows_insert(Person, _columns(persons))
        # Every person's id by PINFL in one scan: a list of hundreds of thousands of PINFLs would exceed the
        # database's limit of query parameters.
        by_pinfl = dict(Person.objects.values_list("pinfl", "pk").iterator(chunk_size=BATCH))
        territory_of = {p["pinfl"]: (p["mahalla_id"], p["district_id"], p["region_id"]) for p in persons}
        PersonSourceRef.objects.bulk_create(
            (
                PersonSourceRef(person_id=by_pinfl[pinfl], source_system=source, ref=ref)
                for pinfl, source, ref in refs
            ),
            batch_size=BATCH,
            ignore_conflicts=True,
        )
        counts["persons"] = len(persons)

        def place(pinfl: str) -> dict[str, int]:
            m, d, r = territory_of[pinfl]
            return {"mahalla_id": m, "district_id": d, "region_id": r}

        entries: list[dict[str, Any]] = []
        for index, row in enumerate(data["entries"]):
            if row["category"] not in categories:
                raise ApplicationError(
                    f"entries row {index + 1}: no legal category {row['category']}",
                    {"field": "category", "row": index + 1},
                )
            starts = dt.date.fromisoformat(row["starts_on"])
            # The category's default term where the registry names none, as register_entry_add gives it.
            term_ends_on = (
                dt.date.fromisoformat(row["term_ends_on"])
                if row.get("term_ends_on")
                else category_rows[row["category"]].term_end(starts)
            )
            if term_ends_on is not None and term_ends_on < starts:
                raise ApplicationError(
                    f"entries row {index + 1}: the term ends before it starts",
                    {"field": "term_ends_on", "row": index + 1},
                )
            entries.append(
                {
                    "person_id": by_pinfl[row["pinfl"]],
                    "category_id": categories[row["category"]],
                    "basis_document": row["basis_document"],
                    "starts_on": starts,
                    "term_ends_on": term_ends_on,
                    "decided_by": row["decided_by"],
                    **place(row["pinfl"]),
                }
            )
        rows_insert(RegisterEntry, _columns(entries))
        counts["entries"] = len(entries)

        protection = categories.get("protection_order")
        reports = []
        orders_rows = []
        for row in data["reports"]:
            report = ViolenceReport(
                kind=row["kind"],
                victim_id=by_pinfl[row["victim"]],
                reported_at=_aware(row["reported_at"]),
                description=row["key"],
                **place(row["victim"]),
            )
            reports.append(report)
            orders_rows.append(row.get("order"))
        ViolenceReport.objects.bulk_create(reports, batch_size=BATCH)
        term = dt.timedelta(days=30 - 1)
        orders = []
        order_entries = []
        for report, order_row in zip(reports, orders_rows, strict=True):
            if not order_row:
                continue
            issued = _aware(order_row["issued_at"])
            starts = timezone.localtime(issued).date()
            orders.append(
                ProtectionOrder(
                    report=report,
                    victim_id=report.victim_id,
                    issued_at=issued,
                    womens_activist=order_row["womens_activist"],
                    starts_on=starts,
                    ends_on=starts + term,
                    status=ProtectionOrder.Status.ACTIVE
                    if starts + term >= as_of
                    else ProtectionOrder.Status.EXPIRED,
                    mahalla_id=report.mahalla_id,
                    district_id=report.district_id,
                    region_id=report.region_id,
                )
            )
            if protection is not None:
                order_entries.append(
                    RegisterEntry(
                        person_id=report.victim_id,
                        category_id=protection,
                        basis_document="protection order (registry)",
                        starts_on=starts,
                        term_ends_on=starts + term,
                        decided_by="preventive inspector",
                        mahalla_id=report.mahalla_id,
                        district_id=report.district_id,
                        region_id=report.region_id,
                    )
                )
        ProtectionOrder.objects.bulk_create(orders, batch_size=BATCH)
        RegisterEntry.objects.bulk_create(order_entries, batch_size=BATCH)
        counts["reports"] = len(reports)
        counts["orders"] = len(orders)

        supervisions = []
        calendars = []
        for index, row in enumerate(data["supervisions"]):
            starts = dt.date.fromisoformat(row["starts_on"])
            ends = dt.date.fromisoformat(row["ends_on"])
            try:
                supervision_term_validate(starts, ends)
            except ApplicationError as error:
                raise _row_error("supervisions", index, error) from error
            if not 1 <= int(row["checkins_per_month"]) <= 4:
                raise ApplicationError(
                    f"supervisions row {index + 1}: reporting is 1 to 4 times a month",
                    {"field": "checkins_per_month", "row": index + 1},
                )
            supervisions.append(
                Supervision(
                    person_id=by_pinfl[row["pinfl"]],
                    court_decision=row["court_decision"],
                    decided_on=dt.date.fromisoformat(row["decided_on"]),
                    starts_on=starts,
                    ends_on=ends,
                    checkins_per_month=row["checkins_per_month"],
                    no_alcohol=row["no_alcohol"],
                    **place(row["pinfl"]),
                )
            )
            calendars.append(
                (
                    checkin_calendar(starts, ends, int(row["checkins_per_month"])),
                    dt.date.fromisoformat(row["record_checkins_until"]),
                )
            )
        Supervision.objects.bulk_create(supervisions, batch_size=BATCH)
        checkins = []
        for supervision, (days, recorded_until) in zip(supervisions, calendars, strict=True):
            for day in days:
                done = day < recorded_until and day < as_of
                checkins.append(
                    {
                        "supervision_id": supervision.pk,
                        "due_on": day,
                        "status": CheckIn.Status.DONE if done else CheckIn.Status.DUE,
                        "reported_at": timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
                        if done
                        else None,
                    }
                )
        rows_insert(CheckIn, _columns(checkins))
        counts["supervisions"] = len(supervisions)
        counts["checkins"] = len(checkins)

        referrals = []
        for row in data["referrals"]:
            if not row["consent_given"] and not row.get("consent_override_reason"):
                row["consent_override_reason"] = "consent not recorded in the paper registry; to be confirmed"
            referrals.append(
                Referral(
                    person_id=by_pinfl[row["pinfl"]],
                    service=row["service"],
                    agency=row["agency"],
                    consent_given=row["consent_given"],
                    consent_recorded_at=timezone.now() if row["consent_given"] else None,
                    consent_override_reason="" if row["consent_given"] else row["consent_override_reason"],
                    deadline=as_of + dt.timedelta(days=int(row["deadline_days"])),
                    created_by=actor,
                    **place(row["pinfl"]),
                )
            )
        if actor is not None:
            Referral.objects.bulk_create(referrals, batch_size=BATCH)
            counts["referrals"] = len(referrals)

        rounds, unassigned = _household_rounds(
            data.get("household_rounds", []), as_of, mahallas, by_pinfl, territory_of
        )
        HouseholdRound.objects.bulk_create(rounds, batch_size=BATCH)
        counts["household_rounds"] = len(rounds)
        counts["household_rounds_unassigned"] = unassigned

        counts["conclusions"] = conclusions_generate(day=as_of)
        overdue = set(data.get("overdue_conclusions", []))
        planted = set()
        for source, number in (key.split(":", 1) for key in overdue):
            planted.add((source, number))
        planted_ids: list[int] = []
        if planted:
            for pk, source, number in (
                Offence.objects.filter(code_kind="administrative")
                .values_list("pk", "source_system", "registration_number")
                .iterator(chunk_size=BATCH)
            ):
                if (source, number) in planted:
                    planted_ids.append(pk)
        # Every conclusion past its deadline was executed on its deadline, except the planted ones.
        executed = Conclusion.objects.filter(status=Conclusion.Status.OPEN, deadline__lt=as_of)
        counts["conclusions_executed"] = executed.update(
            status=Conclusion.Status.EXECUTED,
            executed_on=F("deadline"),
            execution_note="recorded in the paper registry",
        )
        for start in range(0, len(planted_ids), BATCH):
            Conclusion.objects.filter(offence_id__in=planted_ids[start : start + BATCH]).update(
                status=Conclusion.Status.OPEN, executed_on=None, execution_note=""
            )
        counts["conclusions_executed"] -= len(planted_ids)
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            object_type="cases.person",
            object_repr=f"casework registers {Path(path).name}",
            details=counts,
        )
    return counts

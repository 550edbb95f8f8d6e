"""Writes of casework: keyword-only, atomic, validated (a clear error naming the field), audited.

``actor=None`` means the system itself (the daily monitoring, the demo loader, a management command); every
call from a request passes the signed-in user, whose role and territory are checked here.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Count, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from mahalla.audit.models import AuditAction
from mahalla.audit.services import audit_record
from mahalla.core.bulk import rows_insert
from mahalla.core.errors import AccessDenied, ApplicationError, Conflict
from mahalla.core.roles import Role, ScopeLevel
from mahalla.core.transliterate import latin_to_cyrillic, latin_to_russian
from mahalla.incidents.models import CodeKind, Offence
from mahalla.territory.access import territory_filter_for
from mahalla.territory.models import Mahalla

from .access import CASE_WORKERS, INSPECTORS, ORDER_ISSUERS, is_active_user
from .models import (
    AgeGroup,
    AlertKind,
    CaseAlert,
    CaseOwnership,
    CaseTransition,
    CategoryKind,
    CheckIn,
    Conclusion,
    ConclusionRule,
    Handover,
    HouseholdRound,
    InsonReferral,
    LegalCategory,
    MonitoringRun,
    OrderViolation,
    Person,
    PersonMerge,
    PersonSourceRef,
    ProtectionOrder,
    Referral,
    RegisterEntry,
    ServiceKind,
    SevenPosition,
    Sex,
    Subject,
    Supervision,
    SupervisionViolation,
    ViolenceReport,
)
from .names import name_skeleton

ANONYMISED = "—"
# Values per IN (...) list: well under SQLite's limit of query parameters (32,766).
CHUNK = 5000


def _fail(field_name: str, message: str, value: object = None) -> ApplicationError:
    return ApplicationError(message, {"field": field_name, "value": "" if value is None else str(value)})


def _require(actor: Any, roles: frozenset[str], mahalla: Mahalla | None = None) -> None:
    """The actor has one of the roles and, when a mahalla is named, sees it. None is the system."""
    if actor is None:
        return
    if not is_active_user(actor) or actor.role not in roles:
        raise AccessDenied(_("Your role may not do this"), {"role": getattr(actor, "role", "")})
    if mahalla is not None and not _works_in(actor, mahalla):
        raise AccessDenied(_("Mahalla not found"), {"mahalla": mahalla.code})


def _works_in(user: Any, mahalla: Mahalla) -> bool:
    """The mahalla is inside the user's territorial scope."""
    scope = territory_filter_for(user)
    return bool(
        Mahalla.objects.filter(
            scope.q(region="region", district="district", mahalla="pk"), pk=mahalla.pk
        ).exists()
    )


def _territory(mahalla: Mahalla) -> dict[str, Any]:
    return {"mahalla": mahalla, "district_id": mahalla.district_id, "region_id": mahalla.region_id}


def _audit(
    actor: Any, action: str, obj: Any, *, purpose: str = "", details: dict[str, Any] | None = None
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        object_repr=f"{obj._meta.model_name} {obj.pk}",
        purpose=purpose,
        details=details or {},
    )


def _check_version(obj: Any, version: int | None, fields: list[str]) -> None:
    """Refuse an edit made on an older copy: the caller gets the server's values and decides."""
    if version is None:
        return
    if int(version) != obj.version:
        server = {name: _json_value(getattr(obj, name)) for name in fields}
        server["version"] = obj.version
        raise Conflict(
            _("This record was changed by someone else since you opened it; your edit was not saved."),
            {"field": "version", "value": str(version), "server": server},
        )


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return value


def _locked(obj: Any, version: int | None, fields: list[str]) -> Any:
    """The row as it is now, locked until the transaction ends; an edit made on an older copy is refused
    (``fields`` are the values sent back with the conflict). Call inside ``transaction.atomic``."""
    current = type(obj).objects.select_for_update().get(pk=obj.pk)
    _check_version(current, version, fields)
    return current


def _versioned_save(actor: Any, current: Any, details: dict[str, Any], **changes: Any) -> Any:
    """Set ``changes`` on the locked row, count one more version (offline edits compare it) and audit."""
    for name, value in changes.items():
        setattr(current, name, value)
    current.version += 1
    current.save(update_fields=[*changes, "version"])
    _audit(actor, AuditAction.UPDATE, current, details=details)
    return current


def _violation_alert(kind: str, object_type: str, violation: Any, *, under: Any, person_id: int) -> None:
    """One alert to the preventive inspector for a recorded violation of an order or a supervision
    (``under``: the order or supervision, whose territory the alert takes)."""
    CaseAlert.objects.get_or_create(
        kind=kind,
        object_type=object_type,
        object_id=violation.pk,
        defaults={
            "person_id": person_id,
            "raised_on": timezone.localdate(),
            "owner_position": SevenPosition.PREVENTIVE_INSPECTOR,
            "mahalla_id": under.mahalla_id,
            "district_id": under.district_id,
            "region_id": under.region_id,
        },
    )


# ----------------------------------------------------------------------------------- legal categories


def legal_category_create(
    *,
    actor: Any,
    code: str,
    kind: str,
    name_en: str,
    name_uz: str,
    name_ru: str,
    legal_basis: str,
    default_term_days: int | None = None,
) -> LegalCategory:
    """A register category: only with its legal basis, and only of a kind the law knows."""
    _require(actor, frozenset({Role.ADMINISTRATOR}))
    if not (legal_basis or "").strip():
        raise _fail("legal_basis", _("A category needs the law that allows it (legal basis)."), legal_basis)
    if kind not in CategoryKind.values:
        raise _fail("kind", _("Unknown category kind."), kind)
    if not (code or "").strip():
        raise _fail("code", _("A category needs a code."), code)
    with transaction.atomic():
        if LegalCategory.objects.filter(code=code).exists():
            raise _fail("code", _("A category with this code exists."), code)
        category = LegalCategory.objects.create(
            code=code,
            kind=kind,
            name_en=name_en,
            name_uz=name_uz,
            name_ru=name_ru,
            legal_basis=legal_basis.strip(),
            default_term_days=default_term_days,
        )
        _audit(actor, AuditAction.CREATE, category)
    return category


# ------------------------------------------------------------------------------------------- persons


def pinfl_validate(pinfl: object) -> str:
    text = str(pinfl or "").strip()
    if len(text) != 14 or not text.isdigit():
        raise _fail("pinfl", _("A PINFL is exactly 14 digits; got %(value)r.") % {"value": text}, text)
    if text[0] == "0":
        raise _fail("pinfl", _("A PINFL does not start with 0 (reserved for anonymised records)."), text)
    return text


PERSON_EDITABLE = ["name_latin", "name_cyrillic", "name_russian", "phone", "address", "notes"]


def person_create(
    *,
    actor: Any,
    pinfl: str,
    name_latin: str,
    birth_date: dt.date,
    sex: str,
    mahalla: Mahalla,
    name_cyrillic: str = "",
    name_russian: str = "",
    phone: str = "",
    address: str = "",
    source_refs: list[tuple[str, str]] | None = None,
) -> Person:
    _require(actor, CASE_WORKERS, mahalla)
    pinfl = pinfl_validate(pinfl)
    if not (name_latin or "").strip():
        raise _fail("name_latin", _("The name in Uzbek Latin is required."), name_latin)
    if sex not in Sex.values:
        raise _fail("sex", _("Sex is F or M."), sex)
    if birth_date > timezone.localdate():
        raise _fail("birth_date", _("The birth date is in the future."), birth_date)
    with transaction.atomic():
        if Person.objects.filter(pinfl=pinfl).exists():
            raise _fail("pinfl", _("A person with this PINFL is already registered."), pinfl)
        person = Person.objects.create(
            pinfl=pinfl,
            name_latin=name_latin.strip(),
            name_cyrillic=name_cyrillic.strip() or latin_to_cyrillic(name_latin.strip()),
            name_russian=name_russian.strip() or latin_to_russian(name_latin.strip()),
            name_key=name_skeleton(name_latin),
            birth_date=birth_date,
            sex=sex,
            phone=phone,
            address=address,
            **_territory(mahalla),
        )
        for source_system, ref in source_refs or []:
            PersonSourceRef.objects.create(person=person, source_system=source_system, ref=ref)
        _audit(actor, AuditAction.CREATE, person)
    return person


def person_update(*, actor: Any, person: Person, version: int | None, **changes: Any) -> Person:
    _require(actor, CASE_WORKERS)
    unknown = set(changes) - set(PERSON_EDITABLE)
    if unknown:
        raise _fail(sorted(unknown)[0], _("This field cannot be changed here."))
    with transaction.atomic():
        current = _locked(person, version, PERSON_EDITABLE)
        if "name_latin" in changes and not str(changes["name_latin"]).strip():
            raise _fail("name_latin", _("The name in Uzbek Latin is required."))
        before = {name: getattr(current, name) for name in changes}
        name_latin = changes.get("name_latin", current.name_latin)
        return _versioned_save(
            actor,
            current,
            {"before": before, "after": changes},
            **changes,
            name_key=name_skeleton(name_latin),
        )


def register_entry_add(
    *,
    actor: Any,
    person: Person,
    category_code: str,
    basis_document: str,
    starts_on: dt.date,
    decided_by: str,
    term_ends_on: dt.date | None = None,
    review_on: dt.date | None = None,
) -> RegisterEntry:
    _require(actor, CASE_WORKERS)
    category = LegalCategory.objects.filter(code=category_code).first()
    if category is None:
        raise _fail(
            "category", _("No legal category with this code: a person is listed only by law."), category_code
        )
    if not (basis_document or "").strip():
        raise _fail(
            "basis_document", _("Name the decision or document that lists the person."), basis_document
        )
    if not (decided_by or "").strip():
        raise _fail("decided_by", _("Name who decided."), decided_by)
    if term_ends_on is None:
        term_ends_on = category.term_end(starts_on)
    if term_ends_on is not None and term_ends_on < starts_on:
        raise _fail("term_ends_on", _("The term ends before it starts."), term_ends_on)
    with transaction.atomic():
        entry = RegisterEntry.objects.create(
            person=person,
            category=category,
            basis_document=basis_document.strip(),
            starts_on=starts_on,
            term_ends_on=term_ends_on,
            review_on=review_on,
            decided_by=decided_by.strip(),
            created_by=actor,
            mahalla_id=person.mahalla_id,
            district_id=person.district_id,
            region_id=person.region_id,
        )
        _audit(actor, AuditAction.CREATE, entry, details={"person": person.pk, "category": category.code})
    return entry


def register_entry_end(*, actor: Any, entry: RegisterEntry, ended_on: dt.date, reason: str) -> RegisterEntry:
    _require(actor, CASE_WORKERS)
    if ended_on < entry.starts_on:
        raise _fail("ended_on", _("The entry cannot end before it starts."), ended_on)
    with transaction.atomic():
        entry.status = RegisterEntry.Status.ENDED
        entry.ended_on = ended_on
        entry.end_reason = reason
        entry.save(update_fields=["status", "ended_on", "end_reason"])
        _audit(actor, AuditAction.UPDATE, entry, details={"ended_on": ended_on.isoformat(), "reason": reason})
    return entry


# Every model that points at a person, and the fields that do: a merge moves them all to the kept record.
_PERSON_LINKS: tuple[tuple[Any, str], ...] = (
    (PersonSourceRef, "person"),
    (RegisterEntry, "person"),
    (Conclusion, "person"),
    (ViolenceReport, "victim"),
    (ViolenceReport, "aggressor"),
    (ProtectionOrder, "victim"),
    (ProtectionOrder, "aggressor"),
    (Supervision, "person"),
    (Referral, "person"),
    (CaseTransition, "person"),
    (CaseAlert, "person"),
    (HouseholdRound, "person"),
)


def person_merge(*, actor: Any, kept: Person, merged: Person) -> PersonMerge:
    """Merge a duplicate into the kept record: every record of the duplicate moves to the kept one, the
    duplicate stays (pointing at the kept record) with the list of what moved, so the history is kept."""
    _require(actor, CASE_WORKERS)
    if kept.pk == merged.pk:
        raise _fail("merged", _("A person cannot be merged into itself."), merged.pk)
    if merged.merged_into_id is not None:
        raise _fail("merged", _("This record was already merged."), merged.pk)
    with transaction.atomic():
        moved: dict[str, list[int]] = {}
        for model, field_name in _PERSON_LINKS:
            rows = model.objects.filter(**{field_name: merged})
            ids = list(rows.values_list("pk", flat=True))
            if ids:
                rows.update(**{field_name: kept})
                moved[f"{model._meta.model_name}.{field_name}"] = ids
        CaseOwnership.objects.filter(person=merged).delete()
        merged.merged_into = kept
        merged.version += 1
        merged.save(update_fields=["merged_into", "version"])
        record = PersonMerge.objects.create(kept=kept, merged=merged, merged_by=actor, moved=moved)
        _audit(
            actor,
            AuditAction.UPDATE,
            kept,
            purpose="merge of duplicate",
            details={"merged": merged.pk, "moved": moved},
        )
    return record


# --------------------------------------------------------------------------------------- conclusions


def age_group_of(age: int | None, offence: Offence) -> str:
    if age is not None:
        return AgeGroup.MINOR if age < 18 else AgeGroup.YOUTH if age <= 30 else AgeGroup.ADULT
    if offence.involves_minor:
        return AgeGroup.MINOR
    if offence.involves_youth:
        return AgeGroup.YOUTH
    return AgeGroup.ADULT


def rule_choose(
    rules: list[ConclusionRule], *, subject: str, article: str, age_group: str, offence: Offence
) -> ConclusionRule | None:
    """The most specific active rule that matches (see ConclusionRule)."""
    matching = [
        rule
        for rule in rules
        if rule.subject == subject
        and rule.active
        and rule.article in ("", article)
        and rule.age_group in (AgeGroup.ANY, age_group)
        and (not rule.circumstance or bool(getattr(offence, rule.circumstance, False)))
    ]
    if not matching:
        return None
    return max(matching, key=lambda rule: rule.specificity)


def conclusions_generate(*, day: dt.date, offences: Any = None) -> int:
    """Conclusions for administrative offences that have none yet, for the offender and (when the offence
    names one) the victim, in the offence's mahalla. Idempotent: run after every import and every morning."""
    rules = list(ConclusionRule.objects.filter(active=True))
    if offences is None:
        offences = Offence.objects.filter(code_kind=CodeKind.ADMINISTRATIVE)
    done = set(Conclusion.objects.filter(offence__in=offences).values_list("offence_id", "subject"))
    refs: dict[tuple[str, str], tuple[int, dt.date]] = {}
    wanted = set()
    rows = list(
        offences.only(
            "pk",
            "source_system",
            "article",
            "mahalla_id",
            "district_id",
            "region_id",
            "occurred_at",
            "registered_at",
            "offender_ref",
            "victim_ref",
            "involves_minor",
            "involves_youth",
            "involves_woman",
            "family_relation",
            "under_alcohol",
            "under_drugs",
            "repeat_offender",
        )
    )
    for offence in rows:
        for ref in (offence.offender_ref, offence.victim_ref):
            if ref:
                wanted.add((offence.source_system, ref))
    if wanted:
        for source_system in sorted({s for s, _r in wanted}):
            wanted_refs = sorted(r for s, r in wanted if s == source_system)
            for start in range(0, len(wanted_refs), CHUNK):
                for ref, person_id, birth in PersonSourceRef.objects.filter(
                    source_system=source_system, ref__in=wanted_refs[start : start + CHUNK]
                ).values_list("ref", "person_id", "person__birth_date"):
                    refs[(source_system, ref)] = (person_id, birth)
    created: list[dict[str, Any]] = []
    for offence in rows:
        issued = timezone.localtime(offence.registered_at).date()
        for subject, ref in ((Subject.OFFENDER, offence.offender_ref), (Subject.VICTIM, offence.victim_ref)):
            if (offence.pk, subject) in done:
                continue
            if subject == Subject.VICTIM and not ref:
                continue
            person_id, birth = refs.get((offence.source_system, ref), (None, None))
            age = None
            if birth is not None:
                occurred = timezone.localtime(offence.occurred_at).date()
                age = occurred.year - birth.year - ((occurred.month, occurred.day) < (birth.month, birth.day))
            rule = rule_choose(
                rules,
                subject=subject,
                article=offence.article,
                age_group=age_group_of(age, offence),
                offence=offence,
            )
            if rule is None:
                continue
            created.append(
                {
                    "offence_id": offence.pk,
                    "subject": subject,
                    "subject_ref": ref or "",
                    "person_id": person_id,
                    "rule_id": rule.pk,
                    "measures": rule.measures,
                    "owner_position": rule.owner_position,
                    "issued_on": issued,
                    "deadline": issued + dt.timedelta(days=rule.deadline_days),
                    "mahalla_id": offence.mahalla_id,
                    "district_id": offence.district_id,
                    "region_id": offence.region_id,
                }
            )
    with transaction.atomic():
        # Plain rows through the cursor (core.bulk): at the nation's scale the demo's first run writes over
        # 100,000 conclusions, and a model instance per row was most of its time. The conclusions already
        # there were read above; the unique (offence, subject) constraint still guards a concurrent run.
        if created:
            rows_insert(Conclusion, {name: [row[name] for row in created] for name in created[0]})
        if created:
            audit_record(
                actor=None,
                action=AuditAction.CREATE,
                object_type="cases.conclusion",
                object_repr=f"{len(created)} conclusions generated",
                details={"day": day.isoformat(), "count": len(created)},
            )
    return len(created)


def conclusion_execute(
    *, actor: Any, conclusion: Conclusion, executed_on: dt.date, note: str, version: int | None = None
) -> Conclusion:
    _require(actor, CASE_WORKERS)
    if executed_on > timezone.localdate():
        raise _fail("executed_on", _("The execution date is in the future."), executed_on)
    if executed_on < conclusion.issued_on:
        raise _fail("executed_on", _("The execution date is before the conclusion was issued."), executed_on)
    with transaction.atomic():
        current = _locked(conclusion, version, ["status", "executed_on", "execution_note"])
        return _versioned_save(
            actor,
            current,
            {"executed_on": executed_on.isoformat()},
            status=Conclusion.Status.EXECUTED,
            executed_on=executed_on,
            execution_note=note,
        )


# ---------------------------------------------------------------------------------- protection orders


def violence_report_create(
    *,
    actor: Any,
    kind: str,
    victim: Person,
    reported_at: dt.datetime,
    aggressor: Person | None = None,
    description: str = "",
) -> ViolenceReport:
    _require(actor, ORDER_ISSUERS | CASE_WORKERS)
    if kind not in ViolenceReport.Kind.values:
        raise _fail("kind", _("Unknown report kind."), kind)
    if reported_at > timezone.now() + dt.timedelta(minutes=5):
        raise _fail("reported_at", _("The report time is in the future."), reported_at)
    with transaction.atomic():
        report = ViolenceReport.objects.create(
            kind=kind,
            victim=victim,
            aggressor=aggressor,
            reported_at=reported_at,
            description=description,
            created_by=actor,
            mahalla_id=victim.mahalla_id,
            district_id=victim.district_id,
            region_id=victim.region_id,
        )
        _audit(actor, AuditAction.CREATE, report, details={"victim": victim.pk})
    return report


def order_term_validate(days: int, field_name: str = "term_days") -> int:
    if days < 1 or days > settings.CASES_PROTECTION_ORDER_DAYS:
        raise _fail(
            field_name,
            _("A protection order's term is 1 to %(max)d days (the law's term).")
            % {"max": settings.CASES_PROTECTION_ORDER_DAYS},
            days,
        )
    return days


def protection_order_issue(
    *,
    actor: Any,
    report: ViolenceReport,
    womens_activist: str,
    issued_at: dt.datetime | None = None,
    starts_on: dt.date | None = None,
    term_days: int | None = None,
    conditions: str = "",
    inson_centre: str = "",
) -> ProtectionOrder:
    """Issue the order for a report (one order per report). Issued more than 24 hours after the report is
    allowed (better late than never) but stays visible as late."""
    _require(actor, ORDER_ISSUERS, report.mahalla)
    if actor is None:
        raise _fail("issued_by", _("An order is issued by a person."))
    if not (womens_activist or "").strip():
        raise _fail(
            "womens_activist", _("The order is issued with the women's activist: name her."), womens_activist
        )
    issued_at = issued_at or timezone.now()
    if issued_at < report.reported_at:
        raise _fail("issued_at", _("The order cannot be issued before the report."), issued_at)
    days = order_term_validate(term_days if term_days is not None else settings.CASES_PROTECTION_ORDER_DAYS)
    starts_on = starts_on or timezone.localtime(issued_at).date()
    with transaction.atomic():
        if ProtectionOrder.objects.filter(report=report).exists():
            raise _fail("report", _("This report already has a protection order."), report.pk)
        order = ProtectionOrder.objects.create(
            report=report,
            victim=report.victim,
            aggressor=report.aggressor,
            issued_at=issued_at,
            issued_by=actor,
            womens_activist=womens_activist.strip(),
            starts_on=starts_on,
            ends_on=starts_on + dt.timedelta(days=days - 1),
            conditions=conditions,
            mahalla_id=report.mahalla_id,
            district_id=report.district_id,
            region_id=report.region_id,
        )
        category = LegalCategory.objects.filter(kind=CategoryKind.PROTECTION_ORDER).first()
        if category is not None:
            RegisterEntry.objects.create(
                person=report.victim,
                category=category,
                basis_document=f"protection order {order.pk}",
                starts_on=order.starts_on,
                term_ends_on=order.ends_on,
                decided_by=actor.get_username(),
                created_by=actor,
                mahalla_id=report.mahalla_id,
                district_id=report.district_id,
                region_id=report.region_id,
            )
        _audit(actor, AuditAction.CREATE, order, details={"report": report.pk, "late": order.issued_late})
        if inson_centre.strip():
            inson_referral_queue(actor=actor, order=order, centre=inson_centre)
    return order


def protection_order_extend(
    *, actor: Any, order: ProtectionOrder, days: int, version: int | None = None
) -> ProtectionOrder:
    _require(actor, ORDER_ISSUERS, order.mahalla)
    if days < 1:
        raise _fail("days", _("An extension is at least one day."), days)
    with transaction.atomic():
        current = _locked(order, version, ["ends_on", "status", "extensions"])
        if current.status != ProtectionOrder.Status.ACTIVE:
            raise _fail("status", _("Only an active order can be extended."), current.status)
        new_end = current.ends_on + dt.timedelta(days=days)
        if (new_end - current.starts_on).days + 1 > settings.CASES_PROTECTION_ORDER_MAX_DAYS:
            raise _fail(
                "days",
                _("The order would last longer than %(max)d days in all.")
                % {"max": settings.CASES_PROTECTION_ORDER_MAX_DAYS},
                days,
            )
        RegisterEntry.objects.filter(basis_document=f"protection order {current.pk}").update(
            term_ends_on=new_end
        )
        CaseAlert.objects.filter(
            kind=AlertKind.ORDER_EXPIRING, object_type="order", object_id=current.pk
        ).delete()
        return _versioned_save(
            actor,
            current,
            {"extended_by_days": days, "ends_on": new_end.isoformat()},
            ends_on=new_end,
            extensions=current.extensions + 1,
        )


def protection_order_violation_record(
    *, actor: Any, order: ProtectionOrder, occurred_at: dt.datetime, description: str
) -> OrderViolation:
    _require(actor, ORDER_ISSUERS, order.mahalla)
    if not (description or "").strip():
        raise _fail("description", _("Describe the violation."), description)
    if occurred_at.date() < order.starts_on - dt.timedelta(days=1):
        raise _fail("occurred_at", _("The violation is before the order started."), occurred_at)
    with transaction.atomic():
        violation = OrderViolation.objects.create(
            order=order, occurred_at=occurred_at, description=description, recorded_by=actor
        )
        _violation_alert(
            AlertKind.ORDER_VIOLATED, "order_violation", violation, under=order, person_id=order.victim_id
        )
        _audit(actor, AuditAction.CREATE, violation, details={"order": order.pk})
    return violation


def inson_referral_queue(*, actor: Any, order: ProtectionOrder, centre: str) -> InsonReferral:
    with transaction.atomic():
        referral = InsonReferral.objects.create(order=order, centre=centre.strip())
        _audit(actor, AuditAction.CREATE, referral, details={"order": order.pk, "centre": centre})

        def enqueue() -> None:
            from .tasks import inson_referral_send_task

            inson_referral_send_task(referral.pk)

        transaction.on_commit(enqueue)
    return referral


class InsonUnavailable(Exception):
    """The centre's intake did not take the referral (will be retried)."""


def inson_referral_send(*, referral_id: int, final_attempt: bool) -> InsonReferral:
    """Send one queued referral. On failure the attempt is counted and the error kept; the last attempt marks
    the referral FAILED (shown on the order and raised as an alert); the caller's queue retries before
    that."""
    referral = InsonReferral.objects.select_related("order", "order__victim").get(pk=referral_id)
    if referral.status == InsonReferral.Status.SENT:
        return referral
    referral.attempts += 1
    try:
        url = settings.CASES_INSON_URL
        if not url:
            raise InsonUnavailable("no Inson intake URL is configured (MAHALLA_CASES_INSON_URL)")
        payload = json.dumps(
            {
                "referral": referral.pk,
                "centre": referral.centre,
                "order": referral.order_id,
                "victim_pinfl": referral.order.victim.pinfl,
                "victim_name": referral.order.victim.name_latin,
            }
        ).encode()
        if not url.startswith(("http://", "https://")):
            raise InsonUnavailable("the Inson intake URL must be http(s)")
        # The scheme is checked above; the address is inside the deployment's network.
        request = urllib.request.Request(  # noqa: S310
            url, data=payload, headers={"Content-Type": "application/json"}, method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            body = response.read(2000).decode("utf-8", "replace")
        referral.status = InsonReferral.Status.SENT
        referral.sent_at = timezone.now()
        referral.acknowledgement = body[:200]
        referral.last_error = ""
        referral.save()
        audit_record(
            actor=None,
            action=AuditAction.EXPORT,
            object_type="cases.insonreferral",
            object_id=referral.pk,
            object_repr=f"Inson referral {referral.pk}",
            purpose="referral to Inson centre",
        )
        return referral
    except Exception as error:  # every failure is kept on the row: never lost
        referral.last_error = f"{type(error).__name__}: {error}"[:2000]
        if final_attempt:
            referral.status = InsonReferral.Status.FAILED
            order = referral.order
            CaseAlert.objects.get_or_create(
                kind=AlertKind.INSON_FAILED,
                object_type="inson_referral",
                object_id=referral.pk,
                defaults={
                    "person": order.victim,
                    "raised_on": timezone.localdate(),
                    "owner_position": SevenPosition.WOMENS_ACTIVIST,
                    "mahalla_id": order.mahalla_id,
                    "district_id": order.district_id,
                    "region_id": order.region_id,
                },
            )
        referral.save()
        if not final_attempt:
            raise InsonUnavailable(referral.last_error) from error
        return referral


def inson_referral_resend(*, actor: Any, referral: InsonReferral) -> InsonReferral:
    _require(actor, ORDER_ISSUERS, referral.order.mahalla)
    if referral.status != InsonReferral.Status.FAILED:
        raise _fail("status", _("Only a failed referral is sent again."), referral.status)
    with transaction.atomic():
        referral.status = InsonReferral.Status.QUEUED
        referral.save(update_fields=["status"])
        CaseAlert.objects.filter(
            kind=AlertKind.INSON_FAILED, object_type="inson_referral", object_id=referral.pk
        ).delete()
        _audit(actor, AuditAction.UPDATE, referral, details={"resend": True})

        def enqueue() -> None:
            from .tasks import inson_referral_send_task

            inson_referral_send_task(referral.pk)

        transaction.on_commit(enqueue)
    return referral


# --------------------------------------------------------------------------- administrative supervision


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def checkin_calendar(starts_on: dt.date, ends_on: dt.date, per_month: int) -> list[dt.date]:
    """Reporting days: ``per_month`` days spread evenly over each calendar month of the term (the 1st, and
    then every month-length / per_month days), inside [starts_on, ends_on]."""
    days: list[dt.date] = []
    month = starts_on.replace(day=1)
    while month <= ends_on:
        length = calendar.monthrange(month.year, month.month)[1]
        for k in range(per_month):
            day = month + dt.timedelta(days=(k * length) // per_month)
            if starts_on <= day <= ends_on:
                days.append(day)
        month = _add_months(month, 1)
    return days


def supervision_term_validate(starts_on: dt.date, ends_on: dt.date) -> None:
    if ends_on < _add_months(starts_on, 6) or ends_on > _add_months(starts_on, 12):
        raise _fail(
            "ends_on",
            _(
                "Administrative supervision lasts 6 to 12 months (law of 2 April 2019): "
                "from %(start)s it ends between %(low)s and %(high)s."
            )
            % {"start": starts_on, "low": _add_months(starts_on, 6), "high": _add_months(starts_on, 12)},
            ends_on,
        )


def supervision_create(
    *,
    actor: Any,
    person: Person,
    court_decision: str,
    decided_on: dt.date,
    starts_on: dt.date,
    ends_on: dt.date,
    checkins_per_month: int,
    curfew_from: dt.time | None = None,
    curfew_to: dt.time | None = None,
    banned_places: str = "",
    area: str = "",
    no_alcohol: bool = False,
) -> Supervision:
    _require(actor, INSPECTORS, person.mahalla)
    if not (court_decision or "").strip():
        raise _fail("court_decision", _("Name the court decision."), court_decision)
    if starts_on < decided_on:
        raise _fail("starts_on", _("Supervision starts on or after the court decision."), starts_on)
    supervision_term_validate(starts_on, ends_on)
    if not 1 <= int(checkins_per_month) <= 4:
        raise _fail("checkins_per_month", _("Reporting is 1 to 4 times a month."), checkins_per_month)
    if (curfew_from is None) != (curfew_to is None):
        raise _fail("curfew_to" if curfew_to is None else "curfew_from", _("A curfew needs both hours."))
    with transaction.atomic():
        supervision = Supervision.objects.create(
            person=person,
            court_decision=court_decision.strip(),
            decided_on=decided_on,
            starts_on=starts_on,
            ends_on=ends_on,
            checkins_per_month=checkins_per_month,
            curfew_from=curfew_from,
            curfew_to=curfew_to,
            banned_places=banned_places,
            area=area,
            no_alcohol=no_alcohol,
            inspector=actor,
            mahalla_id=person.mahalla_id,
            district_id=person.district_id,
            region_id=person.region_id,
        )
        CheckIn.objects.bulk_create(
            CheckIn(supervision=supervision, due_on=day)
            for day in checkin_calendar(starts_on, ends_on, checkins_per_month)
        )
        category = LegalCategory.objects.filter(kind=CategoryKind.ADMINISTRATIVE_SUPERVISION).first()
        if category is not None:
            RegisterEntry.objects.create(
                person=person,
                category=category,
                basis_document=court_decision.strip(),
                starts_on=starts_on,
                term_ends_on=ends_on,
                decided_by=_("court"),
                created_by=actor,
                mahalla_id=person.mahalla_id,
                district_id=person.district_id,
                region_id=person.region_id,
            )
        _audit(actor, AuditAction.CREATE, supervision, details={"person": person.pk})
    return supervision


def checkin_record(
    *, actor: Any, checkin: CheckIn, reported_at: dt.datetime, note: str = "", version: int | None = None
) -> CheckIn:
    supervision = checkin.supervision
    _require(actor, INSPECTORS, supervision.mahalla)
    reported_day = (
        timezone.localtime(reported_at).date() if timezone.is_aware(reported_at) else reported_at.date()
    )
    if reported_day < supervision.starts_on:
        raise _fail(
            "reported_at",
            _("A check-in cannot be before the supervision starts (%(start)s).")
            % {"start": supervision.starts_on},
            reported_at,
        )
    if reported_at > timezone.now() + dt.timedelta(minutes=5):
        raise _fail("reported_at", _("The check-in time is in the future."), reported_at)
    with transaction.atomic():
        current = _locked(checkin, version, ["status", "reported_at", "note"])
        return _versioned_save(
            actor,
            current,
            {"supervision": supervision.pk, "reported_at": reported_at.isoformat()},
            status=CheckIn.Status.DONE,
            reported_at=reported_at,
            note=note,
            recorded_by=actor,
        )


def supervision_violation_record(
    *, actor: Any, supervision: Supervision, occurred_on: dt.date, restriction: str, description: str = ""
) -> SupervisionViolation:
    _require(actor, INSPECTORS, supervision.mahalla)
    allowed = {"curfew", "banned_place", "area", "alcohol", "reporting", "other"}
    if restriction not in allowed:
        raise _fail("restriction", _("Unknown restriction."), restriction)
    if occurred_on < supervision.starts_on:
        raise _fail("occurred_on", _("The violation is before the supervision starts."), occurred_on)
    with transaction.atomic():
        violation = SupervisionViolation.objects.create(
            supervision=supervision,
            occurred_on=occurred_on,
            restriction=restriction,
            description=description,
            recorded_by=actor,
        )
        _violation_alert(
            AlertKind.SUPERVISION_VIOLATED,
            "supervision_violation",
            violation,
            under=supervision,
            person_id=supervision.person_id,
        )
        _audit(actor, AuditAction.CREATE, violation, details={"supervision": supervision.pk})
    return violation


def supervision_end(*, actor: Any, supervision: Supervision, ended_on: dt.date, reason: str) -> Supervision:
    _require(actor, INSPECTORS, supervision.mahalla)
    if ended_on < supervision.starts_on:
        raise _fail("ended_on", _("Supervision cannot end before it starts."), ended_on)
    if not (reason or "").strip():
        raise _fail("reason", _("Name the reason (end of term or the decision)."), reason)
    with transaction.atomic():
        supervision.status = Supervision.Status.ENDED
        supervision.ended_on = ended_on
        supervision.end_reason = reason
        supervision.save(update_fields=["status", "ended_on", "end_reason"])
        supervision.checkins.filter(status=CheckIn.Status.DUE, due_on__gt=ended_on).delete()
        RegisterEntry.objects.filter(
            person_id=supervision.person_id,
            basis_document=supervision.court_decision,
            status=RegisterEntry.Status.ACTIVE,
        ).update(status=RegisterEntry.Status.ENDED, ended_on=ended_on, end_reason=reason)
        _audit(
            actor,
            AuditAction.UPDATE,
            supervision,
            details={"ended_on": ended_on.isoformat(), "reason": reason},
        )
    return supervision


def _mahalla_inspector(mahalla: Mahalla) -> Any:
    """The active preventive inspector account working in the mahalla (or its district), or None."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(role=Role.PREVENTIVE_INSPECTOR, is_active=True)
        .filter(
            Q(scope_level=ScopeLevel.MAHALLAS, scope_mahallas=mahalla)
            | Q(scope_level=ScopeLevel.DISTRICT, scope_district_id=mahalla.district_id)
        )
        .order_by(Case(When(scope_level=ScopeLevel.MAHALLAS, then=Value(0)), default=Value(1)), "pk")
        .first()
    )


def supervision_handover(
    *, actor: Any, supervision: Supervision, to_mahalla: Mahalla, to_inspector: Any = None
) -> Handover:
    """The person moved: the person, the supervision and its open records go to the new mahalla (and its
    inspector), with the history; the old mahalla keeps the handover row."""
    _require(actor, INSPECTORS, supervision.mahalla)
    if to_mahalla.pk == supervision.mahalla_id:
        raise _fail("to_mahalla", _("The person already lives in this mahalla."), to_mahalla.code)
    new_territory = {
        "mahalla_id": to_mahalla.pk,
        "district_id": to_mahalla.district_id,
        "region_id": to_mahalla.region_id,
    }
    with transaction.atomic():
        handover = Handover.objects.create(
            supervision=supervision,
            from_mahalla_id=supervision.mahalla_id,
            to_mahalla=to_mahalla,
            to_inspector=to_inspector,
            by=actor,
        )
        person_id = supervision.person_id
        Person.objects.filter(pk=person_id).update(**new_territory)
        Supervision.objects.filter(person_id=person_id, status=Supervision.Status.ACTIVE).update(
            inspector=to_inspector, **new_territory
        )
        RegisterEntry.objects.filter(person_id=person_id, status=RegisterEntry.Status.ACTIVE).update(
            **new_territory
        )
        Referral.objects.filter(person_id=person_id).exclude(status=Referral.Status.COMPLETED).update(
            **new_territory
        )
        # Planned household rounds follow the person to the new mahalla and its inspector; the version
        # moves on, so an edit queued offline against the old assignment comes back as a conflict.
        round_inspector = to_inspector or _mahalla_inspector(to_mahalla)
        moved_rounds = HouseholdRound.objects.filter(
            person_id=person_id, status=HouseholdRound.Status.PLANNED
        ).update(
            version=F("version") + 1,
            **new_territory,
            **({"inspector": round_inspector} if round_inspector is not None else {}),
        )
        if to_inspector is not None:
            CaseOwnership.objects.update_or_create(person_id=person_id, defaults={"owner": to_inspector})
        _audit(
            actor,
            AuditAction.UPDATE,
            supervision,
            purpose="handover on moving",
            details={"from": handover.from_mahalla_id, "to": to_mahalla.pk, "rounds_moved": moved_rounds},
        )
    supervision.refresh_from_db()
    return handover


# ------------------------------------------------------------------------------- referrals with consent


def referral_create(
    *,
    actor: Any,
    person: Person,
    service: str,
    agency: str,
    deadline: dt.date,
    consent_given: bool,
    consent_override_reason: str = "",
) -> Referral:
    """Assistance only with the person's consent; without it, only with a written reason (audited)."""
    _require(actor, CASE_WORKERS, person.mahalla)
    if service not in ServiceKind.values:
        raise _fail("service", _("Unknown kind of assistance."), service)
    if not (agency or "").strip():
        raise _fail("agency", _("Name the agency that provides the assistance."), agency)
    if deadline < timezone.localdate():
        raise _fail("deadline", _("The deadline is in the past."), deadline)
    reason = (consent_override_reason or "").strip()
    if not consent_given and not reason:
        raise _fail(
            "consent_given",
            _("The person's consent is not recorded: record it, or give the reason to refer without it."),
        )
    with transaction.atomic():
        referral = Referral.objects.create(
            person=person,
            service=service,
            agency=agency.strip(),
            deadline=deadline,
            consent_given=bool(consent_given),
            consent_recorded_at=timezone.now() if consent_given else None,
            consent_override_reason="" if consent_given else reason,
            created_by=actor,
            mahalla_id=person.mahalla_id,
            district_id=person.district_id,
            region_id=person.region_id,
        )
        _audit(
            actor,
            AuditAction.CREATE,
            referral,
            purpose="referral without consent: " + reason if not consent_given else "referral with consent",
            details={"person": person.pk, "consent": bool(consent_given), "override_reason": reason},
        )
    return referral


REFERRAL_NEXT = {
    Referral.Status.SENT: {Referral.Status.ACCEPTED, Referral.Status.DECLINED},
    Referral.Status.ACCEPTED: {Referral.Status.COMPLETED},
}


def referral_status_set(
    *, actor: Any, referral: Referral, status: str, outcome: str = "", version: int | None = None
) -> Referral:
    _require(actor, CASE_WORKERS)
    with transaction.atomic():
        current = _locked(referral, version, ["status", "outcome"])
        if status not in REFERRAL_NEXT.get(current.status, set()):
            raise _fail(
                "status",
                _("A referral that is %(now)s cannot become %(next)s.")
                % {"now": current.status, "next": status},
                status,
            )
        if status == Referral.Status.COMPLETED and not outcome.strip():
            raise _fail("outcome", _("Record the outcome."), outcome)
        return _versioned_save(actor, current, {"status": status}, status=status, outcome=outcome)


# ---------------------------------------------------------------------------------- household rounds


def _round_inspector_check(inspector: Any, mahalla: Mahalla) -> None:
    """The round goes to an active inspector or Mahalla Seven member who works in the mahalla."""
    if inspector is None or not inspector.is_active or inspector.role not in CASE_WORKERS:
        raise _fail(
            "inspector",
            _("A round is made by an active inspector or Mahalla Seven member."),
            getattr(inspector, "pk", ""),
        )
    if not _works_in(inspector, mahalla):
        raise _fail("inspector", _("The inspector does not work in this mahalla."), inspector.pk)


def household_round_plan(
    *,
    actor: Any,
    mahalla: Mahalla,
    address: str,
    planned_on: dt.date,
    purpose: str,
    inspector: Any = None,
    person: Person | None = None,
) -> HouseholdRound:
    """Plan a visit of a household of the mahalla (by default by the actor), for today or a later day."""
    _require(actor, CASE_WORKERS, mahalla)
    inspector = inspector if inspector is not None else actor
    if not (address or "").strip():
        raise _fail("address", _("Give the household's address."), address)
    if purpose not in HouseholdRound.Purpose.values:
        raise _fail("purpose", _("Unknown purpose of the round."), purpose)
    if planned_on < timezone.localdate():
        raise _fail("planned_on", _("A round is planned for today or a later day."), planned_on)
    if person is not None and person.mahalla_id != mahalla.pk:
        raise _fail("person", _("The person does not live in this mahalla."), person.pk)
    _round_inspector_check(inspector, mahalla)
    with transaction.atomic():
        household_round = HouseholdRound.objects.create(
            address=address.strip(),
            person=person,
            planned_on=planned_on,
            inspector=inspector,
            purpose=purpose,
            created_by=actor,
            **_territory(mahalla),
        )
        _audit(
            actor,
            AuditAction.CREATE,
            household_round,
            details={"planned_on": planned_on.isoformat(), "purpose": purpose, "inspector": inspector.pk},
        )
    return household_round


def household_round_record(
    *,
    actor: Any,
    household_round: HouseholdRound,
    done_on: dt.date,
    outcome: str,
    version: int | None = None,
) -> HouseholdRound:
    """The round was made: its date and outcome. An edit made offline on an older copy is refused (409)."""
    _require(actor, CASE_WORKERS, household_round.mahalla)
    if not (outcome or "").strip():
        raise _fail("outcome", _("Record the outcome of the round."), outcome)
    if done_on > timezone.localdate():
        raise _fail("done_on", _("The round's date is in the future."), done_on)
    with transaction.atomic():
        current = _locked(household_round, version, ["status", "done_on", "outcome"])
        if current.status == HouseholdRound.Status.DONE and version is None:
            raise _fail("status", _("This round is already recorded."), current.status)
        return _versioned_save(
            actor,
            current,
            {"done_on": done_on.isoformat()},
            status=HouseholdRound.Status.DONE,
            done_on=done_on,
            outcome=outcome.strip(),
        )


# ------------------------------------------------------------------------- assign / refer / transfer


def _case_user_check(user: Any, person: Person) -> None:
    if user is None or not user.is_active or user.role not in CASE_WORKERS:
        raise _fail(
            "to_user",
            _("The case can only go to an active inspector or Mahalla Seven member."),
            getattr(user, "pk", ""),
        )


# What each hand-over of a case starts as: an assignment is done at once, a referral is shared until
# revoked, a transfer waits for the receiver's answer.
TRANSITION_OPENS_AS = {
    CaseTransition.Kind.ASSIGN: CaseTransition.Status.DONE,
    CaseTransition.Kind.REFER: CaseTransition.Status.ACTIVE,
    CaseTransition.Kind.TRANSFER: CaseTransition.Status.PENDING,
}


def _case_hand(*, actor: Any, person: Person, to_user: Any, note: str, kind: str) -> CaseTransition:
    """Hand the case to another worker (assign, refer or transfer), kept as history and audited."""
    _require(actor, CASE_WORKERS, person.mahalla)
    _case_user_check(to_user, person)
    with transaction.atomic():
        from_user = actor
        if kind == CaseTransition.Kind.ASSIGN:
            ownership, _created = CaseOwnership.objects.get_or_create(person=person)
            from_user = ownership.owner
            ownership.owner = to_user
            ownership.save()
        transition = CaseTransition.objects.create(
            person=person,
            kind=kind,
            from_user=from_user,
            to_user=to_user,
            status=TRANSITION_OPENS_AS[kind],
            note=note,
            by=actor,
        )
        _audit(actor, AuditAction.UPDATE, transition, details={"person": person.pk, "to": to_user.pk})
    return transition


def case_assign(*, actor: Any, person: Person, to_user: Any, note: str = "") -> CaseTransition:
    """Make another worker the case's owner, at once."""
    return _case_hand(actor=actor, person=person, to_user=to_user, note=note, kind=CaseTransition.Kind.ASSIGN)


def case_refer(*, actor: Any, person: Person, to_user: Any, note: str = "") -> CaseTransition:
    """Share the case with another worker (who may be outside the mahalla) until revoked."""
    return _case_hand(actor=actor, person=person, to_user=to_user, note=note, kind=CaseTransition.Kind.REFER)


def case_transfer(*, actor: Any, person: Person, to_user: Any, note: str = "") -> CaseTransition:
    """Propose a transfer of ownership; it takes effect when the receiver accepts."""
    return _case_hand(
        actor=actor, person=person, to_user=to_user, note=note, kind=CaseTransition.Kind.TRANSFER
    )


def _transition_close(actor: Any, transition: CaseTransition, status: str, details: dict[str, Any]) -> None:
    transition.status = status
    transition.closed_at = timezone.now()
    transition.save(update_fields=["status", "closed_at"])
    _audit(actor, AuditAction.UPDATE, transition, details=details)


def case_refer_revoke(*, actor: Any, transition: CaseTransition) -> CaseTransition:
    _require(actor, CASE_WORKERS, transition.person.mahalla)
    if transition.kind != CaseTransition.Kind.REFER or transition.status != CaseTransition.Status.ACTIVE:
        raise _fail("transition", _("Only an active referral of a case is revoked."), transition.pk)
    with transaction.atomic():
        _transition_close(actor, transition, CaseTransition.Status.REVOKED, {"revoked": True})
    return transition


def case_transfer_respond(*, actor: Any, transition: CaseTransition, accept: bool) -> CaseTransition:
    if actor is None or transition.to_user_id != actor.pk:
        raise AccessDenied(_("Transfer not found"), {"id": transition.pk})
    if transition.kind != CaseTransition.Kind.TRANSFER or transition.status != CaseTransition.Status.PENDING:
        raise _fail("transition", _("This transfer is not waiting for an answer."), transition.pk)
    with transaction.atomic():
        if accept:
            CaseOwnership.objects.update_or_create(person=transition.person, defaults={"owner": actor})
        status = CaseTransition.Status.ACCEPTED if accept else CaseTransition.Status.REJECTED
        _transition_close(actor, transition, status, {"accepted": accept})
    return transition


# ------------------------------------------------------------------------------------ daily monitoring


@dataclass
class MonitoringOutcome:
    day: dt.date
    conclusions_generated: int = 0
    alerts: Counter[str] = field(default_factory=Counter)
    checkins_missed: int = 0
    orders_expired: int = 0
    supervisions_ended: int = 0


def _alerts_raise(kind: str, object_type: str, rows: list[dict[str, Any]], day: dt.date) -> int:
    if not rows:
        return 0
    existing: set[int] = set()
    ids = [row["object_id"] for row in rows]
    for start in range(0, len(ids), CHUNK):
        existing.update(
            CaseAlert.objects.filter(
                kind=kind, object_type=object_type, object_id__in=ids[start : start + CHUNK]
            ).values_list("object_id", flat=True)
        )
    new = [
        CaseAlert(kind=kind, object_type=object_type, raised_on=day, **row)
        for row in rows
        if row["object_id"] not in existing
    ]
    CaseAlert.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    return len(new)


def monitoring_run(*, day: dt.date) -> MonitoringOutcome:
    """The daily monitoring of the registers for ``day`` (after the daily analysis): conclusions for new
    administrative offences, overdue conclusions, reports with no order after 24 hours, orders expiring and
    expired, check-ins missed (and escalations after repeated misses), supervisions at term, referrals
    overdue. Idempotent: each alert is raised once per object."""
    outcome = MonitoringOutcome(day=day)
    run = MonitoringRun.objects.create(day=day)
    outcome.conclusions_generated = conclusions_generate(day=day)
    territory = ("mahalla_id", "district_id", "region_id")
    with transaction.atomic():
        overdue = Conclusion.objects.filter(status=Conclusion.Status.OPEN, deadline__lt=day).values(
            "pk", "person_id", "owner_position", "deadline", *territory
        )
        outcome.alerts[AlertKind.CONCLUSION_OVERDUE] = _alerts_raise(
            AlertKind.CONCLUSION_OVERDUE,
            "conclusion",
            [
                {
                    "object_id": r["pk"],
                    "person_id": r["person_id"],
                    "owner_position": r["owner_position"],
                    "due_on": r["deadline"],
                    **{k: r[k] for k in territory},
                }
                for r in overdue.iterator(chunk_size=5000)
            ],
            day,
        )
        end_of_day = timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))
        late = ViolenceReport.objects.filter(
            order__isnull=True, reported_at__lt=end_of_day - dt.timedelta(hours=24)
        ).values("pk", "victim_id", "reported_at", *territory)
        outcome.alerts[AlertKind.ORDER_LATE] = _alerts_raise(
            AlertKind.ORDER_LATE,
            "report",
            [
                {
                    "object_id": r["pk"],
                    "person_id": r["victim_id"],
                    "owner_position": SevenPosition.PREVENTIVE_INSPECTOR,
                    "due_on": timezone.localtime(r["reported_at"]).date() + dt.timedelta(days=1),
                    **{k: r[k] for k in territory},
                }
                for r in late.iterator(chunk_size=5000)
            ],
            day,
        )
        warn = day + dt.timedelta(days=settings.CASES_ORDER_EXPIRY_WARNING_DAYS)
        expiring = ProtectionOrder.objects.filter(
            status=ProtectionOrder.Status.ACTIVE, ends_on__gte=day, ends_on__lte=warn
        ).values("pk", "victim_id", "ends_on", *territory)
        outcome.alerts[AlertKind.ORDER_EXPIRING] = _alerts_raise(
            AlertKind.ORDER_EXPIRING,
            "order",
            [
                {
                    "object_id": r["pk"],
                    "person_id": r["victim_id"],
                    "owner_position": SevenPosition.WOMENS_ACTIVIST,
                    "due_on": r["ends_on"],
                    **{k: r[k] for k in territory},
                }
                for r in expiring.iterator(chunk_size=5000)
            ],
            day,
        )
        expired = ProtectionOrder.objects.filter(status=ProtectionOrder.Status.ACTIVE, ends_on__lt=day)
        outcome.orders_expired = expired.update(status=ProtectionOrder.Status.EXPIRED)
        RegisterEntry.objects.filter(status=RegisterEntry.Status.ACTIVE, term_ends_on__lt=day).update(
            status=RegisterEntry.Status.ENDED, ended_on=F("term_ends_on"), end_reason="term ended"
        )
        missed = CheckIn.objects.filter(
            status=CheckIn.Status.DUE, due_on__lt=day, supervision__status=Supervision.Status.ACTIVE
        )
        missed_rows = list(
            missed.values(
                "pk",
                "due_on",
                "supervision__person_id",
                "supervision_id",
                *[f"supervision__{k}" for k in territory],
            )
        )
        outcome.checkins_missed = missed.update(status=CheckIn.Status.MISSED)
        outcome.alerts[AlertKind.CHECKIN_MISSED] = _alerts_raise(
            AlertKind.CHECKIN_MISSED,
            "checkin",
            [
                {
                    "object_id": r["pk"],
                    "person_id": r["supervision__person_id"],
                    "owner_position": SevenPosition.PREVENTIVE_INSPECTOR,
                    "due_on": r["due_on"],
                    **{k: r[f"supervision__{k}"] for k in territory},
                }
                for r in missed_rows
            ],
            day,
        )
        # Escalation: repeated misses (or a miss after a violation) within the term, once per supervision.
        threshold = settings.CASES_ESCALATION_MISSED_CHECKINS
        repeated = (
            Supervision.objects.filter(status=Supervision.Status.ACTIVE, escalated_on__isnull=True)
            .annotate(missed=Count("checkins", filter=Q(checkins__status=CheckIn.Status.MISSED)))
            .filter(missed__gte=threshold)
            .values("pk", "person_id", *territory)
        )
        repeated_rows = list(repeated)
        outcome.alerts[AlertKind.SUPERVISION_ESCALATED] = _alerts_raise(
            AlertKind.SUPERVISION_ESCALATED,
            "supervision",
            [
                {
                    "object_id": r["pk"],
                    "person_id": r["person_id"],
                    "owner_position": SevenPosition.PREVENTIVE_INSPECTOR,
                    **{k: r[k] for k in territory},
                }
                for r in repeated_rows
            ],
            day,
        )
        escalated = [r["pk"] for r in repeated_rows]
        for start in range(0, len(escalated), CHUNK):
            Supervision.objects.filter(pk__in=escalated[start : start + CHUNK]).update(escalated_on=day)
        at_term = Supervision.objects.filter(status=Supervision.Status.ACTIVE, ends_on__lt=day)
        outcome.supervisions_ended = at_term.update(
            status=Supervision.Status.ENDED, ended_on=F("ends_on"), end_reason="term ended"
        )
        referrals = Referral.objects.filter(
            status__in=[Referral.Status.SENT, Referral.Status.ACCEPTED], deadline__lt=day
        ).values("pk", "person_id", "deadline", *territory)
        outcome.alerts[AlertKind.REFERRAL_OVERDUE] = _alerts_raise(
            AlertKind.REFERRAL_OVERDUE,
            "referral",
            [
                {
                    "object_id": r["pk"],
                    "person_id": r["person_id"],
                    "owner_position": SevenPosition.SOCIAL_WORKER,
                    "due_on": r["deadline"],
                    **{k: r[k] for k in territory},
                }
                for r in referrals.iterator(chunk_size=5000)
            ],
            day,
        )
        run.finished_at = timezone.now()
        run.counts = {
            "conclusions_generated": outcome.conclusions_generated,
            "checkins_missed": outcome.checkins_missed,
            "orders_expired": outcome.orders_expired,
            "supervisions_ended": outcome.supervisions_ended,
            "alerts": dict(outcome.alerts),
        }
        run.save()
        audit_record(
            actor=None,
            action=AuditAction.RUN,
            object_type="cases.monitoringrun",
            object_id=run.pk,
            object_repr=f"casework monitoring {day}",
            details=run.counts,
        )
    return outcome


def alert_acknowledge(*, actor: Any, alert: CaseAlert) -> CaseAlert:
    _require(actor, CASE_WORKERS | ORDER_ISSUERS)
    with transaction.atomic():
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = actor
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
        _audit(actor, AuditAction.UPDATE, alert)
    return alert


# ------------------------------------------------------------------------------------------ retention


def retention_anonymise(*, today: dt.date, years: int | None = None) -> int:
    """Anonymise persons whose every register entry ended more than ``years`` ago and who have nothing
    active (order, supervision, open conclusion or referral). Names, PINFL, contact and notes are replaced;
    the counts and dates stay for the statistics."""
    years = settings.CASES_RETENTION_YEARS if years is None else years
    try:
        cutoff = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - years, day=28)
    active_entry = RegisterEntry.objects.filter(
        Q(status=RegisterEntry.Status.ACTIVE) | Q(ended_on__gt=cutoff)
    ).values("person_id")
    busy = (
        Q(pk__in=active_entry)
        | Q(pk__in=Supervision.objects.filter(status=Supervision.Status.ACTIVE).values("person_id"))
        | Q(pk__in=ProtectionOrder.objects.filter(status=ProtectionOrder.Status.ACTIVE).values("victim_id"))
        | Q(
            pk__in=Conclusion.objects.filter(status=Conclusion.Status.OPEN, person__isnull=False).values(
                "person_id"
            )
        )
        | Q(
            pk__in=Referral.objects.filter(
                status__in=[Referral.Status.SENT, Referral.Status.ACCEPTED]
            ).values("person_id")
        )
        | Q(
            pk__in=HouseholdRound.objects.filter(
                status=HouseholdRound.Status.PLANNED, person__isnull=False
            ).values("person_id")
        )
    )
    candidates = (
        Person.objects.filter(anonymised_at__isnull=True, register_entries__isnull=False)
        .exclude(busy)
        .distinct()
    )
    rows = list(candidates.values_list("pk", "birth_date"))
    ids = [pk for pk, _birth in rows]
    now = timezone.now()
    with transaction.atomic():
        for pk, birth in rows:
            # The year of birth stays (age groups in the statistics); everything that identifies goes.
            Person.objects.filter(pk=pk).update(
                pinfl=f"0{pk:013d}",
                name_latin=ANONYMISED,
                name_cyrillic="",
                name_russian="",
                name_key="",
                phone="",
                address="",
                notes="",
                anonymised_at=now,
                birth_date=dt.date(birth.year, 1, 1),
            )
        for start in range(0, len(ids), CHUNK):
            PersonSourceRef.objects.filter(person_id__in=ids[start : start + CHUNK]).delete()
            # The household's address and what was found there identify the person too.
            HouseholdRound.objects.filter(person_id__in=ids[start : start + CHUNK]).update(
                address=ANONYMISED, outcome=Case(When(outcome="", then=Value("")), default=Value(ANONYMISED))
            )
        if ids:
            audit_record(
                actor=None,
                action=AuditAction.UPDATE,
                object_type="cases.person",
                object_repr=f"{len(ids)} persons anonymised",
                purpose="retention",
                details={"count": len(ids), "cutoff": cutoff.isoformat()},
            )
    return len(ids)


def transition_or_error(pk: object) -> CaseTransition:
    transition = (
        CaseTransition.objects.select_related("person")
        .filter(pk=int(str(pk)) if str(pk).isdigit() else -1)
        .first()
    )
    if transition is None:
        raise AccessDenied(_("Transition not found"), {"id": str(pk)})
    return transition

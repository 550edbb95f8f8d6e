"""Reads of offences, always for an actor, limited to the actor's role and territory, and audited.

Person-level reads (an offence's detail, a page of the offence list) write one audit READ row per record
shown, with the purpose the reader stated. Counts are not person-level and are not audited per row."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from mahalla.audit.models import AuditAction
from mahalla.audit.services import audit_record, audit_record_reads
from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.territory.selectors import filters_apply

from .access import (
    access_offence_by_id,
    offence_aggregate_filter_for,
    offence_filter_for,
    offence_records_allowed,
)
from .filters import OffenceFilter
from .models import Offence

# What a count may be grouped by, and the columns that name each group.
COUNT_GROUPS: dict[str, tuple[str, ...]] = {
    "region": ("region__code", "region__name_uz"),
    "district": ("district__code", "district__name_uz"),
    "mahalla": ("mahalla__code", "mahalla__name_uz"),
    "category": ("category__code", "category__name_en"),
}
PURPOSE_MAX_LENGTH = 500


def purpose_clean(purpose: str | None, *, required: bool) -> str:
    """The stated purpose of a person-level read, stripped; required where docs/access.md says so."""
    cleaned = (purpose or "").strip()
    if required and not cleaned:
        raise ApplicationError(
            _("State the purpose of reading this record (query parameter 'purpose' or header 'X-Purpose')."),
            {"field": "purpose"},
        )
    if len(cleaned) > PURPOSE_MAX_LENGTH:
        raise ApplicationError(
            _("The purpose is longer than %(limit)d characters.") % {"limit": PURPOSE_MAX_LENGTH},
            {"field": "purpose", "length": len(cleaned)},
        )
    return cleaned


def offence_list(*, actor: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[Offence]:
    """Offence records the actor may read, newest first. Roles outside OFFENCE_RECORD_READERS are refused.

    The caller shows a page of it and records that page with :func:`offence_reads_record`."""
    if not offence_records_allowed(actor):
        raise AccessDenied(_("Your role does not give access to offence records."))
    offences = (
        Offence.objects.filter(offence_filter_for(actor))
        .select_related("category", "mahalla", "district", "region")
        .order_by("-occurred_at", "-id")
    )
    return filters_apply(OffenceFilter, filters, offences)


def offence_reads_record(*, actor: Any, offences: Iterable[Offence], purpose: str = "") -> int:
    """One audit READ row per offence shown to the actor, written in one statement."""
    return audit_record_reads(actor=actor, objects=offences, purpose=purpose)


def offence_get(*, actor: Any, offence_id: object, purpose: str | None) -> Offence:
    """One offence record, read for a stated purpose. The read is audited; so is a refused attempt, because
    probing for records outside one's territory is what the log is there to show."""
    cleaned_purpose = purpose_clean(purpose, required=True)
    try:
        offence = access_offence_by_id(actor, offence_id)
    except AccessDenied:
        audit_record(
            actor=actor,
            action=AuditAction.DENIED,
            object_type="incidents.offence",
            object_id=offence_id,
            purpose=cleaned_purpose,
        )
        raise
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        object_type="incidents.offence",
        object_id=offence.pk,
        object_repr=str(offence),
        purpose=cleaned_purpose,
    )
    return offence


def offence_counts(
    *, actor: Any, group_by: str, filters: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Offence counts per region, district, mahalla or category inside the actor's territory. Open to every
    role with a valid scope (Mahalla Seven members included): counts name no person."""
    if group_by not in COUNT_GROUPS:
        raise ApplicationError(
            _("Cannot group by '%(value)s'; choose one of: %(choices)s.")
            % {"value": group_by, "choices": ", ".join(COUNT_GROUPS)},
            {"field": "group_by", "value": group_by},
        )
    code_field, name_field = COUNT_GROUPS[group_by]
    offences = filters_apply(
        OffenceFilter, filters, Offence.objects.filter(offence_aggregate_filter_for(actor))
    )
    rows = (
        offences.values(code_field, name_field)
        .annotate(count=Count("id", distinct=True))
        .order_by(code_field)
    )
    return [{"code": row[code_field], "name": row[name_field], "count": row["count"]} for row in rows]

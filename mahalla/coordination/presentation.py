"""How an oversight finding reads on the page: the rule by its name and the evidence by labelled fields, not
by the keys stored in the finding (the stored evidence stays as the checks wrote it)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

EVIDENCE_LABELS = {
    "basis_document": _("basis document"),
    "category": _("category"),
    "checkins_not_held": _("check-ins not held"),
    "date": _("date"),
    "days_late": _("days late"),
    "days_past_term": _("days past the term"),
    "deadline": _("deadline"),
    "first": _("first"),
    "from_agency": _("from"),
    "hours": _("hours"),
    "hours_without_order": _("hours without an order"),
    "issued_at": _("issued at"),
    "issued_on": _("issued on"),
    "kind": _("kind"),
    "last": _("last"),
    "limit": _("limit"),
    "limit_hours": _("limit in hours"),
    "offence": _("offence"),
    "owner": _("owner"),
    "owner_position": _("owner's post"),
    "person": _("person"),
    "reads": _("reads"),
    "report": _("report"),
    "reported_at": _("reported at"),
    "starts_on": _("starts on"),
    "status": _("status"),
    "subject": _("subject"),
    "term_ends_on": _("term ends on"),
    "to_agency": _("to"),
    "username": _("user"),
}


def evidence_rows(evidence: dict[str, Any]) -> list[tuple[str, Any]]:
    """Labelled (label, value) pairs; empty values left out (an unnamed owner is no evidence)."""
    return [
        (str(EVIDENCE_LABELS.get(key, key.replace("_", " "))), value)
        for key, value in evidence.items()
        if value not in ("", None)
    ]

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


# What a finding is about, by its object type: the page names the record ("Conclusion 1234") in the reader's
# language; the finding's stored summary is the checks' English text, kept for the log and the API.
OBJECT_LABELS = {
    "accounts.user-day": _("User's day"),
    "cases.conclusion": _("Conclusion"),
    "cases.protection-order": _("Protection order"),
    "cases.register-entry": _("Register entry"),
    "cases.supervision": _("Supervision"),
    "cases.violence-report": _("Violence report"),
    "coordination.task": _("Task"),
    "roadmaps.measure": _("Measure"),
}


def _value_labels() -> dict[tuple[str, str], dict[str, str]]:
    """The labels of the coded values a check writes into its evidence, by (object type, evidence key):
    each from the model that owns the code, so that a new status shows its label here with no change."""
    from mahalla.cases.models import SevenPosition, ViolenceReport
    from mahalla.roadmaps.models import Measure

    from .models import Task

    kinds = dict(ViolenceReport.Kind.choices)
    return {
        ("coordination.task", "status"): dict(Task.Status.choices),
        ("roadmaps.measure", "status"): dict(Measure.Status.choices),
        ("cases.protection-order", "kind"): kinds,
        ("cases.violence-report", "kind"): kinds,
        ("cases.conclusion", "owner_position"): dict(SevenPosition.choices),
    }


def _category_names(codes: set[str], language: str) -> dict[str, str]:
    from mahalla.cases.models import LegalCategory

    return {c.code: c.display_name(language) for c in LegalCategory.objects.filter(code__in=codes)}


def evidence_rows(
    evidence: dict[str, Any],
    object_type: str = "",
    language: str = "",
    categories: dict[str, str] | None = None,
) -> list[tuple[str, Any]]:
    """Labelled (label, value) pairs; empty values left out (an unnamed owner is no evidence). Coded values
    (a status, a report's kind, a legal category) read as their label in the reader's language."""
    labels = _value_labels()
    rows = []
    for key, value in evidence.items():
        if value in ("", None):
            continue
        shown: Any = value
        if isinstance(value, str) and key == "category":
            names = categories if categories is not None else _category_names({value}, language)
            shown = names.get(value, value)
        elif isinstance(value, str):
            shown = str(labels.get((object_type, key), {}).get(value, value))
        rows.append((str(EVIDENCE_LABELS.get(key, key.replace("_", " "))), shown))
    return rows


def findings_present(findings: list[Any], language: str) -> None:
    """Give each finding its labelled evidence, reading the legal categories of the page in one query."""
    codes = {f.evidence.get("category") for f in findings if isinstance(f.evidence.get("category"), str)}
    categories = _category_names(codes, language) if codes else {}
    for finding in findings:
        label = OBJECT_LABELS.get(finding.object_type, finding.object_type)
        # A user's day is named by its evidence (the user and the date), not by its composite id.
        shown_id = "" if finding.object_type == "accounts.user-day" else f" {finding.object_id}"
        finding.record_label = f"{label}{shown_id}"
        finding.evidence_rows = evidence_rows(
            finding.evidence, finding.object_type, language, categories=categories
        )

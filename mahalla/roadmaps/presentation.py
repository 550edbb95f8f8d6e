"""Sentences shown with the numbers: an effect is never claimed without significance."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from mahalla.core.formatting import percent
from mahalla.incidents.models import CauseCode, OffenceCategory

from .catalogue import catalogue
from .models import EffectEstimate


def effect_sentence(estimate: EffectEstimate) -> str:
    level = round(100 * (1 - float(estimate.parameters.get("alpha", 0.05))))
    numbers = _(
        "%(relative)+.1f %% (%(effect)+.2f offences per mahalla per %(period)s), %(level)s %% interval "
        "%(low)+.1f %% to %(high)+.1f %%, p = %(p).3f"
    ) % {
        "relative": 100 * estimate.relative_effect,
        "effect": estimate.effect,
        "period": estimate.period,
        "level": level,
        "low": 100 * estimate.relative_ci_low,
        "high": 100 * estimate.relative_ci_high,
        "p": estimate.p_value,
    }
    if not estimate.significant:
        return _("No significant change: estimate %(numbers)s.") % {"numbers": numbers}
    if estimate.effect < 0:
        return _("Significant fall against matched control mahallas: %(numbers)s.") % {"numbers": numbers}
    return _("Significant rise against matched control mahallas: %(numbers)s.") % {"numbers": numbers}


FACTOR_LABELS = {
    "class": gettext_lazy("Class of the mahalla"),
    "category": gettext_lazy("Offence category"),
    "flag": gettext_lazy("Offences"),
    "cause": gettext_lazy("Cause"),
    "signal": gettext_lazy("Drug-network analysis"),
}
SIGNAL_LABELS = {"drop_cluster": gettext_lazy("dead-drop cluster in the mahalla")}
FLAG_LABELS = {
    "involves_minor": gettext_lazy("involving minors"),
    "involves_youth": gettext_lazy("involving youth"),
    "involves_woman": gettext_lazy("involving women"),
    "family_relation": gettext_lazy("within the family"),
    "under_alcohol": gettext_lazy("under alcohol"),
    "under_drugs": gettext_lazy("under drugs"),
    "repeat_offender": gettext_lazy("by repeat offenders"),
}
CLASS_LABELS = {"red": gettext_lazy("red"), "yellow": gettext_lazy("yellow"), "green": gettext_lazy("green")}


def reason_rows(reasons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A roadmap's stored reasons (factor, subject code, count, share, template key) with names in the
    reader's language instead of codes ("safe_street", "family_relation")."""
    language = (get_language() or "uz").split("-")[0]
    field = {"ru": "name_ru", "en": "name_en"}.get(language, "name_uz")
    categories = {c.code: getattr(c, field, "") or c.name_en for c in OffenceCategory.objects.all()}
    causes = {c.code: getattr(c, field, "") or c.name_en for c in CauseCode.objects.all()}
    templates = catalogue().templates
    rows = []
    for reason in reasons:
        factor, subject = reason.get("factor", ""), reason.get("subject", "")
        subject_label: Any = {
            "class": CLASS_LABELS.get(subject, subject),
            "category": categories.get(subject, subject),
            "flag": FLAG_LABELS.get(subject, subject),
            "cause": causes.get(subject, subject),
            "signal": SIGNAL_LABELS.get(subject, subject),
        }.get(factor, subject)
        template = templates.get(reason.get("template", ""))
        rows.append(
            {
                **reason,
                "factor_label": str(FACTOR_LABELS.get(factor, factor)),
                "subject_label": str(subject_label),
                "template_title": template.title if template else reason.get("template", ""),
                "share_text": percent(reason.get("share"), 1),
                "min_share_text": percent(reason.get("min_share"), 1),
            }
        )
    return rows


def territory_label(item: Any) -> str:
    """The name of a roadmap's territory (mahalla with its district, district, or region)."""
    if getattr(item, "mahalla_id", None) and item.mahalla:
        name = item.mahalla.display_name()
        return f"{name} ({item.district.display_name()})" if item.district_id and item.district else name
    if getattr(item, "district_id", None) and item.district:
        return str(item.district.display_name())
    if getattr(item, "region_id", None) and item.region:
        return str(item.region.display_name())
    return str(getattr(item, "territory_code", ""))

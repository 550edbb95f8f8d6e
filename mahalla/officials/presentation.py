"""Why an official answers for a territory, in the reader's language.

The assignment keeps the numbers of its rule (`reason_detail`); the sentence is written at display time, so
that an assignment proposed by the nightly run (in the settings' language) reads in Russian to a Russian
reader and in English to an English one. The stored `reason` is the fallback for assignments whose detail
does not say which rule made them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from mahalla.core.formatting import number, percent

from .models import Assignment


def assignment_reason(assignment: Assignment) -> str:
    detail: dict[str, Any] = assignment.reason_detail or {}
    rule = assignment.rule
    if "streak_years" in detail:
        streak = int(detail["streak_years"])
        return _("Red %(streak)s years in a row (%(first)s-%(last)s)") % {
            "streak": streak,
            "first": assignment.year - streak + 1,
            "last": assignment.year,
        }
    if detail.get("class") == "red" and "rate_ratio" in detail:
        return _("Red on %(date)s (crime rate %(ratio)s times the reference)") % {
            "date": detail.get("date", ""),
            "ratio": number(detail["rate_ratio"], 1),
        }
    if "flags" in detail and "count" in detail:
        return _(
            "Among the %(n)s highest shares in the region: %(count)s of %(total)s crimes (%(share)s)"
        ) % {
            "n": rule.top_per_region,
            "count": number(detail["count"]),
            "total": number(detail["total"]),
            "share": percent(detail.get("share")),
        }
    if "mahallas" in detail and "red" in detail:
        return _(
            "Among the %(n)s worst districts of the region: %(red)s of %(total)s mahallas red (%(share)s)"
        ) % {
            "n": rule.top_per_region,
            "red": number(detail["red"]),
            "total": number(detail["mahallas"]),
            "share": percent(detail.get("share")),
        }
    return assignment.reason

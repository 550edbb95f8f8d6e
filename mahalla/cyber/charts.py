"""The cyber dashboard as charts: Chart.js data for the page (the platform's own copy, served from static
files) and small inline SVG bar charts for the daily briefing, whose PDF runs no script. Counts suppressed
for the reader (a "<5" string) are drawn as no bar."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def block_bucket_label(low: int, high: int | None) -> str:
    if high is None:
        return _("%(low)s h and more") % {"low": low}
    return _("%(low)s to %(high)s h") % {"low": low, "high": high}


def dashboard_charts(data: dict[str, Any]) -> dict[str, Any]:
    """Chart.js data of the dashboard's figures, axis titles translated here (docs/design.md)."""
    cyber, crimes = _number(data["cyber_crimes"]), _number(data["crimes"])
    share = data["cyber_share"]
    return {
        "share": {
            "labels": [str(_("Cybercrime")), str(_("Other registered crime"))],
            "values": (
                [cyber, crimes - cyber]
                if cyber is not None and crimes is not None
                else [round(100 * share, 1), round(100 * (1 - share), 1)]
                if share is not None
                else []
            ),
        },
        "methods": {
            "labels": [m["label"] for m in data["methods"]],
            "reports": [_number(m["reports"]) for m in data["methods"]],
            "loss": [m["loss"] for m in data["methods"]],
            "axis_x": str(_("Method")),
            "axis_y": str(_("Reports")),
            "axis_y1": str(_("Losses (UZS)")),
            "label_reports": str(_("Reports")),
            "label_loss": str(_("Losses (UZS)")),
        },
        "monthly": {
            "labels": [m["month"] for m in data["monthly"]],
            "reports": [_number(m["reports"]) for m in data["monthly"]],
            "axis_x": str(_("Month reported")),
            "axis_y": str(_("Reports")),
            "label_reports": str(_("Reports")),
        },
        "campaigns": {
            "labels": [c["code"] for c in data["campaigns"]],
            # A suppressed growth ("<5") is drawn as none: the whole campaign in "before".
            "before": [c["size"] - (_number(c["growth"]) or 0) for c in data["campaigns"]],
            "growth": [_number(c["growth"]) or 0 for c in data["campaigns"]],
            "axis_x": str(_("Campaign")),
            "axis_y": str(_("Reports")),
            "label_before": str(_("Reports before the last 30 days")),
            "label_growth": str(_("Reports in the last 30 days")),
        },
        "block": {
            "labels": [block_bucket_label(b["from"], b["to"]) for b in data["block_hours"]],
            "requests": [_number(b["requests"]) for b in data["block_hours"]],
            "axis_x": str(_("Hours from the first report to the block")),
            "axis_y": str(_("Blocked cards, numbers and links")),
            "label_requests": str(_("Blocked")),
        },
        "districts": {
            "labels": [d["name"] for d in data["by_district"]],
            "reports": [_number(d["reports"]) for d in data["by_district"]],
            "loss": [d["loss"] for d in data["by_district"]],
            "axis_x": str(_("District")),
            "axis_y": str(_("Reports")),
            "axis_y1": str(_("Losses (UZS)")),
            "label_reports": str(_("Reports")),
            "label_loss": str(_("Losses (UZS)")),
        },
    }


BAR_WIDTH = 300
ROW_HEIGHT = 16
LABEL_WIDTH = 190
VALUE_WIDTH = 110


def svg_bars(rows: Sequence[tuple[str, Any]], *, title: str, colour: str = "#1f3a5f") -> SafeString:
    """A horizontal bar chart as inline SVG: one row per (label, value); a suppressed value ("<5") is
    printed without a bar. Every text is escaped."""
    numbers = [_number(v) for _label, v in rows]
    largest = max((n for n in numbers if n is not None), default=0) or 1
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    height = ROW_HEIGHT * max(1, len(rows)) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="briefing-bars" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
    ]
    for index, ((label, value), number) in enumerate(zip(rows, numbers, strict=True)):
        y = 2 + index * ROW_HEIGHT
        text_y = y + ROW_HEIGHT - 4
        short = label if len(label) <= 30 else label[:29] + "…"
        parts.append(f'<text x="0" y="{text_y}" font-size="10">{escape(short)}</text>')
        if number is not None and number > 0:
            bar = max(1.0, BAR_WIDTH * number / largest)
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{bar:.1f}" height="{ROW_HEIGHT - 4}" '
                f'fill="{colour}"/>'
            )
        shown = f"{number:,.0f}".replace(",", " ") if number is not None else str(value)
        parts.append(
            f'<text x="{LABEL_WIDTH + BAR_WIDTH + 6}" y="{text_y}" font-size="10">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text inserted is escaped, every number formatted


def briefing_section(data: dict[str, Any]) -> dict[str, Any]:
    """The cyber section of the daily briefing: headline figures and four bar charts."""
    return {
        "data": data,
        "methods_svg": svg_bars(
            [(m["label"], m["reports"]) for m in data["methods"]], title=str(_("Method mix"))
        ),
        "districts_svg": svg_bars(
            [(d["name"], d["reports"]) for d in data["by_district"][:10]],
            title=str(_("Reports by district")),
        ),
        "campaigns_svg": svg_bars(
            [(f"{c['code']} (+{c['growth']})", c["size"]) for c in data["campaigns"]],
            title=str(_("Largest campaigns")),
            colour="#c62828",
        ),
        "block_svg": svg_bars(
            [(block_bucket_label(b["from"], b["to"]), b["requests"]) for b in data["block_hours"]],
            title=str(_("Hours from the first report to the block")),
            colour="#2e7d32",
        ),
    }

"""The daily briefing of a country, region or district: HTML and PDF (WeasyPrint). The map is an SVG drawn
on the server from the stored boundaries, so the PDF needs no JavaScript and nothing from outside."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from mahalla.analytics import selectors as analytics
from mahalla.incidents.models import CauseCode, OffenceCategory
from mahalla.territory.models import District, Region

from . import presentation

MAP_WIDTH = 640
MAP_HEIGHT = 420


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry.get("type") == "Polygon":
        return list(geometry["coordinates"])
    if geometry.get("type") == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


def svg_map(rows: list[dict[str, Any]], *, polygons: bool) -> SafeString:
    """An SVG of the mahallas filled with their class colour. Longitude is scaled by cos(latitude) so that
    shapes keep their proportions (an equirectangular view, enough for a district or a region)."""
    shapes: list[tuple[str, list[list[list[float]]], tuple[float, float] | None, str]] = []
    xs: list[float] = []
    ys: list[float] = []
    for row in rows:
        colour = presentation.CLASS_COLOURS.get(row["crime_class"], "#9e9e9e")
        rings = _rings(row.get("mahalla__boundary") or {}) if polygons else []
        point = None
        if not rings and row.get("mahalla__centroid_lat") is not None:
            point = (float(row["mahalla__centroid_lon"]), float(row["mahalla__centroid_lat"]))
            xs.append(point[0])
            ys.append(point[1])
        for ring in rings:
            xs.extend(p[0] for p in ring)
            ys.extend(p[1] for p in ring)
        shapes.append((colour, rings, point, str(row["mahalla__code"])))
    if not xs:
        return mark_safe("")  # noqa: S308 - a constant
    lat0 = math.radians((min(ys) + max(ys)) / 2)
    x_scale = math.cos(lat0)
    width = max((max(xs) - min(xs)) * x_scale, 1e-6)
    height = max(max(ys) - min(ys), 1e-6)
    scale = min((MAP_WIDTH - 20) / width, (MAP_HEIGHT - 20) / height)

    def project(lon: float, lat: float) -> str:
        return f"{10 + (lon - min(xs)) * x_scale * scale:.1f},{MAP_HEIGHT - 10 - (lat - min(ys)) * scale:.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {MAP_WIDTH} {MAP_HEIGHT}" '
        f'width="{MAP_WIDTH}" height="{MAP_HEIGHT}" class="briefing-map">'
    ]
    for colour, rings, point, code in shapes:
        if rings:
            path = " ".join("M" + " L".join(project(x, y) for x, y in ring[:400]) + " Z" for ring in rings)
            parts.append(
                f'<path d="{path}" fill="{colour}" stroke="#ffffff" stroke-width="0.6" '
                f'data-code="{escape(code)}"/>'
            )
        elif point is not None:
            x, y = project(*point).split(",")
            parts.append(f'<circle cx="{x}" cy="{y}" r="2.2" fill="{colour}" data-code="{escape(code)}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value inserted is a number or escaped


def briefing_context(
    *, actor: Any, date: dt.date, region: Region | None, district: District | None
) -> dict[str, Any]:
    aggregate = analytics.aggregate_get(actor=actor, date=date, region=region, district=district)
    fields = ["crime_class", "mahalla__code", "mahalla__centroid_lat", "mahalla__centroid_lon"]
    polygons = region is not None or district is not None
    if polygons:
        fields.append("mahalla__boundary")
    rows = list(
        analytics.mahalla_result_list(actor=actor, date=date, region=region, district=district).values(
            *fields
        )
    )
    categories = {c.code: presentation.category_name(c) for c in OffenceCategory.objects.all()}
    cause_codes = [code for code, _count in (aggregate.causes if aggregate else [])]
    language_field = {"ru": "name_ru", "en": "name_en"}.get(_language(), "name_uz")
    cause_names = {
        c.code: getattr(c, language_field) or c.name_en
        for c in CauseCode.objects.filter(code__in=cause_codes)
    }
    alerts = list(analytics.alert_list(actor=actor, date=date, region=region, district=district)[:30])
    territory = district or region
    return {
        "date": date,
        "territory": territory,
        "territory_name": presentation.territory_name(territory),
        "level": "district" if district else "region" if region else "country",
        "aggregate": aggregate,
        "category_rows": [
            (categories.get(k, k), v) for k, v in (aggregate.counts if aggregate else {}).items() if v
        ],
        "causes": [
            (cause_names.get(code, code), count) for code, count in (aggregate.causes if aggregate else [])
        ],
        "red_list": analytics.red_list(actor=actor, date=date, region=region, district=district),
        "alerts": [
            {
                "alert": a,
                "label": presentation.ALERT_LABELS.get(a.kind, a.kind),
                "sentence": presentation.alert_sentence(a),
            }
            for a in alerts
        ],
        "map_svg": svg_map(rows, polygons=polygons),
        "forecast_choice": analytics.forecast_choice_get(actor=actor, date=date),
        "colours": presentation.CLASS_COLOURS,
        "title": _("Daily crime situation briefing"),
    }


def _language() -> str:
    from django.utils.translation import get_language

    return (get_language() or "uz").split("-")[0]


def briefing_html(context: dict[str, Any]) -> str:
    return render_to_string("web/briefing_print.html", context)


def briefing_pdf(context: dict[str, Any]) -> bytes:
    """The briefing as PDF. WeasyPrint may only read data: URLs (the briefing embeds everything), so a stray
    reference can never make the server call out."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    pdf: bytes = HTML(string=briefing_html(context), url_fetcher=fetcher).write_pdf()
    return pdf

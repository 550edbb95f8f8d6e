"""The daily briefing of a country, region or district: HTML and PDF (WeasyPrint). The map is an SVG drawn
on the server from the stored boundaries, so the PDF needs no JavaScript and nothing from outside."""

from __future__ import annotations

import base64
import datetime as dt
import math
from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from mahalla.analytics import selectors as analytics
from mahalla.incidents.models import CauseCode, OffenceCategory
from mahalla.territory.models import District, Region

from . import presentation
from .responsible import red_list_named

MAP_WIDTH = 640
MAP_HEIGHT = 420
# The briefing's table shows the worst red mahallas (highest rate ratio); the others are links to their pages.
BRIEFING_RED_ROWS = 20


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry.get("type") == "Polygon":
        return list(geometry["coordinates"])
    if geometry.get("type") == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


def _map_frame(rows: list[dict[str, Any]], *, polygons: bool) -> Any:
    """The shapes of the map and a projection of (lon, lat) to map units, or None without any location."""
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
        return None
    # The bounds once: recomputing min(xs) for every projected point made the map quadratic in its points.
    x_min, x_max, y_min, y_max = min(xs), max(xs), min(ys), max(ys)
    x_scale = math.cos(math.radians((y_min + y_max) / 2))
    width = max((x_max - x_min) * x_scale, 1e-6)
    height = max(y_max - y_min, 1e-6)
    scale = min((MAP_WIDTH - 20) / width, (MAP_HEIGHT - 20) / height)
    x_factor = x_scale * scale

    def project(lon: float, lat: float) -> tuple[float, float]:
        return 10 + (lon - x_min) * x_factor, MAP_HEIGHT - 10 - (lat - y_min) * scale

    return shapes, project


def png_point_map(rows: list[dict[str, Any]], *, resolution: int = 3) -> bytes | None:
    """The country's map of points as a PNG (Pillow), `resolution` pixels per map unit; None when the map has
    outlines or no location. A PDF renderer draws 9,000 SVG shapes in seconds, this image in milliseconds."""
    frame = _map_frame(rows, polygons=False)
    if frame is None:
        return None
    import io

    from PIL import Image, ImageDraw

    shapes, project = frame
    image = Image.new("RGB", (MAP_WIDTH * resolution, MAP_HEIGHT * resolution), "white")
    draw = ImageDraw.Draw(image)
    radius = 2.2 * resolution
    for colour, _rings, point, _code in shapes:
        if point is not None:
            x, y = project(*point)
            x, y = x * resolution, y * resolution
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def svg_map(rows: list[dict[str, Any]], *, polygons: bool) -> SafeString:
    """An SVG of the mahallas filled with their class colour. Longitude is scaled by cos(latitude) so that
    shapes keep their proportions (an equirectangular view, enough for a district or a region)."""
    frame = _map_frame(rows, polygons=polygons)
    if frame is None:
        return mark_safe("")  # noqa: S308 - a constant
    shapes, to_map = frame

    def project(lon: float, lat: float) -> str:
        x, y = to_map(lon, lat)
        return f"{x:.1f},{y:.1f}"

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


def _red_rest(
    *, actor: Any, date: dt.date, region: Region | None, district: District | None, site_url: str
) -> list[dict[str, str]]:
    """The red mahallas after the worst BRIEFING_RED_ROWS, in the same order, as names with links."""
    russian = _language() == "ru"
    rows = (
        analytics.mahalla_result_list(actor=actor, date=date, region=region, district=district)
        .filter(crime_class="red")
        .order_by("-explanation__rate_ratio", "mahalla__code")
        .values_list("mahalla__code", "mahalla__name_uz", "mahalla__name_ru")[BRIEFING_RED_ROWS:]
    )
    return [
        {
            "name": (name_ru if russian and name_ru else name_uz),
            "url": site_url + reverse("web:mahalla", args=[code]),
        }
        for code, name_uz, name_ru in rows
    ]


def briefing_context(
    *, actor: Any, date: dt.date, region: Region | None, district: District | None, site_url: str = ""
) -> dict[str, Any]:
    """What the briefing shows. `site_url` (scheme and host, no trailing slash) makes the links absolute, as a
    PDF needs them; without it they are paths on the server."""
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
        "red_list": red_list_named(
            actor=actor, date=date, region=region, district=district, limit=BRIEFING_RED_ROWS
        ),
        "red_rest": _red_rest(actor=actor, date=date, region=region, district=district, site_url=site_url),
        "alerts": [
            {
                "alert": a,
                "label": presentation.ALERT_LABELS.get(a.kind, a.kind),
                "sentence": presentation.alert_sentence(a),
            }
            for a in alerts
        ],
        "map_svg": svg_map(rows, polygons=polygons),
        "map_rows": rows,
        "map_polygons": polygons,
        "forecast_choice": analytics.forecast_choice_get(actor=actor, date=date),
        "forecast_grid_choice": analytics.forecast_grid_choice_get(actor=actor, date=date),
        # The highest-ranked forecast cells of the territory (rank within their district).
        "forecast_cells": list(
            analytics.forecast_cell_list(actor=actor, date=date, region=region, district=district).order_by(
                "-expected", "district_id", "rank"
            )[:10]
        ),
        "colours": presentation.CLASS_COLOURS,
        "title": _("Daily crime situation briefing"),
        "cyber": _cyber_section(actor=actor, date=date, region=region, district=district),
    }


def _cyber_section(
    *, actor: Any, date: dt.date, region: Region | None, district: District | None
) -> dict[str, Any] | None:
    """The cyber dashboard of the briefing's territory over the last 365 days, for readers of it."""
    from mahalla.cyber.access import CYBER_DASHBOARD, has_role
    from mahalla.cyber.charts import briefing_section
    from mahalla.cyber.selectors import dashboard

    if not has_role(actor, CYBER_DASHBOARD):
        return None
    return briefing_section(dashboard(actor, today=date, region=region, district=district))


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
    # The country's map as an image (a data: URL) rather than inline SVG: inline, each of its 9,000 points
    # went through the HTML parser, the CSS cascade and the SVG renderer, most of the time of the PDF.
    png = None if context["map_polygons"] else png_point_map(context["map_rows"])
    if png is not None:
        encoded = base64.b64encode(png).decode("ascii")
        image = (
            f'<img src="data:image/png;base64,{encoded}" width="{MAP_WIDTH}" height="{MAP_HEIGHT}" '
            f'class="briefing-map" alt="">'
        )
        context = {**context, "map_svg": mark_safe(image)}  # noqa: S308 - base64 of our own image
    pdf: bytes = HTML(string=briefing_html(context), url_fetcher=fetcher).write_pdf()
    return pdf

"""The daily briefing: the worst red mahallas in the table, the others as links; the server-drawn map."""

from __future__ import annotations

import re

import pytest

from mahalla.analytics.models import MahallaDayResult
from mahalla.web import briefing
from mahalla.web.briefing import briefing_context, briefing_html, svg_map

from .test_views import DAY, analysed, chief  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

# The platform's own address (the demo serves on loopback): the briefing's links are built on it.
SITE_URL = "http://127.0.0.1:8000"


def test_the_briefing_lists_the_worst_red_mahallas_and_links_the_rest(analysed, monkeypatch):  # noqa: F811
    red = list(
        MahallaDayResult.objects.filter(date=DAY, crime_class="red")
        .order_by("-explanation__rate_ratio", "mahalla__code")
        .values_list("mahalla__code", flat=True)
    )
    assert len(red) >= 2, red
    monkeypatch.setattr(briefing, "BRIEFING_RED_ROWS", 1)
    actor = chief()
    district = actor.scope_district
    context = briefing_context(
        actor=actor,
        date=DAY,
        region=district.region,
        district=district,
        site_url=SITE_URL,
    )

    assert [item["result"].mahalla.code for item in context["red_list"]] == red[:1]
    html = briefing_html(context)
    links = re.findall(rf'<a href="{re.escape(SITE_URL)}/mahalla/([^/]+)/">', html)
    assert links == red[1:]
    assert f"And {len(red) - 1} more red mahalla" in html


def test_the_briefing_map_places_each_point_inside_the_frame():
    rows = [
        {
            "crime_class": "red",
            "mahalla__code": "A",
            "mahalla__centroid_lon": 69.0,
            "mahalla__centroid_lat": 41.0,
        },
        {
            "crime_class": "green",
            "mahalla__code": "B",
            "mahalla__centroid_lon": 70.0,
            "mahalla__centroid_lat": 42.0,
        },
        {
            "crime_class": "yellow",
            "mahalla__code": "C",
            "mahalla__centroid_lon": 69.5,
            "mahalla__centroid_lat": 41.5,
        },
    ]
    svg = str(svg_map(rows, polygons=False))
    points = {
        code: (float(x), float(y))
        for x, y, code in re.findall(
            r'<circle cx="([\d.]+)" cy="([\d.]+)" r="[\d.]+" fill="[^"]+" data-code="(\w)"', svg
        )
    }
    # The west-south corner at the frame's left and bottom edge, the east-north one at the top; the middle
    # point halfway (an equirectangular view: longitude scaled by the cosine of the middle latitude).
    assert points["A"][0] == 10.0 and points["A"][1] == briefing.MAP_HEIGHT - 10
    assert points["B"][1] == 10.0
    assert points["C"] == pytest.approx(
        ((points["A"][0] + points["B"][0]) / 2, briefing.MAP_HEIGHT / 2), abs=0.1
    )


def test_the_country_map_of_the_pdf_is_an_image_with_each_point_in_its_class_colour():
    import io

    from PIL import Image

    from mahalla.web import presentation

    rows = [
        {
            "crime_class": "red",
            "mahalla__code": "A",
            "mahalla__centroid_lon": 69.0,
            "mahalla__centroid_lat": 41.0,
        },
        {
            "crime_class": "green",
            "mahalla__code": "B",
            "mahalla__centroid_lon": 70.0,
            "mahalla__centroid_lat": 42.0,
        },
    ]
    image = Image.open(io.BytesIO(briefing.png_point_map(rows, resolution=2))).convert("RGB")
    assert image.size == (briefing.MAP_WIDTH * 2, briefing.MAP_HEIGHT * 2)

    def colour(hex_colour):
        return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))

    # A at the frame's left and bottom edge, B at its top (as in the SVG of the web page).
    assert image.getpixel((20, (briefing.MAP_HEIGHT - 10) * 2)) == colour(presentation.CLASS_COLOURS["red"])
    assert image.getpixel((int(image.size[0] * 0), 0)) == (255, 255, 255)
    b_x = re.search(r'cx="([\d.]+)" cy="10.0"[^>]*data-code="B"', str(svg_map(rows, polygons=False))).group(1)
    assert image.getpixel((round(float(b_x) * 2), 20)) == colour(presentation.CLASS_COLOURS["green"])

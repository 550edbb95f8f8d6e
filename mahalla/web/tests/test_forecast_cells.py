"""The map's forecast layer (the flagged grid cells of the next-week forecast) and the briefing's cells."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from mahalla.accounts.tests.factories import UserFactory
from mahalla.analytics.models import DailyRun, ForecastCell
from mahalla.analytics.services import analysis_run
from mahalla.analytics.tests.factories import (
    DISTRICT_CODE,
    OTHER_DISTRICT_CODE,
    add_offences,
    days_back,
    grid_mahallas,
)
from mahalla.core.roles import Role, ScopeLevel
from mahalla.territory.tests.factories import reference_district

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 10)


@pytest.fixture
def places():
    """Two districts; in each, one steady spot (in G11 / H11) and 60 single offences in distinct cells."""
    mahallas = {m.code: m for m in grid_mahallas(rows=2, cols=2)}
    mahallas.update({m.code: m for m in grid_mahallas(OTHER_DISTRICT_CODE, rows=2, cols=2, prefix="H")})
    for prefix in ("G", "H"):
        add_offences(mahallas[f"{prefix}11"], days_back(DAY, 40, step=5), latitude=40.5095, longitude=72.3125)
        for index, day in enumerate(days_back(DAY - dt.timedelta(days=2), 60, step=6)):
            row, col = divmod(index, 10)
            add_offences(
                mahallas[f"{prefix}00"], [day], latitude=40.49 + row * 0.003, longitude=72.28 + col * 0.004
            )
    analysis_run(date=DAY, parameters={"scan_permutations": 9})
    return mahallas


def _cells(client, level, code):
    return client.get(reverse("web:map-forecast-cells", args=[level, code]) + f"?date={DAY}")


def test_a_district_chief_gets_the_district_forecast_cells_with_the_backtest_score(client, places):
    client.force_login(
        UserFactory(
            role=Role.DISTRICT_CHIEF,
            scope_level=ScopeLevel.DISTRICT,
            scope_district=reference_district(DISTRICT_CODE),
        )
    )
    response = _cells(client, "district", DISTRICT_CODE)

    assert response.status_code == 200
    data = response.json()
    # 62 cells with any offence in the district: 2 % flags 2; the steady spot's cell ranks first.
    assert [f["properties"]["rank"] for f in data["features"]] == [1, 2]
    top = data["features"][0]
    assert top["properties"]["mahalla"] == "G11"
    (ring,) = top["geometry"]["coordinates"]
    assert ring[0][1] <= 40.5095 < ring[2][1] and ring[0][0] <= 72.3125 < ring[2][0]
    grid = DailyRun.objects.get(date=DAY).forecast["grid"]
    assert data["properties"]["pei_star"] == pytest.approx(grid["pei_star"])
    assert data["properties"]["cell_metres"] == 150
    # The other district's cells are not served, and its map is refused.
    assert ForecastCell.objects.filter(date=DAY).count() == 4
    assert _cells(client, "district", OTHER_DISTRICT_CODE).status_code == 404
    assert _cells(client, "country", "all").status_code == 404


def test_a_mahalla_level_role_gets_only_the_cells_of_its_mahallas(client, places):
    client.force_login(
        UserFactory(role=Role.PREVENTIVE_INSPECTOR, scope_level=ScopeLevel.MAHALLAS, mahallas=[places["G00"]])
    )
    features = _cells(client, "district", DISTRICT_CODE).json()["features"]

    assert {f["properties"]["mahalla"] for f in features} <= {"G00"}
    assert "G11" not in {f["properties"]["mahalla"] for f in features}


def test_the_district_page_offers_the_layer_and_the_briefing_lists_the_cells(client, places):
    client.force_login(
        UserFactory(
            role=Role.DISTRICT_CHIEF,
            scope_level=ScopeLevel.DISTRICT,
            scope_district=reference_district(DISTRICT_CODE),
        )
    )
    page = client.get(reverse("web:district", args=[DISTRICT_CODE]) + f"?date={DAY}").content.decode()
    assert "data-cells-url=" in page and "Forecast hot cells (150 m grid, next 7 days)" in page

    briefing = client.get(
        reverse("web:briefing", args=["district", DISTRICT_CODE]) + f"?date={DAY}"
    ).content.decode()
    grid = DailyRun.objects.get(date=DAY).forecast["grid"]
    assert "Forecast hot cells (150 m grid, next 7 days)" in briefing
    assert f"PEI* {grid['pei_star']:.3f}" in briefing
    assert 'class="forecast-cells"' in briefing and "G11" in briefing

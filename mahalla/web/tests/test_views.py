"""The pages through HTTP, as users of different roles and territories see them."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from django.urls import reverse

from mahalla.accounts.tests.factories import UserFactory
from mahalla.analytics.models import Alert, DailyRun, MahallaDayResult
from mahalla.analytics.services import analysis_run
from mahalla.analytics.tests.factories import (
    DISTRICT_CODE,
    OTHER_DISTRICT_CODE,
    add_offences,
    days_back,
    grid_mahallas,
)
from mahalla.audit.models import AuditEvent
from mahalla.core.roles import Role, ScopeLevel
from mahalla.territory.tests.factories import reference_district

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 10)


@pytest.fixture
def analysed():
    mahallas = {m.code: m for m in grid_mahallas(rows=3, cols=3)}
    mahallas.update({m.code: m for m in grid_mahallas(OTHER_DISTRICT_CODE, rows=2, cols=2, prefix="H")})
    for code, mahalla in mahallas.items():
        if code != "G22":
            add_offences(mahalla, days_back(DAY - dt.timedelta(days=3), 6, step=60))
    add_offences(mahallas["G00"], days_back(DAY, 40, step=9), category="violent", involves_youth=True)
    # G01 turns red on DAY: a burst of violent offences on that day only.
    add_offences(mahallas["G01"], [DAY], category="violent", per_day=30)
    analysis_run(date=DAY, parameters={"scan_permutations": 19})
    return mahallas


def chief(district_code=DISTRICT_CODE, **fields):
    return UserFactory(
        role=Role.DISTRICT_CHIEF,
        scope_level=ScopeLevel.DISTRICT,
        scope_district=reference_district(district_code),
        **fields,
    )


def test_pages_require_signing_in(client, analysed):
    response = client.get(reverse("web:district", args=[DISTRICT_CODE]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_district_chief_lands_on_the_district_and_cannot_open_another(client, analysed):
    client.force_login(chief())

    assert client.get(reverse("web:dashboard"))["Location"] == reverse("web:district", args=[DISTRICT_CODE])
    page = client.get(reverse("web:district", args=[DISTRICT_CODE]))
    assert page.status_code == 200
    assert b"G00" in page.content and b"H00" not in page.content
    assert client.get(reverse("web:district", args=[OTHER_DISTRICT_CODE])).status_code == 404
    assert client.get(reverse("web:mahalla", args=["H00"])).status_code == 404
    assert client.get(reverse("web:country")).status_code == 404
    assert client.get(reverse("web:region", args=["1703"])).status_code == 404
    assert client.get(reverse("web:map-data", args=["country", "all"])).status_code == 404
    assert client.get(reverse("web:map-data", args=["district", OTHER_DISTRICT_CODE])).status_code == 404
    assert client.get(reverse("web:briefing", args=["region", "1703"])).status_code == 404


def test_the_district_page_shows_the_social_prevention_panel(client, analysed):
    client.force_login(chief())
    page = client.get(reverse("web:district", args=[DISTRICT_CODE])).content.decode()
    panel = page[page.index('id="social-panels"') :]

    # G00's 40 violent offences with a young person involved fall every 9 days back from 10 March: all 40
    # inside the panel's 12 months.
    assert '<div class="n">40</div>' in panel[: panel.index("</section>")]


def test_the_map_data_colours_each_mahalla_by_its_stored_class(client, analysed):
    client.force_login(chief())
    data = client.get(reverse("web:map-data", args=["district", DISTRICT_CODE]) + f"?date={DAY}").json()
    stored = dict(MahallaDayResult.objects.filter(date=DAY).values_list("mahalla__code", "crime_class"))
    colours = {"red": "#c62828", "yellow": "#f9a825", "green": "#2e7d32"}

    assert {f["properties"]["code"] for f in data["features"]} == {
        f"G{r}{c}" for r in range(3) for c in range(3)
    }
    for feature in data["features"]:
        code = feature["properties"]["code"]
        assert feature["properties"]["colour"] == colours[stored[code]]
        assert feature["geometry"]["type"] == "Polygon"
    assert stored["G00"] == "red" and stored["G22"] == "green"


@pytest.mark.parametrize("role", [Role.PREVENTIVE_INSPECTOR, Role.MAHALLA_SEVEN, Role.RESPONSIBLE_OFFICIAL])
def test_a_mahalla_level_role_gets_the_map_of_its_own_mahallas_only(client, analysed, role):
    user = UserFactory(
        role=role, scope_level=ScopeLevel.MAHALLAS, mahallas=[analysed["G00"], analysed["G11"]]
    )
    client.force_login(user)
    url = reverse("web:map-data", args=["district", DISTRICT_CODE]) + f"?date={DAY}"
    response = client.get(url)

    assert response.status_code == 200
    features = response.json()["features"]
    assert sorted(f["properties"]["code"] for f in features) == ["G00", "G11"]
    assert all(f["geometry"]["type"] == "Polygon" for f in features)
    # The district's chief, asking for the same map afterwards, gets the whole district (not the cached
    # map of the two mahallas), and the inspector's map was not the chief's cached one either.
    client.force_login(chief())
    assert len(client.get(url).json()["features"]) == 9
    client.force_login(user)
    assert len(client.get(url).json()["features"]) == 2
    assert client.get(reverse("web:map-data", args=["district", OTHER_DISTRICT_CODE])).status_code == 404


def test_the_country_drills_down_to_regions_and_districts(client, analysed):
    client.force_login(UserFactory(role=Role.NATIONAL_ANALYST, scope_level=ScopeLevel.COUNTRY))
    country = client.get(reverse("web:country"))
    region = client.get(reverse("web:region", args=["1703"]))

    assert country.status_code == 200
    assert reverse("web:region", args=["1703"]).encode() in country.content
    assert reverse("web:district", args=[DISTRICT_CODE]).encode() in region.content


def test_the_mahalla_page_says_why_and_audits_the_offence_records_it_shows(client, analysed):
    user = chief()
    client.force_login(user)
    page = client.get(reverse("web:mahalla", args=["G00"]), headers={"Accept-Language": "en"})

    assert page.status_code == 200
    # 40 violent offences in a year: weighted score 160, far above the red evidence threshold of 25.
    assert b"Red: a high rate together with" in page.content
    assert b"grave offences" in page.content
    reads = AuditEvent.objects.filter(actor=user, action="read", object_type="incidents.offence").count()
    assert reads == 20  # the page shows the 20 most recent of G00's offences


def test_a_mahalla_seven_member_sees_the_class_but_no_offence_records(client, analysed):
    member = UserFactory(role=Role.MAHALLA_SEVEN, scope_level=ScopeLevel.MAHALLAS, mahallas=[analysed["G00"]])
    client.force_login(member)
    page = client.get(reverse("web:mahalla", args=["G00"]))

    assert page.status_code == 200
    assert b'id="offences-hidden"' in page.content
    assert b'id="offences"' not in page.content
    assert not AuditEvent.objects.filter(actor=member, action="read").exists()


def test_an_alert_is_acknowledged_through_htmx(client, analysed):
    user = chief()
    client.force_login(user)
    alert = Alert.objects.get(date=DAY, kind="turned_red", mahalla=analysed["G01"])
    response = client.post(reverse("web:alert-acknowledge", args=[alert.pk]), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert b'data-status="acknowledged"' in response.content
    alert.refresh_from_db()
    assert alert.status == "acknowledged" and alert.acknowledged_by == user


def test_search_finds_by_code_only_inside_the_territory(client, analysed):
    client.force_login(chief())
    found = client.get(reverse("web:search") + "?q=G0")
    hidden = client.get(reverse("web:search") + "?q=H0")

    assert reverse("web:mahalla", args=["G01"]).encode() in found.content
    assert reverse("web:mahalla", args=["H01"]).encode() not in hidden.content


def test_the_language_switch_changes_the_page_language(client, analysed):
    client.force_login(chief())
    client.post(reverse("set_language"), {"language": "ru", "next": "/"})
    page = client.get(reverse("web:district", args=[DISTRICT_CODE]))

    assert page.content.count(b'lang="ru"') == 1
    assert "Красные махалли".encode() in page.content  # "Red mahallas" from the Russian catalogue
    district = reference_district(DISTRICT_CODE)
    assert (district.name_ru or district.name_uz).encode() in page.content


def test_the_briefing_pdf_is_a_readable_pdf_with_the_red_list(client, analysed):
    client.force_login(chief())
    response = client.get(
        reverse("web:briefing", args=["district", DISTRICT_CODE]) + f"?date={DAY}&format=pdf"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "G00" in text  # the red mahalla is listed with its code
    assert reference_district(DISTRICT_CODE).name_uz in text


def test_the_red_list_names_the_responsible_official_not_the_alerts_assignee(client, analysed):
    from mahalla.officials.models import Assignment, AssignmentRuleConfig
    from mahalla.officials.services import assignment_confirm
    from mahalla.officials.tests.factories import official_create

    decider = chief()
    client.force_login(decider)
    mahalla = analysed["G01"]
    UserFactory(
        username="follow_up",
        first_name="Anvar",
        last_name="Toshev",
        role=Role.RESPONSIBLE_OFFICIAL,
        scope_level=ScopeLevel.MAHALLAS,
        mahallas=[mahalla],
    )
    alert = Alert.objects.get(date=DAY, kind="turned_red", mahalla=mahalla)
    client.post(
        reverse("web:alert-assign", args=[alert.pk]), {"assignee": "follow_up"}, HTTP_HX_REQUEST="true"
    )
    rule = AssignmentRuleConfig.objects.filter(target="mahalla", official_level="district").first()
    official = official_create(
        rule.positions[0], level="district", territory=mahalla.district, name="Dilnoza Karimova"
    )
    assignment = Assignment.objects.create(
        official=official, year=DAY.year, rule=rule, target="mahalla", mahalla=mahalla,
        district=mahalla.district, region=mahalla.region, target_key=f"m{mahalla.pk}", reason="test",
    )  # fmt: skip

    def red_row() -> str:
        page = client.get(reverse("web:district", args=[DISTRICT_CODE])).content.decode()
        red_list = page[page.index('id="red-list"') :]
        red_list = red_list[: red_list.index("</table>")]
        return red_list[red_list.index(f"/mahalla/{mahalla.code}/") :].split("</tr>")[0]

    proposed = red_row()
    assignment_confirm(actor=decider, assignment_id=assignment.pk)
    confirmed = red_row()

    assert "Dilnoza Karimova" in proposed and "proposed" in proposed
    assert "Anvar Toshev" not in proposed
    # The page's cache knows the assignment changed: the confirmed official, no longer "proposed".
    assert "Dilnoza Karimova" in confirmed and "proposed" not in confirmed


def test_assigning_to_someone_who_cannot_see_the_mahalla_is_refused(client, analysed):
    client.force_login(chief())
    UserFactory(
        username="elsewhere",
        role=Role.RESPONSIBLE_OFFICIAL,
        scope_level=ScopeLevel.MAHALLAS,
        mahallas=[analysed["H00"]],
    )
    alert = Alert.objects.get(date=DAY, kind="turned_red", mahalla=analysed["G01"])
    response = client.post(reverse("web:alert-assign", args=[alert.pk]), {"assignee": "elsewhere"})

    assert response.status_code == 400
    assert "cannot see this mahalla" in response.content.decode()
    alert.refresh_from_db()
    assert alert.assigned_to is None


def test_region_and_country_maps_draw_the_shapes_generalised_for_their_zoom(client, analysed):
    from shapely.geometry import shape

    from mahalla.territory.geometry import MAP_LEVELS
    from mahalla.territory.importing import mahalla_boundaries_simplify
    from mahalla.territory.models import Mahalla

    assert mahalla_boundaries_simplify() == len(analysed)
    client.force_login(UserFactory(role=Role.NATIONAL_ANALYST, scope_level=ScopeLevel.COUNTRY))
    region_code = reference_district(DISTRICT_CODE).region.code
    maps = {
        "region": client.get(reverse("web:map-data", args=["region", region_code]) + f"?date={DAY}").json(),
        "country": client.get(reverse("web:map-data", args=["country", "all"]) + f"?date={DAY}").json(),
        "district": client.get(
            reverse("web:map-data", args=["district", DISTRICT_CODE]) + f"?date={DAY}"
        ).json(),
    }
    stored = {m.code: m for m in Mahalla.objects.filter(code__in=list(analysed))}
    for level, data in maps.items():
        assert data["features"], level
        for feature in data["features"]:
            mahalla = stored[feature["properties"]["code"]]
            expected = mahalla.boundary if level == "district" else mahalla.boundary_simplified[level]
            assert feature["geometry"] == expected, level
            # No vertex further from the true boundary than the level's tolerance and grid allow.
            tolerance, grid = MAP_LEVELS.get(level, (0.0, 0.0))
            distance = shape(feature["geometry"]).hausdorff_distance(shape(mahalla.boundary))
            assert distance <= tolerance + grid, (level, distance)
    assert len(maps["country"]["features"]) == len(analysed)


def test_the_map_and_the_briefing_show_the_next_week_forecast_and_how_it_was_chosen(client, analysed):
    client.force_login(chief())
    data = client.get(reverse("web:map-data", args=["district", DISTRICT_CODE]) + f"?date={DAY}").json()
    stored = dict(
        MahallaDayResult.objects.filter(date=DAY).values_list("mahalla__code", "forecast_next_week")
    )
    g00 = next(f for f in data["features"] if f["properties"]["code"] == "G00")
    assert g00["properties"]["forecast"] == f"Forecast next week: {stored['G00']:.1f}"

    page = client.get(
        reverse("web:briefing", args=["district", DISTRICT_CODE]) + f"?date={DAY}"
    ).content.decode()
    choice = DailyRun.objects.get(date=DAY).forecast
    assert "Next-week forecast by" in page
    assert f"PEI* {choice['pei_star']:.3f}" in page
    assert "over the count of all past offences" in page


def test_pages_say_while_earlier_dates_are_analysed_and_show_them_once_done(client, analysed):
    """The demo serves the last day while a queued task analyses earlier weeks: the trend and the class
    history say that they are incomplete, and the cached trend takes in each date as it is done."""
    from django.core.cache import cache

    from mahalla.analytics.selectors import BACKFILL_PENDING_KEY
    from mahalla.analytics.services import analysis_backfill_run

    earlier = [DAY - dt.timedelta(weeks=2), DAY - dt.timedelta(weeks=1)]
    cache.set(BACKFILL_PENDING_KEY, [day.isoformat() for day in earlier], None)
    client.force_login(chief())
    try:
        district = client.get(reverse("web:district", args=[DISTRICT_CODE]))
        assert "2 earlier dates are still being analysed" in district.content.decode()
        assert district.context["chart"]["labels"] == [DAY.isoformat()]
        mahalla = client.get(reverse("web:mahalla", args=["G01"])).content.decode()
        assert "2 earlier dates are still being analysed" in mahalla

        analysis_backfill_run(dates=earlier, progress=None)
        district = client.get(reverse("web:district", args=[DISTRICT_CODE]))
        assert 'id="history-pending"' not in district.content.decode()
        assert district.context["chart"]["labels"] == [day.isoformat() for day in [*earlier, DAY]]
        mahalla = client.get(reverse("web:mahalla", args=["G01"])).content.decode()
        assert 'id="history-pending"' not in mahalla
        assert mahalla.count('data-date="') == 3
    finally:
        cache.delete(BACKFILL_PENDING_KEY)

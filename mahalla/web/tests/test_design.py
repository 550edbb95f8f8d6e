# ruff: noqa: F811  (the `analysed` fixture is imported from test_views and named as a test argument)
"""The one design: start page per role, numbers per language, paging everywhere, friendly error pages,
names instead of codes, and no request to another host (issue 10, items 4-6)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import ngettext
from django.views import defaults

from mahalla.accounts.tests.factories import UserFactory
from mahalla.analytics.models import Alert
from mahalla.core import formatting
from mahalla.core.redoc import LOGO_URL, redoc_bundle
from mahalla.core.roles import Role, ScopeLevel
from mahalla.officials.tests.factories import official_create
from mahalla.territory.tests.factories import reference_district

from .test_views import DAY, DISTRICT_CODE, analysed, chief  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


# ------------------------------------------------------------------------------------------ numbers


@pytest.mark.parametrize(
    ("language", "count", "decimal", "share"),
    [
        ("en", "12,345", "1,234.6", "12.5 %"),
        ("ru", f"12{NBSP}345", f"1{NBSP}234,6", "12,5 %"),
        ("uz", f"12{NBSP}345", f"1{NBSP}234,6", "12,5 %"),
    ],
)
def test_numbers_follow_one_convention_per_language(language, count, decimal, share):
    with translation.override(language):
        assert formatting.number(12345) == count
        assert formatting.number(1234.56, 1) == decimal
        assert formatting.percent(0.125, 1) == share.replace(" ", NBSP)
        assert formatting.number(None) == "-"
        assert formatting.number(-0.04, 1) == ("0.0" if language == "en" else "0,0")


def test_z_scores_show_two_decimals_and_a_sign_where_asked():
    with translation.override("en"):
        rendered = Template("{% load numbers %}{{ z|num:2 }}").render(Context({"z": -3.14159}))
        assert rendered == "-3.14"
        assert formatting.signed_number(1.25, 1) == "+1.2" or formatting.signed_number(1.25, 1) == "+1.3"


def test_russian_plurals_agree_with_their_numbers():
    # The catalogue's forms for 1, 2-4 and 5+ (and 21, 22, 25 like 1, 2, 5).
    with translation.override("ru"):
        forms = {
            n: ngettext("%(counter)s active assignment", "%(counter)s active assignments", n) % {"counter": n}
            for n in (1, 2, 5, 21, 22, 25)
        }
    assert forms[1].endswith("действующее назначение") and forms[21].endswith("действующее назначение")
    assert forms[2].endswith("действующих назначения") and forms[22].endswith("действующих назначения")
    assert forms[5].endswith("действующих назначений") and forms[25].endswith("действующих назначений")


def test_headline_labels_are_plural_aware():
    template = Template('{% include "web/_headline.html" %}')
    one = {"mahallas": 1, "red": 1, "yellow": 0, "green": 0, "mahallas_no_crime": 0}
    many = {"mahallas": 12345, "red": 5, "yellow": 2, "green": 3, "mahallas_no_crime": 0}
    with translation.override("en"):
        assert "</div>mahalla</div>" in template.render(Context({"aggregate": one}))
        many_html = template.render(Context({"aggregate": many}))
    assert "</div>mahallas</div>" in many_html and ">12,345<" in many_html


# ------------------------------------------------------------------------------------------ start page


def _user(role, scope_level, **scope):
    return UserFactory(role=role, scope_level=scope_level, **scope)


def test_a_district_chief_s_start_page_lists_new_alerts_and_red_mahallas_without_an_official(
    client, analysed
):
    client.force_login(chief())
    page = client.get("/").content.decode()

    new_alerts = Alert.objects.filter(date=DAY, status="open", district__code=DISTRICT_CODE).count()
    assert new_alerts > 0
    card = page[page.index('id="attention-new-alerts"') :].split("</a>")[0]
    assert f'<div class="n text-danger">{new_alerts}</div>' in card
    # G01 turned red on DAY and nobody answers for it yet: named on the start page.
    red = page[page.index('id="home-red-without-official"') :].split("</section>")[0]
    assert "/mahalla/G01/" in red
    # Nothing of the other district.
    assert "/mahalla/H0" not in page and "/mahalla/H1" not in page


def test_once_an_official_answers_for_the_red_mahalla_the_start_page_no_longer_lists_it(client, analysed):
    from mahalla.officials.models import Assignment, AssignmentRuleConfig

    client.force_login(chief())
    mahalla = analysed["G01"]
    rule = AssignmentRuleConfig.objects.filter(target="mahalla", official_level="district").first()
    official = official_create(rule.positions[0], level="district", territory=mahalla.district)
    Assignment.objects.create(
        official=official, year=DAY.year, rule=rule, target="mahalla", mahalla=mahalla,
        district=mahalla.district, region=mahalla.region, target_key=f"m{mahalla.pk}", reason="test",
    )  # fmt: skip
    page = client.get("/").content.decode()

    red = page[page.index('id="home-red-without-official"') :].split("</section>")[0]
    assert "/mahalla/G01/" not in red


@pytest.mark.parametrize(
    ("role", "level", "officials", "roadmaps"),
    [
        (Role.NATIONAL_ANALYST, ScopeLevel.COUNTRY, True, True),
        (Role.DISTRICT_CHIEF, ScopeLevel.DISTRICT, True, True),
        (Role.PREVENTIVE_INSPECTOR, ScopeLevel.MAHALLAS, False, True),
        (Role.MAHALLA_SEVEN, ScopeLevel.MAHALLAS, False, True),
        (Role.RESPONSIBLE_OFFICIAL, ScopeLevel.MAHALLAS, True, True),
        (Role.PROSECUTOR, ScopeLevel.DISTRICT, True, True),
    ],
)
def test_every_role_has_a_start_page_of_its_own_territory(client, analysed, role, level, officials, roadmaps):
    from mahalla.roadmaps.access import MEASURE_WORKERS, ROADMAP_PLANNERS

    scope = {}
    if level == ScopeLevel.DISTRICT:
        scope = {"scope_district": reference_district(DISTRICT_CODE)}
    elif level == ScopeLevel.MAHALLAS:
        scope = {"mahallas": [analysed["G01"]]}
    user = _user(role, level, **scope)
    client.force_login(user)
    response = client.get("/")
    page = response.content.decode()

    assert response.status_code == 200
    assert 'id="home-title"' in page and 'id="attention-new-alerts"' in page
    shows_roadmaps = role in (ROADMAP_PLANNERS | MEASURE_WORKERS | {Role.NATIONAL_ANALYST, Role.PROSECUTOR})
    assert ('id="attention-overdue"' in page) is shows_roadmaps
    if level == ScopeLevel.MAHALLAS:
        # A mahalla-level user sees their mahalla with its class, and no other.
        mine = page[page.index('id="home-mahallas"') :].split("</section>")[0]
        assert "/mahalla/G01/" in mine and "/mahalla/G00/" not in page
    if level != ScopeLevel.COUNTRY:
        assert "/mahalla/H0" not in page


# ------------------------------------------------------------------------------------------ paging


def test_the_alerts_page_says_how_many_there_are_and_pages_through_all(client, analysed):
    analyst = _user(Role.NATIONAL_ANALYST, ScopeLevel.COUNTRY)
    client.force_login(analyst)
    total = Alert.objects.filter(status="open").count()
    first = client.get(reverse("web:alerts")).content.decode()
    shown = len(re.findall(r'<tr id="alert-\d+"', first))

    assert f"of {total}" in first
    assert shown == min(total, 50)
    ids = set()
    for number in range(1, (total - 1) // 50 + 2):
        page = client.get(reverse("web:alerts") + f"?page={number}").content.decode()
        ids.update(re.findall(r'<tr id="alert-(\d+)"', page))
    assert len(ids) == total


def test_search_pages_beyond_thirty_results(client, db):
    from mahalla.analytics.tests.factories import grid_mahallas

    grid_mahallas(rows=5, cols=15, prefix="S")  # names "S mahalla r-c"
    client.force_login(_user(Role.NATIONAL_ANALYST, ScopeLevel.COUNTRY))
    first = client.get(reverse("web:search") + "?q=S+mahalla").content.decode()
    second = client.get(reverse("web:search") + "?q=S+mahalla&page=2").content.decode()

    rows = len(re.findall(r'<tr data-kind="mahalla"', first)) + len(
        re.findall(r'<tr data-kind="mahalla"', second)
    )
    assert "1-50 of 75" in first and "51-75 of 75" in second
    assert rows == 75


def test_the_officials_api_pages_with_a_count_instead_of_stopping(client, db):
    district = reference_district(DISTRICT_CODE)
    for _number in range(60):
        official_create("district_hokim", level="district", territory=district)
    client.force_login(_user(Role.NATIONAL_ANALYST, ScopeLevel.COUNTRY))
    first = client.get("/api/officials/?page_size=25").json()
    last = client.get("/api/officials/?page_size=25&page=3").json()
    beyond = client.get("/api/officials/?page_size=25&page=4")

    assert first["count"] == 60 and len(first["results"]) == 25 and "page=2" in first["next"]
    assert len(last["results"]) == 10 and last["next"] is None
    assert beyond.status_code == 404


# ------------------------------------------------------------------------------------------ error pages


@pytest.mark.parametrize("language", ["uz", "ru", "en"])
def test_a_mistyped_address_gets_the_friendly_404_in_the_interface_language(client, settings, language):
    settings.DEBUG = False
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/no-such-page/")
    page = response.content.decode()

    assert response.status_code == 404
    assert f'<html lang="{language}">' in page
    assert 'id="error-page" data-status="404"' in page and 'href="/"' in page
    # Not Django's technical page listing every URL pattern.
    assert "URLconf" not in page and "api/officials" not in page


@pytest.mark.parametrize("language", ["uz", "ru", "en"])
def test_the_403_and_500_pages_are_friendly_in_every_language(language):
    request = RequestFactory().get("/x/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    with translation.override(language):
        forbidden = defaults.permission_denied(request, PermissionDenied()).content.decode()
        failed = defaults.server_error(request).content.decode()
        missing = defaults.page_not_found(request, Http404()).content.decode()

    assert 'data-status="403"' in forbidden and f'lang="{language}"' in forbidden
    assert 'data-status="500"' in failed and f'lang="{language}"' in failed
    assert 'data-status="404"' in missing
    for page in (forbidden, failed, missing):
        assert "Traceback" not in page and "http://" not in page and "https://" not in page


def test_the_error_pages_use_the_catalogue_of_the_language(client, settings):
    # "Sign in" is in every catalogue: the error page's menu speaks the reader's language.
    settings.DEBUG = False
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = client.get("/no-such-page/").content.decode()
    with translation.override("ru"):
        from django.utils.translation import gettext

        assert gettext("Sign in") in page


# ------------------------------------------------------------------------------------------ no outside host


def test_the_redoc_page_loads_a_bundle_without_the_outside_logo(client):
    client.force_login(_user(Role.NATIONAL_ANALYST, ScopeLevel.COUNTRY))
    page = client.get(reverse("api-redoc")).content.decode()
    script = client.get(reverse("api-redoc-script"))

    assert reverse("api-redoc-script") in page
    assert not re.search(r"(src|href)=\"https?://", page)
    assert script.status_code == 200 and script["Content-Type"].startswith("text/javascript")
    assert LOGO_URL.encode() not in script.content and b"cdn.redoc.ly" not in redoc_bundle()
    assert b"API docs by Redocly" in script.content  # the same bundle otherwise


# ------------------------------------------------------------------------------------------ names, not codes


def test_the_mahalla_page_says_which_offences_it_counts(client, analysed):
    client.force_login(chief())
    page = client.get(reverse("web:mahalla", args=["G00"])).content.decode()

    assert 'id="counts-note"' in page and "Criminal Code" in page
    table = page[page.index('id="offences"') :].split("</table>")[0]
    kinds = set(re.findall(r'data-code-kind="(\w+)"', table))
    # Every row says its code; the counts above are crimes only.
    assert kinds and kinds <= {"criminal", "administrative"}
    assert "crime" in table


def test_the_class_history_shows_its_dates(client, analysed):
    client.force_login(chief())
    page = client.get(reverse("web:mahalla", args=["G01"])).content.decode()

    history = page[page.index('id="class-history-dates"') :].split("</div>")[0]
    assert DAY.isoformat() in history
    assert f'data-date="{DAY.isoformat()}"' in page


def test_national_lists_name_the_district_beside_the_mahalla(client, analysed):
    client.force_login(_user(Role.NATIONAL_ANALYST, ScopeLevel.COUNTRY))
    alerts = client.get(reverse("web:alerts")).content.decode()
    district = reference_district(DISTRICT_CODE)

    row = alerts[alerts.index('<tr id="alert-') :].split("</tr>")[0]
    with translation.override("en"):
        assert escape(district.display_name()) in row

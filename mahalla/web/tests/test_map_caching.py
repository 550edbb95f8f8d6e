"""The map data's validators: a browser that has the map revalidates and gets a 304 without the body, until
the date is re-analysed; never before the access check."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.http import http_date

from mahalla.analytics.models import DailyRun
from mahalla.analytics.services import analysis_run
from mahalla.analytics.tests.factories import DISTRICT_CODE, OTHER_DISTRICT_CODE
from mahalla.web.tests.test_views import DAY, analysed, chief  # noqa: F401 - the fixture is used by name

pytestmark = pytest.mark.django_db


def map_url(code=DISTRICT_CODE):
    return reverse("web:map-data", args=["district", code]) + f"?date={DAY}"


def test_the_map_data_is_revalidated_with_its_etag_and_answered_304_without_a_body(client, analysed):  # noqa: F811
    client.force_login(chief())
    first = client.get(map_url())
    assert first.status_code == 200 and first["ETag"].startswith('"')
    # Private (the user's own territory) and no-cache (reused only after asking the server again).
    assert first["Cache-Control"] == "private, no-cache"
    assert "Accept-Language" in first["Vary"] and "Cookie" in first["Vary"]

    again = client.get(map_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]

    stale = client.get(map_url(), HTTP_IF_NONE_MATCH='"not-this-one"')
    assert stale.status_code == 200 and stale.json() == first.json()


def test_the_map_data_answers_if_modified_since_from_the_run_time(client, analysed):  # noqa: F811
    client.force_login(chief())
    run = DailyRun.objects.get(date=DAY)
    finished = run.finished_at or run.started_at
    assert (
        client.get(map_url(), HTTP_IF_MODIFIED_SINCE=http_date(finished.timestamp() + 5)).status_code == 304
    )
    assert (
        client.get(map_url(), HTTP_IF_MODIFIED_SINCE=http_date(finished.timestamp() - 60)).status_code == 200
    )


def test_a_reanalysed_date_changes_the_etag_so_the_browser_gets_the_new_map(client, analysed):  # noqa: F811
    client.force_login(chief())
    before = client.get(map_url())

    analysis_run(date=DAY, parameters={"scan_permutations": 19})

    after = client.get(map_url(), HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]


def test_the_language_is_part_of_the_etag(client, analysed):  # noqa: F811
    client.force_login(chief())
    english = client.get(map_url(), HTTP_ACCEPT_LANGUAGE="en")
    russian = client.get(map_url(), HTTP_ACCEPT_LANGUAGE="ru", HTTP_IF_NONE_MATCH=english["ETag"])
    assert russian.status_code == 200
    assert russian["ETag"] != english["ETag"]


def test_an_etag_never_gets_a_304_past_the_territory_check(client, analysed):  # noqa: F811
    owner = chief()
    client.force_login(owner)
    etag = client.get(map_url())["ETag"]
    client.logout()

    client.force_login(chief(district_code=OTHER_DISTRICT_CODE))
    assert client.get(map_url(), HTTP_IF_NONE_MATCH=etag).status_code == 404
    client.logout()
    # Signed out, the revalidation is sent to the sign-in page, not confirmed.
    assert client.get(map_url(), HTTP_IF_NONE_MATCH=etag).status_code == 302

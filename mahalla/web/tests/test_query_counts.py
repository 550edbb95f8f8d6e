"""The database queries of the main pages and of the daily run's storage step, counted so that they cannot
grow unnoticed: the same number for a small and a four times larger district, and no more than today's."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mahalla.accounts.tests.factories import UserFactory
from mahalla.analytics.services import analysis_run
from mahalla.analytics.tests.factories import DISTRICT_CODE, add_offences, days_back, grid_mahallas
from mahalla.core.roles import Role, ScopeLevel
from mahalla.territory.tests.factories import reference_district

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 10)

# Today's counts (a page may make fewer; one that needs more says so by changing this table).
# The mahalla page: 13 statements on SQLite, 14 on PostgreSQL (the audited read of the offences runs in its
# own transaction there, BEGIN and COMMIT counted); its analysis sections come from the cache after the first
# visit of a run (web/views.py, _mahalla_analysis), and the audit log reuses the scope check's lookup.
# The start page (the load bench's dashboard): 16 on both.
PAGE_QUERY_LIMITS = {"home": 16, "country": 6, "district": 8, "map": 5, "mahalla": 14}
# The daily run's storage step: four deletes of the date's rows, one write per result table (mahalla,
# territory, cluster results; the forecast cells when there are any), the alerts read and written, the run
# record closed. The whole run adds the run record's creation, seven reads of the inputs, yesterday's
# classes, the audit record and the savepoints.
STORAGE_QUERY_LIMIT = 10
RUN_QUERY_LIMIT = {"sqlite": 24, "postgresql": 25}  # PostgreSQL makes one statement more


def nation_of(size: int) -> dict[str, object]:
    """size x size mahallas with offences, two of them red, analysed on DAY."""
    mahallas = grid_mahallas(rows=size, cols=size)
    for mahalla in mahallas:
        add_offences(mahalla, days_back(DAY - dt.timedelta(days=3), 6, step=60))
    add_offences(mahallas[0], days_back(DAY, 40, step=9), category="violent")
    add_offences(mahallas[1], [DAY], category="violent", per_day=30)
    return {"mahallas": mahallas}


def analysed_queries(size: int) -> list[str]:
    nation_of(size)
    with CaptureQueriesContext(connection) as captured:
        analysis_run(date=DAY, parameters={"scan_permutations": 9})
    return [query["sql"] for query in captured.captured_queries]


def page_queries(client, size: int) -> dict[str, int]:
    mahallas = nation_of(size)["mahallas"]
    analysis_run(date=DAY, parameters={"scan_permutations": 9})
    analyst = UserFactory(role=Role.NATIONAL_ANALYST, scope_level=ScopeLevel.COUNTRY)
    chief = UserFactory(
        role=Role.DISTRICT_CHIEF,
        scope_level=ScopeLevel.DISTRICT,
        scope_district=reference_district(DISTRICT_CODE),
    )
    pages = {
        "home": (chief, reverse("web:home")),
        "country": (analyst, reverse("web:country")),
        "district": (chief, reverse("web:district", args=[DISTRICT_CODE])),
        "map": (chief, reverse("web:map-data", args=["district", DISTRICT_CODE]) + f"?date={DAY}"),
        "mahalla": (chief, reverse("web:mahalla", args=[mahallas[0].code])),
    }
    counts = {}
    for name, (user, url) in pages.items():
        client.force_login(user)
        client.get(url)  # the first request fills the caches a worker keeps; users meet the warm page
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(captured.captured_queries)
    return counts


def in_rollback(function, *args):
    with transaction.atomic():
        result = function(*args)
        transaction.set_rollback(True)
    return result


def test_the_daily_run_stores_its_results_in_one_statement_per_table_and_no_more_than_today():
    queries = analysed_queries(3)
    # SQLite's one prepared INSERT run for many rows is logged once, as "N times: INSERT ...".
    statements = [re.sub(r"^\d+ times: ", "", sql.lstrip()) for sql in queries]
    for table in (
        "analytics_mahalladayresult",
        "analytics_aggregatedayresult",
        "analytics_clusterresult",
        "analytics_alert",
    ):
        writes = [sql for sql in statements if table in sql and sql.upper().startswith(("INSERT", "COPY"))]
        assert len(writes) == 1, (table, writes)
    # The storage step: from replacing the date's rows to closing the run record.
    first = next(i for i, sql in enumerate(statements) if sql.upper().startswith("DELETE"))
    last = next(
        i for i, sql in enumerate(statements) if sql.upper().startswith('UPDATE "ANALYTICS_DAILYRUN"')
    )
    storage = statements[first : last + 1]
    assert len(storage) <= STORAGE_QUERY_LIMIT, storage
    assert len(statements) <= RUN_QUERY_LIMIT[connection.vendor], statements


def test_the_daily_run_makes_as_many_queries_for_four_times_the_mahallas():
    small, large = (len(in_rollback(analysed_queries, size)) for size in (2, 4))
    assert small == large


def test_the_main_pages_make_as_many_queries_for_four_times_the_mahallas_and_no_more_than_today(client):
    small, large = (in_rollback(page_queries, client, size) for size in (2, 4))
    # The start page lists red mahallas without an official: the small nation has none, and an empty list
    # costs no statement, so only its limit is checked (on the large nation, which has them).
    assert {name: count for name, count in small.items() if name != "home"} == {
        name: count for name, count in large.items() if name != "home"
    }
    for name, count in large.items():
        assert count <= PAGE_QUERY_LIMITS[name], (name, count, large)

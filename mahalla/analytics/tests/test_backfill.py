"""The backfill of earlier dates after the last day (the demo serves while it runs): it analyses each date
once, oldest first, and keeps the pending mark that the pages show exactly as long as dates remain."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from mahalla.accounts.tests.factories import UserFactory
from mahalla.analytics.models import DailyRun
from mahalla.analytics.selectors import BACKFILL_PENDING_KEY, analysis_backfill_pending
from mahalla.analytics.services import analysis_backfill_mark, analysis_backfill_run, analysis_run
from mahalla.analytics.tests.factories import add_offences, days_back, grid_mahallas
from mahalla.core.errors import ApplicationError
from mahalla.core.roles import Role, ScopeLevel

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 10)


@pytest.fixture
def offences():
    for mahalla in grid_mahallas(rows=2, cols=2):
        add_offences(mahalla, days_back(DAY, 8, step=5))
    cache.delete(BACKFILL_PENDING_KEY)
    yield
    cache.delete(BACKFILL_PENDING_KEY)


def test_the_backfill_analyses_only_the_dates_without_a_finished_run(offences):
    analysis_run(date=DAY)
    earlier = [DAY - dt.timedelta(weeks=2), DAY - dt.timedelta(weeks=1)]

    assert analysis_backfill_mark(dates=[DAY, *reversed(earlier)]) == earlier
    assert cache.get(BACKFILL_PENDING_KEY) == [day.isoformat() for day in earlier]
    assert len(analysis_backfill_run(dates=[DAY, *reversed(earlier)])) == 2
    assert list(DailyRun.objects.order_by("pk").values_list("date", "status")) == [
        (DAY, "done"),
        (earlier[0], "done"),
        (earlier[1], "done"),
    ]
    assert cache.get(BACKFILL_PENDING_KEY) is None
    assert analysis_backfill_mark(dates=[DAY, *earlier]) == []
    assert analysis_backfill_run(dates=[DAY, *earlier]) == []
    assert DailyRun.objects.count() == 3
    assert cache.get(BACKFILL_PENDING_KEY) is None


def test_the_pending_mark_shrinks_as_dates_are_done_and_a_failed_date_leaves_it(offences):
    user = UserFactory(role=Role.NATIONAL_ANALYST, scope_level=ScopeLevel.COUNTRY)
    earlier = DAY - dt.timedelta(weeks=1)
    future = dt.date.today() + dt.timedelta(days=30)
    cache.set(BACKFILL_PENDING_KEY, [earlier.isoformat(), future.isoformat()], None)
    assert analysis_backfill_pending(actor=user) == [earlier, future]

    seen = []

    def progress(days):
        for day in days:
            yield day
            seen.append(analysis_backfill_pending(actor=user))

    # The future date fails (recorded as failed, not "still being computed"), after the earlier one is done.
    with pytest.raises(ApplicationError):
        analysis_backfill_run(dates=[future, earlier], progress=progress)
    assert seen == [[future]]
    assert analysis_backfill_pending(actor=user) == []
    assert cache.get(BACKFILL_PENDING_KEY) is None
    assert DailyRun.objects.get(date=earlier).status == DailyRun.Status.DONE


def test_someone_who_sees_no_territory_is_told_nothing(offences):
    cache.set(BACKFILL_PENDING_KEY, [DAY.isoformat()], None)
    active = UserFactory(role=Role.NATIONAL_ANALYST, scope_level=ScopeLevel.COUNTRY)
    inactive = UserFactory(role=Role.NATIONAL_ANALYST, scope_level=ScopeLevel.COUNTRY, is_active=False)
    assert analysis_backfill_pending(actor=active) == [DAY]
    assert analysis_backfill_pending(actor=inactive) == []
    assert analysis_backfill_pending(actor=None) == []

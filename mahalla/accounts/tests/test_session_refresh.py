"""Sessions expire after inactivity but are written at most once per refresh interval, and signing out still
ends them on the server."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mahalla.accounts.tests.factories import UserFactory
from mahalla.core import sessions
from mahalla.core.sessions import InactivityRefreshSessionMiddleware, session_refresh_seconds

pytestmark = pytest.mark.django_db
PAGE = "/api/auth/me/"


def session_writes(queries):
    return [q["sql"] for q in queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]


@pytest.fixture
def signed_in(settings):
    settings.SESSION_REFRESH_SECONDS = 300
    client = Client()
    client.force_login(UserFactory())
    # The first request refreshes (the session carries no refresh time yet), as a sign-in does.
    assert client.get(PAGE).status_code == 200
    return client


def test_requests_within_the_refresh_interval_do_not_write_the_session(signed_in):
    expiry = Session.objects.get().expire_date
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert signed_in.get(PAGE).status_code == 200
    assert session_writes(queries.captured_queries) == []
    assert Session.objects.get().expire_date == expiry


def test_a_request_after_the_refresh_interval_pushes_the_expiry_forward(signed_in, settings):
    Session.objects.update(expire_date=timezone.now() + dt.timedelta(seconds=120))
    later = sessions.time.time() + 301
    with mock.patch.object(sessions.time, "time", return_value=later):
        assert signed_in.get(PAGE).status_code == 200
    remaining = Session.objects.get().expire_date - timezone.now()
    assert remaining > dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_an_inactive_session_expires_on_the_server(signed_in):
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert signed_in.get(PAGE).status_code == 403


def test_signing_out_ends_the_session_on_the_server_at_once(signed_in):
    cookie = signed_in.cookies["sessionid"].value
    assert signed_in.post("/accounts/logout/").status_code == 302
    assert not Session.objects.filter(session_key=cookie).exists()
    # The old cookie, replayed by someone who kept it, is refused.
    replay = Client()
    replay.cookies["sessionid"] = cookie
    assert replay.get(PAGE).status_code == 403


def test_an_anonymous_visit_creates_no_session():
    assert Client().get("/accounts/login/").status_code == 200
    assert Session.objects.count() == 0


@pytest.mark.parametrize("value", [-1, 8 * 3600, 9 * 3600])
def test_a_refresh_interval_not_shorter_than_the_session_age_is_refused(settings, value):
    settings.SESSION_COOKIE_AGE = 8 * 3600
    settings.SESSION_REFRESH_SECONDS = value
    with pytest.raises(ImproperlyConfigured, match="SESSION_REFRESH_SECONDS"):
        session_refresh_seconds()
    with pytest.raises(ImproperlyConfigured):
        InactivityRefreshSessionMiddleware(lambda request: None)

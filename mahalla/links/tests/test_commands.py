"""The management commands: --help works, the daily monitoring stores co-travel links with evidence."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from mahalla.links.models import Link
from mahalla.links.services import detections_store

from .factories import cameras_create, two_mahallas


@pytest.mark.parametrize("name", ["links-consume", "links-import-detections", "links-analyse"])
def test_help_works(name, capsys):
    with pytest.raises(SystemExit) as exit_:
        call_command(name, "--help")
    assert exit_.value.code == 0
    assert "usage" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_daily_monitoring_stores_a_convoy_as_a_co_travel_link_with_its_evidence():
    mahalla, _b = two_mahallas()
    codes = [f"C{i}" for i in range(8)]
    cameras_create(mahalla, codes)
    base = dt.datetime(2026, 1, 10, 6, tzinfo=dt.UTC)
    events = []
    for n, code in enumerate(codes[:5]):  # the pair meets at five cameras on one trip
        when = base + dt.timedelta(minutes=7 * n)
        events.append(
            {"event_id": f"a{n}", "camera": code, "plate": "01A111AA", "observed_at": when.isoformat()}
        )
        events.append(
            {
                "event_id": f"b{n}",
                "camera": code,
                "plate": "01B222BB",
                "observed_at": (when + dt.timedelta(seconds=20)).isoformat(),
            }
        )
    for n in range(200):  # background: one read each of many vehicles
        events.append(
            {
                "event_id": f"x{n}",
                "camera": codes[n % 8],
                "plate": f"10X{n:03d}XX",
                "observed_at": (base + dt.timedelta(hours=n % 48, minutes=n % 60)).isoformat(),
            }
        )
    detections_store(events=events, origin="test")
    out = StringIO()
    call_command("links-analyse", "--date", "2026-01-12", stdout=out)
    assert "co-travel pairs 1" in out.getvalue()
    link = Link.objects.get(schema="co_travel")
    assert {link.source_entity.caption, link.target_entity.caption} == {"01A111AA", "01B222BB"}
    assert link.details["distinct_cameras"] == 5 and len(link.details["evidence"]) == 5
    assert link.source.legal_basis

"""Bulletins: proposed where victims cluster, printed in Uzbek and Russian, delivered, effect measured."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from mahalla.accounts.tests.factories import mahalla_create
from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.cyber import awareness, services
from mahalla.cyber.models import Bulletin, CyberReport

from .factories import report_input


def _reports(mahalla, count, *, start, days, method="sms_code"):
    inputs = [
        report_input(
            mahalla,
            narrative=f"Kod so'rashdi {i}",
            reported_at=start + dt.timedelta(days=days * i / max(count, 1)),
            occurred_at=start + dt.timedelta(days=days * i / max(count, 1)) - dt.timedelta(hours=1),
        )
        for i in range(count)
    ]
    reports = services.reports_store(actor=None, inputs=inputs, source="import", join_campaigns=False)
    CyberReport.objects.filter(pk__in=[r.pk for r in reports]).update(method=method)


def test_a_bulletin_is_proposed_where_five_victims_cluster_and_not_twice(world):
    now = timezone.now()
    _reports(world.mahalla_a1, 6, start=now - dt.timedelta(days=30), days=20)
    _reports(world.mahalla_a2, 4, start=now - dt.timedelta(days=30), days=20)
    created = awareness.bulletins_propose(today=timezone.localdate())
    assert [(b.mahalla_id, b.method, b.victims) for b in created] == [(world.mahalla_a1.pk, "sms_code", 6)]
    assert awareness.bulletins_propose(today=timezone.localdate()) == []


@pytest.mark.parametrize(("language", "word"), [("uz", b"%PDF"), ("ru", b"%PDF")])
def test_a_bulletin_prints_as_pdf_in_uzbek_and_russian(world, client, language, word):
    bulletin = Bulletin.objects.create(
        mahalla=world.mahalla_a1,
        district=world.district_a,
        region=world.district_a.region,
        method="sms_code",
        victims=6,
        proposed_at=timezone.now(),
    )
    assert f'lang="{language}"' in awareness.bulletin_html(bulletin, language)
    client.force_login(world.users["seven_a"])
    response = client.get(reverse("cyber:bulletin-pdf", args=[bulletin.pk]), {"language": language})
    assert response.status_code == 200 and response.content.startswith(word)
    with pytest.raises(ApplicationError):
        awareness.bulletin_html(bulletin, "de")


def test_delivery_is_recorded_once_by_an_allowed_role(world):
    bulletin = Bulletin.objects.create(
        mahalla=world.mahalla_a1,
        district=world.district_a,
        region=world.district_a.region,
        method="sms_code",
        victims=6,
        proposed_at=timezone.now(),
    )
    with pytest.raises(AccessDenied):
        awareness.bulletin_deliver(actor=world.users["inspector_a"], bulletin=bulletin)
    awareness.bulletin_deliver(actor=world.users["seven_a"], bulletin=bulletin, note="mahalla meeting")
    assert bulletin.status == "delivered" and bulletin.delivered_by == world.users["seven_a"]
    with pytest.raises(ApplicationError):
        awareness.bulletin_deliver(actor=world.users["seven_a"], bulletin=bulletin)


def test_the_effect_of_a_bulletin_shows_a_planted_drop_against_steady_controls(world):
    # Ten mahallas report 3 a week for 30 weeks; after the bulletin the treated one reports none.
    others = [mahalla_create(district_code=world.district_a.code, code=f"CYC{i:04d}") for i in range(8)]
    delivered = timezone.now() - dt.timedelta(weeks=8)
    start = delivered - dt.timedelta(weeks=22)
    for mahalla in [world.mahalla_a1, world.mahalla_a2, *others]:
        _reports(mahalla, 66, start=start, days=22 * 7)
        if mahalla != world.mahalla_a1:
            _reports(mahalla, 24, start=delivered, days=8 * 7 - 1)
    bulletin = Bulletin.objects.create(
        mahalla=world.mahalla_a1,
        district=world.district_a,
        region=world.district_a.region,
        method="sms_code",
        victims=66,
        proposed_at=start,
    )
    awareness.bulletin_deliver(actor=world.users["seven_a"], bulletin=bulletin, at=delivered)
    effect = awareness.bulletin_effect(bulletin=bulletin, today=timezone.localdate(), weeks_before=20)
    assert effect["treated_post"] == 0
    assert effect["effect"] < -2
    assert effect["significant"] is True

"""The start page's cards from the round-2 modules: the inspector sees today's casework of their mahalla, a
body's member its inbox, the prosecutor the oversight; a role without person access gets no casework card."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from mahalla.cases import services as cases
from mahalla.cases.tests.factories import inspector, mahalla_make, person_make, user_for
from mahalla.core.roles import Role
from mahalla.territory.models import District


@pytest.fixture
def home(db):
    district = District.objects.order_by("code").first()
    mahalla = mahalla_make(district, f"{district.code}951")
    person = person_make(mahalla, "Rahimova Nilufar")
    return district, mahalla, person


def _card(client, user, key):
    client.force_login(user)
    page = client.get(reverse("web:home"))
    assert page.status_code == 200
    match = page.context["module_cards"]
    return {card.key: card for card in match}.get(key)


def test_the_inspector_sees_the_rounds_planned_for_today(client, home):
    district, mahalla, person = home
    officer = inspector(mahalla)
    assert _card(client, officer, "casework-rounds").count == 0
    cases.household_round_plan(
        actor=officer,
        mahalla=mahalla,
        address="Navoiy ko'chasi, 3-uy",
        planned_on=timezone.localdate(),
        purpose="family",
        person=person,
    )
    card = _card(client, officer, "casework-rounds")
    assert card.count == 1
    assert card.url == reverse("cases-web:worklist", args=[mahalla.code])


def test_a_chief_gets_no_casework_card_and_the_prosecutor_gets_the_oversight(client, home):
    district, _mahalla, _person = home
    chief = user_for(Role.DISTRICT_CHIEF, district=district)
    assert _card(client, chief, "casework-rounds") is None
    prosecutor = user_for(Role.PROSECUTOR, district=district)
    card = _card(client, prosecutor, "oversight-open")
    assert card is not None and card.url == reverse("coordination-web:oversight")

"""Every role x own territory x other territory: who sees which persons, orders and counts (exact sets)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.core.roles import Role

from .. import selectors, services
from ..access import access_order_by_id, access_person_by_id, suppress
from ..models import ProtectionOrder
from .factories import inspector, user_for


def _order(place, victim, mahalla_inspector):
    report = services.violence_report_create(
        actor=mahalla_inspector,
        kind="harassment",
        victim=victim,
        reported_at=timezone.now() - dt.timedelta(hours=1),
    )
    return services.protection_order_issue(
        actor=mahalla_inspector, report=report, womens_activist="Yusupova Nodira"
    )


@pytest.fixture
def orders(place):
    home = _order(place, place.person, place.inspector)
    far = _order(place, place.far_person, inspector(place.far))
    neighbour = _order(place, place.neighbour_person, inspector(place.neighbour))
    return {"home": home, "far": far, "neighbour": neighbour}


def _visible_persons(actor, place):
    return {
        name
        for name in ("person", "neighbour_person", "far_person")
        if selectors.persons_visible(actor).filter(pk=getattr(place, name).pk).exists()
    }


def _visible_orders(actor, orders):
    return {
        name
        for name, order in orders.items()
        if selectors.order_list(actor=actor).filter(pk=order.pk).exists()
    }


@pytest.mark.parametrize(
    "role,scope,persons,order_names",
    [
        (Role.PREVENTIVE_INSPECTOR, "home", {"person"}, {"home"}),
        (Role.PREVENTIVE_INSPECTOR, "far", {"far_person"}, {"far"}),
        (Role.MAHALLA_SEVEN, "home", {"person"}, {"home"}),
        (Role.MAHALLA_SEVEN, "district", {"person", "neighbour_person"}, {"home", "neighbour"}),
        (Role.WOMENS_AFFAIRS_INSPECTOR, "district", set(), {"home", "neighbour"}),
        (Role.WOMENS_AFFAIRS_INSPECTOR, "other_district", set(), {"far"}),
        (Role.DISTRICT_CHIEF, "district", set(), set()),
        (Role.REGIONAL_CHIEF, "region", set(), set()),
        (Role.NATIONAL_ANALYST, "country", set(), set()),
        (Role.PROSECUTOR, "country", set(), set()),
        (Role.ADMINISTRATOR, "country", set(), set()),
        (Role.INVESTIGATOR, "district", set(), set()),
        (Role.RESPONSIBLE_OFFICIAL, "home", set(), set()),
    ],
)
def test_who_sees_which_persons_and_orders(place, orders, role, scope, persons, order_names):
    kwargs = {
        "home": {"mahallas": [place.home]},
        "far": {"mahallas": [place.far]},
        "district": {"district": place.district},
        "other_district": {"district": place.other_district},
        "region": {"region": place.district.region},
        "country": {},
    }[scope]
    actor = user_for(role, **kwargs)
    assert _visible_persons(actor, place) == persons
    assert _visible_orders(actor, orders) == order_names
    for name in ("person", "neighbour_person", "far_person"):
        if name in persons:
            assert access_person_by_id(actor, getattr(place, name).pk).pk == getattr(place, name).pk
        else:
            with pytest.raises(AccessDenied):
                access_person_by_id(actor, getattr(place, name).pk)
    for name, order in orders.items():
        if name in order_names:
            assert access_order_by_id(actor, order.pk).pk == order.pk
        else:
            with pytest.raises(AccessDenied):
                access_order_by_id(actor, order.pk)


def test_an_inactive_or_anonymous_actor_sees_nothing(place, orders):
    actor = inspector(place.home)
    actor.is_active = False
    actor.save()
    assert not selectors.persons_visible(actor).exists()
    assert not ProtectionOrder.objects.filter(selectors.order_filter_for(None)).exists()


def test_a_case_referred_to_a_colleague_is_visible_to_them_until_revoked(place):
    colleague = inspector(place.far)
    transition = services.case_refer(actor=place.inspector, person=place.person, to_user=colleague)
    assert access_person_by_id(colleague, place.person.pk)
    services.case_refer_revoke(actor=place.inspector, transition=transition)
    with pytest.raises(AccessDenied):
        access_person_by_id(colleague, place.person.pk)


def test_counts_are_suppressed_below_5_for_roles_without_person_access(place, orders):
    chief = user_for(Role.DISTRICT_CHIEF, district=place.district)
    counts = selectors.register_counts(actor=chief)
    assert counts["orders_active"] == "<5"
    assert counts["categories"]["protection_order"] == "<5"
    assert counts["categories"]["administrative_supervision"] == 0
    assert selectors.register_counts(actor=place.inspector)["orders_active"] == 1
    assert suppress(5, chief) == 5 and suppress(4, chief) == "<5" and suppress(0, chief) == 0


def test_a_person_card_read_is_audited_with_its_purpose(place):
    from mahalla.audit.models import AuditEvent

    selectors.person_card(actor=place.inspector, person_id=place.person.pk, purpose="supervision")
    event = AuditEvent.objects.filter(
        object_type="cases.person", object_id=str(place.person.pk), action="read"
    ).get()
    assert event.purpose == "supervision" and event.actor_id == place.inspector.pk
    with pytest.raises(ApplicationError):
        selectors.person_card(actor=place.inspector, person_id=place.person.pk, purpose=" ")

"""Only the narcotics officers and national analysts see the workbench, inside their territory; every entity
read is audited. Every role x own territory x other territory, with exact visible sets."""

from __future__ import annotations

import pytest

from mahalla.accounts.tests.factories import UserFactory
from mahalla.audit.models import AuditAction, AuditEvent
from mahalla.core.errors import AccessDenied
from mahalla.core.roles import Role, ScopeLevel
from mahalla.links import selectors
from mahalla.links.access import access_entity_by_id
from mahalla.links.models import Entity

pytestmark = pytest.mark.django_db


def _user(role, scope, mahalla):
    if scope == "country":
        return UserFactory(role=role, scope_level=ScopeLevel.COUNTRY)
    if scope == "region":
        return UserFactory(role=role, scope_level=ScopeLevel.REGION, scope_region=mahalla.region)
    if scope == "district":
        return UserFactory(role=role, scope_level=ScopeLevel.DISTRICT, scope_district=mahalla.district)
    return UserFactory(role=role, scope_level=ScopeLevel.MAHALLAS, mahallas=[mahalla])


def test_every_role_and_scope_sees_exactly_its_entities(loaded_world):
    for role in Role.values:
        for scope in ("country", "region", "district", "mahallas"):
            _check(loaded_world, role, scope)


def _check(loaded_world, role, scope):
    a, b = loaded_world["a"], loaded_world["b"]
    user = _user(role, scope, a)
    visible = set(selectors.entity_list(user).values_list("pk", flat=True))
    all_ids = set(Entity.objects.values_list("pk", flat=True))
    own = set(Entity.objects.filter(district=a.district).values_list("pk", flat=True))
    if role not in (Role.NARCOTICS_OFFICER, Role.NATIONAL_ANALYST):
        assert visible == set()
    elif scope in ("country", "region"):  # both districts are in Tashkent city
        assert visible == all_ids
    else:
        assert visible == own and own and own != all_ids
    other = Entity.objects.filter(district=b.district).first()
    if role in (Role.NARCOTICS_OFFICER, Role.NATIONAL_ANALYST) and scope in ("country", "region"):
        assert access_entity_by_id(user, other.pk) == other
    else:
        with pytest.raises(AccessDenied):
            access_entity_by_id(user, other.pk)


def test_an_inactive_officer_sees_nothing(loaded_world):
    user = _user(Role.NARCOTICS_OFFICER, "country", loaded_world["a"])
    user.is_active = False
    user.save()
    assert not selectors.entity_list(user).exists()


def test_reading_an_entity_and_a_dossier_is_audited_with_its_purpose(loaded_world):
    analyst = _user(Role.NATIONAL_ANALYST, "country", loaded_world["a"])
    phone = Entity.objects.filter(schema="Phone").first()
    selectors.entity_facts(analyst, phone, purpose="case 44 check")
    event = AuditEvent.objects.filter(action=AuditAction.READ, object_id=str(phone.pk)).get()
    assert (event.actor, event.purpose, event.object_type) == (analyst, "case 44 check", "links.entity")
    shop = Entity.objects.filter(schema="Shop").first()
    analysis = selectors.shop_analysis(analyst, shop)
    read = set(
        AuditEvent.objects.filter(action=AuditAction.READ, purpose=selectors.PURPOSE_DOSSIER).values_list(
            "object_id", flat=True
        )
    )
    assert {str(e.pk) for e in analysis.entities_shown} == read and str(shop.pk) in read

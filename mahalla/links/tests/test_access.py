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


def _phone_post(client, officer, source, number):
    client.force_login(officer)
    return client.post(
        "/api/links/entities/",
        {"schema": "Phone", "properties": {"number": number}, "source": source.pk},
        content_type="application/json",
    )


def test_resolving_an_entity_through_the_api_never_returns_another_territorys_entity(client):
    from mahalla.links.models import Fact, SourceKind
    from mahalla.links.services import source_create

    from .factories import narcotics_officer, two_mahallas

    a, b = two_mahallas()
    officer_a, officer_b = narcotics_officer(a), narcotics_officer(b)
    sources = {
        officer: source_create(
            actor=officer,
            kind=SourceKind.SEIZURE,
            reference=f"seizure {n}",
            legal_basis="CPC art. 166",
            mahalla=m,
        )
        for n, (officer, m) in enumerate(((officer_a, a), (officer_b, b)))
    }
    first = _phone_post(client, officer_b, sources[officer_b], "+998 90 123-45-67")
    assert first.status_code == 201
    theirs = Entity.objects.get(pk=first.json()["id"])
    assert theirs.district_id == b.district_id

    response = _phone_post(client, officer_a, sources[officer_a], "901234567")
    assert response.status_code == 201
    body = response.json()
    assert body["id"] != theirs.pk and body["district"] == a.district_id
    # Nothing of officer A's was written onto district B's entity.
    assert set(Fact.objects.filter(entity=theirs).values_list("source_id", flat=True)) == {
        sources[officer_b].pk
    }
    # Within a territory the same phone still resolves onto one entity.
    again = _phone_post(client, officer_a, sources[officer_a], "+998901234567")
    assert again.json()["id"] == body["id"]
    # A region-wide analyst sees both, each in its district.
    analyst = _user(Role.NATIONAL_ANALYST, "region", a)
    assert set(
        selectors.entity_list(analyst).filter(schema="Phone").values_list("district_id", flat=True)
    ) == {
        a.district_id,
        b.district_id,
    }

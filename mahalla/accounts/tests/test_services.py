"""Account services: validated, limited to administrators inside their own territory, audited."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from mahalla.accounts.models import User
from mahalla.accounts.services import user_create, user_deactivate, user_scope_change
from mahalla.audit.models import AuditEvent
from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.core.roles import Role, ScopeLevel

from .factories import UserFactory, mahalla_create, territory_model

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "a long and unusual passphrase 7"


@pytest.fixture
def places():
    regions, districts = territory_model("scope_region").objects, territory_model("scope_district").objects
    return {
        "andijon": regions.get(code="1703"),
        "buxoro": regions.get(code="1706"),
        "oltinkol": districts.get(code="1703202"),
        "olot": districts.get(code="1706204"),
        "m_oltinkol": mahalla_create(district_code="1703202", code="M1"),
        "m_olot": mahalla_create(district_code="1706204", code="M2"),
    }


@pytest.fixture
def national_admin():
    return UserFactory(username="root", role=Role.ADMINISTRATOR, scope_level=ScopeLevel.COUNTRY)


def test_an_administrator_creates_a_district_chief_and_the_creation_is_audited(national_admin, places):
    chief = user_create(
        actor=national_admin,
        username="chief.oltinkol",
        password=GOOD_PASSWORD,
        role=Role.DISTRICT_CHIEF,
        scope_level=ScopeLevel.DISTRICT,
        scope_district=places["oltinkol"],
    )
    assert chief.check_password(GOOD_PASSWORD)
    event = AuditEvent.objects.get(action="create")
    assert (event.actor, event.object_type, event.object_id) == (
        national_admin,
        "accounts.user",
        str(chief.pk),
    )
    assert event.details == {
        "role": "district_chief",
        "scope_level": "district",
        "scope_region": None,
        "scope_district": "1703202",
        "scope_mahallas": [],
    }


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"role": "overlord", "scope_level": "country"}, "role"),
        ({"role": "district_chief", "scope_level": "galaxy"}, "scope_level"),
        ({"role": "district_chief", "scope_level": "region"}, "scope_region"),
        ({"role": "district_chief", "scope_level": "district"}, "scope_district"),
        ({"role": "preventive_inspector", "scope_level": "mahallas"}, "scope_mahallas"),
        ({"role": "national_analyst", "scope_level": "country", "scope_region": "andijon"}, "scope_region"),
        (
            {
                "role": "regional_chief",
                "scope_level": "region",
                "scope_region": "andijon",
                "scope_district": "oltinkol",
            },
            "scope_district",
        ),
        (
            {
                "role": "district_chief",
                "scope_level": "district",
                "scope_district": "oltinkol",
                "scope_region": "buxoro",
            },
            "scope_region",
        ),
        (
            {
                "role": "preventive_inspector",
                "scope_level": "mahallas",
                "scope_mahallas": ["m_olot"],
                "scope_district": "oltinkol",
            },
            "scope_mahallas",
        ),
        (
            {
                "role": "preventive_inspector",
                "scope_level": "mahallas",
                "scope_mahallas": ["m_olot"],
                "scope_region": "andijon",
            },
            "scope_mahallas",
        ),
        ({"role": "national_analyst", "scope_level": "country", "password": "short"}, "password"),
        ({"role": "national_analyst", "scope_level": "country", "username": "  "}, "username"),
        ({"role": "national_analyst", "scope_level": "country", "username": "ROOT"}, "username"),
    ],
)
def test_an_unusable_role_or_scope_is_refused_naming_the_field(national_admin, places, arguments, field):
    values = {"username": "someone", "password": GOOD_PASSWORD, **arguments}
    for key in ("scope_region", "scope_district"):
        if key in values:
            values[key] = places[values[key]]
    if "scope_mahallas" in values:
        values["scope_mahallas"] = [places[name] for name in values["scope_mahallas"]]
    with pytest.raises(ApplicationError) as error:
        user_create(actor=national_admin, **values)
    assert not isinstance(error.value, AccessDenied)
    assert error.value.extra["field"] == field
    assert not User.objects.filter(username="someone").exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("role", [role for role in Role.values if role != Role.ADMINISTRATOR])
def test_only_an_administrator_may_create_accounts(role, places):
    actor = UserFactory(role=role, scope_level=ScopeLevel.COUNTRY)
    with pytest.raises(AccessDenied):
        user_create(
            actor=actor, username="x", password=GOOD_PASSWORD, role=Role.INVESTIGATOR, scope_level="country"
        )


def test_an_inactive_administrator_may_not_create_accounts():
    actor = UserFactory(role=Role.ADMINISTRATOR, scope_level=ScopeLevel.COUNTRY, is_active=False)
    with pytest.raises(AccessDenied):
        user_create(
            actor=actor, username="x", password=GOOD_PASSWORD, role=Role.INVESTIGATOR, scope_level="country"
        )


def test_a_regional_administrator_gives_access_only_inside_the_region(places):
    admin = UserFactory(
        role=Role.ADMINISTRATOR, scope_level=ScopeLevel.REGION, scope_region=places["andijon"]
    )
    inside = user_create(
        actor=admin,
        username="inspector",
        password=None,
        role=Role.PREVENTIVE_INSPECTOR,
        scope_level=ScopeLevel.MAHALLAS,
        scope_mahallas=[places["m_oltinkol"]],
    )
    assert not inside.has_usable_password()
    outside = [
        {"scope_level": "country"},
        {"scope_level": "region", "scope_region": places["buxoro"]},
        {"scope_level": "district", "scope_district": places["olot"]},
        {"scope_level": "mahallas", "scope_mahallas": [places["m_oltinkol"], places["m_olot"]]},
    ]
    for number, scope in enumerate(outside):
        with pytest.raises(AccessDenied):
            user_create(
                actor=admin, username=f"outside{number}", password=None, role=Role.INVESTIGATOR, **scope
            )
    assert not User.objects.filter(username__startswith="outside").exists()


def test_a_scope_change_is_audited_with_before_and_after(national_admin, places):
    chief = UserFactory(
        role=Role.DISTRICT_CHIEF, scope_level=ScopeLevel.DISTRICT, scope_district=places["oltinkol"]
    )
    user_scope_change(
        actor=national_admin,
        user=chief,
        role=Role.REGIONAL_CHIEF,
        scope_level=ScopeLevel.REGION,
        scope_region=places["buxoro"],
    )
    chief.refresh_from_db()
    assert (chief.role, chief.scope_level, chief.scope_region, chief.scope_district) == (
        "regional_chief",
        "region",
        places["buxoro"],
        None,
    )
    event = AuditEvent.objects.get(action="update")
    assert event.details["before"]["scope_district"] == "1703202"
    assert event.details["after"] == {
        "role": "regional_chief",
        "scope_level": "region",
        "scope_region": "1706",
        "scope_district": None,
        "scope_mahallas": [],
    }


def test_a_regional_administrator_cannot_take_over_an_account_of_another_region(places):
    admin = UserFactory(
        role=Role.ADMINISTRATOR, scope_level=ScopeLevel.REGION, scope_region=places["andijon"]
    )
    other = UserFactory(
        role=Role.DISTRICT_CHIEF, scope_level=ScopeLevel.DISTRICT, scope_district=places["olot"]
    )
    with pytest.raises(AccessDenied):
        user_scope_change(
            actor=admin, user=other, scope_level=ScopeLevel.DISTRICT, scope_district=places["oltinkol"]
        )
    with pytest.raises(AccessDenied):
        user_deactivate(actor=admin, user=other)
    other.refresh_from_db()
    assert other.is_active and other.scope_district == places["olot"]


def test_deactivation_revokes_tokens_and_is_audited(national_admin):
    analyst = UserFactory()
    Token.objects.create(user=analyst)
    user_deactivate(actor=national_admin, user=analyst)
    analyst.refresh_from_db()
    assert not analyst.is_active
    assert not Token.objects.filter(user=analyst).exists()
    assert AuditEvent.objects.get(action="update").details == {"is_active": False}


def test_an_administrator_cannot_deactivate_their_own_account(national_admin):
    with pytest.raises(ApplicationError):
        user_deactivate(actor=national_admin, user=national_admin)
    national_admin.refresh_from_db()
    assert national_admin.is_active


def test_the_system_actor_may_create_accounts_and_is_recorded_as_nobody(places):
    user = user_create(
        actor=None,
        username="demo",
        password=None,
        role=Role.MAHALLA_SEVEN,
        scope_level="mahallas",
        scope_mahallas=[places["m_olot"]],
    )
    event = AuditEvent.objects.get(action="create")
    assert (event.actor, event.actor_username, event.object_id) == (None, "", str(user.pk))


def test_the_admin_form_refuses_an_inconsistent_scope(places):
    root = UserFactory(username="root2", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    chief = UserFactory(username="chief", role=Role.DISTRICT_CHIEF, scope_level="country")
    client = Client()
    client.force_login(root)
    form = {
        "username": "chief",
        "role": "district_chief",
        "scope_level": "district",
        "scope_region": places["buxoro"].pk,
        "scope_district": places["oltinkol"].pk,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    response = client.post(f"/admin/accounts/user/{chief.pk}/change/", form)
    assert response.status_code == 200
    assert "District 1703202 is not in region 1706." in response.content.decode()
    chief.refresh_from_db()
    assert chief.scope_level == "country"
    form["scope_region"] = places["andijon"].pk
    assert client.post(f"/admin/accounts/user/{chief.pk}/change/", form).status_code == 302
    chief.refresh_from_db()
    assert (chief.scope_level, chief.scope_district) == ("district", places["oltinkol"])
    assert AuditEvent.objects.filter(action="update", object_id=str(chief.pk)).exists()


def test_a_mahallas_scope_may_name_the_district_its_mahallas_are_in(national_admin, places):
    inspector = user_create(
        actor=national_admin,
        username="inspector.olot",
        password=None,
        role=Role.PREVENTIVE_INSPECTOR,
        scope_level=ScopeLevel.MAHALLAS,
        scope_mahallas=[places["m_olot"]],
        scope_district=places["olot"],
    )
    assert list(inspector.scope_mahallas.all()) == [places["m_olot"]]

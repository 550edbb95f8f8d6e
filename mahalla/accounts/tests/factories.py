"""Users for tests: one role and one territorial scope each."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from mahalla.accounts.models import User
from mahalla.core.roles import Role, ScopeLevel

PASSWORD = "correct horse battery staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.NATIONAL_ANALYST
    scope_level = ScopeLevel.COUNTRY
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def mahallas(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.scope_mahallas.set(extracted)
        if create:
            self.save()


def territory_model(field: str):
    """Region, District or Mahalla, reached through the user's own scope fields: accounts sits below
    territory and imports none of it, its tests included."""
    return User._meta.get_field(field).related_model


def mahalla_create(*, district_code: str, code: str):
    """A mahalla in a reference district (regions and districts exist in every database)."""
    district = territory_model("scope_district").objects.get(code=district_code)
    return territory_model("scope_mahallas").objects.create(
        code=code, name_uz=f"Mahalla {code}", district=district, region=district.region
    )

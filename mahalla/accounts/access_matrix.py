"""Access matrix rows of the account URLs and the account admin (see mahalla/core/access_matrix.py)."""

from __future__ import annotations

from mahalla.core.access_matrix import ALL_ROLES, Call, Place, Route, admin_routes
from mahalla.core.roles import Role

ADMINISTRATORS = frozenset({Role.ADMINISTRATOR})


def _chief(place: Place) -> Call:
    return Call(kwargs={"user_id": place.chief.pk}, data={}, content="json")


def _scope_change(place: Place) -> Call:
    return Call(
        kwargs={"user_id": place.chief.pk},
        data={"role": Role.DISTRICT_CHIEF, "scope_level": "district", "scope_district": place.district.code},
        content="json",
    )


def _user_create(place: Place) -> Call:
    return Call(
        data={
            "username": f"new.{place.marker.lower()}",
            "role": Role.PREVENTIVE_INSPECTOR,
            "scope_level": "district",
            "scope_district": place.district.code,
        },
        content="json",
    )


def _admin_user(place: Place) -> Call:
    return Call(kwargs={"object_id": str(place.chief.pk)})


def _admin_password(place: Place) -> Call:
    return Call(kwargs={"id": str(place.chief.pk)})


ROUTES: list[Route] = [
    Route("accounts:login", territorial=False, public=True),
    Route("accounts:logout", method="POST", territorial=False, public=True, success=(302,)),
    Route(
        "accounts-api:token-obtain",
        method="POST",
        territorial=False,
        public=True,
        success=(400, 401),
        build=lambda place: Call(data={"username": "nobody", "password": "wrong password"}, content="json"),
        note="a wrong password: 400, nothing issued",
    ),
    Route("accounts-api:token-revoke", method="POST", territorial=False, success=(204,)),
    Route("accounts-api:me", territorial=False),
    Route(
        "accounts-api:user-create",
        method="POST",
        roles=ADMINISTRATORS,
        build=_user_create,
        success=(201,),
        refused=(400, 403, 404),
        note="another territory's district: refused (the scope is checked before anything is stored)",
    ),
    Route(
        "accounts-api:user-scope-change",
        method="POST",
        roles=ADMINISTRATORS,
        build=_scope_change,
        success=(200,),
    ),
    Route(
        "accounts-api:user-deactivate",
        method="POST",
        roles=ADMINISTRATORS,
        build=_chief,
        success=(200,),
    ),
    *admin_routes(
        "accounts",
        "user",
        roles=ADMINISTRATORS,
        build=_admin_user,
        delete_roles=frozenset(),
    ),
    Route(
        "admin:auth_user_password_change",
        roles=ADMINISTRATORS,
        build=_admin_password,
        staff=True,
        refused=(302, 403, 404),
    ),
    *admin_routes("accounts", "loginfailure"),
]

_ = ALL_ROLES

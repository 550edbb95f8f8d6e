"""The access matrix: what every URL allows to every role, in its own territory and in another.

Each app declares its URLs in its own module ``mahalla/<app>/access_matrix.py`` as a list ``ROUTES`` of
``Route``; nothing central is edited when an app adds a URL. The test ``mahalla/tests/test_access_matrix.py``
collects every app's ``ROUTES``, enumerates every URL pattern of the URL configuration and fails for a pattern
that no route declares (and for a route that names no pattern). Then, for every declared route, every role
and both places (the actor's own territory and another one), it sends the request and asserts the status,
and that no object of the other territory appears in any response the actor is allowed to read.

How to declare (docs/access.md, "Adding a URL to the access matrix"):

    from mahalla.core.access_matrix import ALL_ROLES, Call, Place, Route

    def _roadmap(place: Place) -> Call:
        roadmap = Roadmap.objects.create(..., mahalla=place.mahalla, title=f"Plan {place.marker}")
        return Call(kwargs={"roadmap_id": roadmap.pk})

    ROUTES = [
        Route("roadmaps:roadmap-detail", roles=ALL_ROLES, build=_roadmap),
        Route("roadmaps:roadmap-list", roles=ALL_ROLES, territorial=False),
    ]

Kept in core (dataclasses only): every app, from the lowest layer up, can declare its URLs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .roles import Role

ALL_ROLES: frozenset[str] = frozenset(Role.values)
NO_ROLE: frozenset[str] = frozenset()
SUCCESS: tuple[int, ...] = (200,)
REFUSED: tuple[int, ...] = (403, 404)


@dataclass(frozen=True)
class Place:
    """One side of the test world: the actor's own territory, or another one (another region).

    ``marker`` is a short text unique to the place ("own" side: ``"OWNA1"``, other side: ``"OTHB1"``);
    builders put it into the names of what they create, so that a leak of the other side shows in a
    response body. ``chief`` is a district chief of the place's district (an account to act on),
    ``offence`` an offence in its mahalla."""

    side: str  # "own" | "other"
    region: Any
    district: Any
    mahalla: Any
    marker: str
    chief: Any
    offence: Any


@dataclass(frozen=True)
class Call:
    """How to call a URL about one object: URL keyword arguments, query parameters, a body."""

    kwargs: Mapping[str, Any] = field(default_factory=dict)
    query: Mapping[str, Any] = field(default_factory=dict)
    data: Mapping[str, Any] | None = None
    # "json" (API), "multipart" (forms, uploads)
    content: str = "multipart"


def _no_call(place: Place) -> Call:
    return Call()


@dataclass(frozen=True)
class Route:
    """One URL (by its namespaced name) and one method.

    ``roles``: the roles that may use it at all. An allowed role on an object of its own territory gets a
    status in ``success``; any other role, and an allowed role on an object of another territory, gets a
    status in ``refused`` (404 for "not yours" so nobody can probe what exists elsewhere; 403 for a role
    that may not use the URL at all).

    ``territorial=False``: the URL names no object of a territory (a list, a search, the caller's own
    data); it is called once per role (with ``build`` of the own place for its parameters) and only the
    status and the absence of the other territory's markers are checked.

    ``public=True``: reachable without signing in (the login page, the token endpoint).

    ``leak_check=False``: a response that may name the other territory by design (say why in ``note``).
    """

    name: str
    method: str = "GET"
    roles: frozenset[str] = ALL_ROLES
    build: Callable[[Place], Call] = _no_call
    success: tuple[int, ...] = SUCCESS
    refused: tuple[int, ...] = REFUSED
    territorial: bool = True
    public: bool = False
    leak_check: bool = True
    staff: bool = False  # the actor is made staff (the admin)
    variant: str = ""  # a second row of the same URL and method (other parameters) names itself here
    note: str = ""

    def key(self) -> str:
        return f"{self.method} {self.name}" + (f" [{self.variant}]" if self.variant else "")


# ------------------------------------------------------------------------------------- the admin site

ADMIN_REFUSED: tuple[int, ...] = (302, 403, 404)  # the admin redirects to its login or index when refused


def admin_routes(
    app_label: str,
    model_name: str,
    *,
    roles: frozenset[str] = NO_ROLE,
    build: Callable[[Place], Call] | None = None,
    add_roles: frozenset[str] | None = None,
    delete_roles: frozenset[str] | None = None,
    extra: tuple[str, ...] = (),
) -> list[Route]:
    """The five pages Django's admin makes for one model (changelist, add, change, delete, history), for
    staff accounts. ``roles``: who may open them (in their own territory); ``build`` gives the object id of
    a place's object as ``Call(kwargs={"object_id": ...})``. Without ``build`` the model is not territorial
    (reference data): only ``roles`` may open it, whatever the object. ``extra``: further URL names of the
    model admin that take the same ``build`` (e.g. the user admin's password page)."""
    object_build = build or (lambda place: Call(kwargs={"object_id": "1"}))
    prefix = f"admin:{app_label}_{model_name}"
    common = {"staff": True, "refused": ADMIN_REFUSED}
    routes = [
        Route(f"{prefix}_changelist", roles=roles, territorial=False, **common),  # type: ignore[arg-type]
        Route(
            f"{prefix}_add",
            roles=roles if add_roles is None else add_roles,
            territorial=False,
            **common,  # type: ignore[arg-type]
        ),
    ]
    for page in ("change", "delete", "history"):
        routes.append(
            Route(
                f"{prefix}_{page}",
                roles=delete_roles if page == "delete" and delete_roles is not None else roles,
                build=object_build,
                territorial=build is not None,
                **common,  # type: ignore[arg-type]
            )
        )
    for name in extra:
        routes.append(Route(name, roles=roles, build=object_build, territorial=build is not None, **common))  # type: ignore[arg-type]
    return routes


ADMIN_SITE_ROLES = frozenset({Role.ADMINISTRATOR, Role.PROSECUTOR})

# The URLs of the site itself (config/urls.py) and of Django's admin site.
ROUTES: list[Route] = [
    Route("api-schema", territorial=False, leak_check=False, note="the schema names no object"),
    Route("api-docs", territorial=False),
    Route("api-redoc", territorial=False),
    Route(
        "api-redoc-script", territorial=False, public=True, leak_check=False, note="a vendored script file"
    ),
    Route(
        "set_language",
        method="POST",
        territorial=False,
        public=True,
        success=(302,),
        build=lambda place: Call(data={"language": "en", "next": "/"}),
    ),
    Route("admin:index", roles=ADMIN_SITE_ROLES, territorial=False, staff=True, refused=ADMIN_REFUSED),
    Route("admin:login", territorial=False, public=True, success=(200,)),
    Route("admin:logout", method="POST", territorial=False, public=True, success=(200, 302)),
    Route(
        "admin:password_change", roles=ADMIN_SITE_ROLES, territorial=False, staff=True, refused=ADMIN_REFUSED
    ),
    Route(
        "admin:password_change_done",
        roles=ADMIN_SITE_ROLES,
        territorial=False,
        staff=True,
        refused=ADMIN_REFUSED,
    ),
    Route("admin:jsi18n", roles=ADMIN_SITE_ROLES, territorial=False, staff=True, refused=ADMIN_REFUSED),
    Route(
        "admin:autocomplete",
        roles=NO_ROLE,
        territorial=False,
        staff=True,
        refused=ADMIN_REFUSED,
        note="without app_label/model_name/field_name the view refuses (403)",
    ),
    Route(
        "admin:app_list",
        roles=ADMIN_SITE_ROLES,
        territorial=False,
        staff=True,
        refused=ADMIN_REFUSED,
        build=lambda place: Call(kwargs={"app_label": "audit"}),
    ),
    Route(
        "admin:view_on_site",
        roles=NO_ROLE,
        territorial=False,
        staff=True,
        refused=ADMIN_REFUSED,
        build=lambda place: Call(kwargs={"content_type_id": "1", "object_id": "1"}),
    ),
]

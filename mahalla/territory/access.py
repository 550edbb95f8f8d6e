"""Who may see which part of the country: the one place that turns an actor into a territorial filter.

Every selector of every app narrows its rows with :func:`territory_filter_for`; nothing else decides what
part of the territory an actor sees. The rules (docs/access.md):

- country scope sees everything; region scope its region; district scope its district; mahallas scope its
  listed mahallas;
- an anonymous or inactive actor, an unknown role, or a scope that is missing or inconsistent sees nothing.

Protected single objects are obtained only through the ``access_<thing>_by_<key>`` functions below, each
written one condition per line. An object outside the actor's scope is reported exactly like one that does
not exist (AccessDenied, which the API maps to 404), so that a probe cannot learn what exists elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mahalla.core.errors import AccessDenied
from mahalla.core.roles import Role, ScopeLevel

from .models import District, Mahalla, Region

# Q(pk__in=[]) is compiled by Django to "match nothing" without touching the database.
NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class TerritoryScope:
    """The part of the country an actor may see.

    ``level`` is one of the ScopeLevel values, or ``"none"`` for an actor who sees nothing. Only the id
    field of the level is filled: a region scope has ``region_id``, a district scope ``district_id`` (and
    ``region_id`` of its region, for territory navigation), a mahallas scope ``mahalla_ids``.
    """

    level: str
    region_id: int | None = None
    district_id: int | None = None
    mahalla_ids: frozenset[int] = frozenset()
    reason: str = ""

    @property
    def sees_nothing(self) -> bool:
        return self.level == "none"

    @property
    def sees_everything(self) -> bool:
        return self.level == ScopeLevel.COUNTRY

    def q(
        self,
        *,
        region: str | None = "region",
        district: str | None = "district",
        mahalla: str | None = "mahalla",
    ) -> Q:
        """A filter for a model that names its territory through the given foreign-key paths.

        Pass ``None`` for a level the model does not record (an aggregate kept per district has no mahalla);
        an actor whose scope needs that level then sees none of its rows: never more than allowed.
        """
        if self.level == ScopeLevel.COUNTRY:
            return Q()
        if self.level == ScopeLevel.REGION and region is not None:
            return Q(**{region: self.region_id})
        if self.level == ScopeLevel.DISTRICT and district is not None:
            return Q(**{district: self.district_id})
        if self.level == ScopeLevel.MAHALLAS and mahalla is not None:
            return Q(**{f"{mahalla}__in": sorted(self.mahalla_ids)})
        return NOTHING


def _nothing(reason: str) -> TerritoryScope:
    return TerritoryScope(level="none", reason=reason)


def _district_region_id(actor: Any) -> int | None:
    """The region of the actor's district, looked up once per user object (one request: a page asks for
    the scope several times) and again whenever the district named by the scope changes. The audit log reads
    the same key (audit.services._district_region_id) for the territory of each event it records."""
    cached = actor.__dict__.get("_scope_district_region")
    if cached is not None and cached[0] == actor.scope_district_id:
        return cast(int | None, cached[1])
    region_id = (
        District.objects.filter(pk=actor.scope_district_id).values_list("region_id", flat=True).first()
    )
    if region_id is not None:
        actor.__dict__["_scope_district_region"] = (actor.scope_district_id, region_id)
    return region_id


def territory_filter_for(actor: Any) -> TerritoryScope:
    """The territorial scope of ``actor``, checked for consistency; fail-closed.

    Use ``territory_filter_for(actor).q(...)`` in every selector. The checks are written one per line
    so that each way of seeing nothing is visible and tested.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        return _nothing("not signed in")
    if not actor.is_active:
        return _nothing("inactive account")
    if actor.role not in Role.values:
        return _nothing("unknown role")
    level = actor.scope_level
    if level == ScopeLevel.COUNTRY:
        if actor.scope_region_id is not None or actor.scope_district_id is not None:
            return _nothing("country scope must not name a region or district")
        return TerritoryScope(level=ScopeLevel.COUNTRY)
    if level == ScopeLevel.REGION:
        if actor.scope_region_id is None:
            return _nothing("region scope without a region")
        if actor.scope_district_id is not None:
            return _nothing("region scope must not name a district")
        return TerritoryScope(level=ScopeLevel.REGION, region_id=actor.scope_region_id)
    if level == ScopeLevel.DISTRICT:
        if actor.scope_district_id is None:
            return _nothing("district scope without a district")
        district_region_id = _district_region_id(actor)
        if district_region_id is None:
            return _nothing("district scope names a missing district")
        if actor.scope_region_id is not None and actor.scope_region_id != district_region_id:
            return _nothing("district scope names a region the district is not in")
        return TerritoryScope(
            level=ScopeLevel.DISTRICT, region_id=district_region_id, district_id=actor.scope_district_id
        )
    if level == ScopeLevel.MAHALLAS:
        rows = list(actor.scope_mahallas.values_list("pk", "district_id", "region_id"))
        if not rows:
            return _nothing("mahallas scope without any mahalla")
        if actor.scope_district_id is not None and any(row[1] != actor.scope_district_id for row in rows):
            return _nothing("mahallas scope lists a mahalla outside the named district")
        if actor.scope_region_id is not None and any(row[2] != actor.scope_region_id for row in rows):
            return _nothing("mahallas scope lists a mahalla outside the named region")
        return TerritoryScope(level=ScopeLevel.MAHALLAS, mahalla_ids=frozenset(row[0] for row in rows))
    return _nothing("unknown scope level")


# Territory rows themselves: an actor sees the units inside the scope and the units above it (so that a
# district chief can name the region the district belongs to), never a sibling.


def region_filter_for(actor: Any) -> Q:
    scope = territory_filter_for(actor)
    if scope.level == ScopeLevel.MAHALLAS:
        return Q(pk__in=Mahalla.objects.filter(pk__in=sorted(scope.mahalla_ids)).values("region_id"))
    if scope.level == ScopeLevel.DISTRICT:
        return Q(pk=scope.region_id)
    # Never OR a scope's Q with another: Q() | X is X in Django, which would shrink "everything" to X.
    return scope.q(region="pk", district=None, mahalla=None)


def district_filter_for(actor: Any) -> Q:
    scope = territory_filter_for(actor)
    if scope.level == ScopeLevel.MAHALLAS:
        return Q(pk__in=Mahalla.objects.filter(pk__in=sorted(scope.mahalla_ids)).values("district_id"))
    return scope.q(region="region", district="pk", mahalla=None)


def mahalla_filter_for(actor: Any) -> Q:
    return territory_filter_for(actor).q(region="region", district="district", mahalla="pk")


def access_region_by_code(actor: Any, code: str) -> Region:
    """The region with this code if the actor may see it; otherwise AccessDenied, as for a missing one."""
    region = Region.objects.filter(region_filter_for(actor), code=code).first()
    if region is None:
        raise AccessDenied(str(_("Region not found")), {"code": code})
    return region


def access_district_by_code(actor: Any, code: str) -> District:
    """The district with this code if the actor may see it; otherwise AccessDenied, as for a missing one."""
    # The parent's boundary is never read through this object: decoding it for every page was wasted work.
    district = (
        District.objects.select_related("region")
        .defer("region__boundary")
        .filter(district_filter_for(actor), code=code)
        .first()
    )
    if district is None:
        raise AccessDenied(str(_("District not found")), {"code": code})
    return district


def access_mahalla_by_code(actor: Any, code: str) -> Mahalla:
    """The mahalla with this code if the actor may see it; otherwise AccessDenied, as for a missing one."""
    mahalla = (
        Mahalla.objects.select_related("district", "region")
        # The boundaries are read through this object only by the map (its own request), so they are left
        # out: decoding a mahalla's polygons and its parents' was most of this query's cost on PostgreSQL. A
        # caller that reads one still gets it (a deferred field loads on access).
        .defer("boundary", "boundary_simplified", "district__boundary", "region__boundary")
        .filter(mahalla_filter_for(actor), code=code)
        .first()
    )
    if mahalla is None:
        raise AccessDenied(str(_("Mahalla not found")), {"code": code})
    return mahalla

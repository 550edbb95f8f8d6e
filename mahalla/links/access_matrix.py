"""Access matrix rows of the drug-network workbench (see mahalla/core/access_matrix.py). Only the readers
(LINKS_READERS: narcotics officers and national analysts) see anything, each inside the territory of their
scope; only the writers (LINKS_WRITERS: narcotics officers) enter entities. An entity outside the caller's
scope, or a caller of another role, gets a 404 as if it did not exist (mahalla/links/access.py)."""

from __future__ import annotations

import datetime as dt

from mahalla.core.access_matrix import Call, Place, Route
from mahalla.core.roles import LINKS_READERS, LINKS_WRITERS

READERS = frozenset(LINKS_READERS)
WRITERS = frozenset(LINKS_WRITERS)


def _source(place: Place):  # -> Source
    from .models import SourceKind
    from .services import source_create

    return source_create(
        actor=None,
        kind=SourceKind.REPORT,
        reference=f"Report {place.marker}",
        legal_basis="Law on operational-search activity, art. 14",
        mahalla=place.mahalla,
        system=True,
    )


def _shop(place: Place):  # -> Entity (a shop with a courier, a dead drop and a drop cluster)
    from .models import DropCluster
    from .services import entity_resolve, link_create

    source = _source(place)
    marker = place.marker.lower()
    shop = entity_resolve(
        actor=None,
        schema_name="Shop",
        properties={"name": f"Shop {place.marker}", "handle": f"@shop_{marker}", "platform": "telegram"},
        source=source,
        mahalla=place.mahalla,
        system=True,
    )
    courier = entity_resolve(
        actor=None,
        schema_name="Person",
        properties={"name": f"Courier {place.marker}"},
        source=source,
        mahalla=place.mahalla,
        system=True,
    )
    link_create(
        actor=None,
        schema_name="courier_for",
        source_entity=courier,
        target_entity=shop,
        source=source,
        date=dt.date(2025, 12, 20),
        system=True,
    )
    DropCluster.objects.create(
        computed_on=dt.date(2025, 12, 21),
        lat=41.3,
        lon=69.2,
        size=3,
        radius_m=50.0,
        first_seen=dt.date(2025, 12, 1),
        last_seen=dt.date(2025, 12, 20),
        members=[],
        mahalla=place.mahalla,
        district=place.district,
        region=place.region,
    )
    return shop


def _world(place: Place) -> Call:
    _shop(place)
    return Call()


def _shop_call(place: Place) -> Call:
    return Call(kwargs={"shop_id": _shop(place).pk})


def _entity_call(place: Place) -> Call:
    return Call(kwargs={"entity_id": _shop(place).pk})


def _entity_create(place: Place) -> Call:
    return Call(
        data={
            "schema": "Phone",
            "properties": {"number": "+998 90 123 45 67"},
            "source": _source(place).pk,
        },
        content="json",
    )


ROUTES: list[Route] = [
    # Pages
    Route("links:index", roles=READERS, territorial=False, build=_world),
    Route("links:entities", roles=READERS, territorial=False, build=_world),
    Route("links:entity", roles=READERS, build=_entity_call),
    Route("links:dossier", roles=READERS, build=_shop_call),
    Route("links:dossier-pdf", roles=READERS, build=_shop_call),
    Route("links:map", roles=READERS, territorial=False, build=_world),
    Route("links:map-data", roles=READERS, territorial=False, build=_world),
    # API
    Route("links-api-entities", roles=READERS, territorial=False, build=_world),
    Route(
        "links-api-entities",
        method="POST",
        roles=WRITERS,
        success=(201,),
        build=_entity_create,
        note="the source names the territory: another territory's source is a 404, as a missing one",
    ),
    Route("links-api-entity", roles=READERS, build=_entity_call),
    Route("links-api-suppliers", roles=READERS, build=_shop_call),
]

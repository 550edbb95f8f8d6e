"""Access matrix rows of the offence API, the import API and the incidents admin
(see mahalla/core/access_matrix.py)."""

from __future__ import annotations

from mahalla.core.access_matrix import Call, Place, Route, admin_routes
from mahalla.core.roles import IMPORTERS, OFFENCE_RECORD_READERS

RECORD_READERS = frozenset(OFFENCE_RECORD_READERS)


def _offence(place: Place) -> Call:
    return Call(kwargs={"offence_id": place.offence.pk}, query={"purpose": "access matrix"})


ROUTES: list[Route] = [
    Route("incidents:offence-list", roles=RECORD_READERS, territorial=False),
    Route(
        "incidents:offence-counts", territorial=False, build=lambda place: Call(query={"group_by": "mahalla"})
    ),
    Route("incidents:offence-detail", roles=RECORD_READERS, build=_offence),
    Route(
        "imports:territory-import",
        method="POST",
        roles=frozenset(IMPORTERS),
        territorial=False,
        success=(400,),
        note="no file: a clear 400; the import itself is tested in mahalla/incidents/tests",
    ),
    Route(
        "imports:offence-import", method="POST", roles=frozenset(IMPORTERS), territorial=False, success=(400,)
    ),
    *admin_routes("incidents", "offencecategory"),
    *admin_routes("incidents", "articlecategoryrule"),
    *admin_routes("incidents", "causecode"),
    *admin_routes("incidents", "importbatch"),
]

""" "Responsible" on every page is the named official of the officials app (confirmed, else proposed), never
the person an alert happens to be assigned to."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mahalla.analytics import selectors as analytics
from mahalla.officials.selectors import responsible_officials
from mahalla.territory.models import District, Region


def red_list_named(
    *,
    actor: Any,
    date: dt.date,
    region: Region | None = None,
    district: District | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """The red mahallas of the territory (analytics.red_list), each with `official`: the assignment naming
    the official who answers for the mahalla in the date's year, or None."""
    rows = analytics.red_list(actor=actor, date=date, region=region, district=district, limit=limit)
    named = responsible_officials(
        actor=actor, mahalla_ids=[row["result"].mahalla_id for row in rows], year=date.year
    )
    return [{**row, "official": named.get(row["result"].mahalla_id)} for row in rows]

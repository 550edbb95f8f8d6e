"""Extension points for apps above this one (the roadmaps app adds overdue measures and current roadmaps to
the accountability views). This app never imports them: they register here when Django loads them
(in their AppConfig.ready), so the pages show what is installed and nothing else.

A panel function takes ``(actor, official)`` and returns a dict ``{"title": str, "rows": [{"label": str,
"value": object}, ...]}`` or None; a district column takes ``(actor, district_ids, year)`` and returns
``(title, {district_id: value})``. Both must apply the actor's territory themselves (through their own
selectors).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

OfficialPanel = Callable[[Any, Any], dict[str, Any] | None]
DistrictColumn = Callable[[Any, Iterable[int], int], tuple[str, dict[int, Any]]]

_official_panels: list[OfficialPanel] = []
_district_columns: list[DistrictColumn] = []


def official_panel_register(function: OfficialPanel) -> OfficialPanel:
    if function not in _official_panels:
        _official_panels.append(function)
    return function


def district_column_register(function: DistrictColumn) -> DistrictColumn:
    if function not in _district_columns:
        _district_columns.append(function)
    return function


def official_panels() -> tuple[OfficialPanel, ...]:
    return tuple(_official_panels)


def district_columns() -> tuple[DistrictColumn, ...]:
    return tuple(_district_columns)

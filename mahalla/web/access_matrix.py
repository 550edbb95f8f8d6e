"""Access matrix rows of the pages (see mahalla/core/access_matrix.py)."""

from __future__ import annotations

import datetime as dt

from mahalla.core.access_matrix import Call, Place, Route

ALERT_HANDLERS = frozenset(
    {
        "national_analyst",
        "regional_chief",
        "district_chief",
        "responsible_official",
        "preventive_inspector",
        "prosecutor",
        "administrator",
    }
)
ALERT_ASSIGNERS = frozenset({"national_analyst", "regional_chief", "district_chief", "administrator"})


def _alert(place: Place) -> Call:
    from mahalla.analytics.models import Alert

    alert = Alert.objects.create(
        date=dt.date(2026, 1, 1),
        kind=Alert.kind.field.choices[0][0],
        mahalla=place.mahalla,
        district=place.district,
        region=place.region,
        detail={"note": place.marker},
    )
    return Call(kwargs={"alert_id": alert.pk}, data={"assignee": place.chief.username})


def _code(level: str):  # -> builder
    def build(place: Place) -> Call:
        code = {"region": place.region.code, "district": place.district.code, "mahalla": place.mahalla.code}[
            level
        ]
        return Call(kwargs={"code": code})

    return build


def _level(level: str, suffix: str = ""):  # -> builder
    def build(place: Place) -> Call:
        code = {"region": place.region.code, "district": place.district.code, "mahalla": place.mahalla.code}[
            level
        ]
        return Call(kwargs={"level": level, "code": code})

    return build


ROUTES: list[Route] = [
    Route("web:dashboard", territorial=False, success=(200, 302)),
    Route("web:home", territorial=False, success=(200, 302)),
    Route("web:country", territorial=False, success=(200, 302, 404)),
    Route("web:region", build=_code("region"), success=(200, 302)),
    Route("web:district", build=_code("district")),
    Route("web:mahalla", build=_code("mahalla")),
    Route("web:map-data", build=_level("district"), success=(200, 304)),
    Route("web:map-forecast-cells", build=_level("district")),
    Route("web:alerts", territorial=False),
    Route("web:alert-acknowledge", method="POST", roles=ALERT_HANDLERS, success=(302,), build=_alert),
    Route("web:alert-assign", method="POST", roles=ALERT_ASSIGNERS, success=(302,), build=_alert),
    Route("web:search", territorial=False, build=lambda place: Call(query={"q": "Mahalla"})),
    Route("web:briefing", build=_level("district"), success=(200, 404), note="404 until a daily run exists"),
]

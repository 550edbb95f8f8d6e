"""Labels and sentences for the pages, in the reader's language. The stored results keep numbers and codes;
the words are chosen here, at display time, so that switching the language switches everything."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from mahalla.core.formatting import number, signed_number

CLASS_COLOURS = {"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828", "": "#9e9e9e"}

CLASS_LABELS = {
    "green": gettext_lazy("green"),
    "yellow": gettext_lazy("yellow"),
    "red": gettext_lazy("red"),
    "": gettext_lazy("not analysed"),
}

HOTSPOT_PATTERNS = {
    "new": gettext_lazy("new"),
    "consecutive": gettext_lazy("consecutive"),
    "intensifying": gettext_lazy("intensifying"),
    "persistent": gettext_lazy("persistent"),
    "diminishing": gettext_lazy("diminishing"),
    "sporadic": gettext_lazy("sporadic"),
    "oscillating": gettext_lazy("oscillating"),
    "historical": gettext_lazy("historical"),
}

ALERT_LABELS = {
    "turned_red": gettext_lazy("Turned red"),
    "new_hotspot": gettext_lazy("New hot spot"),
    "intensifying_hotspot": gettext_lazy("Intensifying hot spot"),
    "cluster": gettext_lazy("Significant space-time cluster"),
    "spike": gettext_lazy("Spike"),
}


def hotspot_label(value: str) -> str:
    """Esri's class ("new hot spot", "no pattern detected", ...) in the reader's language."""
    if not value or value == "no pattern detected":
        return str(_("no pattern detected"))
    pattern, _space, kind = value.partition(" ")
    label = HOTSPOT_PATTERNS.get(pattern, pattern)
    if kind == "hot spot":
        return _("%(pattern)s hot spot") % {"pattern": label}
    return _("%(pattern)s cold spot") % {"pattern": label}


def category_name(category: Any) -> str:
    language = (get_language() or "uz").split("-")[0]
    return str(getattr(category, f"name_{language}", None) or category.name_en)


def territory_name(territory: Any) -> str:
    if territory is None:
        return str(_("Uzbekistan"))
    return str(territory.display_name())


def explanation_sentence(explanation: dict[str, Any], crime_class: str) -> str:
    """Why the mahalla is in its class, from the stored numbers of the rule."""
    if not explanation:
        return ""
    thresholds = explanation.get("thresholds", {})
    if explanation.get("no_crime"):
        return str(_("Green: no crime recorded in the last 12 months."))
    parts = []
    score = explanation.get("weighted_score") or 0.0
    if crime_class == "green":
        return _("Green: severity-weighted score %(score)s is at most %(limit)s.") % {
            "score": number(score, 1),
            "limit": thresholds.get("green_max_weighted_score", 0),
        }
    ratio = explanation.get("rate_ratio")
    if ratio is not None:
        parts.append(
            _(
                "smoothed rate %(rate)s per 100,000 is %(ratio)s times the reference %(reference)s "
                "(red needs %(min)s times)"
            )
            % {
                "rate": number(explanation.get("smoothed_rate_per_100k") or 0, 0),
                "ratio": number(ratio, 1),
                "reference": number(explanation.get("reference_rate_per_100k") or 0, 0),
                "min": thresholds.get("min_rate_ratio"),
            }
        )
    parts.append(
        _("%(observed)s offences where %(expected)s were expected (%(verdict)s)")
        % {
            "observed": number(explanation.get("place_count")),
            "expected": number(explanation.get("expected") or 0, 1),
            "verdict": _("significant excess") if explanation.get("excess") else _("no significant excess"),
        }
    )
    parts.append(
        _("severity-weighted score %(score)s (red evidence from %(limit)s)")
        % {"score": number(score, 1), "limit": thresholds.get("red_min_weighted_score")}
    )
    if explanation.get("trend_z") is not None:
        parts.append(
            _("change against the previous 12 months z = %(z)s (rising from %(limit)s)")
            % {"z": signed_number(explanation["trend_z"], 1), "limit": thresholds.get("rising_z")}
        )
    if crime_class == "red":
        fired = [
            str(label)
            for key, label in (
                ("excess", _("a significant excess")),
                ("severity", _("grave offences")),
                ("rising", _("a significant rise")),
            )
            if explanation.get(key)
        ]
        head = _("Red: a high rate together with %(evidence)s.") % {"evidence": ", ".join(fired)}
    elif not explanation.get("high_rate"):
        head = str(_("Yellow: offences were recorded, but the rate is not high enough for red."))
    else:
        head = str(_("Yellow: a high rate, but no significant excess, grave offences or rise."))
    if explanation.get("population_imputed"):
        parts.append(str(_("population unknown: the district's median was used")))
    return f"{head} " + "; ".join(parts) + "."


def alert_sentence(alert: Any) -> str:
    detail = alert.detail or {}
    if alert.kind == "turned_red":
        return _("Now red (was %(previous)s): %(observed)s offences where %(expected)s were expected.") % {
            "previous": CLASS_LABELS.get(detail.get("previous_class", ""), "-"),
            "observed": detail.get("place_count"),
            "expected": number(detail.get("expected") or 0, 1),
        }
    if alert.kind in ("new_hotspot", "intensifying_hotspot"):
        return _("Weekly hot-spot pattern: %(label)s (Mann-Kendall trend z = %(z)s).") % {
            "label": hotspot_label(detail.get("hotspot_class", "")),
            "z": number(detail.get("trend_z") or 0.0, 1),
        }
    if alert.kind == "spike":
        return "; ".join(
            _("%(category)s: %(observed)s today where %(expected)s were expected (q = %(q)s)")
            % {
                "category": category,
                "observed": values.get("observed"),
                "expected": number(values.get("expected") or 0.0, 1),
                "q": number(values.get("q_value") or 0.0, 3),
            }
            for category, values in detail.items()
        )
    if alert.kind == "cluster":
        return _(
            "%(observed)s offences in %(mahallas)s neighbouring mahallas from %(start)s to %(end)s where "
            "%(expected)s were expected (p = %(p)s)."
        ) % {
            "observed": detail.get("observed"),
            "mahallas": detail.get("mahallas"),
            "start": detail.get("start_date"),
            "end": detail.get("end_date"),
            "expected": number(detail.get("expected") or 0.0, 1),
            "p": number(detail.get("p_value") or 0.0, 3),
        }
    return ""


def drop_cluster_sentence(clusters: list[Any]) -> str:
    """The drug-network analysis's dead-drop clusters in the mahalla, for the explanation (shown only to the
    roles the links selector returns clusters to)."""
    if not clusters:
        return ""
    parts = []
    for cluster in clusters:
        nearest = [
            (distance, label)
            for distance, label in (
                (cluster.school_m, _("school")),
                (cluster.college_m, _("college")),
                (cluster.park_m, _("park")),
            )
            if distance is not None
        ]
        text = _("%(size)s drops within %(radius)s m, %(first)s to %(last)s") % {
            "size": number(cluster.size),
            "radius": number(cluster.radius_m),
            "first": cluster.first_seen.isoformat(),
            "last": cluster.last_seen.isoformat(),
        }
        if nearest:
            distance, label = min(nearest, key=lambda item: item[0])
            text += ", " + _("nearest %(place)s %(distance)s m") % {
                "place": label,
                "distance": number(distance),
            }
        parts.append(text)
    return (
        _("The drug-network analysis found dead-drop clusters in this mahalla: %(clusters)s.")
        % {"clusters": "; ".join(parts)}
        + " "
        + _("The roadmap templates offer measures for them.")
    )

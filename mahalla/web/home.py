"""The start page: what needs the signed-in user's attention today, by role and territory.

Every figure comes from the owning app's selectors with the user as actor, so a user sees only what lies in
their territory: new and open alerts (analytics), overdue measures (roadmaps), red mahallas without a named
official and assignments waiting for a decision (officials). Sections a role does not work with are left
out (the same role sets as the top navigation)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from mahalla.analytics import selectors as analytics
from mahalla.core.roles import ScopeLevel
from mahalla.officials.selectors import assignment_list, mahallas_with_official
from mahalla.officials.services import DECIDERS
from mahalla.roadmaps.selectors import measure_alert_list
from mahalla.territory.access import territory_filter_for
from mahalla.territory.models import District, Mahalla, Region

from . import presentation
from .home_modules import module_cards
from .templatetags.web_nav import OFFICIALS_USERS, ROADMAPS_USERS

SHOWN = 8


def _territory(actor: Any) -> tuple[Region | None, District | None, list[Mahalla]]:
    scope = territory_filter_for(actor)
    if scope.level == ScopeLevel.REGION:
        return Region.objects.defer("boundary").get(pk=scope.region_id), None, []
    if scope.level == ScopeLevel.DISTRICT:
        district = District.objects.select_related("region").defer("boundary", "region__boundary")
        return None, district.get(pk=scope.district_id), []
    if scope.level == ScopeLevel.MAHALLAS:
        mahallas = Mahalla.objects.filter(pk__in=sorted(scope.mahalla_ids)).defer("boundary").order_by("code")
        return None, None, list(mahallas.select_related("district").defer("district__boundary"))
    return None, None, []


def home_attention(*, actor: Any, today: dt.date | None = None) -> dict[str, Any]:
    """The start page's figures and short lists for `actor`."""
    scope = territory_filter_for(actor)
    role = getattr(actor, "role", "")
    region, district, mahallas = _territory(actor)
    date = analytics.latest_date(actor=actor)
    view: dict[str, Any] = {
        "date": date,
        "scope_level": scope.level,
        "territory_name": presentation.territory_name(district or region)
        if scope.level != ScopeLevel.MAHALLAS
        else ", ".join(m.display_name() for m in mahallas[:3]) + ("…" if len(mahallas) > 3 else ""),
        "situation_url": reverse("web:dashboard"),
        "aggregate": None,
        "my_mahallas": [],
        "new_alerts": [],
        "new_alerts_count": 0,
        "open_alerts_count": 0,
        "show_roadmaps": role in ROADMAPS_USERS,
        "show_officials": role in OFFICIALS_USERS,
        "overdue_count": 0,
        "overdue_mine_count": 0,
        "overdue": [],
        "red_without_official": [],
        "red_without_official_count": 0,
        "proposed_count": 0,
        "is_decider": role in DECIDERS,
        "module_cards": [],
    }
    if scope.sees_nothing:
        return view
    view["module_cards"] = module_cards(actor=actor, mahallas=mahallas, today=today or timezone.localdate())
    open_alerts = analytics.alert_list(actor=actor, status="open")
    # Both counts in one statement: the open alerts, and those of the latest analysed date.
    counts = open_alerts.aggregate(open=Count("id"), new=Count("id", filter=Q(date=date)))
    view["open_alerts_count"] = counts["open"]
    if date is not None:
        new = (
            open_alerts.filter(date=date)
            .select_related("mahalla", "district")
            .order_by("kind", "mahalla__code")
        )
        view["new_alerts_count"] = counts["new"]
        view["new_alerts"] = [
            {
                "alert": alert,
                "label": presentation.ALERT_LABELS.get(alert.kind, alert.kind),
                "sentence": presentation.alert_sentence(alert),
            }
            for alert in new[:SHOWN]
        ]
        if scope.level != ScopeLevel.MAHALLAS:
            view["aggregate"] = analytics.aggregate_get(
                actor=actor, date=date, region=region, district=district
            )
        results = analytics.mahalla_result_list(actor=actor, date=date)
        if scope.level == ScopeLevel.MAHALLAS:
            classes = dict(results.values_list("mahalla_id", "crime_class"))
            view["my_mahallas"] = [{"mahalla": m, "crime_class": classes.get(m.pk, "")} for m in mahallas]
        if view["show_officials"]:
            # Ids only for the count (656 red mahallas nationally); full rows for the few shown.
            red_ids = list(
                results.filter(crime_class="red")
                .order_by("-explanation__rate_ratio", "mahalla__code")
                .values_list("mahalla_id", flat=True)
            )
            named = mahallas_with_official(actor=actor, mahalla_ids=red_ids, year=date.year)
            missing = [mahalla_id for mahalla_id in red_ids if mahalla_id not in named]
            shown = {r.mahalla_id: r for r in results.filter(mahalla_id__in=missing[:SHOWN])}
            view["red_without_official_count"] = len(missing)
            view["red_without_official"] = [shown[i] for i in missing[:SHOWN] if i in shown]
            if view["is_decider"]:
                view["proposed_count"] = assignment_list(
                    actor=actor, year=date.year, status="proposed"
                ).count()
    if view["show_roadmaps"]:
        overdue = measure_alert_list(actor=actor, status="open").order_by("deadline", "pk")
        view["overdue_count"] = overdue.count()
        view["overdue_mine_count"] = measure_alert_list(actor=actor, mine=True, status="open").count()
        view["overdue"] = list(overdue[:SHOWN])
    return view

"""Server-rendered pages for analysts. Every read goes through the analytics, territory and incidents
selectors with the signed-in user as actor, so a page can never show more than the user's scope."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotModified,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mahalla.accounts.selectors import user_active_within_list
from mahalla.analytics import selectors as analytics
from mahalla.analytics.services import ALERT_ASSIGNERS, alert_acknowledge, alert_assign
from mahalla.core.dates import date_parse
from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.core.formatting import number
from mahalla.core.paging import paginate
from mahalla.core.roles import OFFENCE_RECORD_READERS, ScopeLevel
from mahalla.incidents.access import offence_records_allowed
from mahalla.incidents.models import CodeKind, OffenceCategory
from mahalla.incidents.selectors import offence_list, offence_reads_record
from mahalla.officials.selectors import assignment_marker
from mahalla.territory.access import (
    access_district_by_code,
    access_mahalla_by_code,
    access_region_by_code,
    territory_filter_for,
)
from mahalla.territory.models import District, Mahalla, Region

from . import presentation
from .briefing import briefing_context, briefing_pdf
from .home import home_attention
from .responsible import red_list_named

TERRITORY_CACHE_SECONDS = 600
RED_LIST_SHOWN = 30


def _date_param(request: HttpRequest) -> dt.date | None:
    """The requested date, or the latest analysed one."""
    value = request.GET.get("date")
    if value:
        return date_parse(value, field="date")
    return analytics.latest_date(actor=request.user)


def _territory(request: HttpRequest, level: str, code: str | None) -> tuple[Region | None, District | None]:
    try:
        if level == "region":
            return access_region_by_code(request.user, code or ""), None
        if level == "district":
            district = access_district_by_code(request.user, code or "")
            return district.region, district
    except AccessDenied as error:
        raise Http404(error.message) from error
    return None, None


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The start page: what needs the user's attention today in their territory (web/home.py)."""
    scope = territory_filter_for(request.user)
    if scope.sees_nothing:
        return render(request, "web/no_scope.html", status=403)
    return render(request, "web/home.html", home_attention(actor=request.user))


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The situation page where the user's scope starts."""
    scope = territory_filter_for(request.user)
    if scope.level == ScopeLevel.COUNTRY:
        return redirect("web:country")
    # Only the code: the row's boundary is thousands of numbers this redirect does not need.
    if scope.level == ScopeLevel.REGION:
        return redirect(
            "web:region", code=Region.objects.values_list("code", flat=True).get(pk=scope.region_id)
        )
    if scope.level == ScopeLevel.DISTRICT:
        return redirect(
            "web:district", code=District.objects.values_list("code", flat=True).get(pk=scope.district_id)
        )
    if scope.level == ScopeLevel.MAHALLAS:
        mahallas = (
            Mahalla.objects.filter(pk__in=sorted(scope.mahalla_ids))
            .select_related("district")
            .defer("boundary", "district__boundary")
            .order_by("code")
        )
        if len(mahallas) == 1:
            return redirect("web:mahalla", code=mahallas[0].code)
        return render(request, "web/my_mahallas.html", {"page": paginate(request, mahallas)})
    return render(request, "web/no_scope.html", status=403)


def _territory_page(request: HttpRequest, level: str, code: str | None = None) -> HttpResponse:
    region, district = _territory(request, level, code)
    date = _date_param(request)
    context: dict[str, Any] = {
        "level": level,
        "region": region,
        "district": district,
        "territory_code": code or "",
        "territory_name": presentation.territory_name(district or region),
        "date": date,
        "dates": analytics.analysed_dates(actor=request.user),
        "history_pending": analytics.analysis_backfill_pending(actor=request.user),
    }
    if date is None:
        return render(request, "web/territory.html", context)
    try:
        aggregate = analytics.aggregate_get(actor=request.user, date=date, region=region, district=district)
    except AccessDenied as error:
        raise Http404(error.message) from error
    if aggregate is not None:
        context.update(
            _territory_data(request, level, code, date, aggregate, region, district, context["dates"])
        )
    else:
        context["aggregate"] = None
    return render(request, "web/territory.html", context)


def _territory_data(
    request: HttpRequest,
    level: str,
    code: str | None,
    date: dt.date,
    aggregate: Any,
    region: Region | None,
    district: District | None,
    analysed: list[dt.date],
) -> dict[str, Any]:
    """The territory page's data, cached: it changes only when the date is re-analysed (a new run id), an
    earlier date is analysed (the trend chart: `analysed`, the analysed dates, e.g. a backfill running after
    the demo serves) or an alert of the territory is assigned, and building it is most of the page's time.
    The caller has checked that the user's scope covers the whole territory, so every user who reaches this
    sees the same data."""
    # Names the responsible officials: a confirmed, handed-over or ended assignment changes the page.
    assigned = assignment_marker(actor=request.user, region=region, district=district)
    language = (request.LANGUAGE_CODE or "uz").split("-")[0]
    # The run's start time, not only its id: ids can be reused after a rollback (tests), start times are not.
    run = f"{aggregate.run_id}.{aggregate.run.started_at.timestamp()}"
    dates = hashlib.sha256(",".join(day.isoformat() for day in analysed).encode()).hexdigest()[:12]
    key = f"web:territory:{level}:{code or 'all'}:{date.isoformat()}:{run}:{dates}:{language}:{assigned}"
    data = cache.get(key)
    if data is None:
        data = _territory_data_build(request, level, code, date, aggregate, region, district)
        cache.set(key, data, TERRITORY_CACHE_SECONDS)
    return data


def _territory_data_build(
    request: HttpRequest,
    level: str,
    code: str | None,
    date: dt.date,
    aggregate: Any,
    region: Region | None,
    district: District | None,
) -> dict[str, Any]:
    children: list[Any] = []
    mahallas: list[Any] = []
    if level == "country":
        children = list(analytics.aggregate_children(actor=request.user, date=date))
    elif level == "region":
        children = list(analytics.aggregate_children(actor=request.user, date=date, region=region))
    else:
        # Rows are prepared here rather than in the template: a district has up to a hundred mahallas and
        # per-row template tags (url, include, floatformat) were most of the page's time.
        results = sorted(
            analytics.mahalla_result_list(actor=request.user, date=date, district=district),
            key=lambda r: ({"red": 0, "yellow": 1, "green": 2}.get(r.crime_class, 3), r.mahalla.code),
        )
        mahalla_url = reverse("web:mahalla", kwargs={"code": "CODE"})
        mahallas = [
            {
                "code": r.mahalla.code,
                "name": r.mahalla.display_name(),
                "url": mahalla_url.replace("CODE", r.mahalla.code),
                "crime_class": r.crime_class,
                "class_label": str(presentation.CLASS_LABELS.get(r.crime_class, "")),
                "class_rank": {"red": 0, "yellow": 1, "green": 2}.get(r.crime_class, 3),
                "total_window": number(r.total_window),
                "rate": number(r.smoothed_rate_per_100k),
                "l28": {
                    key: number(((r.comparisons or {}).get("l28") or {}).get(key))
                    for key in ("current", "previous")
                },
                "forecast": number(r.forecast_next_week, 1),
            }
            for r in results
        ]
    series = analytics.aggregate_series(
        actor=request.user, date=date, region=None if district else region, district=district
    )
    categories = _category_names()
    return {
        "aggregate": aggregate,
        "children": children,
        "mahallas": mahallas,
        "category_rows": [
            (categories.get(code, code), count)
            for code, count in (aggregate.counts if aggregate else {}).items()
        ],
        "red_list": red_list_named(
            actor=request.user, date=date, region=region, district=district, limit=RED_LIST_SHOWN
        ),
        "red_total": aggregate.red if aggregate else 0,
        "alerts": list(
            analytics.alert_list(actor=request.user, date=date, region=region, district=district)[:10]
        ),
        "chart": {
            "labels": [row.date.isoformat() for row in series],
            "last_28_days": [row.comparisons.get("l28_current", 0) for row in series],
            "red": [row.red for row in series],
            "label_offences": str(_("Crimes in the last 28 days")),
            "label_red": str(_("Red mahallas")),
            "axis_x": str(_("Date of the analysis")),
            "axis_y": str(_("Crimes in the 28 days before the date")),
            "axis_y1": str(_("Number of red mahallas")),
        },
        "map_url": reverse("web:map-data", kwargs={"level": level, "code": code or "all"})
        + f"?date={date.isoformat()}",
        "cells_url": reverse("web:map-forecast-cells", kwargs={"level": level, "code": code or "all"})
        + f"?date={date.isoformat()}",
        "forecast_grid_choice": analytics.forecast_grid_choice_get(actor=request.user, date=date),
    }


@login_required
@require_GET
def country(request: HttpRequest) -> HttpResponse:
    if not territory_filter_for(request.user).sees_everything:
        raise Http404(_("Not found"))
    return _territory_page(request, "country")


@login_required
@require_GET
def region(request: HttpRequest, code: str) -> HttpResponse:
    return _territory_page(request, "region", code)


@login_required
@require_GET
def district(request: HttpRequest, code: str) -> HttpResponse:
    return _territory_page(request, "district", code)


@login_required
@require_GET
def map_data(request: HttpRequest, level: str, code: str) -> HttpResponse:
    """GeoJSON of the mahallas of a territory coloured by class: the full boundaries on a district map, the
    boundaries generalised at import time for the zoom of a region or the country map (a country's 9,000
    mahallas stay light), the centroid where no generalised shape is stored."""
    if level not in ("country", "region", "district"):
        raise Http404(_("Not found"))
    if level == "country" and not territory_filter_for(request.user).sees_everything:
        raise Http404(_("Not found"))
    region, district = _territory(request, level, code)
    date = _date_param(request)
    if date is None:
        return JsonResponse({"type": "FeatureCollection", "features": []})
    scope = territory_filter_for(request.user)
    if scope.level == ScopeLevel.MAHALLAS:
        # A mahalla-level role (inspector, Mahalla Seven, responsible official) may see a district only in
        # part: its map is the user's own mahallas of that district (the selector is scoped to them), under
        # a key of its own so that it is never served to someone who sees more or other mahallas.
        run_row = (
            analytics.mahalla_result_list(actor=request.user, date=date, region=region, district=district)
            .select_related("run")
            .first()
        )
        if run_row is None:
            return JsonResponse({"type": "FeatureCollection", "features": []})
        run_of_date = run_row.run
        mine = hashlib.sha256(",".join(map(str, sorted(scope.mahalla_ids))).encode()).hexdigest()[:16]
        scope_key = f"mahallas-{mine}"
    else:
        try:
            # The same rule as the territory page: only a territory wholly inside the scope, so that the
            # cached map of a territory is never shown to someone who may see only part of it.
            aggregate = analytics.aggregate_get(
                actor=request.user, date=date, region=region, district=district
            )
        except AccessDenied as error:
            raise Http404(error.message) from error
        if aggregate is None:
            return JsonResponse({"type": "FeatureCollection", "features": []})
        run_of_date = aggregate.run
        scope_key = "whole"
    language = (request.LANGUAGE_CODE or "uz").split("-")[0]
    run = f"{run_of_date.pk}.{run_of_date.started_at.timestamp()}"
    key = f"web:map:{level}:{code}:{scope_key}:{date.isoformat()}:{run}:{language}"
    # The body is a function of the key alone (a re-run of the date has a new run), so the key is its
    # validator: a browser that has this map revalidates and gets a 304 without the body being built or sent.
    # Checked only here, after the access check above, so a 304 never answers someone who may not see it.
    etag = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
    modified = run_of_date.finished_at or run_of_date.started_at
    if _not_modified(request, etag, modified):
        response = HttpResponseNotModified()
    else:
        body = cache.get(key)
        if body is None:
            body = json.dumps(
                {
                    "type": "FeatureCollection",
                    "features": _map_features(request, level, date, region, district),
                }
            )
            cache.set(key, body, TERRITORY_CACHE_SECONDS)
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified.timestamp())
    # Private: it is the map of the user's own territory; no-cache: reuse only after revalidating, so that a
    # signed-out or re-scoped user's browser asks again (and is refused) instead of showing a stored copy.
    response["Cache-Control"] = "private, no-cache"
    # The body depends on the language and, through the access check, on the session.
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


@login_required
@require_GET
def map_forecast_cells(request: HttpRequest, level: str, code: str) -> HttpResponse:
    """GeoJSON of the grid cells flagged by the date's next-week forecast in a territory (the map's
    forecast layer, switched on by the user), with the grid forecast's backtest score and margin over the
    all-history count in ``properties`` of the collection. Only the cells inside the user's scope."""
    if level not in ("country", "region", "district"):
        raise Http404(_("Not found"))
    if level == "country" and not territory_filter_for(request.user).sees_everything:
        raise Http404(_("Not found"))
    region, district = _territory(request, level, code)
    date = _date_param(request)
    features: list[dict[str, Any]] = []
    choice = None
    if date is not None:
        choice = analytics.forecast_grid_choice_get(actor=request.user, date=date)
        cells = analytics.forecast_cell_list(actor=request.user, date=date, region=region, district=district)
        for cell in cells:
            ring = [
                [cell.west, cell.south],
                [cell.east, cell.south],
                [cell.east, cell.north],
                [cell.west, cell.north],
                [cell.west, cell.south],
            ]
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                    "properties": {
                        "rank": cell.rank,
                        "expected": round(cell.expected, 3),
                        "mahalla": cell.mahalla.code,
                        "label": _(
                            "Forecast hot cell no. %(rank)d of the district: %(value).2f crimes expected"
                        )
                        % {"rank": cell.rank, "value": cell.expected},
                    },
                }
            )
    summary = None
    if choice is not None:
        summary = {
            "method": str(choice["method_label"]),
            "pei_star": choice["pei_star"],
            "margin_percent": choice["margin_percent"],
            "interval": choice["interval"],
            "weeks": choice["weeks"],
            "cell_metres": choice["cell_metres"],
        }
    response = JsonResponse({"type": "FeatureCollection", "features": features, "properties": summary})
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


def _not_modified(request: HttpRequest, etag: str, modified: dt.datetime) -> bool:
    """RFC 9110 13.1: If-None-Match decides when present; otherwise If-Modified-Since."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        # Weak comparison (a proxy may have weakened the tag); "*" matches any current representation.
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return etag in tags or "*" in tags
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and int(modified.timestamp()) <= since


def _category_names() -> dict[str, str]:
    """Offence category names in the reader's language by code. The categories are reference data that a
    migration changes, so the table is read once per language and cache period, not on every page."""
    language = (get_language() or "uz").split("-")[0]
    key = f"web:categories:{language}"
    names = cache.get(key)
    if names is None:
        names = {c.code: presentation.category_name(c) for c in OffenceCategory.objects.all()}
        cache.set(key, names, TERRITORY_CACHE_SECONDS)
    return names


def _map_features(
    request: HttpRequest, level: str, date: dt.date, region: Region | None, district: District | None
) -> list[dict[str, Any]]:
    features: list[dict[str, Any]] = []
    rows = analytics.mahalla_result_list(actor=request.user, date=date, region=region, district=district)
    fields = [
        "crime_class",
        "total_window",
        "hotspot_class",
        "forecast_next_week",
        "mahalla__code",
        "mahalla__name_uz",
        "mahalla__name_ru",
        "mahalla__centroid_lat",
        "mahalla__centroid_lon",
    ]
    # The district map draws the full boundaries; region and country maps the shapes generalised for their
    # zoom at import time (territory.geometry.MAP_LEVELS), or the mahalla's point where none is stored.
    fields.append("mahalla__boundary" if level == "district" else "mahalla__boundary_simplified")
    language = (request.LANGUAGE_CODE or "uz").split("-")[0]
    for row in rows.values(*fields):
        name = (
            row["mahalla__name_ru"]
            if language == "ru" and row["mahalla__name_ru"]
            else row["mahalla__name_uz"]
        )
        geometry = row.get("mahalla__boundary")
        if level != "district":
            geometry = (row.get("mahalla__boundary_simplified") or {}).get(level)
        if not geometry:
            if row["mahalla__centroid_lat"] is None:
                continue
            geometry = {
                "type": "Point",
                "coordinates": [row["mahalla__centroid_lon"], row["mahalla__centroid_lat"]],
            }
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "code": row["mahalla__code"],
                    "name": name,
                    "class": row["crime_class"],
                    "class_label": str(presentation.CLASS_LABELS.get(row["crime_class"], "")),
                    "colour": presentation.CLASS_COLOURS.get(row["crime_class"], "#9e9e9e"),
                    "offences": row["total_window"],
                    "hotspot": presentation.hotspot_label(row["hotspot_class"]),
                    "forecast": (
                        ""
                        if row["forecast_next_week"] is None
                        else _("Forecast next week: %(value).1f") % {"value": row["forecast_next_week"]}
                    ),
                    "url": reverse("web:mahalla", kwargs={"code": row["mahalla__code"]}),
                },
            }
        )
    return features


@login_required
@require_GET
def mahalla(request: HttpRequest, code: str) -> HttpResponse:
    try:
        place = access_mahalla_by_code(request.user, code)
    except AccessDenied as error:
        raise Http404(error.message) from error
    analysis = _mahalla_analysis(request, place)
    categories = _category_names()
    offences: list[Any] = []
    offence_page = None
    kind = request.GET.get("kind", "")
    kind = kind if kind in CodeKind.values else ""
    records_allowed = offence_records_allowed(request.user)
    if records_allowed:
        # The funnel's queryset (role and territory filter) narrowed to the mahalla obtained through the
        # access funnel; only the category is joined: the territory rows with their boundaries were most of
        # the page's time, and the page names the place already. Paged, newest first; every record shown
        # is logged as read.
        rows = (
            offence_list(actor=request.user)
            .filter(mahalla=place)
            .select_related(None)
            .select_related("category")
            .order_by("-occurred_at", "-pk")
        )
        if kind:
            rows = rows.filter(code_kind=kind)
        offence_page = paginate(request, rows, per_page=20)
        offences = list(offence_page.object_list)
        offence_reads_record(actor=request.user, offences=offences, purpose="mahalla page")
        for offence in offences:
            offence.category_name = categories.get(offence.category.code, offence.category.code)
    causes = []
    if analysis["date"] is not None:
        causes = analytics.mahalla_cause_counts(
            actor=request.user,
            mahalla=place,
            first=analysis["date"] - dt.timedelta(days=364),
            last=analysis["date"],
        )
    language = (request.LANGUAGE_CODE or "uz").split("-")[0]
    context = {
        "mahalla": place,
        "analysis": analysis,
        "offences": offences,
        "page": offence_page,
        "kind": kind,
        "kinds": CodeKind.choices,
        "records_allowed": records_allowed,
        "causes": [
            {"name": c.get(f"cause__name_{language}") or c["cause__name_en"], "count": c["count"]}
            for c in causes
        ],
        "alerts": list(analytics.alert_list(actor=request.user, mahalla=place)[:10]),
    }
    return render(request, "web/mahalla.html", context)


def _mahalla_analysis(request: HttpRequest, place: Mahalla) -> dict[str, Any]:
    """The mahalla page's sections that only an analysis run changes (class now, class history,
    comparisons, categories, map), rendered and cached: they were most of the page's time (queries and
    template) and are the same for every visit until the next run. {"date": the latest analysed date or
    None, "head": ..., "map": ... (HTML)}.

    The caller obtained `place` through the access funnel, so the actor sees all of its rows and the
    sections depend on the actor only through the language, the counts rule (small counts suppressed for a
    role that may not read the records) and the drop clusters the role may see, which are part of the key.
    The runs' marker changes when any run finishes (the history shows earlier dates, which can be re-run)."""
    actor = request.user
    drop_clusters = presentation.drop_cluster_sentence(_mahalla_drop_clusters(actor, place))
    language = (request.LANGUAGE_CODE or "uz").split("-")[0]
    counts_rule = "all" if getattr(actor, "role", None) in OFFENCE_RECORD_READERS else "suppressed"
    drops = hashlib.sha256(str(drop_clusters).encode()).hexdigest()[:16]
    runs = analytics.finished_runs_marker(actor=actor)
    key = f"web:mahalla:{place.pk}:{runs}:{language}:{counts_rule}:{drops}"
    data = cache.get(key)
    if data is None:
        data = _mahalla_analysis_build(actor, place, drop_clusters)
        cache.set(key, data, TERRITORY_CACHE_SECONDS)
    # Our own rendering (escaped when it was made), kept as plain strings.
    return {"date": data["date"], "head": mark_safe(data["head"]), "map": mark_safe(data["map"])}  # noqa: S308


def _mahalla_analysis_build(actor: Any, place: Mahalla, drop_clusters: str) -> dict[str, Any]:
    # Rendered without the request: no context processor adds anything of this request or session (a
    # CSRF token, messages) to what every visitor with the same key is shown.
    history = analytics.mahalla_result_history(actor=actor, mahalla=place)
    current = analytics.mahalla_result_latest(actor=actor, mahalla=place)
    data: dict[str, Any] = {"date": None, "head": "", "map": ""}
    if current is not None:
        categories = _category_names()
        forecast_choice, forecast_grid_choice = analytics.forecast_choices_get(actor=actor, date=current.date)
        context = {
            "user": actor,  # the counts rule of the web_counts filters
            "current": current,
            "forecast_grid_choice": forecast_grid_choice,
            "forecast_choice": forecast_choice,
            "history": history,
            # Part of the cached sections: each backfilled date that finishes changes the runs' marker.
            "history_pending": analytics.analysis_backfill_pending(actor=actor),
            "history_ticks": _history_ticks([r.date for r in history]),
            "changes": [
                {"date": after.date, "before": before.crime_class, "after": after.crime_class}
                for before, after in zip(history, history[1:], strict=False)
                if before.crime_class != after.crime_class
            ][-10:],
            "explanation": presentation.explanation_sentence(current.explanation, current.crime_class),
            "drop_clusters": drop_clusters,
            "category_rows": [(categories.get(k, k), v) for k, v in (current.counts or {}).items()],
            "comparison_rows": [
                (label, (current.comparisons or {}).get(key, {}))
                for key, label in (
                    ("wtd", _("Week to date")),
                    ("l28", _("Last 28 days")),
                    ("ytd", _("Year to date")),
                )
            ],
            "hotspot": presentation.hotspot_label(current.hotspot_class),
            "map_url": reverse("web:map-data", kwargs={"level": "district", "code": place.district.code})
            + f"?date={current.date.isoformat()}",
            "cells_url": reverse(
                "web:map-forecast-cells", kwargs={"level": "district", "code": place.district.code}
            )
            + f"?date={current.date.isoformat()}",
        }
        data = {
            "date": current.date,
            "head": str(render_to_string("web/_mahalla_analysis.html", context)),
            "map": str(render_to_string("web/_mahalla_map.html", context)),
        }
    return data


def _mahalla_drop_clusters(actor: Any, place: Mahalla) -> list[Any]:
    # Imported here: the links selectors pull in igraph, which the web module's import must not.
    from mahalla.links.selectors import mahalla_drop_clusters

    return mahalla_drop_clusters(actor, place)


def _history_ticks(dates: list[dt.date], ticks: int = 5) -> list[dt.date]:
    """About `ticks` evenly spaced dates under the class history, the first and the last included."""
    if len(dates) <= ticks:
        return dates
    step = (len(dates) - 1) / (ticks - 1)
    return [dates[round(i * step)] for i in range(ticks)]


def _alert_rows(request: HttpRequest, alerts: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "alert": alert,
            "label": presentation.ALERT_LABELS.get(alert.kind, alert.kind),
            "sentence": presentation.alert_sentence(alert),
        }
        for alert in alerts
    ]


def _assignable_users(request: HttpRequest) -> list[Any]:
    """Active users for the page's one list of names to assign to (the service checks that the chosen
    person can see the mahalla)."""
    if request.user.role not in ALERT_ASSIGNERS:
        return []
    return user_active_within_list(request.user)


@login_required
@require_GET
def alerts(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    status = status if status in ("open", "acknowledged", "all") else "open"
    rows = analytics.alert_list(actor=request.user, status=None if status == "all" else status)
    page = paginate(request, rows)
    return render(
        request,
        "web/alerts.html",
        {
            "rows": _alert_rows(request, list(page.object_list)),
            "page": page,
            "status": status,
            "users": _assignable_users(request),
            "can_assign": request.user.role in ALERT_ASSIGNERS,
        },
    )


def _alert_action(request: HttpRequest, alert_id: int, action: Any) -> HttpResponse:
    try:
        alert = action()
    except AccessDenied as error:
        raise Http404(error.message) from error
    except ApplicationError as error:
        return HttpResponseBadRequest(error.message)
    row = _alert_rows(request, [alert])[0]
    if request.headers.get("HX-Request"):
        return render(
            request, "web/_alert_row.html", {"row": row, "can_assign": request.user.role in ALERT_ASSIGNERS}
        )
    return redirect("web:alerts")


@login_required
@require_POST
def alert_acknowledge_view(request: HttpRequest, alert_id: int) -> HttpResponse:
    return _alert_action(request, alert_id, lambda: alert_acknowledge(actor=request.user, alert_id=alert_id))


@login_required
@require_POST
def alert_assign_view(request: HttpRequest, alert_id: int) -> HttpResponse:
    username = (request.POST.get("assignee") or "").strip()
    assignee = get_user_model().objects.filter(username=username).first() if username else None
    return _alert_action(
        request, alert_id, lambda: alert_assign(actor=request.user, alert_id=alert_id, assignee=assignee)
    )


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")
    if request.headers.get("HX-Request"):
        # The drop-down under the search box: the first matches of each kind and a link to all of them.
        results = analytics.territory_search(actor=request.user, text=text, limit=8)
        return render(request, "web/_search_results.html", {"q": text, "results": results})
    found = analytics.territory_search_querysets(actor=request.user, text=text)
    page = paginate(request, _Chained([found["regions"], found["districts"], found["mahallas"]]))
    rows = [
        {
            "kind": kind,
            "item": item,
            "url": reverse(f"web:{kind}", kwargs={"code": item.code}),
        }
        for item in page.object_list
        for kind in [type(item).__name__.lower()]
    ]
    return render(request, "web/search.html", {"q": text, "page": page, "rows": rows})


class _Chained:
    """Several querysets paged as one list (regions, then districts, then mahallas), counting each once
    and fetching only the rows of the page asked for."""

    def __init__(self, querysets: list[Any]) -> None:
        self.querysets = querysets
        self._counts: list[int] | None = None

    def counts(self) -> list[int]:
        if self._counts is None:
            self._counts = [queryset.count() for queryset in self.querysets]
        return self._counts

    def count(self) -> int:
        return sum(self.counts())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Any]:
        start, stop = window.start or 0, window.stop
        items: list[Any] = []
        offset = 0
        for queryset, size in zip(self.querysets, self.counts(), strict=True):
            low, high = max(start - offset, 0), min(stop - offset, size)
            if low < high:
                items.extend(queryset[low:high])
            offset += size
        return items


@login_required
@require_GET
def briefing(request: HttpRequest, level: str, code: str) -> HttpResponse:
    if level not in ("country", "region", "district"):
        raise Http404(_("Not found"))
    if level == "country" and not territory_filter_for(request.user).sees_everything:
        raise Http404(_("Not found"))
    region, district = _territory(request, level, code)
    date = _date_param(request)
    if date is None:
        raise Http404(_("Nothing has been analysed yet."))
    try:
        context = briefing_context(
            actor=request.user,
            date=date,
            region=region,
            district=district,
            site_url=request.build_absolute_uri("/").rstrip("/"),
        )
    except AccessDenied as error:
        raise Http404(error.message) from error
    if request.GET.get("format") == "pdf":
        pdf = briefing_pdf(context)
        response = HttpResponse(pdf, content_type="application/pdf")
        name = f"briefing-{code if level != 'country' else 'UZ'}-{date.isoformat()}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(request, "web/briefing.html", context)

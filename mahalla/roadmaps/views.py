"""Server-rendered pages of roadmaps, measures, overdue alerts, progress, causes and effects. Every read goes
through the selectors and access funnels with the signed-in user as actor; every write through the services
(scoped, validated, audited). A roadmap or measure outside the user's scope is a 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mahalla.accounts.selectors import user_active_within_list
from mahalla.audit.models import AuditAction
from mahalla.audit.services import audit_record
from mahalla.core.dates import date_parse
from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.core.paging import paginate
from mahalla.territory.access import district_filter_for, mahalla_filter_for, region_filter_for
from mahalla.territory.models import District, Mahalla, Region

from . import selectors, services
from .access import access_measure_by_id, access_roadmap_by_id, measure_work_allowed, roadmap_planning_allowed
from .catalogue import catalogue
from .models import Measure, MeasureEvidence, PeriodKind, TerritoryLevel
from .presentation import effect_sentence, reason_rows


def _not_found(error: AccessDenied) -> Http404:
    return Http404(error.message)


def _owner(value: str) -> Any:
    if not value:
        return None
    if not value.isdigit():
        raise ApplicationError(_("%(value)s is not an account.") % {"value": value[:40]}, {"field": "owner"})
    return get_user_model().objects.filter(pk=int(value)).first()


def _date(value: str | None, default: dt.date) -> dt.date:
    if not value:
        return default
    return date_parse(value)


def _territory_choices(request: HttpRequest) -> dict[str, list[Any]]:
    """The territories the user may plan for, for the form's select (the service checks again)."""
    user = request.user
    return {
        "region": list(
            Region.objects.filter(region_filter_for(user))
            .only("code", "name_uz", "name_ru", "name_uz_cyrl")
            .order_by("code")
        ),
        "district": list(
            District.objects.filter(district_filter_for(user))
            .only("code", "name_uz", "name_ru", "name_uz_cyrl")
            .order_by("code")[:300]
        ),
        "mahalla": list(
            Mahalla.objects.filter(mahalla_filter_for(user))
            .only("code", "name_uz", "name_ru", "name_uz_cyrl")
            .order_by("code")[:2000]
        ),
    }


def _owners(request: HttpRequest) -> list[Any]:
    # The accounts working inside the planner's territory (never those of another: their names are not
    # for this page); the service also refuses an owner who works outside the roadmap's territory.
    return user_active_within_list(request.user)


@login_required
@require_GET
def roadmap_index(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.roadmap_list(actor=request.user).order_by("-period_start", "-id"))
    alerts = list(selectors.measure_alert_list(actor=request.user, mine=True, status="open")[:50])
    return render(
        request,
        "roadmaps/index.html",
        {
            "rows": list(page.object_list),
            "page": page,
            "alerts": alerts,
            "can_plan": roadmap_planning_allowed(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def roadmap_new(request: HttpRequest) -> HttpResponse:
    if not roadmap_planning_allowed(request.user):
        raise Http404(_("Your role does not allow planning roadmaps."))
    today = timezone.localdate()
    form: dict[str, Any] = {
        "level": request.POST.get("level", TerritoryLevel.MAHALLA),
        "code": request.POST.get("code", request.GET.get("code", "")),
        "period_kind": request.POST.get("period_kind", PeriodKind.MONTH),
        "period_start": request.POST.get("period_start", today.replace(day=1).isoformat()),
        "template_keys": request.POST.getlist("template_keys"),
        "source": request.POST.get("source", "template"),
        "owner": request.POST.get("owner", ""),
    }
    if request.method == "POST":
        try:
            owner = _owner(form["owner"])
            period_start = _date(form["period_start"], today)
            if form["source"] == "explanation":
                roadmap = services.roadmap_create_from_explanation(
                    actor=request.user,
                    mahalla_code=form["code"],
                    period_kind=form["period_kind"],
                    period_start=period_start,
                    owner=owner,
                )
            else:
                roadmap = services.roadmap_create_from_template(
                    actor=request.user,
                    level=form["level"],
                    code=form["code"],
                    period_kind=form["period_kind"],
                    period_start=period_start,
                    template_keys=form["template_keys"],
                    title=request.POST.get("title", ""),
                    owner=owner,
                )
        except AccessDenied:
            messages.error(request, _("You cannot plan for this territory."))
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Roadmap created with %(count)s measures.") % {"count": roadmap.measures.count()}
            )
            return redirect("roadmaps-web:detail", roadmap_id=roadmap.pk)
    return render(
        request,
        "roadmaps/new.html",
        {
            "form": form,
            "templates": list(catalogue().templates.values()),
            "territories": _territory_choices(request),
            "owners": _owners(request),
            "levels": TerritoryLevel.choices,
            "period_kinds": PeriodKind.choices,
        },
    )


@login_required
@require_GET
def roadmap_detail(request: HttpRequest, roadmap_id: int) -> HttpResponse:
    try:
        roadmap = access_roadmap_by_id(request.user, roadmap_id)
    except AccessDenied as error:
        raise _not_found(error) from error
    today = timezone.localdate()
    measures = list(selectors.measure_list(actor=request.user, roadmap=roadmap))
    effects = [
        {"estimate": e, "sentence": effect_sentence(e)}
        for e in selectors.effect_list(actor=request.user, roadmap=roadmap)
    ]
    return render(
        request,
        "roadmaps/detail.html",
        {
            "roadmap": roadmap,
            "reasons": reason_rows(roadmap.reasons or []),
            "rows": [
                {
                    "measure": m,
                    "overdue": m.is_overdue(today),
                    "can_work": measure_work_allowed(request.user, m),
                }
                for m in measures
            ],
            "statuses": Measure.Status.choices,
            "effects": effects,
            "can_plan": roadmap_planning_allowed(request.user),
            "done_measures": [m for m in measures if m.status == Measure.Status.DONE],
        },
    )


def _measure_action(request: HttpRequest, measure_id: int, action: Any) -> HttpResponse:
    try:
        measure = access_measure_by_id(request.user, measure_id)
    except AccessDenied as error:
        raise _not_found(error) from error
    try:
        action()
    except AccessDenied as error:
        messages.error(request, error.message)
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect(f"{_detail_url(measure.roadmap_id)}#measure-{measure.pk}")


def _detail_url(roadmap_id: int) -> str:
    from django.urls import reverse

    return reverse("roadmaps-web:detail", kwargs={"roadmap_id": roadmap_id})


@login_required
@require_POST
def measure_status(request: HttpRequest, measure_id: int) -> HttpResponse:
    return _measure_action(
        request,
        measure_id,
        lambda: services.measure_update(
            actor=request.user, measure_id=measure_id, status=request.POST.get("status")
        ),
    )


@login_required
@require_POST
def measure_evidence(request: HttpRequest, measure_id: int) -> HttpResponse:
    upload = request.FILES.get("file")

    def add() -> None:
        if upload is None:
            raise ApplicationError(_("Choose a file to upload."))
        services.measure_evidence_add(actor=request.user, measure_id=measure_id, upload=upload)

    return _measure_action(request, measure_id, add)


@login_required
@require_POST
def measure_comment(request: HttpRequest, measure_id: int) -> HttpResponse:
    return _measure_action(
        request,
        measure_id,
        lambda: services.measure_comment_add(
            actor=request.user, measure_id=measure_id, text=request.POST.get("text", "")
        ),
    )


@login_required
@require_GET
def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    evidence = MeasureEvidence.objects.filter(pk=evidence_id).select_related("measure").first()
    if evidence is None:
        raise Http404(_("Evidence not found"))
    try:
        access_measure_by_id(request.user, evidence.measure_id)
    except AccessDenied as error:
        raise _not_found(error) from error
    audit_record(
        actor=request.user,
        action=AuditAction.READ,
        object_type="roadmaps.measureevidence",
        object_id=evidence.pk,
        object_repr=evidence.original_name,
    )
    return FileResponse(
        evidence.file.open("rb"),
        content_type=evidence.content_type,
        as_attachment=True,
        filename=evidence.original_name,
    )


@login_required
@require_POST
def roadmap_effect(request: HttpRequest, roadmap_id: int) -> HttpResponse:
    measure_id = request.POST.get("measure") or None
    try:
        services.roadmap_effect_estimate(
            actor=request.user,
            roadmap_id=roadmap_id,
            measure_id=int(measure_id) if measure_id and measure_id.isdigit() else None,
            period=request.POST.get("period", "month"),
        )
    except AccessDenied as error:
        raise _not_found(error) from error
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect(f"{_detail_url(roadmap_id)}#effect")


@login_required
@require_GET
def alerts(request: HttpRequest) -> HttpResponse:
    mine = request.GET.get("all") != "1"
    page = paginate(
        request,
        selectors.measure_alert_list(actor=request.user, mine=mine).order_by("status", "-raised_on", "id"),
    )
    return render(
        request,
        "roadmaps/alerts.html",
        {"rows": list(page.object_list), "page": page, "mine": mine, "today": timezone.localdate()},
    )


@login_required
@require_POST
def alert_acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    try:
        services.measure_alert_acknowledge(actor=request.user, alert_id=alert_id)
    except AccessDenied as error:
        raise _not_found(error) from error
    return redirect("roadmaps-web:alerts")


@login_required
@require_GET
def progress(request: HttpRequest, level: str, code: str) -> HttpResponse:
    try:
        figures = selectors.roadmap_progress(actor=request.user, level=level, code=code)
        roadmaps = list(selectors.roadmap_list(actor=request.user, level=level, code=code)[:200])
    except AccessDenied as error:
        raise _not_found(error) from error
    except ApplicationError as error:
        raise Http404(error.message) from error
    return render(
        request, "roadmaps/progress.html", {"progress": figures, "roadmaps": roadmaps, "level": level}
    )


@login_required
@require_GET
def causes(request: HttpRequest, level: str, code: str) -> HttpResponse:
    today = timezone.localdate()
    try:
        last = _date(request.GET.get("last"), today)
        first = _date(request.GET.get("first"), last - dt.timedelta(days=364))
        territory = selectors.territory_get(actor=request.user, level=level, code=code)
        pareto = selectors.cause_pareto(actor=request.user, level=level, code=code, first=first, last=last)
        repeat = selectors.recurrence(actor=request.user, level=level, code=code, first=first, last=last)
    except AccessDenied as error:
        raise _not_found(error) from error
    except ApplicationError as error:
        raise Http404(error.message) from error
    return render(
        request,
        "roadmaps/causes.html",
        {
            "territory": territory,
            "level": level,
            "first": first,
            "last": last,
            "pareto": pareto,
            "repeat": repeat,
        },
    )

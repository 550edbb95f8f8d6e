"""Server-rendered pages: the year's assignments with confirm / change for chiefs, one official's
accountability, and the per-district coverage of red mahallas. Thin views over selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mahalla.analytics.models import DailyRun
from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.core.paging import paginate

from .models import Assignment
from .selectors import (
    access_official_by_id,
    assignment_list,
    district_accountability,
    official_accountability,
    official_list,
)
from .services import DECIDERS, assignment_change, assignment_confirm, assignment_decidable


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year") or request.POST.get("year")
    if raw and raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    latest = (
        DailyRun.objects.filter(status=DailyRun.Status.DONE)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    return latest.year if latest else 2000


@login_required
def assignments(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    status = request.GET.get("status", "active")
    page = paginate(
        request,
        assignment_list(actor=request.user, year=year, status=status or None).order_by("-priority", "id"),
    )
    rows = list(page.object_list)
    is_decider = request.user.role in DECIDERS  # type: ignore[union-attr]
    # Officials a chief may hand over to: those of the same positions in the chief's territory.
    if is_decider:
        visible = list(official_list(actor=request.user).filter(active=True).order_by("name"))
        for row in rows:
            row.decidable = assignment_decidable(request.user, row)  # type: ignore[attr-defined]
            if row.is_active and row.decidable:  # type: ignore[attr-defined]
                row.handover_choices = [  # type: ignore[attr-defined]
                    o
                    for o in visible
                    if o.position in row.rule.positions
                    and o.level == row.rule.official_level
                    and o.pk != row.official_id
                ]
    return render(
        request,
        "officials/assignments.html",
        {
            "year": year,
            "status": status,
            "rows": rows,
            "page": page,
            "is_decider": is_decider,
            "statuses": ["active", *Assignment.Status.values, ""],
        },
    )


def _back(request: HttpRequest, year: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse('officials:assignments')}?year={year}")


@login_required
@require_POST
def assignment_confirm_view(request: HttpRequest, assignment_id: int) -> HttpResponse:
    try:
        assignment = assignment_confirm(actor=request.user, assignment_id=assignment_id)
    except AccessDenied:
        raise Http404(_("Assignment not found")) from None
    except ApplicationError as error:
        messages.error(request, error.message)
        return _back(request, _year(request))
    messages.success(request, _("Confirmed: %(name)s.") % {"name": assignment.official.name})
    return _back(request, assignment.year)


@login_required
@require_POST
def assignment_change_view(request: HttpRequest, assignment_id: int) -> HttpResponse:
    official = request.POST.get("official", "")
    try:
        successor = assignment_change(
            actor=request.user,
            assignment_id=assignment_id,
            official_id=int(official) if official.isdigit() else -1,
            reason=request.POST.get("reason", ""),
        )
    except AccessDenied:
        raise Http404(_("Assignment not found")) from None
    except ApplicationError as error:
        messages.error(request, error.message)
        return _back(request, _year(request))
    messages.success(request, _("Handed over to %(name)s.") % {"name": successor.official.name})
    return _back(request, successor.year)


@login_required
def official_detail(request: HttpRequest, official_id: int) -> HttpResponse:
    try:
        official = access_official_by_id(request.user, official_id)
    except AccessDenied:
        raise Http404(_("Official not found")) from None
    view = official_accountability(actor=request.user, official=official, purpose="web")
    return render(request, "officials/official.html", view)


@login_required
def districts(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    view = district_accountability(actor=request.user, year=year)
    page = paginate(request, view["rows"])
    return render(
        request,
        "officials/districts.html",
        {"year": year, **view, "rows": list(page.object_list), "page": page},
    )

"""Casework pages: the index, the inspector's worklist (phone-sized, offline-capable), persons and their
cards, protection orders, results. Thin: reads through selectors, writes through services; a person's card
is opened only with a purpose, and the read is audited with it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.core.paging import paginate
from mahalla.territory.access import access_mahalla_by_code, mahalla_filter_for
from mahalla.territory.models import Mahalla

from . import selectors, services
from .access import (
    access_checkin_by_id,
    access_conclusion_by_id,
    access_order_by_id,
    access_person_by_id,
    order_filter_for,
    reads_orders,
    reads_persons,
)
from .models import LegalCategory, ServiceKind, ViolenceReport
from .presentation import worklist_payload

SERVICE_WORKER = Path(__file__).parent / "static" / "cases" / "sw.js"


def _not_found(error: AccessDenied) -> Http404:
    return Http404(error.message)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    mahallas = []
    if reads_persons(request.user):
        mahallas = list(
            Mahalla.objects.filter(mahalla_filter_for(request.user))
            .defer("boundary")
            .order_by("name_uz")[:200]
        )
    counts = selectors.register_counts(actor=request.user)
    names = {c.code: c.display_name() for c in LegalCategory.objects.all()}
    return render(
        request,
        "cases/index.html",
        {
            "mahallas": mahallas,
            "counts": counts,
            "category_rows": [(names.get(code, code), value) for code, value in counts["categories"].items()],
            "reads_persons": reads_persons(request.user),
            "reads_orders": reads_orders(request.user),
        },
    )


@login_required
@require_GET
def worklist(request: HttpRequest, code: str) -> HttpResponse:
    try:
        mahalla = access_mahalla_by_code(request.user, code)
    except AccessDenied as error:
        raise _not_found(error) from error
    if not reads_persons(request.user):
        raise Http404(_("The worklist is not shown to your role"))
    work = selectors.worklist_for(actor=request.user, mahalla=mahalla)
    selectors.persons_read_audit(actor=request.user, persons=work.persons(), purpose="worklist")
    return render(
        request,
        "cases/worklist.html",
        {
            "work": work,
            "mahalla": mahalla,
            "api_url": reverse("cases:worklist", args=[mahalla.code]),
            "payload": worklist_payload(work),
        },
    )


@login_required
@require_GET
def persons(request: HttpRequest) -> HttpResponse:
    if not reads_persons(request.user):
        raise Http404(_("Persons are not shown to your role"))
    rows = selectors.person_list(
        actor=request.user, mahalla_code=request.GET.get("mahalla") or None, query=request.GET.get("q", "")
    )
    page = paginate(request, rows)
    selectors.persons_read_audit(actor=request.user, persons=page.object_list, purpose="case work")
    return render(request, "cases/persons.html", {"page": page, "q": request.GET.get("q", "")})


def _card_context(request: HttpRequest, person_id: int, purpose: str) -> dict[str, Any]:
    card = selectors.person_card(actor=request.user, person_id=person_id, purpose=purpose)
    reports = list(ViolenceReport.objects.filter(victim=card.person, order__isnull=True))
    return {
        "card": card,
        "person": card.person,
        "purpose": purpose,
        "reports_without_order": reports,
        "services": ServiceKind.choices,
        "today": timezone.localdate(),
        "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }


@login_required
@require_GET
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    purpose = request.GET.get("purpose", "").strip()
    try:
        access_person_by_id(request.user, person_id)
    except AccessDenied as error:
        raise _not_found(error) from error
    if not purpose:
        # No record is shown without a purpose: ask for it first.
        return render(request, "cases/purpose.html", {"person_id": person_id, "purposes": selectors.PURPOSES})
    return render(request, "cases/person.html", _card_context(request, person_id, purpose))


def _date_field(request: HttpRequest, name: str) -> dt.date:
    value = parse_date(request.POST.get(name, "") or "")
    if value is None:
        raise ApplicationError(
            _("Give a date (YYYY-MM-DD)."), {"field": name, "value": request.POST.get(name, "")}
        )
    return value


def _datetime_field(request: HttpRequest, name: str) -> dt.datetime:
    value = parse_datetime(request.POST.get(name, "") or "")
    if value is None:
        raise ApplicationError(
            _("Give a date and time."), {"field": name, "value": request.POST.get(name, "")}
        )
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _int_field(request: HttpRequest, name: str) -> int:
    value = request.POST.get(name, "")
    if not value.strip().lstrip("-").isdigit():
        raise ApplicationError(_("Give a whole number."), {"field": name, "value": value})
    return int(value)


@login_required
@require_POST
def person_action(request: HttpRequest, person_id: int, action: str) -> HttpResponse:
    """The forms of a person's card; an error re-renders the card with the error naming the field (400)."""
    purpose = request.POST.get("purpose", "case work")
    try:
        person_obj = access_person_by_id(request.user, person_id)
    except AccessDenied as error:
        raise _not_found(error) from error
    try:
        if action == "referral":
            services.referral_create(
                actor=request.user,
                person=person_obj,
                service=request.POST.get("service", ""),
                agency=request.POST.get("agency", ""),
                deadline=_date_field(request, "deadline"),
                consent_given=request.POST.get("consent_given") == "on",
                consent_override_reason=request.POST.get("consent_override_reason", ""),
            )
        elif action == "checkin":
            checkin = access_checkin_by_id(request.user, request.POST.get("checkin", ""))
            services.checkin_record(
                actor=request.user,
                checkin=checkin,
                reported_at=_datetime_field(request, "reported_at"),
                note=request.POST.get("note", ""),
            )
        elif action == "order":
            report = ViolenceReport.objects.filter(
                order_filter_for(request.user), victim=person_obj, pk=_int_field(request, "report")
            ).first()
            if report is None:
                raise ApplicationError(
                    _("No open report of this person with this number."), {"field": "report"}
                )
            term = request.POST.get("term_days", "").strip()
            services.protection_order_issue(
                actor=request.user,
                report=report,
                womens_activist=request.POST.get("womens_activist", ""),
                term_days=_int_field(request, "term_days") if term else None,
                conditions=request.POST.get("conditions", ""),
                inson_centre=request.POST.get("inson_centre", ""),
            )
        elif action == "report":
            services.violence_report_create(
                actor=request.user,
                kind=request.POST.get("kind", ""),
                victim=person_obj,
                reported_at=_datetime_field(request, "reported_at"),
                description=request.POST.get("description", ""),
            )
        elif action == "extend":
            order = access_order_by_id(request.user, request.POST.get("order", ""))
            services.protection_order_extend(
                actor=request.user, order=order, days=_int_field(request, "days")
            )
        elif action == "conclusion":
            conclusion = access_conclusion_by_id(request.user, request.POST.get("conclusion", ""))
            services.conclusion_execute(
                actor=request.user,
                conclusion=conclusion,
                executed_on=_date_field(request, "executed_on"),
                note=request.POST.get("note", ""),
            )
        else:
            raise Http404(_("Unknown action"))
    except AccessDenied as error:
        raise _not_found(error) from error
    except ApplicationError as error:
        context = _card_context(request, person_id, purpose)
        context["error"] = error
        context["error_action"] = action
        context["posted"] = request.POST
        return render(request, "cases/person.html", context, status=400)
    return redirect(f"{reverse('cases-web:person', args=[person_id])}?purpose={purpose}")


@login_required
@require_GET
def orders(request: HttpRequest) -> HttpResponse:
    if not reads_orders(request.user):
        raise Http404(_("Protection orders are not shown to your role"))
    rows = selectors.order_list(actor=request.user, status=request.GET.get("status") or None)
    page = paginate(request, rows)
    selectors.persons_read_audit(
        actor=request.user, persons=[order.victim for order in page.object_list], purpose="protection order"
    )
    return render(request, "cases/orders.html", {"page": page})


@login_required
@require_GET
def results(request: HttpRequest) -> HttpResponse:
    group_by = request.GET.get("group_by", "mahalla")
    if group_by not in ("mahalla", "district", "region", "position"):
        group_by = "mahalla"
    rows = selectors.results(actor=request.user, group_by=group_by)
    page = paginate(request, rows)
    return render(
        request,
        "cases/results.html",
        {"page": page, "group_by": group_by, "reads_persons": reads_persons(request.user)},
    )


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The worklist's service worker, served under /cases/ so that its scope covers the casework pages."""
    response = HttpResponse(SERVICE_WORKER.read_text(encoding="utf-8"), content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/cases/"
    response["Cache-Control"] = "no-cache"
    return response


@require_http_methods(["GET"])
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/offline.html")

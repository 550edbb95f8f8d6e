"""Pages of the cyber module: the public report form (no sign-in), officer intake, reports, campaigns,
blocking lists with their CSV export, the dashboard. Reads through selectors and access funnels, writes
through services; an object outside the user's scope is a 404."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mahalla.accounts.backends import client_address
from mahalla.audit.models import AuditAction
from mahalla.audit.services import audit_record
from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.core.paging import paginate
from mahalla.core.tabular import neutralise_formula
from mahalla.territory.access import mahalla_filter_for
from mahalla.territory.models import District, Mahalla, Region

from . import awareness, selectors, services
from .access import (
    CYBER_ANALYSTS,
    CYBER_BULLETINS,
    CYBER_DASHBOARD,
    CYBER_INTAKE,
    CYBER_READERS,
    access_campaign_by_id,
    access_report_by_id,
    aggregate_filter_for,
    has_role,
)
from .charts import dashboard_charts
from .forms import ImportForm, MethodCorrectionForm, ReportForm
from .models import BlockRequest, Bulletin, Campaign, Organisation, Source
from .services import AttachmentInput, RateLimited, ReportInput
from .text import html_to_cyrillic


def _require(request: HttpRequest, roles: frozenset[str]) -> None:
    if not has_role(request.user, roles):
        raise Http404(_("Page not found"))


def _report_input(form: ReportForm, mahalla: Mahalla | None, files: list[Any]) -> ReportInput:
    data = form.cleaned_data
    occurred = data["occurred_at"]
    if timezone.is_naive(occurred):
        occurred = timezone.make_aware(occurred)
    attachments = []
    for upload in files:
        # Read one byte more than allowed: the service refuses the oversized file without reading it all.
        content = upload.read(services.MAX_ATTACHMENT_BYTES + 1)
        attachments.append(AttachmentInput(name=upload.name or "", content=content))
    return ReportInput(
        narrative=data["narrative"],
        message_text=data.get("message_text", ""),
        occurred_at=occurred,
        loss_amount=data.get("loss_amount", ""),
        currency=data["currency"],
        channel=data["channel"],
        mahalla=mahalla,
        victim_age_group=data.get("victim_age_group", ""),
        victim_name=data.get("victim_name", ""),
        victim_contact=data.get("victim_contact", ""),
        attachments=attachments,
    )


# --- public ---------------------------------------------------------------------------------------------

SCRIPT_COOKIE = "mahalla_uz_script"


def _public_render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render a public page; in Uzbek, in the Cyrillic script when the visitor chose it (?script=cyrl, kept
    in a cookie): the catalogue is in Latin, the page's text is transliterated (text.html_to_cyrillic)."""
    chosen = request.GET.get("script") or request.COOKIES.get(SCRIPT_COOKIE, "latn")
    script = "cyrl" if chosen == "cyrl" else "latn"
    context["script"] = script
    response = render(request, template, context, status=status)
    if script == "cyrl" and get_language() == "uz":
        response.content = html_to_cyrillic(response.content.decode("utf-8")).encode("utf-8")
        response["Content-Language"] = "uz-Cyrl"
    if "script" in request.GET:
        response.set_cookie(SCRIPT_COOKIE, script, max_age=365 * 86400, samesite="Lax")
    return response


@require_http_methods(["GET", "POST"])
def public_report(request: HttpRequest) -> HttpResponse:
    """The public form: no sign-in, CSRF-protected, limited per client address across all server processes."""
    regions = list(Region.objects.defer("boundary").order_by("name_uz"))
    context: dict[str, Any] = {"regions": regions}
    if request.method == "GET":
        context["form"] = ReportForm(
            initial={"occurred_at": timezone.localtime().replace(second=0, microsecond=0)}
        )
        return _public_render(request, "cyber/public_report.html", context)
    form = ReportForm(request.POST, request.FILES)
    context["form"] = form
    context["selected"] = {k: request.POST.get(k, "") for k in ("region", "district", "mahalla")}
    if not form.is_valid():
        return _public_render(request, "cyber/public_report.html", context, status=400)
    mahalla = (
        Mahalla.objects.defer("boundary")
        .filter(code=form.cleaned_data.get("mahalla") or request.POST.get("mahalla", ""))
        .first()
    )
    try:
        report = services.report_create_public(
            data=_report_input(form, mahalla, request.FILES.getlist("attachments")),
            address=client_address(request) or "unknown",
        )
    except RateLimited as error:
        context["error"] = error.message
        response = _public_render(request, "cyber/public_report.html", context, status=429)
        response["Retry-After"] = str(error.extra.get("retry_after_seconds", 3600))
        return response
    except ApplicationError as error:
        context["error"] = error.message
        context["error_field"] = error.extra.get("field", "")
        return _public_render(request, "cyber/public_report.html", context, status=400)
    return _public_render(request, "cyber/public_done.html", {"reference": report.reference})


@require_GET
def public_districts(request: HttpRequest) -> HttpResponse:
    districts = (
        District.objects.defer("boundary")
        .filter(region__code=request.GET.get("region", ""))
        .order_by("name_uz")
    )
    return render(request, "cyber/_options.html", {"options": districts, "placeholder": _("District")})


@require_GET
def public_mahallas(request: HttpRequest) -> HttpResponse:
    mahallas = (
        Mahalla.objects.defer("boundary")
        .filter(district__code=request.GET.get("district", ""))
        .order_by("name_uz")
    )
    return render(request, "cyber/_options.html", {"options": mahallas, "placeholder": _("Mahalla")})


# --- officers -------------------------------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    _require(request, CYBER_DASHBOARD | CYBER_INTAKE)
    data = selectors.dashboard(request.user) if has_role(request.user, CYBER_DASHBOARD) else None
    return render(
        request,
        "cyber/index.html",
        {
            "data": data,
            "data_json": json.dumps(data, default=str) if data else "null",
            "charts": dashboard_charts(data) if data else None,
            "can_read": has_role(request.user, CYBER_READERS),
            "can_intake": has_role(request.user, CYBER_INTAKE),
            "can_analyse": has_role(request.user, CYBER_ANALYSTS),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    _require(request, CYBER_INTAKE)
    mahallas = Mahalla.objects.defer("boundary").filter(mahalla_filter_for(request.user)).order_by("name_uz")
    context: dict[str, Any] = {"mahallas": mahallas[:2000]}
    if request.method == "GET":
        context["form"] = ReportForm(
            initial={"occurred_at": timezone.localtime().replace(second=0, microsecond=0)}
        )
        return render(request, "cyber/report_new.html", context)
    form = ReportForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, "cyber/report_new.html", context, status=400)
    mahalla = mahallas.filter(code=request.POST.get("mahalla", "")).first()
    try:
        report = services.report_create_by_officer(
            actor=request.user, data=_report_input(form, mahalla, request.FILES.getlist("attachments"))
        )
    except ApplicationError as error:
        context["error"] = error.message
        return render(request, "cyber/report_new.html", context, status=400)
    messages.success(request, _("Report %(reference)s recorded.") % {"reference": report.reference})
    if has_role(request.user, CYBER_READERS):
        return redirect("cyber:report", report_id=report.pk)
    return redirect("cyber:report-new")


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    _require(request, CYBER_READERS)
    reports = selectors.report_list(
        request.user, method=request.GET.get("method", ""), query=request.GET.get("q", "").strip()
    )
    page = paginate(request, reports)
    selectors.reports_read_audit(request.user, page.object_list, purpose="cyber report list")
    return render(
        request,
        "cyber/report_list.html",
        {"page": page, "method": request.GET.get("method", ""), "q": request.GET.get("q", "")},
    )


@login_required
@require_GET
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    try:
        report = access_report_by_id(request.user, report_id)
    except AccessDenied as error:
        raise Http404(error.message) from error
    selectors.reports_read_audit(request.user, [report], purpose="cyber report")
    member = getattr(report, "campaign_member", None) if hasattr(report, "campaign_member") else None
    return render(
        request,
        "cyber/report_detail.html",
        {
            "report": report,
            "indicators": selectors.report_indicators(report),
            "member": member,
            "correction": MethodCorrectionForm(initial={"method": report.method_final}),
            "can_correct": has_role(request.user, CYBER_ANALYSTS | CYBER_INTAKE),
        },
    )


@login_required
@require_POST
def report_correct(request: HttpRequest, report_id: int) -> HttpResponse:
    try:
        report = access_report_by_id(request.user, report_id)
        services.report_method_correct(
            actor=request.user, report=report, method=request.POST.get("method", "")
        )
    except AccessDenied as error:
        raise Http404(error.message) from error
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Method corrected; the correction feeds the next training."))
    return redirect("cyber:report", report_id=report_id)


@login_required
@require_http_methods(["GET", "POST"])
def report_import(request: HttpRequest) -> HttpResponse:
    _require(request, CYBER_ANALYSTS)
    from .importing import reports_import

    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            outcome = reports_import(
                actor=request.user, source=upload, file_name=upload.name, origin=form.cleaned_data["source"]
            )
        except ApplicationError as error:
            context["error"] = error.message
            return render(request, "cyber/import.html", context, status=400)
        messages.success(request, _("%(n)s reports imported.") % {"n": outcome.rows_created})
        return redirect("cyber:reports")
    return render(request, "cyber/import.html", context)


@login_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    _require(request, CYBER_READERS)
    page = paginate(request, selectors.campaign_list(request.user, status=request.GET.get("status", "")))
    return render(
        request, "cyber/campaign_list.html", {"page": page, "status": request.GET.get("status", "")}
    )


@login_required
@require_GET
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    try:
        campaign = access_campaign_by_id(request.user, campaign_id)
    except AccessDenied as error:
        raise Http404(error.message) from error
    page = paginate(request, selectors.report_list(request.user, campaign_id=campaign.pk))
    selectors.reports_read_audit(request.user, page.object_list, purpose=f"campaign {campaign.code}")
    victims = selectors.campaign_victims_by_mahalla(request.user, campaign)
    return render(
        request,
        "cyber/campaign_detail.html",
        {
            "campaign": campaign,
            "page": page,
            "indicators": selectors.campaign_indicators(campaign),
            "timeline": selectors.campaign_timeline(campaign),
            "victims": victims,
            "victims_json": json.dumps([v for v in victims if v["lon"] is not None]),
            "can_analyse": has_role(request.user, CYBER_ANALYSTS),
        },
    )


@login_required
@require_POST
def campaign_action(request: HttpRequest, campaign_id: int, action: str) -> HttpResponse:
    try:
        campaign = access_campaign_by_id(request.user, campaign_id)
        if action == "confirm":
            services.campaign_confirm(
                actor=request.user, campaign=campaign, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Campaign confirmed."))
        elif action == "split":
            report = access_report_by_id(request.user, request.POST.get("report", ""))
            services.report_split_from_campaign(
                actor=request.user, campaign=campaign, report=report, reason=request.POST.get("reason", "")
            )
            messages.success(
                request,
                _("Report %(reference)s taken out of the campaign.") % {"reference": report.reference},
            )
        elif action == "block":
            created = services.block_requests_for_campaign(actor=request.user, campaign=campaign)
            messages.success(request, _("%(n)s blocking requests sent.") % {"n": len(created)})
        else:
            raise Http404
    except AccessDenied as error:
        raise Http404(error.message) from error
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("cyber:campaign", campaign_id=campaign_id)


@login_required
@require_GET
def block_list(request: HttpRequest) -> HttpResponse:
    _require(request, CYBER_ANALYSTS)
    organisation = Organisation.objects.filter(code=request.GET.get("organisation", "")).first()
    requests = selectors.block_request_list(
        request.user, organisation=organisation, status=request.GET.get("status", "")
    )
    return render(
        request,
        "cyber/block_list.html",
        {
            "page": paginate(request, requests),
            "organisations": Organisation.objects.order_by("name"),
            "organisation": organisation,
            "status": request.GET.get("status", ""),
            "statuses": BlockRequest.Status.choices,
        },
    )


BLOCK_EXPORT_HEADER = (
    "request_id",
    "organisation",
    "kind",
    "indicator",
    "status",
    "first_reported_at",
    "requested_at",
    "acknowledged_at",
    "closed_at",
    "hours_to_block",
    "campaign",
    "evidence_reports",
    "evidence_references",
)


def block_requests_csv(requests: Any) -> str:
    """The CSV of blocking requests: indicators as displayed (a card masked), formulas neutralised."""
    handle = io.StringIO()
    writer = csv.writer(handle)
    writer.writerow(BLOCK_EXPORT_HEADER)
    for item in requests:
        hours = item.hours_to_block
        writer.writerow(
            [
                neutralise_formula(v)
                for v in (
                    item.pk,
                    item.organisation.code,
                    item.indicator.kind,
                    item.indicator.display,
                    item.status,
                    item.first_reported_at.isoformat(),
                    item.requested_at.isoformat(),
                    item.acknowledged_at.isoformat() if item.acknowledged_at else "",
                    item.closed_at.isoformat() if item.closed_at else "",
                    f"{hours:.1f}" if hours is not None else "",
                    item.campaign.code if item.campaign else "",
                    item.evidence_count,
                    " ".join(selectors.block_request_evidence_references(item)),
                )
            ]
        )
    return handle.getvalue()


@login_required
@require_GET
def block_export(request: HttpRequest) -> HttpResponse:
    _require(request, CYBER_ANALYSTS)
    organisation = Organisation.objects.filter(code=request.GET.get("organisation", "")).first()
    requests = selectors.block_request_list(
        request.user, organisation=organisation, status=request.GET.get("status", "")
    )
    body = block_requests_csv(requests)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="cyber.blockrequest",
        object_repr=organisation.code if organisation else "all",
        details={"rows": body.count("\n") - 1},
    )
    name = f"blocking-{organisation.code if organisation else 'all'}-{dt.date.today().isoformat()}.csv"
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def bulletin_list(request: HttpRequest) -> HttpResponse:
    _require(request, CYBER_BULLETINS)
    bulletins = (
        Bulletin.objects.filter(aggregate_filter_for(request.user))
        .select_related("mahalla")
        .order_by("-proposed_at", "pk")
    )
    return render(request, "cyber/bulletin_list.html", {"page": paginate(request, bulletins)})


@login_required
@require_POST
def bulletin_propose(request: HttpRequest) -> HttpResponse:
    _require(request, CYBER_ANALYSTS)
    created = awareness.bulletins_propose(today=timezone.localdate())
    messages.success(request, _("%(n)s bulletins proposed.") % {"n": len(created)})
    return redirect("cyber:bulletins")


def _bulletin(request: HttpRequest, bulletin_id: int) -> Bulletin:
    _require(request, CYBER_BULLETINS)
    bulletin = Bulletin.objects.filter(aggregate_filter_for(request.user), pk=bulletin_id).first()
    if bulletin is None:
        raise Http404(_("Bulletin not found"))
    return bulletin


@login_required
@require_POST
def bulletin_deliver(request: HttpRequest, bulletin_id: int) -> HttpResponse:
    bulletin = _bulletin(request, bulletin_id)
    try:
        awareness.bulletin_deliver(actor=request.user, bulletin=bulletin, note=request.POST.get("note", ""))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("cyber:bulletins")


@login_required
@require_GET
def bulletin_pdf(request: HttpRequest, bulletin_id: int) -> HttpResponse:
    bulletin = _bulletin(request, bulletin_id)
    language = request.GET.get("language", "uz")
    try:
        pdf = awareness.bulletin_pdf(bulletin, language)
    except ApplicationError as error:
        raise Http404(error.message) from error
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="bulletin-{bulletin.pk}-{language}.pdf"'
    return response


__all__ = ["Campaign", "Source"]

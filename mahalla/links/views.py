"""Pages of the drug-network workbench: shops and entities (paged), the channel dossier (graph, suppliers,
key players and removal simulation, timeline, map, evidence with provenance) and its PDF, an entity panel
(opened from the graph), and the dead-drop map. Only the narcotics and analysis roles; everything scoped to
the user's territory; every entity shown is audited as read."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from mahalla.audit.models import AuditAction
from mahalla.audit.services import audit_record
from mahalla.core.errors import AccessDenied
from mahalla.core.paging import paginate

from . import selectors
from .access import access_entity_by_id, access_shop_by_id, links_read_allowed
from .schema import schema


def _reader(request: HttpRequest) -> None:
    if not links_read_allowed(request.user):
        raise Http404("Not found")


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    _reader(request)
    page = paginate(request, selectors.shop_list(request.user))
    return render(request, "links/index.html", {"page": page})


@login_required
@require_GET
def entities(request: HttpRequest) -> HttpResponse:
    _reader(request)
    kind = request.GET.get("type", "")
    rows = selectors.entity_list(request.user, schema=kind, query=request.GET.get("q", "").strip())
    page = paginate(request, rows)
    selectors.entities_read_audit(request.user, list(page.object_list), purpose="entity list")
    return render(
        request,
        "links/entities.html",
        {"page": page, "types": sorted(schema().entities), "type": kind, "q": request.GET.get("q", "")},
    )


def _dossier_context(request: HttpRequest, shop_id: int) -> dict[str, Any]:
    _reader(request)
    try:
        shop = access_shop_by_id(request.user, shop_id)
    except AccessDenied as error:
        raise Http404(error.message) from error
    analysis = selectors.shop_analysis(request.user, shop)
    return {"analysis": analysis, "shop": shop}


@login_required
@require_GET
def dossier(request: HttpRequest, shop_id: int) -> HttpResponse:
    context = _dossier_context(request, shop_id)
    analysis = context["analysis"]
    context["graph_data"] = analysis.elements
    context["map_data"] = analysis.places
    return render(request, "links/dossier.html", context)


@login_required
@require_GET
def dossier_pdf(request: HttpRequest, shop_id: int) -> HttpResponse:
    from weasyprint import HTML

    context = _dossier_context(request, shop_id)
    context["generated_at"] = timezone.now()
    html = render_to_string("links/dossier_pdf.html", context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="links.entity",
        object_id=context["shop"].pk,
        object_repr=str(context["shop"]),
        purpose=selectors.PURPOSE_DOSSIER,
        details={"format": "pdf"},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="dossier-{context["shop"].pk}.pdf"'
    return response


@login_required
@require_GET
def entity_panel(request: HttpRequest, entity_id: int) -> HttpResponse:
    """One entity with each fact's source and its links (opened from the graph, or as a page)."""
    _reader(request)
    try:
        entity = access_entity_by_id(request.user, entity_id)
    except AccessDenied as error:
        raise Http404(error.message) from error
    facts = selectors.entity_facts(request.user, entity, purpose=request.GET.get("purpose", "entity opened"))
    links = selectors.entity_links(request.user, entity)[:100]
    template = "links/_entity_panel.html" if request.GET.get("panel") else "links/entity.html"
    return render(request, template, {"entity": entity, "facts": facts, "links": links})


@login_required
@require_GET
def drops_map(request: HttpRequest) -> HttpResponse:
    _reader(request)
    clusters = paginate(request, selectors.drop_clusters(request.user))
    return render(
        request,
        "links/map.html",
        {"page": clusters, "mahallas": selectors.mahalla_drug_situation(request.user)},
    )


@login_required
@require_GET
def drops_map_data(request: HttpRequest) -> JsonResponse:
    _reader(request)
    return JsonResponse(selectors.map_features(request.user))

"""Reads of the cyber module, each scoped to the actor (access.report_filter_for / aggregate_filter_for) and
fail-closed. Person-level reads (a report, a page of reports) are audited with their purpose."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from mahalla.audit.services import audit_record_reads

from .access import (
    CYBER_ANALYSTS,
    SUPPRESSION_THRESHOLD,
    aggregate_filter_for,
    has_role,
    report_filter_for,
    sees_small_counts,
)
from .models import BlockRequest, Campaign, CyberReport, Indicator, Method, Organisation


def report_list(
    actor: Any, *, method: str = "", campaign_id: int | None = None, query: str = ""
) -> QuerySet[CyberReport]:
    reports = (
        CyberReport.objects.filter(report_filter_for(actor))
        .select_related("mahalla")
        .defer("mahalla__boundary")
    )
    if method:
        reports = reports.filter(Q(method_corrected=method) | Q(method_corrected="", method=method))
    if campaign_id is not None:
        reports = reports.filter(campaign_member__campaign_id=campaign_id)
    if query:
        reports = reports.filter(Q(reference__iexact=query) | Q(narrative__icontains=query))
    return reports.order_by("-reported_at", "-pk")


def reports_read_audit(actor: Any, reports: Iterable[CyberReport], *, purpose: str) -> None:
    audit_record_reads(actor=actor, objects=list(reports), purpose=purpose)


def report_indicators(report: CyberReport) -> QuerySet[Indicator]:
    return Indicator.objects.filter(report_links__report=report).order_by("kind", "display")


def campaign_list(actor: Any, *, status: str = "") -> QuerySet[Campaign]:
    """Campaigns with at least one report the actor may read, largest and newest first."""
    visible = CyberReport.objects.filter(report_filter_for(actor)).values("pk")
    campaigns = Campaign.objects.filter(members__report__in=visible).distinct()
    if status:
        campaigns = campaigns.filter(status=status)
    return campaigns.annotate(growth=F("size") - F("size_30_days_ago")).order_by("-size", "-last_seen", "pk")


def campaign_indicators(campaign: Campaign) -> list[dict[str, Any]]:
    rows = (
        Indicator.objects.filter(report_links__report__campaign_member__campaign=campaign)
        .annotate(reports=Count("report_links__report", distinct=True))
        .order_by("-reports", "kind", "display")
        .values("pk", "kind", "display", "warning", "details", "reports")
    )
    return list(rows)


def campaign_timeline(campaign: Campaign) -> list[dict[str, Any]]:
    return list(
        CyberReport.objects.filter(campaign_member__campaign=campaign)
        .annotate(month=TruncMonth("reported_at"))
        .values("month")
        .annotate(reports=Count("pk"), loss=Sum("loss_amount"))
        .order_by("month")
    )


def campaign_victims_by_mahalla(actor: Any, campaign: Campaign) -> list[dict[str, Any]]:
    """Victims per mahalla of the reports the actor may read, with the mahalla's centre for the map."""
    rows = (
        CyberReport.objects.filter(report_filter_for(actor), campaign_member__campaign=campaign)
        .values(
            "mahalla__code",
            "mahalla__name_uz",
            "mahalla__min_lon",
            "mahalla__min_lat",
            "mahalla__max_lon",
            "mahalla__max_lat",
        )
        .annotate(victims=Count("pk"), loss=Sum("loss_amount"))
        .order_by("-victims")
    )
    out = []
    for row in rows:
        lon = lat = None
        if row["mahalla__min_lon"] is not None:
            lon = (row["mahalla__min_lon"] + row["mahalla__max_lon"]) / 2
            lat = (row["mahalla__min_lat"] + row["mahalla__max_lat"]) / 2
        out.append(
            {
                "code": row["mahalla__code"],
                "name": row["mahalla__name_uz"],
                "victims": row["victims"],
                "loss": float(row["loss"] or 0),
                "lon": lon,
                "lat": lat,
            }
        )
    return out


def block_request_list(
    actor: Any, *, organisation: Organisation | None = None, status: str = ""
) -> QuerySet[BlockRequest]:
    if not has_role(actor, CYBER_ANALYSTS):
        return BlockRequest.objects.none()
    return _block_requests(organisation=organisation, status=status)


def block_requests_of_organisation(organisation: Organisation, *, status: str = "") -> QuerySet[BlockRequest]:
    """A bank's or platform's own requests (its token sees nothing else)."""
    return _block_requests(organisation=organisation, status=status)


def _block_requests(*, organisation: Organisation | None, status: str) -> QuerySet[BlockRequest]:
    requests = BlockRequest.objects.select_related("organisation", "indicator", "campaign").annotate(
        evidence_count=Count("evidence", distinct=True)
    )
    if organisation is not None:
        requests = requests.filter(organisation=organisation)
    if status:
        requests = requests.filter(status=status)
    return requests.order_by("-requested_at", "pk")


def block_request_evidence_references(block_request: BlockRequest) -> list[str]:
    return list(block_request.evidence.order_by("reported_at").values_list("reference", flat=True))


def suppress(value: int, actor: Any) -> int | str:
    if sees_small_counts(actor) or value == 0 or value >= SUPPRESSION_THRESHOLD:
        return value
    return f"<{SUPPRESSION_THRESHOLD}"


# Hours from a card's or link's first report to its block, in the groups the dashboard charts.
BLOCK_HOUR_BUCKETS = ((0, 6), (6, 24), (24, 72), (72, 168), (168, None))


def dashboard(
    actor: Any,
    *,
    days: int = 365,
    today: dt.date | None = None,
    region: Any = None,
    district: Any = None,
) -> dict[str, Any]:
    """The cyber share against all crime, method mix, losses, campaigns by size and growth, time to block,
    by territory; counts under 5 suppressed for roles without person-level access. ``region`` / ``district``
    narrow it further inside the actor's territory (the briefing of one region or district)."""
    from mahalla.incidents.selectors import offence_counts

    today = today or timezone.localdate()
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days), dt.time()))
    place = Q(district=district) if district is not None else Q(region=region) if region is not None else Q()
    reports = CyberReport.objects.filter(aggregate_filter_for(actor), place, reported_at__gte=since)
    total = reports.count()
    method_rows = (
        reports.annotate(m=_final_method())
        .values("m")
        .annotate(n=Count("pk"), loss=Sum("loss_amount"))
        .order_by("-n")
    )
    labels = dict(Method.choices)
    methods = [
        {
            "method": row["m"] or "",
            "label": labels.get(row["m"], "?"),
            "reports": suppress(row["n"], actor),
            "share": (row["n"] / total) if total else 0.0,
            "loss": float(row["loss"] or 0),
        }
        for row in method_rows
    ]
    losses = reports.aggregate(total=Sum("loss_amount"), average=Avg("loss_amount"))
    by_district = [
        {
            "name": row["district__name_uz"],
            "code": row["district__code"],
            "reports": suppress(row["n"], actor),
            "loss": float(row["loss"] or 0),
        }
        for row in reports.values("district__code", "district__name_uz")
        .annotate(n=Count("pk"), loss=Sum("loss_amount"))
        .order_by("-n")[:30]
    ]
    # The share of cybercrime in registered crime: the offence registry's own category (DOMAIN.md 8).
    category_counts = offence_counts(
        actor=actor,
        group_by="category",
        filters={
            "code_kind": "criminal",
            "occurred_from": since.date().isoformat(),
            "occurred_to": today.isoformat(),
            **({"district": district.code} if district is not None else {}),
            **({"region": region.code} if region is not None and district is None else {}),
        },
    )
    crimes = sum(row["count"] for row in category_counts)
    cyber_crimes = sum(row["count"] for row in category_counts if row["code"] == "cyber")
    monthly = list(
        reports.annotate(month=TruncMonth("reported_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    visible_reports = CyberReport.objects.filter(aggregate_filter_for(actor), place).values("pk")
    # A block counts where the actor sees one of its evidence reports (a bank's list spans the country).
    blocked = BlockRequest.objects.filter(
        status=BlockRequest.Status.BLOCKED, closed_at__gte=since, evidence__in=visible_reports
    ).distinct()
    hours = sorted(
        (b.closed_at - b.first_reported_at).total_seconds() / 3600
        for b in blocked.only("closed_at", "first_reported_at")
    )
    buckets = [
        sum(1 for h in hours if low <= h and (high is None or h < high)) for low, high in BLOCK_HOUR_BUCKETS
    ]
    campaigns = (
        Campaign.objects.filter(members__report__in=visible_reports)
        .distinct()
        .annotate(growth=F("size") - F("size_30_days_ago"))
        .order_by("-size")
    )
    if not sees_small_counts(actor):
        # A campaign's size is a count of reports: one under the threshold is left out for these roles.
        campaigns = campaigns.filter(size__gte=SUPPRESSION_THRESHOLD)
    return {
        "days": days,
        "reports": suppress(total, actor),
        "crimes": suppress(crimes, actor),
        "cyber_crimes": suppress(cyber_crimes, actor),
        "cyber_share": (cyber_crimes / crimes) if crimes else None,
        "methods": methods,
        "loss_total": float(losses["total"] or 0),
        "loss_average": float(losses["average"] or 0),
        "by_district": by_district,
        "monthly": [
            {"month": row["month"].strftime("%Y-%m"), "reports": suppress(row["n"], actor)} for row in monthly
        ],
        "time_to_block_hours_median": hours[len(hours) // 2] if hours else None,
        "blocked": suppress(len(hours), actor),
        "block_hours": [
            {"from": low, "to": high, "requests": suppress(n, actor)}
            for (low, high), n in zip(BLOCK_HOUR_BUCKETS, buckets, strict=True)
        ],
        "campaigns": [
            {
                "code": c.code,
                "id": c.pk,
                "size": c.size,
                "growth": suppress(max(0, c.growth), actor),
                "status": c.status,
                "loss": float(c.total_loss),
            }
            for c in campaigns[:10]
        ],
    }


def _final_method() -> Any:
    from django.db.models import Case, When

    return Case(When(method_corrected="", then=F("method")), default=F("method_corrected"))

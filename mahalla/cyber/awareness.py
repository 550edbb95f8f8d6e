"""Awareness bulletins for the Mahalla Seven: proposed where victims cluster, printed in Uzbek or Russian,
their delivery recorded, their effect on reported victimisation measured with the engine's matched
difference-in-differences (mahalla.engine.effect) against the other mahallas of the region."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from mahalla.audit.models import AuditAction
from mahalla.audit.services import audit_record
from mahalla.core.errors import AccessDenied, ApplicationError

from .access import CYBER_BULLETINS, has_role
from .models import Bulletin, CyberReport, Method

MIN_VICTIMS = 5


def bulletins_propose(*, today: dt.date, days: int = 90, min_victims: int = MIN_VICTIMS) -> list[Bulletin]:
    """A bulletin for every mahalla and method with at least ``min_victims`` reports in the last ``days``
    days and no bulletin of that method there in that time; the commonest age group of the victims named."""
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days), dt.time()))
    rows = (
        CyberReport.objects.filter(reported_at__gte=since)
        .values("mahalla_id", "district_id", "region_id", "method", "method_corrected", "victim_age_group")
        .annotate(n=Count("pk"))
    )
    clusters: dict[tuple[int, int, int, str], Counter[str]] = {}
    for row in rows:
        method = row["method_corrected"] or row["method"]
        if not method:
            continue
        key = (row["mahalla_id"], row["district_id"], row["region_id"], method)
        clusters.setdefault(key, Counter())[row["victim_age_group"]] += row["n"]
    recent = set(Bulletin.objects.filter(proposed_at__gte=since).values_list("mahalla_id", "method"))
    created = []
    now = timezone.now()
    for (mahalla_id, district_id, region_id, method), ages in sorted(clusters.items()):
        victims = sum(ages.values())
        if victims < min_victims or (mahalla_id, method) in recent:
            continue
        age = next((a for a, _ in ages.most_common() if a), "")
        created.append(
            Bulletin(
                mahalla_id=mahalla_id,
                district_id=district_id,
                region_id=region_id,
                method=method,
                age_group=age,
                victims=victims,
                proposed_at=now,
            )
        )
    Bulletin.objects.bulk_create(created)
    return created


def bulletin_deliver(
    *, actor: Any, bulletin: Bulletin, note: str = "", at: dt.datetime | None = None
) -> Bulletin:
    if not has_role(actor, CYBER_BULLETINS):
        raise AccessDenied(_("Your role does not record bulletin deliveries."))
    if bulletin.status == Bulletin.Status.DELIVERED:
        raise ApplicationError(_("This bulletin's delivery is already recorded."), {"field": "status"})
    with transaction.atomic():
        bulletin.status = Bulletin.Status.DELIVERED
        bulletin.delivered_at = at or timezone.now()
        bulletin.delivered_by = actor
        bulletin.delivery_note = note[:500]
        bulletin.save(update_fields=["status", "delivered_at", "delivered_by", "delivery_note"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="cyber.bulletin",
            object_id=bulletin.pk,
            object_repr=f"{bulletin.mahalla_id} {bulletin.method}",
            details={"delivered": True},
        )
    return bulletin


def bulletin_effect(
    *, bulletin: Bulletin, today: dt.date, weeks_before: int = 26, permutations: int = 199
) -> dict[str, Any]:
    """Weekly cyber reports of the bulletin's mahalla against matched mahallas of its region, before and after
    delivery; stored on the bulletin and returned."""
    if bulletin.delivered_at is None:
        raise ApplicationError(_("The bulletin has not been delivered yet."), {"field": "delivered_at"})
    start = timezone.localdate(bulletin.delivered_at)
    first = start - dt.timedelta(weeks=weeks_before)
    weeks_after = (today - start).days // 7
    if weeks_after < 4:
        raise ApplicationError(
            _("The effect is measured from four weeks after delivery."), {"field": "today"}
        )
    reports = CyberReport.objects.filter(
        region_id=bulletin.region_id,
        reported_at__gte=timezone.make_aware(dt.datetime.combine(first, dt.time())),
        reported_at__lt=timezone.make_aware(
            dt.datetime.combine(start + dt.timedelta(weeks=weeks_after), dt.time())
        ),
    ).values_list("mahalla_id", "reported_at")
    import pandas as pd  # the science is imported when used, not when the URL configuration loads

    from mahalla.engine.effect import difference_in_differences
    from mahalla.territory.models import Mahalla

    mahallas = list(Mahalla.objects.filter(region_id=bulletin.region_id).values_list("pk", flat=True))
    periods = list(range(-weeks_before, weeks_after))
    counts = pd.DataFrame(0, index=mahallas, columns=periods, dtype=float)
    for mahalla_id, at in reports:
        week = (timezone.localdate(at) - start).days // 7
        if week in counts.columns and mahalla_id in counts.index:
            counts.loc[mahalla_id, week] += 1
    result = difference_in_differences(
        counts,
        [bulletin.mahalla_id],
        0,
        n_controls=min(5, len(mahallas) - 1),
        permutations=permutations,
        random_state=bulletin.pk,
    )
    effect = {
        "effect": result.effect,
        "relative_effect": result.relative_effect,
        "p_value": result.p_value,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
        "significant": result.significant,
        "treated_pre": result.treated_pre,
        "treated_post": result.treated_post,
        "summary": result.summary(),
        "weeks_before": weeks_before,
        "weeks_after": weeks_after,
        "unit": "reports per mahalla per week",
    }
    bulletin.effect = effect
    bulletin.save(update_fields=["effect"])
    return effect


ADVICE = {
    Method.MALICIOUS_LINK: [
        N_("Do not open links or install APK files sent by strangers on Telegram."),
        N_("Banks and Click, Payme or Uzum never send prizes through links."),
    ],
    Method.SMS_CODE: [
        N_("Never tell anyone the code from an SMS, not even someone who says they are from the bank."),
        N_("Hang up and call the number on the back of your card."),
    ],
    Method.MARKETPLACE: [
        N_("To receive money a seller never enters card details on a link from the buyer."),
        N_("Never pay in advance to a stranger on a marketplace."),
    ],
    Method.INVESTMENT: [
        N_("No one can promise a guaranteed profit: channels that do are scams."),
        N_("Do not send money or cryptocurrency to 'brokers' on Telegram."),
    ],
    Method.LOAN: [
        N_("Never enter your passport data in loan apps you do not know."),
        N_("Check your credit history at the credit bureau every few months."),
    ],
    Method.OTHER: [N_("If something about money seems urgent, stop and call someone you trust.")],
}


def bulletin_html(bulletin: Bulletin, language: str) -> str:
    if language not in ("uz", "ru"):
        raise ApplicationError(_("Bulletins are printed in Uzbek or Russian."), {"field": "language"})
    with translation.override(language):
        advice = [_(line) for line in ADVICE.get(bulletin.method, ADVICE[Method.OTHER])]
        return render_to_string(
            "cyber/bulletin_print.html",
            {
                "bulletin": bulletin,
                "advice": advice,
                "method": Method(bulletin.method).label,
                "language": language,
            },
        )


def bulletin_pdf(bulletin: Bulletin, language: str) -> bytes:
    """Print-ready A4 PDF. WeasyPrint may read only data: URLs: nothing is fetched from outside."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    pdf: bytes = HTML(
        string=bulletin_html(bulletin, language), url_fetcher=URLFetcher(allowed_protocols={"data"})
    ).write_pdf()
    return pdf

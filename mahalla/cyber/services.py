"""Writes of the cyber module: reports in (public form, officer, bulk), indicators, classification, campaigns,
analysts' decisions, blocking requests. Keyword-only arguments, atomic, validated, audited.

A card number never reaches the database, a log or an export: texts are redacted (indicators.redact_cards)
before anything is stored, and card indicators keep only the masked form and a keyed hash.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import secrets
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from mahalla.audit.models import AuditAction
from mahalla.audit.services import audit_record
from mahalla.core.errors import AccessDenied, ApplicationError

from . import indicators as ind
from .access import CYBER_ANALYSTS, CYBER_INTAKE, has_role
from .models import (
    BlockRequest,
    Campaign,
    CampaignMember,
    Channel,
    CyberReport,
    Indicator,
    LinkDecision,
    Method,
    Organisation,
    Processing,
    PublicSubmissionAttempt,
    ReportAttachment,
    ReportIndicator,
    ReportTextBand,
    Source,
)
from .reference_data import reference_sync
from .text import normalise_for_similarity

if TYPE_CHECKING:
    from .linking import LinkParameters

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS = 5
MAX_TEXT_CHARS = 10_000


@functools.cache
def link_parameters() -> LinkParameters:
    """The linking's parameters. The linking module (numpy) loads on the first report stored or linked, not
    when a server worker imports the pages that use these services."""
    from .linking import LinkParameters

    return LinkParameters()


# Magic bytes of the image formats accepted as screenshots.
IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def public_limit_per_hour() -> int:
    return int(settings.CYBER_PUBLIC_LIMIT_PER_HOUR)


def card_key() -> bytes:
    """The key of the card hash: its own setting, or (development) one derived from SECRET_KEY."""
    configured = getattr(settings, "CYBER_CARD_HASH_KEY", "")
    if configured:
        return str(configured).encode("utf-8")
    return hmac.new(settings.SECRET_KEY.encode("utf-8"), b"mahalla.cyber.card-hash", hashlib.sha256).digest()


def image_type(head: bytes) -> str | None:
    """The image type named by the file's first bytes (PNG, JPEG, GIF, WebP), or None."""
    for signature, content_type in IMAGE_SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


@dataclass
class AttachmentInput:
    name: str
    content: bytes
    text: str = ""


@dataclass
class ReportInput:
    """One report as received, before validation. ``loss_amount`` is text: it is validated here."""

    narrative: str
    occurred_at: dt.datetime
    channel: str
    mahalla: Any
    loss_amount: str | Decimal | int | float = "0"
    currency: str = "UZS"
    message_text: str = ""
    victim_age_group: str = ""
    victim_name: str = ""
    victim_contact: str = ""
    source_name: str = ""
    external_id: str = ""
    reported_at: dt.datetime | None = None
    offence: Any = None
    attachments: list[AttachmentInput] = field(default_factory=list)


def loss_parse(value: object, *, where: str = "loss_amount") -> Decimal:
    text = (
        str(value if value is not None else "")
        .strip()
        .replace(" ", "")
        .replace("\u00a0", "")
        .replace(",", ".")
    )
    if text == "":
        return Decimal("0")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ApplicationError(
            _("The loss must be a number (e.g. 1500000 or 1500000.50), not %(value)r.")
            % {"value": str(value)[:40]},
            {"field": where, "value": str(value)[:40]},
        ) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e14"):
        raise ApplicationError(
            _("The loss must be zero or a positive amount below 10^14, not %(value)r.")
            % {"value": str(value)[:40]},
            {"field": where, "value": str(value)[:40]},
        )
    return amount.quantize(Decimal("0.01"))


def _validate(data: ReportInput) -> dict[str, Any]:
    narrative = (data.narrative or "").strip()
    if not narrative:
        raise ApplicationError(_("Describe what happened."), {"field": "narrative"})
    if len(narrative) > MAX_TEXT_CHARS or len(data.message_text or "") > MAX_TEXT_CHARS:
        raise ApplicationError(
            _("A text may have at most %(n)s characters.") % {"n": MAX_TEXT_CHARS}, {"field": "narrative"}
        )
    if data.channel not in Channel.values:
        raise ApplicationError(
            _("Unknown channel %(value)r.") % {"value": data.channel},
            {"field": "channel", "value": data.channel},
        )
    if data.mahalla is None:
        raise ApplicationError(_("Choose the mahalla where the victim lives."), {"field": "mahalla"})
    currency = (data.currency or "UZS").upper()
    if currency not in ("UZS", "USD", "EUR", "RUB"):
        raise ApplicationError(_("Unknown currency %(value)r.") % {"value": currency}, {"field": "currency"})
    occurred = data.occurred_at
    if timezone.is_naive(occurred):
        raise ApplicationError(_("The time must carry a time zone."), {"field": "occurred_at"})
    now = timezone.now()
    if occurred > now + dt.timedelta(hours=1):
        raise ApplicationError(_("The time it happened is in the future."), {"field": "occurred_at"})
    if len(data.attachments) > MAX_ATTACHMENTS:
        raise ApplicationError(
            _("At most %(n)s attachments.") % {"n": MAX_ATTACHMENTS}, {"field": "attachments"}
        )
    attachments = []
    for attachment in data.attachments:
        if len(attachment.content) > MAX_ATTACHMENT_BYTES:
            raise ApplicationError(
                _("The attachment %(name)s is larger than %(mb)s MB.")
                % {"name": attachment.name[:80], "mb": 5},
                {"field": "attachments", "value": attachment.name[:80]},
            )
        content_type = image_type(attachment.content[:16])
        if content_type is None:
            raise ApplicationError(
                _("The attachment %(name)s is not an image (PNG, JPEG, GIF or WebP).")
                % {"name": attachment.name[:80]},
                {"field": "attachments", "value": attachment.name[:80]},
            )
        attachments.append((attachment, content_type))
    return {
        "narrative": narrative,
        "loss": loss_parse(data.loss_amount),
        "currency": currency,
        "attachments": attachments,
        "reported_at": data.reported_at or now,
    }


def _reference() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "CY-" + "".join(secrets.choice(alphabet) for _ in range(8))


@dataclass
class _Prepared:
    report: CyberReport
    found: list[ind.Found]
    attachments: list[tuple[AttachmentInput, str]]


def _prepare(data: ReportInput, *, source: str, actor: Any) -> _Prepared:
    """Validate, take the card indicators from the clear texts, redact them: the part of intake that must
    happen before anything is stored. The other indicators are read later from the stored texts."""
    valid = _validate(data)
    texts = [valid["narrative"], data.message_text or ""] + [a.text for a, _ in valid["attachments"]]
    cards = ind.extract_cards("\n".join(texts), card_key=card_key())
    mahalla = data.mahalla
    report = CyberReport(
        reference=_reference(),
        source=source,
        source_name=data.source_name[:80],
        external_id=data.external_id[:64],
        narrative=ind.redact_cards(valid["narrative"]),
        message_text=ind.redact_cards(data.message_text or ""),
        occurred_at=data.occurred_at,
        reported_at=valid["reported_at"],
        loss_amount=valid["loss"],
        currency=valid["currency"],
        channel=data.channel,
        region_id=mahalla.region_id,
        district_id=mahalla.district_id,
        mahalla=mahalla,
        victim_age_group=data.victim_age_group or "",
        victim_name=ind.redact_cards(data.victim_name)[:200],
        victim_contact=ind.redact_cards(data.victim_contact)[:100],
        offence=data.offence,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        card_indicators=[{"value": f.value, "display": f.display, "details": f.details} for f in cards],
    )
    return _Prepared(report, cards, valid["attachments"])


def _indicators_of(report: CyberReport, attachment_texts: Sequence[str]) -> list[ind.Found]:
    """Every indicator of a stored report: its card indicators kept at intake, then the rest read from its
    (redacted) texts and its attachments' texts, each once."""
    cards = [
        ind.Found(ind.Kind.CARD, c["value"], c["display"], dict(c.get("details") or {}))
        for c in report.card_indicators
    ]
    others = ind.extract_other("\n".join([report.narrative, report.message_text, *attachment_texts]))
    found, seen = [], set()
    for item in cards + others:
        if (item.kind, item.value) not in seen:
            seen.add((item.kind, item.value))
            found.append(item)
    return found


def _analyse(reports: Sequence[CyberReport], attachment_texts: dict[int, list[str]]) -> list[_Prepared]:
    """Extract the indicators of each report and classify them all in one batch (fields set in memory)."""
    analysed = [_Prepared(r, _indicators_of(r, attachment_texts.get(id(r), [])), []) for r in reports]
    _classify(reports)
    for report in reports:
        report.processing = Processing.DONE
        report.processing_error = ""
    return analysed


def _indicators_store(prepared: Sequence[_Prepared]) -> None:
    wanted: dict[tuple[str, str], ind.Found] = {}
    first_seen: dict[tuple[str, str], dt.datetime] = {}
    for item in prepared:
        for found in item.found:
            k = (found.kind, found.value)
            wanted.setdefault(k, found)
            if k not in first_seen or item.report.reported_at < first_seen[k]:
                first_seen[k] = item.report.reported_at
    if not wanted:
        return
    existing = _indicator_ids(list(wanted))
    new = [
        Indicator(
            kind=f.kind,
            value=f.value,
            display=f.display[:300],
            details=f.details,
            warning=ind.is_warning(f.kind, f.value),
            first_seen=first_seen[k],
        )
        for k, f in wanted.items()
        if k not in existing
    ]
    Indicator.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    existing.update(_indicator_ids([k for k in wanted if k not in existing]))
    _rows_insert(
        ReportIndicator,
        ("report_id", "indicator_id"),
        [(item.report.pk, existing[(f.kind, f.value)]) for item in prepared for f in item.found],
        ignore_conflicts=True,
    )


def _rows_insert(
    model: Any, columns: Sequence[str], rows: list[tuple[Any, ...]], *, ignore_conflicts: bool = False
) -> None:
    """Rows of a narrow link table in one executemany per 5,000, without a model instance each: an import
    of 58,000 reports stores about a million indicator links and text bands, and building and preparing a
    model object per row was most of its time. Only for columns that need no conversion (ids, integers)."""
    if not rows:
        return
    from django.db import connection
    from django.db.models.constants import OnConflict

    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    quoted = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    fields = [model._meta.get_field(c) for c in columns]
    sql = (
        f"{connection.ops.insert_statement(on_conflict=on_conflict)} "
        f"{connection.ops.quote_name(model._meta.db_table)} ({quoted}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"{connection.ops.on_conflict_suffix_sql(fields, on_conflict, None, None) or ''}"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


def _indicator_ids(keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The ids of the stored indicators among ``keys``: one query per kind and 500 values (an indexed IN,
    not an OR of 500 pairs, which the databases plan badly)."""
    by_kind: dict[str, list[str]] = defaultdict(list)
    for kind, value in keys:
        by_kind[kind].append(value)
    ids: dict[tuple[str, str], int] = {}
    for kind, values in by_kind.items():
        for start in range(0, len(values), 500):
            for pk, value in Indicator.objects.filter(
                kind=kind, value__in=values[start : start + 500]
            ).values_list("pk", "value"):
                ids[(kind, value)] = pk
    return ids


def _text_bands_store(prepared: Sequence[_Prepared]) -> None:
    from .linking import MinHasher, band_keys, text_signature

    params = link_parameters()
    hasher = MinHasher(params.permutations, params.random_state)
    bands: list[tuple[Any, ...]] = []
    for item in prepared:
        normalised = normalise_for_similarity(item.report.message_text)
        if not normalised:
            continue
        signature = text_signature(normalised, params, hasher)
        if signature is None:
            continue
        bands += [(item.report.pk, int(k)) for k in band_keys(signature, params.bands)]
    _rows_insert(ReportTextBand, ("report_id", "band_key"), bands)


def _classify(reports: Sequence[CyberReport]) -> None:
    from .classification import active_classifier

    loaded = active_classifier()
    if loaded is None or not reports:
        return
    version, model = loaded
    texts = [f"{r.narrative}\n{r.message_text}" for r in reports]
    for report, result in zip(reports, model.classify(texts), strict=True):
        report.method = result.method
        report.method_probability = round(result.probability, 4)
        report.method_words = result.words
        report.method_model_version = version


def reports_store(
    *,
    actor: Any,
    inputs: Sequence[ReportInput],
    source: str,
    join_campaigns: bool = True,
    queue_processing: bool = False,
) -> list[CyberReport]:
    """Validate, redact and store reports in one transaction; nothing if one is invalid.

    The processing (indicators, classification, campaign join) runs here, in batch, for imports; with
    ``queue_processing`` (a form: one report, answered at once) the report is stored pending and a queued
    task processes it after the commit (``report_process``).

    ``join_campaigns``: a new report joins the campaign of the reports it shares a rare indicator or its
    message template with (the nightly rebuild re-links everything)."""
    reference_sync()
    prepared = []
    for position, data in enumerate(inputs):
        try:
            prepared.append(_prepare(data, source=source, actor=actor))
        except ApplicationError as exc:
            if len(inputs) > 1:
                exc.extra.setdefault("row", position + 1)
            raise
    return _reports_write(
        actor=actor,
        prepared=prepared,
        source=source,
        join_campaigns=join_campaigns,
        queue_processing=queue_processing,
    )


def _reports_write(
    *, actor: Any, prepared: list[_Prepared], source: str, join_campaigns: bool, queue_processing: bool
) -> list[CyberReport]:
    reports = [p.report for p in prepared]
    if queue_processing:
        for report in reports:
            report.processing = Processing.PENDING
        analysed: list[_Prepared] = []
    else:
        analysed = _analyse(
            reports, {id(p.report): [a.text for a, _ in p.attachments] for p in prepared if p.attachments}
        )
    with transaction.atomic():
        taken = set(
            CyberReport.objects.filter(reference__in=[r.reference for r in reports]).values_list(
                "reference", flat=True
            )
        )
        for report in reports:
            while report.reference in taken:
                report.reference = _reference()
            taken.add(report.reference)
        CyberReport.objects.bulk_create(reports, batch_size=2000)
        _indicators_store(analysed)
        _text_bands_store(analysed)
        for item in prepared:
            for attachment, content_type in item.attachments:
                stored = ReportAttachment(
                    report=item.report,
                    content_type=content_type,
                    size=len(attachment.content),
                    original_name=attachment.name[:200],
                    text=ind.redact_cards(attachment.text),
                )
                extension = content_type.split("/")[1].replace("jpeg", "jpg")
                stored.file.save(
                    f"{secrets.token_hex(12)}.{extension}", ContentFile(attachment.content), save=False
                )
                stored.save()
        if len(reports) == 1:
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                object_type="cyber.cyberreport",
                object_id=reports[0].pk,
                object_repr=reports[0].reference,
                details={"source": source, "cards": len(prepared[0].found)},
            )
        else:
            audit_record(
                actor=actor,
                action=AuditAction.IMPORT,
                object_type="cyber.cyberreport",
                object_repr=f"{len(reports)} reports",
                details={"source": source, "rows": len(reports)},
            )
        if queue_processing:
            report_ids = [r.pk for r in reports]
            transaction.on_commit(lambda: reports_processing_enqueue(report_ids=report_ids))
    # After the commit: the campaign search reads many rows, and on SQLite a write transaction holds the one
    # write lock of every server process for as long as it lasts. A report whose join failed is still stored
    # and is linked by the nightly rebuild.
    if join_campaigns and not queue_processing:
        for report in reports:
            campaign_join(report=report)
    return reports


def reports_processing_enqueue(*, report_ids: Sequence[int]) -> None:
    from .tasks import cyber_report_process_task

    for report_id in report_ids:
        cyber_report_process_task(report_id)


class ProcessingFailed(Exception):
    """A report's processing failed (kept on the report; the queue retries it)."""


def report_process(*, report_id: int, final_attempt: bool = True) -> CyberReport | None:
    """Process one stored report (indicators from its texts and attachments, method, text bands) in one
    transaction, then join it to its campaign. A failure is kept on the report (attempts, error) and raised
    again for the queue to retry; after the last attempt the report shows as failed until the daily job
    queues it again. A report already processed is left alone (a task may run twice)."""
    report = CyberReport.objects.filter(pk=report_id).first()
    if report is None or report.processing == Processing.DONE:
        return report
    reference_sync()
    attempts = report.processing_attempts + 1
    try:
        texts = list(ReportAttachment.objects.filter(report=report).values_list("text", flat=True))
        # Extraction and classification before the transaction: on SQLite a write transaction holds the one
        # write lock that every public form's POST needs, so it must only write.
        analysed = _analyse([report], {id(report): texts})
        with transaction.atomic():
            # Two runs of the same report never store its indicators twice (ignore_conflicts), and the
            # bands are replaced.
            ReportTextBand.objects.filter(report=report).delete()
            report.processing_attempts = attempts
            report.save(
                update_fields=[
                    "method",
                    "method_probability",
                    "method_words",
                    "method_model_version",
                    "processing",
                    "processing_error",
                    "processing_attempts",
                ]
            )
            _indicators_store(analysed)
            _text_bands_store(analysed)
    except Exception as error:  # every failure is kept on the report: never lost
        CyberReport.objects.filter(pk=report_id).update(
            processing=Processing.FAILED if final_attempt else Processing.PENDING,
            processing_attempts=attempts,
            processing_error=f"{type(error).__name__}: {error}"[:500],
        )
        raise ProcessingFailed(str(error)[:200]) from error
    # After the commit, as for imports: a join that fails leaves a processed report, linked by the nightly
    # rebuild.
    campaign_join(report=report)
    return report


def reports_processing_requeue(*, older_than: dt.timedelta = dt.timedelta(hours=1)) -> int:
    """Queue again every report whose processing failed, or is still pending after ``older_than`` (its task
    was lost, e.g. the server stopped between the commit and the enqueue). The daily job runs it."""
    stale = timezone.now() - older_than
    report_ids = list(
        CyberReport.objects.filter(
            Q(processing=Processing.FAILED) | Q(processing=Processing.PENDING, created_at__lt=stale)
        ).values_list("pk", flat=True)
    )
    CyberReport.objects.filter(pk__in=report_ids).update(processing=Processing.PENDING)
    reports_processing_enqueue(report_ids=report_ids)
    return len(report_ids)


def report_create_public(*, data: ReportInput, address: str) -> CyberReport:
    """A report from the public form, stored pending in one short transaction with its attempt and audit
    rows; a queued task processes it after the commit. The client's address is counted (as a keyed hash)
    against the limits of the settings CYBER_PUBLIC_LIMIT_PER_HOUR and CYBER_PUBLIC_LIMIT_PER_DAY, shared by
    every server process through the database."""
    address_hash = hmac.new(card_key(), f"address:{address}".encode(), hashlib.sha256).hexdigest()
    reference_sync()
    try:
        prepared = [_prepare(data, source=Source.PUBLIC, actor=None)]
    except ApplicationError:
        # The attempt is counted even when the report is refused: a flood of invalid forms is still a flood.
        with transaction.atomic():
            _public_attempt_count(address_hash)
        raise
    with transaction.atomic():
        _public_attempt_count(address_hash)
        return _reports_write(
            actor=None, prepared=prepared, source=Source.PUBLIC, join_campaigns=False, queue_processing=True
        )[0]


def _public_attempt_count(address_hash: str) -> None:
    """Refuse (RateLimited) an address over its limits, else count its attempt."""
    now = timezone.now()
    recent = PublicSubmissionAttempt.objects.filter(
        address_hash=address_hash, at__gte=now - dt.timedelta(days=1)
    )
    last_hour = recent.filter(at__gte=now - dt.timedelta(hours=1)).count()
    if last_hour >= public_limit_per_hour() or recent.count() >= settings.CYBER_PUBLIC_LIMIT_PER_DAY:
        raise RateLimited(
            _("Too many reports from this address. Please try again later or call 102."),
            {"retry_after_seconds": 3600},
        )
    PublicSubmissionAttempt.objects.create(address_hash=address_hash, at=now)


class RateLimited(ApplicationError):
    """Too many submissions from one address."""


def report_create_by_officer(*, actor: Any, data: ReportInput) -> CyberReport:
    if not has_role(actor, CYBER_INTAKE):
        raise AccessDenied(_("Your role does not take cybercrime statements."))
    from mahalla.territory.access import mahalla_filter_for

    if (
        data.mahalla is None
        or not type(data.mahalla).objects.filter(mahalla_filter_for(actor), pk=data.mahalla.pk).exists()
    ):
        raise ApplicationError(_("The mahalla is outside your territory."), {"field": "mahalla"})
    return reports_store(actor=actor, inputs=[data], source=Source.OFFICER, queue_processing=True)[0]


# --- campaigns ------------------------------------------------------------------------------------------


def _linkable_indicator_ids(report: CyberReport) -> list[int]:
    return list(
        Indicator.objects.filter(report_links__report=report, warning=False)
        .annotate(df=Count("report_links"))
        .filter(df__lte=link_parameters().hub_limit)
        .values_list("pk", flat=True)
    )


def _campaign_code() -> str:
    return "CMP-" + secrets.token_hex(3).upper()


def campaign_join(*, report: CyberReport) -> Campaign | None:
    """Put a new report into the campaign of the reports it is linked to (a shared rare indicator, or two
    shared MinHash bands of the message); create a proposed campaign when they have none."""
    indicator_ids = _linkable_indicator_ids(report)
    keys = list(ReportTextBand.objects.filter(report=report).values_list("band_key", flat=True))
    by_text: set[int] = set()
    if keys:
        by_text = set(
            ReportTextBand.objects.filter(band_key__in=keys)
            .exclude(report=report)
            .values("report_id")
            .annotate(n=Count("pk"))
            .filter(n__gte=2)
            .values_list("report_id", flat=True)
        )
    split = set(
        LinkDecision.objects.filter(decision=LinkDecision.Decision.SPLIT, report_a=report).values_list(
            "report_b_id", flat=True
        )
    ) | set(
        LinkDecision.objects.filter(decision=LinkDecision.Decision.SPLIT, report_b=report).values_list(
            "report_a_id", flat=True
        )
    )
    linked = Q(report__indicator_links__indicator_id__in=indicator_ids)
    if by_text:
        linked |= Q(report_id__in=by_text)
    # The campaign most of the linked reports are in, counted by the database: a large campaign's members
    # never come back to Python one by one.
    counts = (
        CampaignMember.objects.filter(linked)
        .exclude(report_id__in=split | {report.pk})
        .values("campaign_id")
        .annotate(n=Count("report_id", distinct=True))
        .order_by("-n", "campaign_id")
        .values_list("campaign_id", "n")[:1]
    )
    campaigns = Counter(dict(counts))
    related: set[int] = set()
    if not campaigns:
        related = (
            set(
                ReportIndicator.objects.filter(indicator_id__in=indicator_ids)
                .exclude(report=report)
                .values_list("report_id", flat=True)
            )
            | by_text
        ) - split
        if not related:
            return None
    if campaigns:
        campaign = Campaign.objects.get(pk=campaigns.most_common(1)[0][0])
        CampaignMember.objects.update_or_create(
            report=report, defaults={"campaign": campaign, "reason": "new report"}
        )
    else:
        members = [report.pk, *sorted(related)]
        with transaction.atomic():
            campaign = Campaign.objects.create(code=_campaign_code())
            taken = set(
                CampaignMember.objects.filter(report_id__in=members).values_list("report_id", flat=True)
            )
            CampaignMember.objects.bulk_create(
                [
                    CampaignMember(report_id=rid, campaign=campaign, reason="new report")
                    for rid in members
                    if rid not in taken
                ]
            )
    campaign_statistics_update(campaign_ids=[campaign.pk])
    return campaign


def campaign_statistics_update(*, campaign_ids: Sequence[int] | None = None) -> None:
    campaigns = (
        Campaign.objects.all() if campaign_ids is None else Campaign.objects.filter(pk__in=campaign_ids)
    )
    month_ago = timezone.now() - dt.timedelta(days=30)
    # Two grouped queries, whatever the campaigns' sizes: the figures, and the method counts (no member rows
    # come back to Python; a new public report updates its campaign's figures within its request).
    stats = (
        CampaignMember.objects.filter(campaign__in=campaigns)
        .values("campaign_id")
        .annotate(
            n=Count("pk"),
            loss=Sum("report__loss_amount"),
            first=Min("report__reported_at"),
            last=models_max("report__reported_at"),
            old=Count("pk", filter=Q(report__reported_at__lt=month_ago)),
        )
        .order_by()
    )
    methods: dict[int, Counter[str]] = defaultdict(Counter)
    for row in (
        CampaignMember.objects.filter(campaign__in=campaigns)
        .values("campaign_id", "report__method", "report__method_corrected")
        .annotate(n=Count("pk"))
        .order_by("campaign_id", "report__method", "report__method_corrected")
    ):
        methods[row["campaign_id"]][row["report__method_corrected"] or row["report__method"]] += row["n"]
    updates = []
    for row in stats:
        campaign = Campaign(pk=row["campaign_id"])
        campaign.size = row["n"]
        campaign.total_loss = row["loss"] or 0
        campaign.first_seen = row["first"]
        campaign.last_seen = row["last"]
        campaign.size_30_days_ago = row["old"]
        common = methods[row["campaign_id"]].most_common(1)
        campaign.main_method = common[0][0] if common and common[0][0] else ""
        updates.append(campaign)
    Campaign.objects.bulk_update(
        updates,
        ["size", "total_loss", "first_seen", "last_seen", "size_30_days_ago", "main_method"],
        batch_size=1000,
    )


def models_max(field_name: str) -> Any:
    from django.db.models import Max

    return Max(field_name)


@dataclass
class RebuildOutcome:
    reports: int
    campaigns: int
    linked_reports: int
    hubs: list[str]
    seconds: float


def campaigns_rebuild(*, actor: Any = None) -> RebuildOutcome:
    """Re-link every report from scratch and store the campaigns, keeping each existing campaign's code and
    status where most of its reports stay together; analysts' decisions are re-applied."""
    import time

    started = time.perf_counter()
    report_ids = list(CyberReport.objects.order_by("pk").values_list("pk", flat=True))
    index = {rid: i for i, rid in enumerate(report_ids)}
    postings = [
        (index[rid], str(iid))
        for rid, iid in ReportIndicator.objects.filter(indicator__warning=False).values_list(
            "report_id", "indicator_id"
        )
    ]
    texts = [""] * len(report_ids)
    for rid, message in CyberReport.objects.exclude(message_text="").values_list("pk", "message_text"):
        texts[index[rid]] = normalise_for_similarity(message)
    decisions = list(LinkDecision.objects.values_list("report_a_id", "report_b_id", "decision"))
    confirmed = [
        (index[a], index[b])
        for a, b, d in decisions
        if d == LinkDecision.Decision.CONFIRM and a in index and b in index
    ]
    split = [
        (index[a], index[b])
        for a, b, d in decisions
        if d == LinkDecision.Decision.SPLIT and a in index and b in index
    ]
    from .linking import link

    params = link_parameters()
    result = link(len(report_ids), postings, texts, confirmed=confirmed, split=split, params=params)
    groups: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(result.labels.tolist()):
        if label >= 0:
            groups[label].append(report_ids[i])
    old_membership = dict(CampaignMember.objects.values_list("report_id", "campaign_id"))
    with transaction.atomic():
        claimed: set[int] = set()
        assignment: dict[int, int] = {}
        new_campaigns = []
        for label, members in sorted(groups.items(), key=lambda item: -len(item[1])):
            overlap = Counter(old_membership[m] for m in members if m in old_membership)
            reuse = next(
                (
                    cid
                    for cid, n in overlap.most_common()
                    if cid not in claimed and n * 2 >= len(members) * 0 + 1
                ),
                None,
            )
            if reuse is not None:
                claimed.add(reuse)
                assignment[label] = reuse
            else:
                campaign = Campaign(code=_campaign_code())
                new_campaigns.append((label, campaign))
        Campaign.objects.bulk_create([c for _, c in new_campaigns], batch_size=1000)
        for label, campaign in new_campaigns:
            assignment[label] = campaign.pk
        CampaignMember.objects.all().delete()
        CampaignMember.objects.bulk_create(
            [
                CampaignMember(report_id=rid, campaign_id=assignment[label], reason="linked")
                for label, members in groups.items()
                for rid in members
            ],
            batch_size=5000,
        )
        Campaign.objects.exclude(pk__in=set(assignment.values())).filter(
            status=Campaign.Status.PROPOSED
        ).delete()
        campaign_statistics_update(campaign_ids=list(set(assignment.values())))
        seconds = time.perf_counter() - started
        audit_record(
            actor=actor,
            action=AuditAction.RUN,
            object_type="cyber.campaign",
            object_repr="campaigns rebuild",
            details={"reports": len(report_ids), "campaigns": len(groups), "hubs": len(result.hubs)},
        )
    return RebuildOutcome(
        reports=len(report_ids),
        campaigns=len(groups),
        linked_reports=sum(len(m) for m in groups.values()),
        hubs=result.hubs,
        seconds=seconds,
    )


def campaign_confirm(*, actor: Any, campaign: Campaign, reason: str = "") -> Campaign:
    if not has_role(actor, CYBER_ANALYSTS):
        raise AccessDenied(_("Your role does not confirm campaigns."))
    with transaction.atomic():
        campaign.status = Campaign.Status.CONFIRMED
        campaign.confirmed_by = actor
        campaign.confirmed_at = timezone.now()
        campaign.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
        # The confirmation is kept as confirmed links, so that a rebuild keeps the campaign together.
        members = list(campaign.members.order_by("report_id").values_list("report_id", flat=True))
        if members:
            LinkDecision.objects.bulk_create(
                [
                    LinkDecision(
                        report_a_id=members[0],
                        report_b_id=other,
                        decision=LinkDecision.Decision.CONFIRM,
                        reason=reason[:500],
                        decided_by=actor,
                    )
                    for other in members[1:]
                ]
            )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="cyber.campaign",
            object_id=campaign.pk,
            object_repr=campaign.code,
            details={"status": "confirmed", "reports": len(members), "reason": reason[:200]},
        )
    return campaign


def report_split_from_campaign(
    *, actor: Any, campaign: Campaign, report: CyberReport, reason: str
) -> LinkDecision:
    """An analyst takes a report out of a campaign: kept as split decisions against its members."""
    if not has_role(actor, CYBER_ANALYSTS):
        raise AccessDenied(_("Your role does not change campaigns."))
    if not reason.strip():
        raise ApplicationError(_("Give the reason for the split."), {"field": "reason"})
    with transaction.atomic():
        member = CampaignMember.objects.filter(campaign=campaign, report=report).first()
        if member is None:
            raise ApplicationError(_("The report is not in this campaign."), {"field": "report"})
        others = list(campaign.members.exclude(report=report).values_list("report_id", flat=True))
        decisions = [
            LinkDecision(
                report_a_id=report.pk,
                report_b_id=o,
                decision=LinkDecision.Decision.SPLIT,
                reason=reason[:500],
                decided_by=actor,
            )
            for o in others
        ]
        LinkDecision.objects.bulk_create(decisions)
        LinkDecision.objects.filter(
            Q(report_a=report) | Q(report_b=report),
            decision=LinkDecision.Decision.CONFIRM,
            report_a_id__in=[report.pk, *others],
            report_b_id__in=[report.pk, *others],
        ).delete()
        member.delete()
        campaign_statistics_update(campaign_ids=[campaign.pk])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="cyber.campaign",
            object_id=campaign.pk,
            object_repr=campaign.code,
            details={"split_report": report.reference, "reason": reason[:200]},
        )
    return decisions[0] if decisions else LinkDecision(report_a=report, report_b=report, decision="split")


def report_method_correct(*, actor: Any, report: CyberReport, method: str) -> CyberReport:
    if not has_role(actor, CYBER_ANALYSTS | CYBER_INTAKE):
        raise AccessDenied(_("Your role does not correct the method."))
    if method not in Method.values:
        raise ApplicationError(_("Unknown method %(value)r.") % {"value": method}, {"field": "method"})
    with transaction.atomic():
        previous = report.method_corrected or report.method
        report.method_corrected = method
        report.method_corrected_by = actor
        report.save(update_fields=["method_corrected", "method_corrected_by"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="cyber.cyberreport",
            object_id=report.pk,
            object_repr=report.reference,
            details={"method": method, "previous": previous},
        )
    return report


# --- blocking -------------------------------------------------------------------------------------------


def organisation_token_set(*, organisation: Organisation) -> str:
    """A new API token for the organisation; only its hash is stored. Returned once, to hand over."""
    token = secrets.token_urlsafe(32)
    organisation.token_hash = hashlib.sha256(token.encode()).hexdigest()
    organisation.save(update_fields=["token_hash"])
    return token


def organisation_by_token(token: str) -> Organisation | None:
    if not token:
        return None
    digest = hashlib.sha256(token.encode()).hexdigest()
    organisation = Organisation.objects.filter(token_hash=digest).first()
    if organisation is None or not hmac.compare_digest(organisation.token_hash, digest):
        return None
    return organisation


def _organisations_for(indicator: Indicator) -> list[Organisation]:
    chosen = []
    for organisation in Organisation.objects.order_by("code"):
        if indicator.kind not in organisation.indicator_kinds:
            continue
        if indicator.kind == ind.Kind.CARD and organisation.card_schemes:
            if indicator.details.get("scheme") not in organisation.card_schemes:
                continue
        chosen.append(organisation)
    return chosen


def block_requests_for_campaign(*, actor: Any, campaign: Campaign) -> list[BlockRequest]:
    """Ask every organisation concerned to block the campaign's indicators (not warning-list ones), each with
    the campaign's reports that name it as evidence. An existing request for the same pair is kept."""
    if not has_role(actor, CYBER_ANALYSTS):
        raise AccessDenied(_("Your role does not send blocking requests."))
    now = timezone.now()
    created = []
    with transaction.atomic():
        member_ids = list(campaign.members.values_list("report_id", flat=True))
        indicators = Indicator.objects.filter(
            report_links__report_id__in=member_ids, warning=False
        ).distinct()
        for indicator in indicators:
            if indicator.kind == ind.Kind.DOMAIN and indicator.details.get("genuine_brand"):
                continue
            evidence = list(
                CyberReport.objects.filter(
                    pk__in=member_ids, indicator_links__indicator=indicator
                ).values_list("pk", "reported_at")
            )
            if not evidence:
                continue
            first = min(at for _, at in evidence)
            for organisation in _organisations_for(indicator):
                block_request, was_created = BlockRequest.objects.get_or_create(
                    organisation=organisation,
                    indicator=indicator,
                    defaults={
                        "campaign": campaign,
                        "first_reported_at": first,
                        "requested_at": now,
                        "requested_by": actor,
                    },
                )
                block_request.evidence.add(*[pk for pk, _ in evidence])
                if was_created:
                    created.append(block_request)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="cyber.blockrequest",
            object_repr=campaign.code,
            details={"campaign": campaign.code, "requests": len(created)},
        )
    return created


_STATUS_ORDER = {
    BlockRequest.Status.REQUESTED: 0,
    BlockRequest.Status.ACKNOWLEDGED: 1,
    BlockRequest.Status.BLOCKED: 2,
    BlockRequest.Status.REJECTED: 2,
}


def block_request_status_set(
    *,
    organisation: Organisation,
    block_request: BlockRequest,
    status: str,
    note: str = "",
    at: dt.datetime | None = None,
) -> BlockRequest:
    """The organisation reports progress on one of its own requests (never another's)."""
    if block_request.organisation_id != organisation.pk:
        raise AccessDenied(_("Blocking request not found"), {"id": str(block_request.pk)})
    if status not in _STATUS_ORDER:
        raise ApplicationError(_("Unknown status %(value)r.") % {"value": status}, {"field": "status"})
    if _STATUS_ORDER[status] < _STATUS_ORDER[block_request.status] or block_request.status in (
        BlockRequest.Status.BLOCKED,
        BlockRequest.Status.REJECTED,
    ):
        raise ApplicationError(
            _("A request that is %(old)s cannot become %(new)s.")
            % {"old": block_request.status, "new": status},
            {"field": "status"},
        )
    at = at or timezone.now()
    with transaction.atomic():
        block_request.status = status
        if status == BlockRequest.Status.ACKNOWLEDGED:
            block_request.acknowledged_at = at
        else:
            block_request.acknowledged_at = block_request.acknowledged_at or at
            block_request.closed_at = at
        block_request.note = note[:500]
        block_request.save(update_fields=["status", "acknowledged_at", "closed_at", "note"])
        audit_record(
            actor=None,
            action=AuditAction.UPDATE,
            object_type="cyber.blockrequest",
            object_id=block_request.pk,
            object_repr=f"{organisation.code}: {block_request.indicator.display}"[:200],
            details={"status": status, "organisation": organisation.code},
        )
    return block_request

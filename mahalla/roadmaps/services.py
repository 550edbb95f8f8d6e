"""Writes of roadmaps and measures: keyword-only, atomic, validated, audited (STYLE.md).

A roadmap is created from one or more templates (catalogue.py) or from the mahalla's explanation (the
factors that made it red or yellow suggest templates, selectors.mahalla_problem_factors). Measures get
their deadlines from the template's default durations counted from the period start. Overdue measures
raise one alert each (per deadline) to the owner and the chief of the territory; the effect of a completed
measure or roadmap is the engine's matched difference-in-differences, stored with its interval and p-value.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from mahalla.accounts.models import User
from mahalla.audit.models import AuditAction
from mahalla.audit.services import audit_record
from mahalla.core.dates import date_check
from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.core.roles import Role, ScopeLevel
from mahalla.incidents.models import CodeKind, Offence
from mahalla.territory.access import territory_filter_for
from mahalla.territory.models import District, Mahalla, Region

from . import selectors
from .access import (
    access_measure_by_id,
    access_roadmap_by_id,
    measure_work_allowed,
    roadmap_planning_allowed,
    territory_in_scope,
)
from .catalogue import catalogue
from .models import (
    EffectEstimate,
    Measure,
    MeasureAlert,
    MeasureComment,
    MeasureEvidence,
    PeriodKind,
    Roadmap,
    TerritoryLevel,
)

# Evidence files: what is accepted, recognised by the first bytes (a client's content type is not trusted).
EVIDENCE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "image/jpeg": (MeasureEvidence.Kind.PHOTO, (b"\xff\xd8\xff",)),
    "image/png": (MeasureEvidence.Kind.PHOTO, (b"\x89PNG\r\n\x1a\n",)),
    "image/webp": (MeasureEvidence.Kind.PHOTO, (b"RIFF",)),
    "application/pdf": (MeasureEvidence.Kind.DOCUMENT, (b"%PDF-",)),
    # Office documents are zip containers.
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        MeasureEvidence.Kind.DOCUMENT,
        (b"PK\x03\x04",),
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (
        MeasureEvidence.Kind.DOCUMENT,
        (b"PK\x03\x04",),
    ),
    "application/vnd.oasis.opendocument.text": (MeasureEvidence.Kind.DOCUMENT, (b"PK\x03\x04",)),
}
DEFAULT_EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# The offences a prevention measure in a mahalla can act on: crimes that happen at a place, not online.
PLACE_BASED_EXCLUDED_CATEGORIES = ("cyber",)


def _evidence_type(head: bytes, declared: str) -> str | None:
    """The accepted type whose signature the first bytes carry, if the declared type agrees (an empty or
    generic declaration is accepted for the types that the signature alone identifies)."""
    generic = declared in ("", "application/octet-stream")
    for content_type, (_kind, signatures) in EVIDENCE_TYPES.items():
        if not any(head.startswith(signature) for signature in signatures):
            continue
        if content_type == "image/webp" and head[8:12] != b"WEBP":
            continue
        if signatures[0] == b"PK\x03\x04":
            # Every zip looks alike: the declared office type decides, and must be one we accept.
            if declared == content_type:
                return content_type
            continue
        if declared == content_type or generic:
            return content_type
    return None


def evidence_max_bytes() -> int:
    return int(getattr(settings, "ROADMAP_EVIDENCE_MAX_BYTES", DEFAULT_EVIDENCE_MAX_BYTES))


def _require_planner(actor: Any) -> None:
    if not roadmap_planning_allowed(actor):
        raise AccessDenied(
            _("Your role does not allow planning roadmaps."), {"role": getattr(actor, "role", "")}
        )


def _period_start_check(period_kind: str, period_start: dt.date) -> None:
    if period_kind not in PeriodKind.values:
        raise ApplicationError(
            _("Unknown period %(value)s: use month or quarter.") % {"value": period_kind},
            {"field": "period_kind", "value": period_kind},
        )
    date_check(period_start, field="period_start")
    if period_start.day != 1 or (period_kind == PeriodKind.QUARTER and period_start.month % 3 != 1):
        raise ApplicationError(
            _("A %(kind)s starts on the first day of a %(kind)s; %(value)s does not.")
            % {"kind": period_kind, "value": period_start.isoformat()},
            {"field": "period_start", "value": period_start.isoformat()},
        )


def _territory(actor: Any, level: str, code: str) -> tuple[Region, District | None, Mahalla | None]:
    """The territory of a new roadmap, which must lie inside the actor's scope (not merely be visible)."""
    region: Region | None
    district: District | None = None
    mahalla: Mahalla | None = None
    if level == TerritoryLevel.REGION:
        region = Region.objects.filter(code=code).first()
    elif level == TerritoryLevel.DISTRICT:
        district = District.objects.select_related("region").filter(code=code).first()
        region = district.region if district else None
    elif level == TerritoryLevel.MAHALLA:
        mahalla = Mahalla.objects.select_related("district", "region").filter(code=code).first()
        district = mahalla.district if mahalla else None
        region = mahalla.region if mahalla else None
    else:
        raise ApplicationError(
            _("Unknown level %(value)s: use region, district or mahalla.") % {"value": level},
            {"field": "level", "value": level},
        )
    scope = territory_filter_for(actor)
    if region is None or not territory_in_scope(
        scope,
        region_id=region.pk,
        district_id=district.pk if district else None,
        mahalla_id=mahalla.pk if mahalla else None,
    ):
        raise AccessDenied(_("Territory not found"), {"level": level, "code": code})
    return region, district, mahalla


def _owner_check(roadmap: Roadmap, owner: User | None) -> None:
    if owner is None:
        return
    if not owner.is_active:
        raise ApplicationError(
            _("%(user)s is not an active account and cannot own a measure.") % {"user": owner.username},
            {"field": "owner", "value": owner.pk},
        )
    if not territory_in_scope(
        territory_filter_for(owner),
        region_id=roadmap.region_id,
        district_id=roadmap.district_id,
        mahalla_id=roadmap.mahalla_id,
    ) and not _owner_sees_mahalla(owner, roadmap):
        raise ApplicationError(
            _("%(user)s works outside this roadmap's territory and cannot own its measures.")
            % {"user": owner.username},
            {"field": "owner", "value": owner.pk},
        )


def _owner_sees_mahalla(owner: User, roadmap: Roadmap) -> bool:
    # An inspector of a few mahallas may own measures of a mahalla roadmap of one of them.
    scope = territory_filter_for(owner)
    return roadmap.mahalla_id is not None and roadmap.mahalla_id in scope.mahalla_ids


def _target_mahallas(roadmap: Roadmap, codes: Sequence[str] | None) -> list[Mahalla]:
    """The mahallas a measure is aimed at: the listed ones (which must lie in the roadmap's territory), by
    default the roadmap's mahalla or, for a district or region roadmap, none (the whole territory)."""
    if not codes:
        return [roadmap.mahalla] if roadmap.mahalla is not None else []
    found = {m.code: m for m in roadmap_mahallas(roadmap).filter(code__in=list(codes))}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ApplicationError(
            _("Mahalla(s) %(codes)s are not in the roadmap's territory.") % {"codes": ", ".join(unknown)},
            {"field": "target_mahallas", "value": unknown},
        )
    return [found[c] for c in codes]


def roadmap_mahallas(roadmap: Roadmap) -> Any:
    if roadmap.mahalla_id is not None:
        return Mahalla.objects.filter(pk=roadmap.mahalla_id)
    if roadmap.district_id is not None:
        return Mahalla.objects.filter(district_id=roadmap.district_id)
    return Mahalla.objects.filter(region_id=roadmap.region_id)


def _measures_from_templates(
    roadmap: Roadmap, template_keys: Iterable[str], owner: User | None, targets: list[Mahalla]
) -> list[Measure]:
    created = []
    for key in template_keys:
        template = catalogue().template(key)
        for item in template.measures:
            measure = Measure.objects.create(
                roadmap=roadmap,
                title=item.title,
                problem_key=template.key,
                template_measure_key=item.key,
                kind=item.kind,
                owner=owner,
                # A roadmap plans its period: a measure longer than the period is due at its end.
                deadline=min(
                    roadmap.period_start + dt.timedelta(days=item.duration_days - 1), roadmap.period_end
                ),
            )
            if targets:
                measure.target_mahallas.set(targets)
            created.append(measure)
    return created


@transaction.atomic
def roadmap_create_from_template(
    *,
    actor: Any,
    level: str,
    code: str,
    period_kind: str,
    period_start: dt.date,
    template_keys: Sequence[str],
    title: str = "",
    owner: User | None = None,
    target_mahalla_codes: Sequence[str] | None = None,
    source: str = Roadmap.Source.TEMPLATE,
    reasons: list[dict[str, Any]] | None = None,
) -> Roadmap:
    """A roadmap for the territory and period with every measure of the named templates."""
    _require_planner(actor)
    _period_start_check(period_kind, period_start)
    keys = list(dict.fromkeys(template_keys))
    if not keys:
        raise ApplicationError(_("Choose at least one template."), {"field": "template_keys"})
    templates = [catalogue().template(key) for key in keys]
    region, district, mahalla = _territory(actor, level, code)
    territory = mahalla or district or region
    roadmap = Roadmap.objects.create(
        level=level,
        region=region,
        district=district,
        mahalla=mahalla,
        period_kind=period_kind,
        period_start=period_start,
        title=(title.strip() or f"{territory.name_uz}: {', '.join(t.title for t in templates)}")[:200],
        source=source,
        template_keys=keys,
        reasons=reasons or [],
        created_by=actor,
    )
    _owner_check(roadmap, owner)
    targets = _target_mahallas(roadmap, target_mahalla_codes)
    measures = _measures_from_templates(roadmap, keys, owner, targets)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="roadmaps.roadmap",
        object_id=roadmap.pk,
        object_repr=str(roadmap),
        details={
            "level": level,
            "code": code,
            "period_kind": period_kind,
            "period_start": period_start.isoformat(),
            "templates": keys,
            "measures": len(measures),
            "source": source,
        },
    )
    return roadmap


@transaction.atomic
def roadmap_create_from_explanation(
    *,
    actor: Any,
    mahalla_code: str,
    period_kind: str,
    period_start: dt.date,
    owner: User | None = None,
) -> Roadmap:
    """A mahalla roadmap whose templates follow from what made the mahalla red or yellow: its class, the
    shares of categories, flags and causes among its crimes of the last twelve months
    (reference/explanation_rules.csv). A red mahalla always gets the exemplary safe street."""
    _require_planner(actor)
    region, district, mahalla = _territory(actor, TerritoryLevel.MAHALLA, mahalla_code)
    assert mahalla is not None  # the level is mahalla
    suggestion = selectors.mahalla_template_suggestion(actor=actor, mahalla=mahalla)
    if not suggestion["template_keys"]:
        raise ApplicationError(
            _(
                "Nothing in the explanation of %(mahalla)s points to a template; create the roadmap from a "
                "template instead."
            )
            % {"mahalla": mahalla.name_uz},
            {"mahalla": mahalla_code, "factors": suggestion["factors"]},
        )
    return roadmap_create_from_template(
        actor=actor,
        level=TerritoryLevel.MAHALLA,
        code=mahalla_code,
        period_kind=period_kind,
        period_start=period_start,
        template_keys=suggestion["template_keys"],
        owner=owner,
        source=Roadmap.Source.EXPLANATION,
        reasons=suggestion["reasons"],
    )


@transaction.atomic
def measure_create(
    *,
    actor: Any,
    roadmap_id: int,
    title: str,
    deadline: dt.date,
    kind: str = "other",
    owner: User | None = None,
    target_mahalla_codes: Sequence[str] | None = None,
) -> Measure:
    _require_planner(actor)
    roadmap = access_roadmap_by_id(actor, roadmap_id)
    if not title.strip():
        raise ApplicationError(_("A measure needs a title."), {"field": "title"})
    from .models import MeasureKind

    if kind not in MeasureKind.values:
        raise ApplicationError(_("Unknown measure kind %(value)s.") % {"value": kind}, {"field": "kind"})
    _owner_check(roadmap, owner)
    measure = Measure.objects.create(
        roadmap=roadmap, title=title.strip()[:300], kind=kind, owner=owner, deadline=deadline
    )
    measure.target_mahallas.set(_target_mahallas(roadmap, target_mahalla_codes))
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="roadmaps.measure",
        object_id=measure.pk,
        object_repr=str(measure),
        details={"roadmap": roadmap.pk, "deadline": deadline.isoformat()},
    )
    return measure


def _measure_for_work(actor: Any, measure_id: object) -> Measure:
    measure = access_measure_by_id(actor, measure_id)
    if not measure_work_allowed(actor, measure):
        raise AccessDenied(_("Your role does not allow working on this measure."), {"id": str(measure_id)})
    return measure


@transaction.atomic
def measure_update(
    *,
    actor: Any,
    measure_id: int,
    status: str | None = None,
    deadline: dt.date | None = None,
    owner: User | None = None,
    change_owner: bool = False,
) -> Measure:
    """Change a measure's status (done stamps completed_at; leaving done clears it), deadline or owner.
    Deadlines and owners are the planners' to change; the status also the owner's and the inspectors'."""
    measure = _measure_for_work(actor, measure_id)
    before = {"status": measure.status, "deadline": measure.deadline.isoformat(), "owner": measure.owner_id}
    if (deadline is not None or change_owner) and not roadmap_planning_allowed(actor):
        raise AccessDenied(_("Only planners change deadlines and owners."), {"id": str(measure_id)})
    if status is not None:
        if status not in Measure.Status.values:
            raise ApplicationError(
                _("Unknown status %(value)s.") % {"value": status}, {"field": "status", "value": status}
            )
        if status == Measure.Status.DONE and measure.status != Measure.Status.DONE:
            measure.completed_at = timezone.now()
        elif status != Measure.Status.DONE:
            measure.completed_at = None
        measure.status = status
    if deadline is not None:
        measure.deadline = deadline
    if change_owner:
        _owner_check(measure.roadmap, owner)
        measure.owner = owner
    measure.save()
    after = {"status": measure.status, "deadline": measure.deadline.isoformat(), "owner": measure.owner_id}
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="roadmaps.measure",
        object_id=measure.pk,
        object_repr=str(measure),
        details={"before": before, "after": after},
    )
    return measure


@transaction.atomic
def measure_evidence_add(*, actor: Any, measure_id: int, upload: UploadedFile) -> MeasureEvidence:
    """Store a photo or document for the measure under MEDIA_ROOT, after checking its size and that its
    first bytes match an accepted type (the declared content type must agree)."""
    measure = _measure_for_work(actor, measure_id)
    name = upload.name or "evidence"
    size = upload.size or 0
    if size == 0:
        raise ApplicationError(_("The file %(name)s is empty.") % {"name": name}, {"field": "file"})
    if size > evidence_max_bytes():
        raise ApplicationError(
            _("The file %(name)s is %(size)s bytes; the limit is %(limit)s.")
            % {"name": name, "size": size, "limit": evidence_max_bytes()},
            {"field": "file", "size": size},
        )
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    head = upload.read(16)
    upload.seek(0)
    detected = _evidence_type(head, declared)
    if detected is None:
        raise ApplicationError(
            _(
                "The file %(name)s (%(type)s) is not an accepted photo (JPEG, PNG, WebP) or document (PDF, "
                "DOCX, XLSX, ODT), or its content does not match its type."
            )
            % {"name": name, "type": declared},
            {"field": "file", "content_type": declared},
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    evidence = MeasureEvidence(
        measure=measure,
        kind=EVIDENCE_TYPES[detected][0],
        original_name=name[:255],
        content_type=detected,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    evidence.file.save(name, upload, save=False)
    try:
        evidence.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="roadmaps.measureevidence",
            object_id=evidence.pk,
            object_repr=evidence.original_name,
            details={
                "measure": measure.pk,
                "content_type": detected,
                "size": size,
                "sha256": evidence.sha256,
            },
        )
    except Exception:
        # The transaction rolls the row back; the file on disk must go with it.
        evidence.file.delete(save=False)
        raise
    return evidence


@transaction.atomic
def measure_comment_add(*, actor: Any, measure_id: int, text: str) -> MeasureComment:
    measure = _measure_for_work(actor, measure_id)
    if not text.strip():
        raise ApplicationError(_("A comment cannot be empty."), {"field": "text"})
    comment = MeasureComment.objects.create(measure=measure, author=actor, text=text.strip()[:5000])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="roadmaps.measurecomment",
        object_id=comment.pk,
        object_repr=str(comment),
        details={"measure": measure.pk},
    )
    return comment


def roadmap_chiefs(roadmap: Roadmap) -> list[User]:
    """The chief(s) of the roadmap's territory: the district chief for a district or mahalla roadmap (the
    regional chief when the district has none), the regional chief for a region roadmap."""
    regional = User.objects.filter(
        is_active=True,
        role=Role.REGIONAL_CHIEF,
        scope_level=ScopeLevel.REGION,
        scope_region_id=roadmap.region_id,
    )
    if roadmap.district_id is not None:
        district = list(
            User.objects.filter(
                is_active=True,
                role=Role.DISTRICT_CHIEF,
                scope_level=ScopeLevel.DISTRICT,
                scope_district_id=roadmap.district_id,
            )
        )
        if district:
            return district
    return list(regional)


@transaction.atomic
def measures_overdue_alert(*, today: dt.date, actor: Any = None) -> list[MeasureAlert]:
    """One alert per overdue measure and deadline (a re-run adds none; a moved deadline that passes again
    raises a new one), addressed to the owner and the chief. Returns the alerts created now."""
    overdue = (
        Measure.objects.filter(
            status__in=[Measure.Status.PLANNED, Measure.Status.IN_PROGRESS], deadline__lt=today
        )
        .exclude(alerts__deadline=F("deadline"))
        .select_related("roadmap")
    )
    created = []
    for measure in overdue:
        roadmap = measure.roadmap
        alert, made = MeasureAlert.objects.get_or_create(
            measure=measure,
            deadline=measure.deadline,
            defaults={
                "region_id": roadmap.region_id,
                "district_id": roadmap.district_id,
                "mahalla_id": roadmap.mahalla_id,
                "raised_on": today,
            },
        )
        if not made:
            continue
        recipients = {user.pk: user for user in roadmap_chiefs(roadmap)}
        if measure.owner_id is not None:
            recipients[measure.owner_id] = measure.owner
        alert.recipients.set(list(recipients.values()))
        created.append(alert)
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.RUN,
            object_type="roadmaps.measurealert",
            object_repr=f"overdue measures on {today}",
            details={"date": today.isoformat(), "alerts": [a.pk for a in created]},
        )
    return created


@transaction.atomic
def measure_alert_acknowledge(*, actor: Any, alert_id: int) -> MeasureAlert:
    alert = selectors.measure_alert_list(actor=actor).filter(pk=alert_id).first()
    if alert is None:
        raise AccessDenied(_("Alert not found"), {"id": str(alert_id)})
    if not (alert.recipients.filter(pk=actor.pk).exists() or roadmap_planning_allowed(actor)):
        raise AccessDenied(
            _("Only the people alerted or a planner acknowledge this alert."), {"id": alert_id}
        )
    alert.status = MeasureAlert.Status.ACKNOWLEDGED
    alert.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="roadmaps.measurealert",
        object_id=alert.pk,
        object_repr=str(alert),
        details={"status": alert.status},
    )
    return alert


def _intervention(roadmap: Roadmap, measure: Measure | None) -> tuple[dt.date, list[Mahalla]]:
    if measure is not None:
        if measure.status != Measure.Status.DONE or measure.completed_at is None:
            raise ApplicationError(
                _("The measure %(title)s is not done; its effect can be measured once it is.")
                % {"title": measure.title},
                {"measure": measure.pk, "status": measure.status},
            )
        treated = list(measure.target_mahallas.all()) or list(roadmap_mahallas(roadmap))
        return timezone.localdate(measure.completed_at), treated
    if not roadmap.measures.filter(status=Measure.Status.DONE).exists():
        raise ApplicationError(
            _("No measure of this roadmap is done yet: there is nothing whose effect could be measured."),
            {"roadmap": roadmap.pk},
        )
    return roadmap.period_start, list(roadmap_mahallas(roadmap))


def roadmap_effect_estimate(
    *,
    actor: Any,
    roadmap_id: int,
    measure_id: int | None = None,
    period: str = "month",
    pre_periods: int | None = None,
    categories: Sequence[str] | None = None,
    last_day: dt.date | None = None,
    permutations: int = 999,
    random_state: int = 0,
    exclude_shocked: bool = True,
) -> EffectEstimate:
    """The matched difference-in-differences of offences in the roadmap's (or the measure's) mahallas.

    The intervention date is the measure's completion or the roadmap's period start; the treated mahallas
    are the measure's targets, else the roadmap's territory. Controls are matched among the other mahallas
    of the treated ones' region (the whole country when the region is all treated); the outcome is the
    place-based crimes (all crime categories but cyber, which no street measure reaches) unless
    `categories` names others. Offence counts of control mahallas are read whatever the actor's scope:
    only their totals enter the estimate and none is shown. Mahallas with a large shock of their own in the
    study window (effect.shocked_units: a new hot spot, a one-year red episode) are left out of the controls
    unless `exclude_shocked` is False. Pre-period: 24 months or 104 weeks by default (never before the first
    record), post-period: every whole period after the intervention up to `last_day` (default the last
    offence recorded).
    """
    # pandas and the engine load here, not with the pages and APIs that import this module.
    import pandas as pd

    from mahalla.engine.effect import difference_in_differences

    from .effect import count_panel, shocked_units

    _require_planner(actor)
    roadmap = access_roadmap_by_id(actor, roadmap_id)
    measure = None
    if measure_id is not None:
        measure = access_measure_by_id(actor, measure_id)
        if measure.roadmap_id != roadmap.pk:
            raise ApplicationError(_("The measure is not in this roadmap."), {"measure": measure_id})
    intervention, treated = _intervention(roadmap, measure)
    if not treated:
        raise ApplicationError(_("The roadmap's territory has no mahallas."), {"roadmap": roadmap.pk})
    treated_ids = {m.pk for m in treated}
    region_ids = {m.region_id for m in treated}
    pool = Mahalla.objects.filter(region_id__in=region_ids)
    if pool.exclude(pk__in=treated_ids).count() < 25:
        pool = Mahalla.objects.all()
    units = list(pool.order_by("code").values_list("pk", "code", "population"))
    offences = Offence.objects.filter(mahalla__in=pool, code_kind=CodeKind.CRIMINAL)
    if categories:
        offences = offences.filter(category__code__in=list(categories))
    else:
        offences = offences.exclude(category__code__in=PLACE_BASED_EXCLUDED_CATEGORIES)
    bounds = offences.aggregate(first=Min("occurred_at"), last=Max("occurred_at"))
    if bounds["first"] is None:
        raise ApplicationError(_("No offences are recorded for these mahallas."), {"roadmap": roadmap.pk})
    if last_day is None:
        last_day = timezone.localtime(bounds["last"]).date()
    if pre_periods is None:
        pre_periods = 24 if period == "month" else 104
    span = dt.timedelta(days=31 * (pre_periods + 1) if period == "month" else 7 * (pre_periods + 1))
    # Never before the first recorded offence: months before the records began would count as zeros and
    # dilute the pre-period (a spurious fall for every busy mahalla).
    first_day = max(intervention - span, timezone.localtime(bounds["first"]).date())
    rows = offences.filter(occurred_at__date__gte=first_day - dt.timedelta(days=1)).values_list(
        "mahalla_id", "occurred_at"
    )
    frame = pd.DataFrame(list(rows), columns=["mahalla", "occurred_at"])
    zone = timezone.get_default_timezone()
    days = pd.Series([timezone.localtime(t, zone).date() for t in frame["occurred_at"]], dtype="object")
    panel = count_panel(
        pd.to_datetime(days),
        frame["mahalla"],
        [u[0] for u in units],
        period=period,
        intervention=intervention,
        first_day=first_day,
        last_day=last_day,
    )
    counts = panel.counts
    start_index = list(counts.columns).index(panel.treatment_start)
    usable_pre = min(pre_periods, start_index)
    population_values = {u[0]: u[2] for u in units}
    population = (
        pd.Series(population_values, dtype=float)
        if all(v and v > 0 for v in population_values.values())
        else None
    )
    # Mahallas hit by their own large shock in the study window are no controls (effect.shocked_units).
    window = counts.iloc[:, start_index - usable_pre :]
    shocked = (
        shocked_units(window, panel.treatment_start, skip=sorted(treated_ids)) if exclude_shocked else []
    )
    try:
        result = difference_in_differences(
            counts,
            sorted(treated_ids),
            panel.treatment_start,
            exclude=shocked,
            pre_periods=usable_pre,
            population=population,
            permutations=permutations,
            random_state=random_state,
        )
    except ValueError as error:
        raise ApplicationError(
            _("The effect cannot be estimated: %(reason)s") % {"reason": str(error)}, {"roadmap": roadmap.pk}
        ) from error
    parameters = {
        "treatment_start": panel.treatment_start.isoformat(),
        "dropped_partial_period": panel.dropped_partial.isoformat() if panel.dropped_partial else None,
        "pre_periods": usable_pre,
        "post_periods": len(counts.columns) - start_index,
        "last_day": last_day.isoformat(),
        "categories": list(categories) if categories else "place-based (all but cyber)",
        "permutations": permutations,
        "random_state": random_state,
        "alpha": result.alpha,
        "pool_mahallas": len(units),
        "population_matching": population is not None,
        "excluded_shocked_controls": len(shocked),
    }
    # Only the writes are in a transaction: the estimate takes seconds, and SQLite would hold its write lock
    # (transactions begin IMMEDIATE) for all of them.
    with transaction.atomic():
        estimate = EffectEstimate.objects.create(
            roadmap=roadmap,
            measure=measure,
            region_id=roadmap.region_id,
            district_id=roadmap.district_id,
            mahalla_id=roadmap.mahalla_id,
            intervention_date=intervention,
            period=period,
            parameters=parameters,
            effect=result.effect,
            relative_effect=result.relative_effect,
            ci_low=result.ci_low,
            ci_high=result.ci_high,
            relative_ci_low=result.relative_ci_low,
            relative_ci_high=result.relative_ci_high,
            p_value=result.p_value,
            significant=result.significant,
            n_treated=result.n_treated,
            n_controls=result.n_controls,
            treated_pre=result.treated_pre,
            treated_post=result.treated_post,
            counterfactual=result.counterfactual,
            computed_by=actor,
        )
        audit_record(
            actor=actor,
            action=AuditAction.RUN,
            object_type="roadmaps.effectestimate",
            object_id=estimate.pk,
            object_repr=str(estimate),
            details={"roadmap": roadmap.pk, "measure": measure.pk if measure else None, **parameters},
        )
    return estimate

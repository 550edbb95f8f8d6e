"""Personnel training: needs derived from the crime mix and the results of the territory a person answers
for, explained per person and planned per district and quarter; classes, attendance, results and
certificates; and, after a class, the change in the measured result next to it.

A need is (person, course, reasons): the person's post is named by a rule of TRAINING_NEED_RULES whose metric
crosses its threshold in the person's district (or, for the "own_" metrics, in the person's own overdue
work), and the person holds no valid certificate of that course."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mahalla.analytics.models import AggregateDayResult
from mahalla.audit.models import AuditAction
from mahalla.audit.services import audit_record
from mahalla.core.errors import AccessDenied, ApplicationError

from .access import TRAINING_PLANNERS, is_active_user, scope_of, training_filter_for
from .models import Attendance, Certificate, Course, StaffMember, Task, TrainingClass
from .reference import TRAINING_NEED_RULES

RISE_LOOKBACK_DAYS = 90


@dataclass
class TrainingNeed:
    member_id: int
    member_name: str
    post: str
    district_id: int | None
    course_key: str
    reasons: list[str] = field(default_factory=list)


def _district_metrics(district_ids: set[int], today: dt.date) -> dict[int, dict[str, float]]:
    """Per district: the latest aggregate on or before `today`, and the one RISE_LOOKBACK_DAYS earlier."""
    latest_day = (
        AggregateDayResult.objects.filter(level="district", date__lte=today)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    if latest_day is None:
        return {}
    earlier_day = (
        AggregateDayResult.objects.filter(
            level="district", date__lte=latest_day - dt.timedelta(days=RISE_LOOKBACK_DAYS)
        )
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    rows = AggregateDayResult.objects.filter(
        level="district", district__in=district_ids, date=latest_day
    ).values("district_id", "cyber_share", "counts", "total_window", "minors", "family", "women")
    earlier = {}
    if earlier_day is not None:
        earlier = dict(
            AggregateDayResult.objects.filter(
                level="district", district__in=district_ids, date=earlier_day
            ).values_list("district_id", "cyber_share")
        )
    metrics: dict[int, dict[str, float]] = {}
    for row in rows:
        total = max(int(row["total_window"]), 1)
        counts = row["counts"] or {}
        share = float(row["cyber_share"] or 0.0)
        before = earlier.get(row["district_id"])
        metrics[row["district_id"]] = {
            "cyber_share": share,
            "cyber_share_rise": share - float(before) if before is not None else 0.0,
            "family_share": float(counts.get("domestic_violence", 0)) / total,
            "drug_crimes": float(counts.get("drugs", 0)),
            "minors_share": float(row["minors"]) / total,
            "_date": latest_day.toordinal(),
        }
    return metrics


def _reason(metric: str, value: float, threshold: float) -> str:
    if metric == "cyber_share_rise":
        return _(
            "the district's cyber share rose by %(value)s points in %(days)s days (threshold %(threshold)s)"
        ) % {
            "value": round(value * 100, 1),
            "days": RISE_LOOKBACK_DAYS,
            "threshold": round(threshold * 100, 1),
        }
    if metric == "cyber_share":
        return _("cybercrime is %(value)s%% of the district's crimes (threshold %(threshold)s%%)") % {
            "value": round(value * 100, 1),
            "threshold": round(threshold * 100, 1),
        }
    if metric == "family_share":
        return _("domestic violence is %(value)s%% of the district's crimes (threshold %(threshold)s%%)") % {
            "value": round(value * 100, 1),
            "threshold": round(threshold * 100, 1),
        }
    if metric == "drug_crimes":
        return _("%(value)s drug crimes in the district in the last 28 days (threshold %(threshold)s)") % {
            "value": int(value),
            "threshold": int(threshold),
        }
    if metric == "minors_share":
        return _(
            "offences by minors are %(value)s%% of the district's crimes (threshold %(threshold)s%%)"
        ) % {"value": round(value * 100, 1), "threshold": round(threshold * 100, 1)}
    if metric == "own_overdue_measures":
        return _("%(value)s roadmap measures of this person are overdue") % {"value": int(value)}
    if metric == "own_overdue_tasks":
        return _("%(value)s inter-agency tasks assigned to this person are past their deadline") % {
            "value": int(value)
        }
    return f"{metric} = {value}"


def training_needs(*, members: Any, today: dt.date | None = None) -> list[TrainingNeed]:
    """The needs of the given staff (a queryset), computed with a constant number of queries."""
    today = today or timezone.localdate()
    staff = list(members.filter(active=True).values("id", "full_name", "post", "district_id", "user_id"))
    district_ids = {s["district_id"] for s in staff if s["district_id"] is not None}
    metrics = _district_metrics(district_ids, today)
    valid = set(
        Certificate.objects.filter(member__in=[s["id"] for s in staff], expires_on__gt=today).values_list(
            "member_id", "course__key"
        )
    )
    user_ids = [s["user_id"] for s in staff if s["user_id"]]
    from mahalla.roadmaps.models import Measure

    overdue_measures = dict(
        Measure.objects.filter(owner__in=user_ids, status__in=["planned", "in_progress"], deadline__lt=today)
        .values("owner")
        .annotate(n=Count("id"))
        .values_list("owner", "n")
    )
    overdue_tasks = dict(
        Task.objects.filter(
            assignee__in=[s["id"] for s in staff], status__in=Task.OPEN_STATUSES, deadline__lt=today
        )
        .values("assignee")
        .annotate(n=Count("id"))
        .values_list("assignee", "n")
    )
    needs: dict[tuple[int, str], TrainingNeed] = {}
    for person in staff:
        district = metrics.get(person["district_id"], {})
        own = {
            "own_overdue_measures": float(overdue_measures.get(person["user_id"], 0)),
            "own_overdue_tasks": float(overdue_tasks.get(person["id"], 0)),
        }
        for rule in TRAINING_NEED_RULES:
            if person["post"] not in rule["posts"]:
                continue
            value = own.get(rule["metric"], district.get(rule["metric"]))
            if value is None or value < rule["threshold"]:
                continue
            if (person["id"], rule["course"]) in valid:
                continue
            key = (person["id"], rule["course"])
            need = needs.setdefault(
                key,
                TrainingNeed(
                    person["id"], person["full_name"], person["post"], person["district_id"], rule["course"]
                ),
            )
            need.reasons.append(_reason(rule["metric"], value, rule["threshold"]))
    return sorted(needs.values(), key=lambda n: (n.district_id or 0, n.course_key, n.member_name))


def _quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _next_quarter(day: dt.date) -> str:
    month = ((day.month - 1) // 3 + 1) * 3 + 1
    return _quarter_of(dt.date(day.year + (month > 12), (month - 1) % 12 + 1, 1))


def training_plan(*, actor: Any, today: dt.date | None = None, district: Any = None) -> dict[str, Any]:
    """The needs of the staff in the actor's territory (or of one `district` of it), and the plan: per
    district and course, how many people need it in the next quarter, with the reasons (persons explained
    one by one). A district outside the actor's territory is refused, naming the field."""
    if not is_active_user(actor) or actor.role not in TRAINING_PLANNERS:
        raise AccessDenied(_("Training plans are made by the chiefs and analysts."))
    today = today or timezone.localdate()
    members = StaffMember.objects.filter(training_filter_for(actor))
    if district is not None:
        from mahalla.territory.access import district_filter_for
        from mahalla.territory.models import District as DistrictModel

        if not DistrictModel.objects.filter(district_filter_for(actor), pk=district.pk).exists():
            raise ApplicationError(_("Choose a district of your territory."), {"field": "district"})
        members = members.filter(district=district.pk)
    needs = training_needs(members=members, today=today)
    courses = {c.key: c for c in Course.objects.all()}
    from mahalla.territory.models import District

    districts = {
        d.pk: d for d in District.objects.filter(pk__in={n.district_id for n in needs}).defer("boundary")
    }
    plan: dict[tuple[int | None, str], dict[str, Any]] = {}
    for need in needs:
        row = plan.setdefault(
            (need.district_id, need.course_key),
            {
                "district": districts.get(need.district_id),
                "course": courses.get(need.course_key),
                "people": 0,
                "quarter": _next_quarter(today),
                "reasons": set(),
            },
        )
        row["people"] += 1
        row["reasons"].update(need.reasons)
    rows = sorted(plan.values(), key=lambda r: (-r["people"], r["course"].key if r["course"] else ""))
    for row in rows:
        row["reasons"] = sorted(row["reasons"])
    return {"needs": needs, "plan": rows, "courses": courses, "quarter": _next_quarter(today)}


def training_class_record(
    *,
    actor: Any,
    course: Course,
    date: dt.date,
    district: Any,
    trainer: str = "",
    results: list[tuple[StaffMember, int | None]] | None = None,
) -> TrainingClass:
    """A class held, with attendance and test results; a pass (score >= 60) earns a certificate valid for the
    course's number of years."""
    if not is_active_user(actor) or actor.role not in TRAINING_PLANNERS:
        raise AccessDenied(_("Classes are recorded by the chiefs and analysts."))
    scope = scope_of(actor)
    if not (
        scope.sees_everything or district.pk == scope.district_id or district.region_id == scope.region_id
    ):
        raise AccessDenied(_("The district is outside your territory."), {"field": "district"})
    if date > timezone.localdate():
        raise ApplicationError(_("A class is recorded after it was held."), {"field": "date"})
    with transaction.atomic():
        held = TrainingClass.objects.create(
            course=course, date=date, trainer=trainer, region_id=district.region_id, district=district
        )
        for member, score in results or []:
            if member.district_id != district.pk:
                raise ApplicationError(
                    _("%(name)s works in another district.") % {"name": member.full_name},
                    {"field": "results"},
                )
            if score is not None and not 0 <= score <= 100:
                raise ApplicationError(
                    _("A score is between 0 and 100."), {"field": "results", "value": score}
                )
            passed = score is not None and score >= 60
            Attendance.objects.create(training_class=held, member=member, score=score, passed=passed)
            if passed:
                Certificate.objects.create(
                    member=member,
                    course=course,
                    issued_on=date,
                    expires_on=date.replace(year=date.year + course.certificate_years),
                )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="coordination.training-class",
            object_id=held.pk,
            object_repr=f"{course.key} {date}",
        )
    return held


COURSE_METRIC = {
    "cyber-fraud": "cyber_share",
    "domestic-violence": "family_share",
    "drugs": "drug_crimes",
    "juvenile": "minors_share",
}
# What the before/after columns of a course show, for the reader; shares are shown as percentages.
METRIC_LABELS = {
    "cyber_share": gettext_lazy("share of cyber crimes"),
    "family_share": gettext_lazy("share of family-relation crimes"),
    "drug_crimes": gettext_lazy("drug crimes in 12 months"),
    "minors_share": gettext_lazy("share of crimes by minors"),
}


def training_effects(*, actor: Any, today: dt.date | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """For each class held in the actor's territory: the course's metric in the district at the class and
    now (a before/after view, not a causal estimate: the district's trend goes on regardless)."""
    today = today or timezone.localdate()
    classes = list(
        TrainingClass.objects.filter(training_filter_for(actor))
        .select_related("course", "district")
        .defer("district__boundary")
        .annotate(attendees=Count("attendance", filter=Q(attendance__attended=True)))
        .order_by("-date")[:limit]
    )
    rows = []
    for held in classes:
        metric = COURSE_METRIC.get(held.course.key)
        before = after = None
        if metric is not None and held.district_id is not None:
            before = _district_metrics({held.district_id}, held.date).get(held.district_id, {}).get(metric)
            after = _district_metrics({held.district_id}, today).get(held.district_id, {}).get(metric)
        rows.append(
            {
                "class": held,
                "metric": metric,
                "metric_label": METRIC_LABELS.get(metric, metric) if metric else None,
                "is_share": bool(metric and metric.endswith("_share")),
                "before": before,
                "after": after,
            }
        )
    return rows

"""The coordination council on prevention (chaired by the prosecutor of its territory): a meeting, the agenda
the platform proposes from the analysis, decisions recorded as tasks with owners and deadlines, the minutes
as PDF in Uzbek or Russian, and at the next meeting the report on what the last one decided."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mahalla.analytics.models import AggregateDayResult, ClusterResult, CrimeClass, MahallaDayResult
from mahalla.audit.models import AuditAction
from mahalla.audit.services import audit_record
from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.officials.models import Assignment
from mahalla.roadmaps.models import Measure
from mahalla.territory.models import District, Region

from .access import COUNCIL_CHAIRS, is_active_user, meeting_chair_allowed, scope_of
from .models import (
    Agency,
    AgendaItem,
    CouncilDecision,
    CouncilMeeting,
    Task,
    TaskSubject,
    TaskType,
    TerritoryLevel,
)
from .services import task_create

AGENDA_LIST_LIMIT = 10


def _territory_q(meeting: CouncilMeeting, *, region: str = "region", district: str = "district") -> Q:
    if meeting.level == TerritoryLevel.DISTRICT:
        return Q(**{district: meeting.district_id})
    if meeting.level == TerritoryLevel.REGION:
        return Q(**{region: meeting.region_id})
    return Q()


def _check_chair_territory(actor: Any, level: str, region: Region | None, district: District | None) -> None:
    scope = scope_of(actor)
    if level == TerritoryLevel.COUNTRY and not scope.sees_everything:
        raise AccessDenied(_("A national council is chaired from the national level."), {"field": "level"})
    if level == TerritoryLevel.REGION and not (
        scope.sees_everything
        or (scope.level == "region" and region is not None and region.pk == scope.region_id)
    ):
        raise AccessDenied(_("The region is outside your territory."), {"field": "region"})
    if level == TerritoryLevel.DISTRICT and not (
        district is not None
        and (
            scope.sees_everything
            or (scope.level == "region" and district.region_id == scope.region_id)
            or (scope.level == "district" and district.pk == scope.district_id)
        )
    ):
        raise AccessDenied(_("The district is outside your territory."), {"field": "district"})


def meeting_create(
    *, actor: Any, level: str, date: dt.date, region: Region | None = None, district: District | None = None
) -> CouncilMeeting:
    """Plan a meeting chaired by the actor (a prosecutor) and propose its agenda."""
    if not is_active_user(actor) or actor.role not in COUNCIL_CHAIRS:
        raise AccessDenied(_("The council is chaired by the prosecutor."), {"field": "chair"})
    if level not in TerritoryLevel.values:
        raise ApplicationError(_("Unknown level %(value)s.") % {"value": level}, {"field": "level"})
    if level == TerritoryLevel.DISTRICT and district is None:
        raise ApplicationError(_("A district council names its district."), {"field": "district"})
    if level == TerritoryLevel.REGION and region is None:
        raise ApplicationError(_("A regional council names its region."), {"field": "region"})
    if district is not None:
        region = district.region
    _check_chair_territory(actor, level, region, district)
    with transaction.atomic():
        meeting = CouncilMeeting.objects.create(
            level=level,
            date=date,
            chair=actor,
            region=region if level != TerritoryLevel.COUNTRY else None,
            district=district if level == TerritoryLevel.DISTRICT else None,
        )
        agenda_propose(meeting=meeting)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="coordination.meeting",
            object_id=meeting.pk,
            object_repr=str(meeting),
        )
    return meeting


def _latest_date(meeting: CouncilMeeting) -> dt.date | None:
    return (
        MahallaDayResult.objects.filter(_territory_q(meeting), date__lte=meeting.date)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )


def _mahalla_rows(queryset: Any) -> list[dict[str, Any]]:
    rows = queryset.select_related("mahalla", "district").defer("mahalla__boundary", "district__boundary")[
        :AGENDA_LIST_LIMIT
    ]
    return [
        {
            "code": r.mahalla.code,
            "name": r.mahalla.name_uz,
            "district": r.district.name_uz,
            "total": r.total_window,
        }
        for r in rows
    ]


def agenda_propose(*, meeting: CouncilMeeting) -> list[AgendaItem]:
    """The agenda from the analysis of the meeting's territory on the latest analysed day before it:
    mahallas turned red, red streaks, spikes, clusters, overdue measures, overdue tasks, the cyber share, and
    the previous meeting's decisions. Items with nothing to discuss are left out."""
    items: list[tuple[str, str, dict[str, Any]]] = []
    previous = (
        CouncilMeeting.objects.filter(
            level=meeting.level, region=meeting.region_id, district=meeting.district_id, date__lt=meeting.date
        )
        .exclude(pk=meeting.pk)
        .order_by("-date")
        .first()
    )
    if previous is not None:
        report = previous_decisions_report(previous, today=meeting.date)
        if report:
            items.append(
                (
                    AgendaItem.Kind.PREVIOUS_DECISIONS,
                    _("What the meeting of %(date)s decided and what happened") % {"date": previous.date},
                    {"meeting": previous.pk, "decisions": report},
                )
            )
    day = _latest_date(meeting)
    if day is not None:
        results = MahallaDayResult.objects.filter(_territory_q(meeting), date=day)
        turned = (
            results.filter(crime_class=CrimeClass.RED)
            .exclude(previous_class=CrimeClass.RED)
            .exclude(previous_class="")
            .order_by("-total_window")
        )
        if turned.exists():
            items.append(
                (
                    AgendaItem.Kind.TURNED_RED,
                    ngettext("%(count)s mahalla turned red", "%(count)s mahallas turned red", turned.count())
                    % {"count": turned.count()},
                    {"date": day.isoformat(), "mahallas": _mahalla_rows(turned)},
                )
            )
        spikes = results.filter(spike=True).order_by("-total_day")
        if spikes.exists():
            items.append(
                (
                    AgendaItem.Kind.SPIKE,
                    ngettext("A spike in %(count)s mahalla", "Spikes in %(count)s mahallas", spikes.count())
                    % {"count": spikes.count()},
                    {"date": day.isoformat(), "mahallas": _mahalla_rows(spikes)},
                )
            )
        clusters = ClusterResult.objects.filter(_territory_q(meeting), date=day, significant=True).order_by(
            "rank"
        )
        if clusters.exists():
            items.append(
                (
                    AgendaItem.Kind.CLUSTER,
                    ngettext(
                        "%(count)s space-time cluster", "%(count)s space-time clusters", clusters.count()
                    )
                    % {"count": clusters.count()},
                    {
                        "clusters": [
                            {
                                "centre": c.centre.name_uz,
                                "observed": c.observed,
                                "expected": round(c.expected, 1),
                                "p_value": c.p_value,
                            }
                            for c in clusters.select_related("centre").defer("centre__boundary")[
                                :AGENDA_LIST_LIMIT
                            ]
                        ]
                    },
                )
            )
        cyber = _cyber_share(meeting, day)
        if cyber is not None:
            items.append(
                (
                    AgendaItem.Kind.CYBER,
                    _("Cybercrime: %(share)s%% of crimes") % {"share": round(cyber * 100, 1)},
                    {"date": day.isoformat(), "share": cyber},
                )
            )
    streaks = Assignment.objects.filter(
        _territory_q(meeting), year=meeting.date.year, rule__min_streak_years__gte=3, mahalla__isnull=False
    ).select_related("mahalla", "official")
    if streaks.exists():
        items.append(
            (
                AgendaItem.Kind.RED_STREAK,
                ngettext(
                    "%(count)s mahalla red for three years or more",
                    "%(count)s mahallas red for three years or more",
                    streaks.count(),
                )
                % {"count": streaks.count()},
                {
                    "mahallas": [
                        {"name": a.mahalla.name_uz, "official": a.official.name, "reason": a.reason}
                        for a in streaks.defer("mahalla__boundary")[:AGENDA_LIST_LIMIT]
                    ]
                },
            )
        )
    overdue_measures = Measure.objects.filter(
        _territory_q(meeting, region="roadmap__region", district="roadmap__district"),
        status__in=[Measure.Status.PLANNED, Measure.Status.IN_PROGRESS],
        deadline__lt=meeting.date,
    ).select_related("roadmap", "owner")
    if overdue_measures.exists():
        items.append(
            (
                AgendaItem.Kind.OVERDUE_MEASURES,
                ngettext(
                    "%(count)s roadmap measure overdue",
                    "%(count)s roadmap measures overdue",
                    overdue_measures.count(),
                )
                % {"count": overdue_measures.count()},
                {
                    "measures": [
                        {
                            "title": m.title,
                            "roadmap": m.roadmap.title,
                            "deadline": m.deadline.isoformat(),
                            "owner": m.owner.username if m.owner_id else "",
                        }
                        for m in overdue_measures.order_by("deadline")[:AGENDA_LIST_LIMIT]
                    ]
                },
            )
        )
    overdue_tasks = Task.objects.filter(
        _territory_q(meeting), status__in=Task.OPEN_STATUSES, deadline__lt=meeting.date
    ).select_related("to_agency")
    if overdue_tasks.exists():
        items.append(
            (
                AgendaItem.Kind.OVERDUE_TASKS,
                ngettext(
                    "%(count)s inter-agency task past its deadline",
                    "%(count)s inter-agency tasks past their deadline",
                    overdue_tasks.count(),
                )
                % {"count": overdue_tasks.count()},
                {
                    "tasks": [
                        {
                            "number": t.number,
                            "title": t.title,
                            "agency": t.to_agency.name,
                            "deadline": t.deadline.isoformat(),
                        }
                        for t in overdue_tasks[:AGENDA_LIST_LIMIT]
                    ]
                },
            )
        )
    AgendaItem.objects.filter(meeting=meeting, proposed=True).delete()
    created = AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, order=index, kind=kind, title=title[:300], detail=detail)
        for index, (kind, title, detail) in enumerate(items, start=1)
    )
    return created


def _cyber_share(meeting: CouncilMeeting, day: dt.date) -> float | None:
    if meeting.level == TerritoryLevel.DISTRICT:
        row = AggregateDayResult.objects.filter(
            level="district", district=meeting.district_id, date=day
        ).first()
    elif meeting.level == TerritoryLevel.REGION:
        row = AggregateDayResult.objects.filter(level="region", region=meeting.region_id, date=day).first()
    else:
        row = AggregateDayResult.objects.filter(level="country", date=day).first()
    return row.cyber_share if row is not None else None


def agenda_item_add(*, actor: Any, meeting: CouncilMeeting, title: str) -> AgendaItem:
    if not meeting_chair_allowed(actor, meeting):
        raise AccessDenied(_("Only the chair changes the agenda."), {"id": meeting.pk})
    if not title.strip():
        raise ApplicationError(_("An agenda item needs a title."), {"field": "title"})
    order = (meeting.agenda.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    with transaction.atomic():
        item = AgendaItem.objects.create(
            meeting=meeting,
            order=order,
            kind=AgendaItem.Kind.OTHER,
            title=title.strip()[:300],
            proposed=False,
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="coordination.meeting",
            object_id=meeting.pk,
            details={"event": "agenda item added"},
        )
    return item


def decision_record(
    *,
    actor: Any,
    meeting: CouncilMeeting,
    text: str,
    to_agency: Agency,
    deadline: dt.date,
    agenda_item: AgendaItem | None = None,
    today: dt.date | None = None,
) -> CouncilDecision:
    """A decision of the council, recorded as a task to its owner agency with its deadline."""
    if not meeting_chair_allowed(actor, meeting):
        raise AccessDenied(_("Only the chair records decisions."), {"id": meeting.pk})
    if not text.strip():
        raise ApplicationError(_("A decision needs its text."), {"field": "text"})
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ApplicationError(_("The agenda item belongs to another meeting."), {"field": "agenda_item"})
    with transaction.atomic():
        decision = CouncilDecision.objects.create(meeting=meeting, agenda_item=agenda_item, text=text.strip())
        task_create(
            actor=actor,
            to_agency=to_agency,
            task_type=TaskType.objects.get(key="council-decision"),
            title=text.strip()[:300],
            subject=TaskSubject.DECISION,
            subject_reference=str(decision.pk),
            deadline=deadline,
            decision=decision,
            today=today or meeting.date,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="coordination.decision",
            object_id=decision.pk,
            object_repr=text[:200],
        )
    return decision


def meeting_hold(*, actor: Any, meeting: CouncilMeeting, attendees: str) -> CouncilMeeting:
    if not meeting_chair_allowed(actor, meeting):
        raise AccessDenied(_("Only the chair closes the meeting."), {"id": meeting.pk})
    with transaction.atomic():
        meeting.status = CouncilMeeting.Status.HELD
        meeting.attendees = attendees.strip()
        meeting.save(update_fields=["status", "attendees"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="coordination.meeting",
            object_id=meeting.pk,
            details={"event": "held"},
        )
    return meeting


def previous_decisions_report(
    meeting: CouncilMeeting, *, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """Each decision of `meeting` with the state of its tasks on `today`."""
    today = today or timezone.localdate()
    report = []
    for decision in meeting.decisions.prefetch_related("tasks__to_agency"):
        for task in decision.tasks.all():
            late = task.status in Task.OPEN_STATUSES and task.deadline < today
            report.append(
                {
                    "decision": decision.text,
                    "task": task.number,
                    "agency": task.to_agency.name,
                    "status": task.status,
                    "deadline": task.deadline.isoformat(),
                    "late": late,
                }
            )
    return report


def minutes_pdf(*, meeting: CouncilMeeting, language: str) -> bytes:
    """The minutes in `language` (uz or ru), as PDF. WeasyPrint may read data: URLs only."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    if language not in ("uz", "ru", "en"):
        raise ApplicationError(_("Minutes are written in Uzbek or Russian."), {"field": "language"})
    with translation.override(language):
        html = render_to_string(
            "coordination/minutes_print.html",
            {
                "meeting": meeting,
                "agenda": list(meeting.agenda.all()),
                "decisions": list(meeting.decisions.prefetch_related("tasks__to_agency")),
                "language": language,
            },
        )
    pdf: bytes = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()
    return pdf

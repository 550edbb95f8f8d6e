"""The demo's story: after the nation is loaded and analysed, the people of the demo accounts do a little of
their work through the platform's own services, so that every page opens with data instead of empty lists.

- Officials: the system proposes responsible officials for the year (the officials' proposer); the district
  chief confirms every other proposal he may decide and the regional chief some of the region's, so the
  Officials pages show proposed and confirmed assignments.
- Roadmaps: the district chief plans a district roadmap for a past quarter (measures done late, in progress
  and planned past their deadline, which raise overdue alerts, one acknowledged) and measures its effect
  (difference-in-differences); he plans a roadmap for the responsible official's worst mahalla from its
  explanation for the current month, owned by that official, with measures done on time and in progress.
- Alerts: the district chief acknowledges every other open alert of his district; the rest stay open.

Each step goes through the service that a user's click would call (audit log included), never a direct
insert. The story is told once: a restart of the demo finds it told and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.utils import timezone

from mahalla.accounts.models import User
from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.core.roles import Role

STORY_EFFECT_PERMUTATIONS = 199
CONFIRMED_BY_REGION_MAX = 20


@dataclass
class StoryOutcome:
    proposed: int = 0
    confirmed: int = 0
    roadmaps: list[int] = field(default_factory=list)
    measures: dict[str, int] = field(default_factory=dict)
    overdue_alerts: int = 0
    effect: float | None = None
    alerts_acknowledged: int = 0
    skipped: list[str] = field(default_factory=list)


def _demo_user(role: str) -> User | None:
    from .services import DEMO_USER_PREFIX

    return User.objects.filter(username=f"{DEMO_USER_PREFIX}{role}", is_active=True).first()


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def story_told() -> bool:
    if not apps.is_installed("mahalla.roadmaps"):
        return False
    from mahalla.roadmaps.models import Roadmap

    return Roadmap.objects.filter(created_by__username=_username(Role.DISTRICT_CHIEF)).exists()


def _username(role: str) -> str:
    from .services import DEMO_USER_PREFIX

    return f"{DEMO_USER_PREFIX}{role}"


def _officials(outcome: StoryOutcome, analysis_date: dt.date) -> None:
    if not apps.is_installed("mahalla.officials"):
        outcome.skipped.append("officials")
        return
    from mahalla.officials.models import Assignment
    from mahalla.officials.services import assignment_confirm, assignment_decidable, assignments_propose

    result = assignments_propose(year=analysis_date.year, actor=None)
    outcome.proposed = len(result.proposed)
    proposed = Assignment.objects.filter(year=analysis_date.year, status=Assignment.Status.PROPOSED)
    chief = _demo_user(Role.DISTRICT_CHIEF)
    regional = _demo_user(Role.REGIONAL_CHIEF)
    for actor, limit in ((chief, None), (regional, CONFIRMED_BY_REGION_MAX)):
        if actor is None:
            continue
        candidates = [
            a
            for a in proposed.filter(status=Assignment.Status.PROPOSED)
            .select_related("official")
            .order_by("pk")
            if assignment_decidable(actor, a)
        ]
        # Every other one: the rest stay proposed, waiting for the chief's decision on the Officials page.
        chosen = candidates[::2][:limit] if limit else candidates[::2]
        for assignment in chosen:
            assignment_confirm(actor=actor, assignment_id=assignment.pk)
            outcome.confirmed += 1


def _roadmaps(outcome: StoryOutcome, analysis_date: dt.date, today: dt.date) -> None:
    if not apps.is_installed("mahalla.roadmaps"):
        outcome.skipped.append("roadmaps")
        return
    from mahalla.roadmaps.models import Measure, MeasureAlert
    from mahalla.roadmaps.services import (
        measure_alert_acknowledge,
        measure_update,
        measures_overdue_alert,
        roadmap_create_from_explanation,
        roadmap_create_from_template,
        roadmap_effect_estimate,
    )

    chief = _demo_user(Role.DISTRICT_CHIEF)
    official = _demo_user(Role.RESPONSIBLE_OFFICIAL)
    inspector = _demo_user(Role.PREVENTIVE_INSPECTOR)
    if chief is None or chief.scope_district is None:
        outcome.skipped.append("roadmaps: no demo district chief")
        return
    district = chief.scope_district
    # A past quarter, two quarters before the analysed day: its measures are due, and months of offences
    # after its start let the effect be measured.
    past_start = _quarter_start(_quarter_start(analysis_date) - dt.timedelta(days=100))
    past = roadmap_create_from_template(
        actor=chief,
        level="district",
        code=district.code,
        period_kind="quarter",
        period_start=past_start,
        template_keys=["safe_street", "property_crime"],
    )
    outcome.roadmaps.append(past.pk)
    measures = list(past.measures.order_by("deadline", "pk"))
    counts = {"done_late": 0, "in_progress": 0, "overdue": 0, "done_on_time": 0}
    for index, measure in enumerate(measures):
        if index % 3 == 0:
            measure_update(
                actor=chief, measure_id=measure.pk, status=Measure.Status.DONE
            )  # after its deadline
            counts["done_late"] += 1
        elif index % 3 == 1:
            measure_update(actor=chief, measure_id=measure.pk, status=Measure.Status.IN_PROGRESS)
            counts["in_progress"] += 1
        else:
            counts["overdue"] += 1  # left planned past its deadline
    alerts = measures_overdue_alert(today=today)
    outcome.overdue_alerts = len(alerts)
    for alert in sorted(alerts, key=lambda a: a.pk)[:1]:
        measure_alert_acknowledge(actor=chief, alert_id=alert.pk)
    try:
        estimate = roadmap_effect_estimate(
            actor=chief, roadmap_id=past.pk, permutations=STORY_EFFECT_PERMUTATIONS, last_day=analysis_date
        )
        outcome.effect = float(estimate.relative_effect)
    except ApplicationError as error:
        outcome.skipped.append(f"effect: {error.message}")

    # The current month: a roadmap from the explanation of the responsible official's worst mahalla.
    if official is not None:
        # The worst of the official's mahallas, which is the inspector's and the Mahalla Seven's too.
        shared = official.scope_mahallas.filter(pk__in=inspector.scope_mahallas.all()) if inspector else None
        mahalla = (shared.order_by("code").first() if shared is not None else None) or (
            official.scope_mahallas.order_by("code").first()
        )
        if mahalla is not None:
            try:
                current = roadmap_create_from_explanation(
                    actor=chief,
                    mahalla_code=mahalla.code,
                    period_kind="month",
                    period_start=today.replace(day=1),
                    owner=official,
                )
            except (ApplicationError, AccessDenied) as error:
                outcome.skipped.append(f"mahalla roadmap: {error.message}")
            else:
                outcome.roadmaps.append(current.pk)
                worker = inspector if inspector is not None else official
                # Every other measure still due is done (on time), the others are in progress.
                due = [m for m in current.measures.order_by("deadline", "pk") if m.deadline >= today]
                for measure in current.measures.order_by("deadline", "pk"):
                    if measure in due[::2]:
                        measure_update(actor=official, measure_id=measure.pk, status=Measure.Status.DONE)
                        counts["done_on_time"] += 1
                    else:
                        actor = worker if measure_work_allowed_for(worker, measure) else official
                        measure_update(actor=actor, measure_id=measure.pk, status=Measure.Status.IN_PROGRESS)
                        counts["in_progress"] += 1
    outcome.measures = counts
    assert MeasureAlert.objects.exists() or not counts["overdue"]


def measure_work_allowed_for(actor: Any, measure: Any) -> bool:
    from mahalla.roadmaps.access import measure_work_allowed
    from mahalla.roadmaps.selectors import measure_list

    visible = measure_list(actor=actor, roadmap=measure.roadmap).filter(pk=measure.pk).exists()
    return bool(measure_work_allowed(actor, measure) and visible)


def _alerts(outcome: StoryOutcome) -> None:
    from mahalla.analytics.models import Alert
    from mahalla.analytics.selectors import alert_list
    from mahalla.analytics.services import alert_acknowledge

    chief = _demo_user(Role.DISTRICT_CHIEF)
    if chief is None:
        return
    open_alerts = list(alert_list(actor=chief).filter(status=Alert.Status.OPEN).order_by("pk"))
    for alert in open_alerts[::2]:
        alert_acknowledge(actor=chief, alert_id=alert.pk)
        outcome.alerts_acknowledged += 1


def demo_story_tell(*, analysis_date: dt.date, today: dt.date | None = None) -> StoryOutcome | None:
    """Tell the story once (None when it was told before). `analysis_date` is the last analysed day."""
    if story_told():
        return None
    today = today or timezone.localdate()
    outcome = StoryOutcome()
    _officials(outcome, analysis_date)
    _roadmaps(outcome, analysis_date, today)
    _alerts(outcome)
    return outcome

"""Who may see and do what in coordination: role sets, the staff link of an account, and the one funnel per
protected object (`access_<thing>_by_id`), each condition on its own line.

- A task is seen by the staff of the two agencies it joins, and by the overseers of its territory (chiefs,
  analysts, prosecutors, administrators). A task about a casework person is need-to-know: besides the two
  agencies only prosecutors see it (oversight), every read of it audited.
- Council meetings are seen in their territory by the council's members' roles; only a prosecutor chairs
  (creates a meeting, records decisions) - the council sits with the prosecutor's office.
- Oversight findings are read by prosecutors and administrators in their territory, and by the chiefs of the
  territory, who answer them.
- Training plans are made by chiefs, analysts and administrators for their territory.
An object outside these rules is reported exactly like one that does not exist (AccessDenied -> 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from mahalla.core.errors import AccessDenied
from mahalla.core.roles import Role
from mahalla.territory.access import TerritoryScope, territory_filter_for
from mahalla.territory.models import Mahalla

from .models import CouncilMeeting, OversightFinding, StaffMember, Task, TaskSubject

COORDINATION_USERS = frozenset(Role.values)
TASK_OVERSEERS = frozenset(
    {Role.NATIONAL_ANALYST, Role.REGIONAL_CHIEF, Role.DISTRICT_CHIEF, Role.PROSECUTOR, Role.ADMINISTRATOR}
)
PERSON_TASK_OVERSEERS = frozenset({Role.PROSECUTOR})
COUNCIL_CHAIRS = frozenset({Role.PROSECUTOR})
COUNCIL_READERS = TASK_OVERSEERS | {Role.AGENCY_OFFICER, Role.PREVENTIVE_INSPECTOR, Role.RESPONSIBLE_OFFICIAL}
OVERSIGHT_RUNNERS = frozenset({Role.PROSECUTOR, Role.ADMINISTRATOR})
OVERSIGHT_READERS = OVERSIGHT_RUNNERS | {Role.REGIONAL_CHIEF, Role.DISTRICT_CHIEF}
FINDING_RESPONDERS = frozenset({Role.REGIONAL_CHIEF, Role.DISTRICT_CHIEF, Role.ADMINISTRATOR})
TRAINING_PLANNERS = frozenset(
    {Role.NATIONAL_ANALYST, Role.REGIONAL_CHIEF, Role.DISTRICT_CHIEF, Role.ADMINISTRATOR}
)


def is_active_user(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and bool(actor.is_active)


def scope_of(actor: Any) -> TerritoryScope:
    return territory_filter_for(actor)


def territory_q(actor: Any, *, prefix: str = "") -> Q:
    return scope_of(actor).q(
        region=f"{prefix}region", district=f"{prefix}district", mahalla=f"{prefix}mahalla"
    )


def staff_member_of(actor: Any) -> StaffMember | None:
    """The actor's place in an agency, or None for an account that belongs to no agency."""
    if not is_active_user(actor):
        return None
    return StaffMember.objects.select_related("agency").filter(user=actor, active=True).first()


def task_filter_for(actor: Any) -> Q:
    """Tasks the actor may see (see the module's rules)."""
    if not is_active_user(actor):
        return Q(pk__in=[])
    member = staff_member_of(actor)
    own_agency = Q(pk__in=[])
    if member is not None:
        own_agency = Q(from_agency=member.agency_id) | Q(to_agency=member.agency_id)
    if actor.role in PERSON_TASK_OVERSEERS:
        return own_agency | territory_q(actor)
    if actor.role in TASK_OVERSEERS:
        return own_agency | (territory_q(actor) & ~Q(subject=TaskSubject.PERSON))
    return own_agency


def access_task_by_id(actor: Any, task_id: object) -> Task:
    not_found = AccessDenied(_("Task not found"), {"id": str(task_id)})
    if not is_active_user(actor):
        raise not_found
    if not str(task_id).isdigit():
        raise not_found
    task = (
        Task.objects.select_related(
            "task_type", "from_agency", "to_agency", "assignee", "mahalla", "district"
        )
        .filter(task_filter_for(actor), pk=int(str(task_id)))
        .first()
    )
    if task is None:
        raise not_found
    return task


def task_receiver(actor: Any, task: Task) -> bool:
    """Whether the actor works for the agency the task was sent to (accepts, refuses, reports progress)."""
    member = staff_member_of(actor)
    return member is not None and member.agency_id == task.to_agency_id


def task_sender(actor: Any, task: Task) -> bool:
    """Whether the actor works for the agency that sent the task (closes it or returns it)."""
    member = staff_member_of(actor)
    return member is not None and member.agency_id == task.from_agency_id


def meeting_filter_for(actor: Any) -> Q:
    if not is_active_user(actor) or actor.role not in COUNCIL_READERS:
        return Q(pk__in=[])
    scope = scope_of(actor)
    # A meeting of a higher level is seen from below (a district chief reads the regional council's
    # decisions); a meeting of another region or district never.
    if scope.sees_everything:
        return Q()
    if scope.level == "region":
        return Q(region=scope.region_id) | Q(level="country")
    if scope.level == "district":
        return Q(district=scope.district_id) | Q(level="region", region=scope.region_id) | Q(level="country")
    if scope.level == "mahallas" and scope.mahalla_ids:
        # An inspector or a responsible official reads the councils of the districts their mahallas are in.
        places = Mahalla.objects.filter(pk__in=sorted(scope.mahalla_ids))
        return (
            Q(level="district", district__in=places.values("district_id"))
            | Q(level="region", region__in=places.values("region_id"))
            | Q(level="country")
        )
    return Q(pk__in=[])


def access_meeting_by_id(actor: Any, meeting_id: object) -> CouncilMeeting:
    not_found = AccessDenied(_("Meeting not found"), {"id": str(meeting_id)})
    if not is_active_user(actor):
        raise not_found
    if not str(meeting_id).isdigit():
        raise not_found
    meeting = (
        CouncilMeeting.objects.select_related("region", "district", "chair")
        .filter(meeting_filter_for(actor), pk=int(str(meeting_id)))
        .first()
    )
    if meeting is None:
        raise not_found
    return meeting


def meeting_chair_allowed(actor: Any, meeting: CouncilMeeting) -> bool:
    return is_active_user(actor) and actor.role in COUNCIL_CHAIRS and meeting.chair_id == actor.pk


def finding_filter_for(actor: Any) -> Q:
    if not is_active_user(actor) or actor.role not in OVERSIGHT_READERS:
        return Q(pk__in=[])
    return territory_q(actor)


def access_finding_by_id(actor: Any, finding_id: object) -> OversightFinding:
    not_found = AccessDenied(_("Finding not found"), {"id": str(finding_id)})
    if not is_active_user(actor):
        raise not_found
    if not str(finding_id).isdigit():
        raise not_found
    finding = (
        OversightFinding.objects.select_related("rule", "region", "district", "mahalla")
        .filter(finding_filter_for(actor), pk=int(str(finding_id)))
        .first()
    )
    if finding is None:
        raise not_found
    return finding


def training_filter_for(actor: Any, *, prefix: str = "") -> Q:
    if not is_active_user(actor) or actor.role not in TRAINING_PLANNERS:
        return Q(pk__in=[])
    return territory_q(actor, prefix=prefix)

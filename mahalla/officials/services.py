"""Writes of the officials app: proposing assignments for a year, confirming, changing (handing over) and
ending them. Every write is atomic and audited; an assignment is never deleted.

Proposing (`assignments_propose`) turns the rules (AssignmentRuleConfig) and the stored daily analysis into
demands, gives the engine (mahalla.engine.assignment) the officials with their remaining workload, territory
and conflicts, and stores what it assigns as *proposed*. Running it again in the same year is the handover:
targets that already have an active assignment under a rule are left alone, mahallas that turned red get new
proposals, and grave-rule assignments of mahallas that turned green are ended with the reason.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mahalla.analytics.models import CrimeClass
from mahalla.audit.models import AuditAction
from mahalla.audit.services import audit_record
from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.core.roles import Role, ScopeLevel
from mahalla.engine.assignment import (
    ALL_CONFLICTED,
    NO_OFFICIAL,
    WORKLOAD,
    Candidate,
    Demand,
    assign_officials,
)
from mahalla.territory.access import TerritoryScope, territory_filter_for
from mahalla.territory.models import District

from .inputs import YearInputs, offence_shares, year_inputs
from .models import Assignment, AssignmentRuleConfig, ConflictOfInterest, Official, OfficialLevel
from .selectors import access_assignment_by_id, access_official_by_id

if TYPE_CHECKING:
    import pandas as pd  # loads where it is used: the pages import this module, the server starts faster

# Who decides on assignments: the chiefs, within their territory (DOMAIN.md section 5).
DECIDERS = frozenset({Role.REGIONAL_CHIEF, Role.DISTRICT_CHIEF})
# Who may ask for proposals: the deciders, national analysts and administrators (within their scope).
PROPOSERS = DECIDERS | {Role.NATIONAL_ANALYST, Role.ADMINISTRATOR}

UNASSIGNED_TEXT = {
    NO_OFFICIAL: "No official of the rule's positions works in this territory",
    ALL_CONFLICTED: "Every eligible official has a conflict of interest with this mahalla",
    WORKLOAD: "Every eligible official is at the workload limit",
}


def unassigned_reason_text(code: str) -> str:
    return _(UNASSIGNED_TEXT[code]) if code in UNASSIGNED_TEXT else code


@dataclass
class DemandInfo:
    rule: AssignmentRuleConfig
    target: str
    mahalla_id: int | None
    district_id: int
    region_id: int
    code: str
    name: str
    priority: float
    reason: str
    detail: dict[str, Any]

    @property
    def target_key(self) -> str:
        return (
            f"m{self.mahalla_id}"
            if self.target == AssignmentRuleConfig.Target.MAHALLA
            else f"d{self.district_id}"
        )


@dataclass
class ProposalOutcome:
    year: int
    date: dt.date
    dry_run: bool
    proposed: list[dict[str, Any]] = field(default_factory=list)
    unassigned: list[dict[str, Any]] = field(default_factory=list)
    ended: list[dict[str, Any]] = field(default_factory=list)
    kept: int = 0
    demands: int = 0
    officials: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "date": self.date.isoformat(),
            "dry_run": self.dry_run,
            "demands": self.demands,
            "officials": self.officials,
            "kept": self.kept,
            "proposed_count": len(self.proposed),
            "unassigned_count": len(self.unassigned),
            "ended_count": len(self.ended),
            "proposed": self.proposed,
            "unassigned": self.unassigned,
            "ended": self.ended,
            "seconds": self.seconds,
        }


def _in_scope(scope: TerritoryScope, demand: DemandInfo) -> bool:
    if scope.level == ScopeLevel.COUNTRY:
        return True
    if scope.level == ScopeLevel.REGION:
        return demand.region_id == scope.region_id
    if scope.level == ScopeLevel.DISTRICT:
        return demand.district_id == scope.district_id
    if scope.level == ScopeLevel.MAHALLAS:
        return demand.mahalla_id is not None and demand.mahalla_id in scope.mahalla_ids
    return False


def _mahalla_demand(rule: AssignmentRuleConfig, mahalla_id: Any, row: pd.Series, **why: Any) -> DemandInfo:
    """A demand for one mahalla of the year's frame (indexed by mahalla id); `why` holds its priority,
    reason and detail."""
    return DemandInfo(
        rule=rule,
        target=rule.target,
        mahalla_id=int(mahalla_id),
        district_id=int(row["district"]),
        region_id=int(row["region"]),
        code=str(row["code"]),
        name=str(row["name"]),
        **why,
    )


def _grave_demands(rule: AssignmentRuleConfig, inputs: YearInputs) -> list[DemandInfo]:
    frame = inputs.mahallas
    red = frame[frame["class"] == CrimeClass.RED]
    out = []
    for mahalla_id, row in red.iterrows():
        ratio = float(row["rate_ratio"])
        out.append(
            _mahalla_demand(
                rule,
                mahalla_id,
                row,
                # Worse situations first: the rate ratio, capped so that one outlier does not swamp the rest.
                priority=rule.base_priority + min(ratio, 20.0) / 20.0,
                reason=_("Red on %(date)s (crime rate %(ratio).1f times the reference)")
                % {"date": inputs.date.isoformat(), "ratio": ratio},
                detail={"class": "red", "date": inputs.date.isoformat(), "rate_ratio": ratio},
            )
        )
    return out


def _streak_demands(rule: AssignmentRuleConfig, inputs: YearInputs) -> list[DemandInfo]:
    frame = inputs.mahallas
    years = max(int(rule.min_streak_years), 1)
    chosen = frame[frame["streak"] >= years]
    out = []
    for mahalla_id, row in chosen.iterrows():
        streak = int(row["streak"])
        out.append(
            _mahalla_demand(
                rule,
                mahalla_id,
                row,
                priority=rule.base_priority + streak / 10.0,
                reason=_("Red %(streak)s years in a row (%(first)s-%(last)s)")
                % {"streak": streak, "first": inputs.year - streak + 1, "last": inputs.year},
                detail={"streak_years": streak, "date": inputs.date.isoformat()},
            )
        )
    return out


def _worst_district_demands(rule: AssignmentRuleConfig, inputs: YearInputs) -> list[DemandInfo]:
    frame = inputs.mahallas
    per_district = frame.groupby("district").agg(
        region=("region", "first"),
        mahallas=("code", "size"),
        red=("class", lambda c: int((c == "red").sum())),
    )
    per_district = per_district[per_district["red"] > 0]
    per_district["share"] = per_district["red"] / per_district["mahallas"]
    names = {
        d.pk: d for d in District.objects.filter(pk__in=list(per_district.index)).only("code", "name_uz")
    }
    per_district["code"] = [names[int(i)].code for i in per_district.index]
    ranked = per_district.sort_values(
        ["region", "share", "red", "code"], ascending=[True, False, False, True]
    )
    top = ranked.groupby("region").head(int(rule.top_per_region))
    out = []
    for district_id, row in top.iterrows():
        district = names[int(district_id)]
        share = float(row["share"])
        out.append(
            DemandInfo(
                rule=rule,
                target=AssignmentRuleConfig.Target.DISTRICT,
                mahalla_id=None,
                district_id=int(district_id),
                region_id=int(row["region"]),
                code=district.code,
                name=district.name_uz,
                priority=rule.base_priority + share,
                reason=_(
                    "Among the %(n)s worst districts of the region: "
                    "%(red)s of %(total)s mahallas red (%(share).0f %%)"
                )
                % {
                    "n": rule.top_per_region,
                    "red": int(row["red"]),
                    "total": int(row["mahallas"]),
                    "share": 100 * share,
                },
                detail={"red": int(row["red"]), "mahallas": int(row["mahallas"]), "share": share},
            )
        )
    return out


def _share_demands(rule: AssignmentRuleConfig, inputs: YearInputs, shares: pd.DataFrame) -> list[DemandInfo]:
    frame = inputs.mahallas.join(shares[["total", rule.code]], how="inner")
    frame = frame[(frame["total"] >= max(int(rule.min_offences), 1)) & (frame[rule.code] > 0)].copy()
    frame["share"] = frame[rule.code] / frame["total"]
    ranked = frame.sort_values(["region", "share", "total", "code"], ascending=[True, False, False, True])
    top = ranked.groupby("region").head(int(rule.top_per_region))
    out = []
    for mahalla_id, row in top.iterrows():
        share = float(row["share"])
        out.append(
            _mahalla_demand(
                rule,
                mahalla_id,
                row,
                priority=rule.base_priority + share,
                reason=_(
                    "Among the %(n)s highest shares in the region: "
                    "%(count)s of %(total)s crimes (%(share).0f %%)"
                )
                % {
                    "n": rule.top_per_region,
                    "count": int(row[rule.code]),
                    "total": int(row["total"]),
                    "share": 100 * share,
                },
                detail={
                    "flags": list(rule.share_flags),
                    "count": int(row[rule.code]),
                    "total": int(row["total"]),
                    "share": share,
                },
            )
        )
    return out


def demands_build(*, rules: list[AssignmentRuleConfig], inputs: YearInputs) -> list[DemandInfo]:
    """Every target each active rule asks an official for in the year, before scope and existing
    assignments are taken into account."""
    import pandas as pd

    share_rules = [rule for rule in rules if rule.kind == AssignmentRuleConfig.Kind.SHARE]
    shares = (
        offence_shares(inputs.date, {rule.code: list(rule.share_flags) for rule in share_rules})
        if share_rules
        else pd.DataFrame()
    )
    demands: list[DemandInfo] = []
    for rule in rules:
        if rule.kind == AssignmentRuleConfig.Kind.GRAVE:
            demands += _grave_demands(rule, inputs)
        elif rule.kind == AssignmentRuleConfig.Kind.RED_STREAK:
            demands += _streak_demands(rule, inputs)
        elif rule.kind == AssignmentRuleConfig.Kind.WORST_DISTRICT:
            demands += _worst_district_demands(rule, inputs)
        elif rule.kind == AssignmentRuleConfig.Kind.SHARE:
            demands += _share_demands(rule, inputs, shares)
    return demands


def _position_limits(rules: list[AssignmentRuleConfig]) -> dict[tuple[str, str], int]:
    """The workload limit of each (level, position) named by an active rule: the largest the rules give."""
    limits: dict[tuple[str, str], int] = {}
    for rule in rules:
        for position in rule.positions:
            key = (rule.official_level, position)
            limits[key] = max(limits.get(key, 0), int(rule.max_per_official))
    return limits


def officials_available(
    *, rules: list[AssignmentRuleConfig], year: int
) -> tuple[list[Official], list[Candidate], dict[int, frozenset[int]]]:
    """The active officials any rule may name, with their remaining capacity in the year and conflicts."""
    limits = _position_limits(rules)
    levels = {level for level, _position in limits}
    positions = {position for _level, position in limits}
    officials = [
        o
        for o in Official.objects.filter(active=True, level__in=levels, position__in=positions).order_by("pk")
        if (o.level, o.position) in limits
    ]
    index = {o.pk: j for j, o in enumerate(officials)}
    load: dict[int, int] = {}
    for official_id in Assignment.objects.filter(
        year=year, status__in=Assignment.ACTIVE, official_id__in=list(index)
    ).values_list("official_id", flat=True):
        load[official_id] = load.get(official_id, 0) + 1
    candidates = [
        Candidate(
            key=o.pk,
            position=o.position,
            level=o.level,
            region=o.region_id,
            district=o.district_id,
            capacity=max(
                (o.max_assignments if o.max_assignments is not None else limits[(o.level, o.position)])
                - load.get(o.pk, 0),
                0,
            ),
        )
        for o in officials
    ]
    conflicts: dict[int, set[int]] = {}
    for official_id, mahalla_id in ConflictOfInterest.objects.filter(official_id__in=list(index)).values_list(
        "official_id", "mahalla_id"
    ):
        conflicts.setdefault(index[official_id], set()).add(mahalla_id)
    return officials, candidates, {j: frozenset(m) for j, m in conflicts.items()}


def _check_proposer(actor: Any) -> TerritoryScope:
    if actor is None:
        # The command line and scheduled tasks act as the system, for the whole country.
        return TerritoryScope(level=ScopeLevel.COUNTRY)
    scope = territory_filter_for(actor)
    if scope.sees_nothing or actor.role not in PROPOSERS:
        raise AccessDenied(_("Only chiefs, national analysts and administrators propose assignments."))
    return scope


def _check_year(year: object) -> int:
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        raise ApplicationError(
            _("Year must be a whole number between 2000 and 2100, got %(value)r") % {"value": year},
            {"field": "year", "value": str(year)},
        )
    return year


def _handover_ended(
    *, year: int, inputs: YearInputs, scope: TerritoryScope, actor: Any, dry_run: bool
) -> list[dict[str, Any]]:
    """End the grave-rule assignments of mahallas whose class of the year is now green."""
    green = set(inputs.mahallas.index[inputs.mahallas["class"] == CrimeClass.GREEN].tolist())
    rows = Assignment.objects.filter(
        year=year,
        status__in=Assignment.ACTIVE,
        rule__kind=AssignmentRuleConfig.Kind.GRAVE,
        mahalla_id__in=sorted(green),
    ).filter(scope.q())
    ended = []
    reason = _("Turned green on %(date)s") % {"date": inputs.date.isoformat()}
    now = timezone.now()
    for assignment in rows.select_related("mahalla", "official"):
        ended.append(
            {
                "assignment": assignment.pk,
                "mahalla": assignment.mahalla.code if assignment.mahalla else "",
                "official": assignment.official.name,
                "reason": reason,
            }
        )
        if dry_run:
            continue
        assignment.status = Assignment.Status.ENDED
        assignment.ended_at = now
        assignment.end_reason = reason
        assignment.save(update_fields=["status", "ended_at", "end_reason", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="officials.assignment",
            object_id=assignment.pk,
            object_repr=str(assignment),
            purpose="handover",
            details={"status": "ended", "reason": reason},
        )
    return ended


def assignments_propose(
    *, year: int, actor: Any = None, dry_run: bool = False, progress: Callable[[str], None] | None = None
) -> ProposalOutcome:
    """Propose officials for the year's demands inside the actor's territory and store them as proposed
    (unless `dry_run`); end grave-rule assignments of mahallas that turned green.

    `actor` None is the system (command line, scheduled task) for the whole country."""
    timer = time.perf_counter()
    year = _check_year(year)
    scope = _check_proposer(actor)
    rules = list(AssignmentRuleConfig.objects.filter(active=True).order_by("code"))
    if not rules:
        raise ApplicationError(_("No active assignment rule: activate one in the administration."))
    seconds: dict[str, float] = {}
    inputs = year_inputs(year)
    seconds["inputs"] = time.perf_counter() - timer
    if progress:
        progress("demands")
    step = time.perf_counter()
    all_demands = [d for d in demands_build(rules=rules, inputs=inputs) if _in_scope(scope, d)]
    taken = set(
        Assignment.objects.filter(year=year, status__in=Assignment.ACTIVE).values_list(
            "rule_id", "target_key"
        )
    )
    demands = [d for d in all_demands if (d.rule.pk, d.target_key) not in taken]
    officials, candidates, conflicts = officials_available(rules=rules, year=year)
    seconds["demands"] = time.perf_counter() - step
    if progress:
        progress("engine")
    step = time.perf_counter()
    # A rule names positions at one level; an official of another level with the same code (a regional
    # hokim for a district rule) must not answer for it, so the engine sees level-qualified positions.
    engine_demands = [
        Demand(
            key=(d.rule.code, d.target_key),
            region=d.region_id,
            district=d.district_id,
            positions=tuple(f"{d.rule.official_level}:{p}" for p in d.rule.positions),
            priority=d.priority,
            target=d.mahalla_id,
        )
        for d in demands
    ]
    engine_officials = [
        Candidate(
            key=c.key,
            position=f"{c.level}:{c.position}",
            level=c.level,
            region=c.region,
            district=c.district,
            capacity=c.capacity,
        )
        for c in candidates
    ]
    result = assign_officials(engine_demands, engine_officials, conflicts)
    seconds["engine"] = time.perf_counter() - step
    if progress:
        progress("store")
    step = time.perf_counter()
    outcome = ProposalOutcome(
        year=year,
        date=inputs.date,
        dry_run=dry_run,
        demands=len(demands),
        officials=len(officials),
        kept=len(all_demands) - len(demands),
    )
    with transaction.atomic():
        outcome.ended = _handover_ended(year=year, inputs=inputs, scope=scope, actor=actor, dry_run=dry_run)
        new_rows = []
        for i, demand in enumerate(demands):
            base = {
                "rule": demand.rule.code,
                "target": str(demand.target),
                "code": demand.code,
                "name": demand.name,
                "priority": round(demand.priority, 4),
                "reason": demand.reason,
            }
            if i in result.assigned:
                official = officials[result.assigned[i]]
                outcome.proposed.append(
                    {
                        **base,
                        "official": official.pk,
                        "official_name": official.name,
                        "position": official.position,
                    }
                )
                new_rows.append(
                    Assignment(
                        official=official,
                        year=year,
                        rule=demand.rule,
                        target=demand.target,
                        mahalla_id=demand.mahalla_id,
                        district_id=demand.district_id,
                        region_id=demand.region_id,
                        target_key=demand.target_key,
                        reason=demand.reason,
                        reason_detail=demand.detail,
                        priority=demand.priority,
                        created_by=actor,
                    )
                )
            else:
                code = result.unassigned[i]
                outcome.unassigned.append({**base, "why": code, "why_text": unassigned_reason_text(code)})
        if not dry_run:
            Assignment.objects.bulk_create(new_rows, batch_size=2000)
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                object_type="officials.assignment",
                object_repr=f"proposals {year}",
                purpose="assignments proposed",
                details={
                    "year": year,
                    "date": inputs.date.isoformat(),
                    "proposed": len(new_rows),
                    "unassigned": len(outcome.unassigned),
                    "ended": len(outcome.ended),
                    "scope": scope.level,
                },
            )
    seconds["store"] = time.perf_counter() - step
    seconds["total"] = time.perf_counter() - timer
    outcome.seconds = {k: round(v, 3) for k, v in seconds.items()}
    return outcome


def _check_decider(actor: Any, assignment: Assignment, official: Official) -> None:
    """A regional chief decides within the region; a district chief within the district, and only on
    officials of the district (regional leadership and institutions are the region's to confirm)."""
    if actor is None or getattr(actor, "role", None) not in DECIDERS:
        raise AccessDenied(_("Only regional and district chiefs confirm or change assignments."))
    scope = territory_filter_for(actor)
    if scope.level == ScopeLevel.REGION and assignment.region_id == scope.region_id:
        return
    if (
        scope.level == ScopeLevel.DISTRICT
        and assignment.district_id == scope.district_id
        and official.level in (OfficialLevel.DISTRICT, OfficialLevel.MAHALLA)
        and official.district_id == scope.district_id
    ):
        return
    raise AccessDenied(
        _("This assignment is outside your territory or names an official above your level."),
        {"assignment": assignment.pk},
    )


def assignment_decidable(actor: Any, assignment: Assignment) -> bool:
    """Whether `actor` may confirm or change `assignment` (for showing the buttons; the services check
    again)."""
    try:
        _check_decider(actor, assignment, assignment.official)
    except AccessDenied:
        return False
    return True


@transaction.atomic
def assignment_confirm(*, actor: Any, assignment_id: int) -> Assignment:
    assignment = access_assignment_by_id(actor, assignment_id, for_update=True)
    _check_decider(actor, assignment, assignment.official)
    if assignment.status != Assignment.Status.PROPOSED:
        raise ApplicationError(
            _("Only a proposed assignment can be confirmed; this one is %(status)s.")
            % {"status": assignment.get_status_display()},
            {"field": "status", "value": assignment.status},
        )
    assignment.status = Assignment.Status.CONFIRMED
    assignment.confirmed_by = actor
    assignment.confirmed_at = timezone.now()
    assignment.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="officials.assignment",
        object_id=assignment.pk,
        object_repr=str(assignment),
        details={"status": "confirmed"},
    )
    return assignment


def _eligibility_problem(assignment: Assignment, official: Official) -> str | None:
    """Why `official` cannot take `assignment`'s target under its rule, or None."""
    rule = assignment.rule
    if not official.active:
        return _("the official is not active")
    if official.level != rule.official_level or official.position not in rule.positions:
        return _("the rule names positions %(positions)s at level %(level)s") % {
            "positions": ", ".join(rule.positions),
            "level": rule.official_level,
        }
    if official.level == OfficialLevel.REGION and official.region_id != assignment.region_id:
        return _("the official works in another region")
    if (
        official.level in (OfficialLevel.DISTRICT, OfficialLevel.MAHALLA)
        and official.district_id != assignment.district_id
    ):
        return _("the official works in another district")
    if (
        assignment.mahalla_id
        and ConflictOfInterest.objects.filter(official=official, mahalla_id=assignment.mahalla_id).exists()
    ):
        return _("the official has a conflict of interest with this mahalla")
    limit = official.max_assignments
    if limit is None:
        limit = max(
            (
                r.max_per_official
                for r in AssignmentRuleConfig.objects.filter(active=True, official_level=official.level)
                if official.position in r.positions
            ),
            default=rule.max_per_official,
        )
    load = Assignment.objects.filter(
        official=official, year=assignment.year, status__in=Assignment.ACTIVE
    ).count()
    if load >= limit:
        return _("the official is at the workload limit (%(load)s of %(limit)s)") % {
            "load": load,
            "limit": limit,
        }
    return None


@transaction.atomic
def assignment_change(*, actor: Any, assignment_id: int, official_id: int, reason: str) -> Assignment:
    """Hand the assignment over to another official: the old one becomes *changed* and points to the new,
    confirmed one (decided by the chief). Returns the new assignment."""
    assignment = access_assignment_by_id(actor, assignment_id, for_update=True)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give the reason for the change."), {"field": "reason", "value": ""})
    if not assignment.is_active:
        raise ApplicationError(
            _("Only a proposed or confirmed assignment can be changed; this one is %(status)s.")
            % {"status": assignment.get_status_display()},
            {"field": "status", "value": assignment.status},
        )
    official = access_official_by_id(actor, official_id)
    _check_decider(actor, assignment, official)
    if official.pk == assignment.official_id:
        raise ApplicationError(
            _("The assignment already names this official."), {"field": "official", "value": official_id}
        )
    problem = _eligibility_problem(assignment, official)
    if problem:
        raise ApplicationError(
            _("%(name)s cannot take this assignment: %(problem)s.")
            % {"name": official.name, "problem": problem},
            {"field": "official", "value": official_id, "reason": problem},
        )
    now = timezone.now()
    assignment.status = Assignment.Status.CHANGED
    assignment.ended_at = now
    assignment.end_reason = reason
    assignment.save(update_fields=["status", "ended_at", "end_reason", "updated_at"])
    successor = Assignment.objects.create(
        official=official,
        year=assignment.year,
        rule=assignment.rule,
        target=assignment.target,
        mahalla_id=assignment.mahalla_id,
        district_id=assignment.district_id,
        region_id=assignment.region_id,
        target_key=assignment.target_key,
        reason=assignment.reason,
        reason_detail={**assignment.reason_detail, "changed_from": assignment.pk, "change_reason": reason},
        priority=assignment.priority,
        status=Assignment.Status.CONFIRMED,
        confirmed_by=actor,
        confirmed_at=now,
        created_by=actor,
    )
    assignment.replaced_by = successor
    assignment.save(update_fields=["replaced_by"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="officials.assignment",
        object_id=assignment.pk,
        object_repr=str(assignment),
        details={"status": "changed", "replaced_by": successor.pk, "official": official.pk, "reason": reason},
    )
    return successor


@transaction.atomic
def assignment_end(*, actor: Any, assignment_id: int, reason: str) -> Assignment:
    assignment = access_assignment_by_id(actor, assignment_id, for_update=True)
    _check_decider(actor, assignment, assignment.official)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Give the reason for ending the assignment."), {"field": "reason", "value": ""}
        )
    if not assignment.is_active:
        raise ApplicationError(
            _("This assignment has already ended (%(status)s).")
            % {"status": assignment.get_status_display()},
            {"field": "status", "value": assignment.status},
        )
    assignment.status = Assignment.Status.ENDED
    assignment.ended_at = timezone.now()
    assignment.end_reason = reason
    assignment.save(update_fields=["status", "ended_at", "end_reason", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="officials.assignment",
        object_id=assignment.pk,
        object_repr=str(assignment),
        details={"status": "ended", "reason": reason},
    )
    return assignment


@transaction.atomic
def conflict_declare(
    *, actor: Any, official_id: int, mahalla_id: int, kind: str, note: str = ""
) -> ConflictOfInterest:
    """Record that an official may not answer for a mahalla. Active assignments it touches stay as they
    are: the chief changes them with a reason."""
    official = access_official_by_id(actor, official_id)
    if kind not in ConflictOfInterest.Kind.values:
        raise ApplicationError(
            _("Kind must be one of %(choices)s") % {"choices": ", ".join(ConflictOfInterest.Kind.values)},
            {"field": "kind", "value": kind},
        )
    conflict, _created = ConflictOfInterest.objects.get_or_create(
        official=official,
        mahalla_id=mahalla_id,
        kind=kind,
        defaults={"note": note[:300], "created_by": actor},
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="officials.conflictofinterest",
        object_id=conflict.pk,
        object_repr=str(conflict),
        details={"official": official.pk, "mahalla": mahalla_id, "kind": kind},
    )
    return conflict

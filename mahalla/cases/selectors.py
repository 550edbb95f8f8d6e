"""Reads of casework, always for an actor, filtered by role and territory (access.py), fail-closed. Every
read of a person's record is audited with its purpose; counts for roles without person access are
suppressed below 5."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from mahalla.audit.services import audit_record_reads
from mahalla.core.errors import ApplicationError
from mahalla.incidents.models import Offence
from mahalla.territory.models import Mahalla

from .access import (
    access_person_by_id,
    count_filter_for,
    order_filter_for,
    person_filter_for,
    person_record_filter_for,
    reads_persons,
    suppress,
)
from .models import (
    CaseAlert,
    CheckIn,
    Conclusion,
    HouseholdRound,
    LegalCategory,
    Person,
    PersonSourceRef,
    ProtectionOrder,
    Referral,
    RegisterEntry,
    SevenPosition,
    Supervision,
    ViolenceReport,
)
from .names import name_similarity

PURPOSES = (
    "worklist",
    "case work",
    "protection order",
    "supervision",
    "referral",
    "duplicate review",
    "offline copy",
)


def purpose_check(purpose: str) -> str:
    text = (purpose or "").strip()
    if not text:
        raise ApplicationError("Give the purpose of reading this person's record.", {"field": "purpose"})
    return text[:500]


def persons_visible(actor: Any) -> QuerySet[Person]:
    return Person.objects.filter(
        person_filter_for(actor), anonymised_at__isnull=True, merged_into__isnull=True
    )


def person_list(*, actor: Any, mahalla_code: str | None = None, query: str = "") -> QuerySet[Person]:
    rows = persons_visible(actor).select_related("mahalla").defer("mahalla__boundary")
    if mahalla_code:
        rows = rows.filter(mahalla__code=mahalla_code)
    if query:
        from .names import name_skeleton

        rows = rows.filter(Q(pinfl=query.strip()) | Q(name_key__contains=name_skeleton(query)))
    return rows.order_by("name_latin", "pk")


def persons_read_audit(*, actor: Any, persons: Iterable[Person], purpose: str) -> None:
    """Record one READ per person shown (a list page shows names: each is a read of a person)."""
    audit_record_reads(actor=actor, objects=list(persons), purpose=purpose_check(purpose))


@dataclass
class PersonCard:
    person: Person
    entries: list[RegisterEntry]
    conclusions: list[Conclusion]
    orders: list[ProtectionOrder]
    supervisions: list[Supervision]
    checkins: list[CheckIn]
    referrals: list[Referral]
    alerts: list[CaseAlert]
    transitions: list[Any] = field(default_factory=list)
    rounds: list[HouseholdRound] = field(default_factory=list)


def person_card(*, actor: Any, person_id: object, purpose: str) -> PersonCard:
    """A person's whole record, for a person reader; the read is audited with its purpose."""
    purpose = purpose_check(purpose)
    person = access_person_by_id(actor, person_id)
    audit_record_reads(actor=actor, objects=[person], purpose=purpose)
    supervisions = list(person.supervisions.all())
    return PersonCard(
        person=person,
        entries=list(person.register_entries.select_related("category")),
        conclusions=list(person.conclusions.all()),
        orders=list(
            ProtectionOrder.objects.filter(Q(victim=person) | Q(aggressor=person)).prefetch_related(
                "inson_referrals"
            )
        ),
        supervisions=supervisions,
        checkins=list(CheckIn.objects.filter(supervision__in=supervisions).order_by("due_on")),
        referrals=list(person.referrals.all()),
        alerts=list(person.alerts.filter(acknowledged_at__isnull=True)),
        transitions=list(person.transitions.select_related("to_user", "from_user", "by")),
        rounds=list(person.household_rounds.select_related("inspector").order_by("-planned_on", "-pk")),
    )


def order_list(*, actor: Any, status: str | None = None) -> QuerySet[ProtectionOrder]:
    rows = (
        ProtectionOrder.objects.filter(order_filter_for(actor))
        .select_related("victim", "report", "mahalla")
        .defer("mahalla__boundary")
    )
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-issued_at", "pk")


def household_round_list(
    *, actor: Any, mahalla_code: str | None = None, status: str | None = None
) -> QuerySet[HouseholdRound]:
    """The household rounds the actor may see (those of persons and territories it reads)."""
    rows = (
        HouseholdRound.objects.filter(person_record_filter_for(actor))
        .select_related("mahalla", "person", "inspector")
        .defer("mahalla__boundary")
    )
    if mahalla_code:
        rows = rows.filter(mahalla__code=mahalla_code)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("planned_on", "pk")


# ----------------------------------------------------------------------------------------- duplicates


@dataclass(frozen=True)
class DuplicatePair:
    left_id: int
    right_id: int
    score: float
    reason: str


# 10**13 .. 10**0: the place value of each of the PINFL's 14 digits, first digit first.
_PINFL_PLACES = [10**power for power in range(13, -1, -1)]


def _pinfl_neighbours(ids: Any, pinfls: Any) -> Any:
    """Pairs (left id < right id) of PINFLs one mistyped digit or one swap of neighbouring digits apart, as an
    (n, 2) array.

    The PINFL is mandatory and unique, so a typing slip is the only trace a person entered twice leaves in
    it: one digit wrong, or two neighbouring digits swapped (the two commonest slips in typed numbers);
    PINFLs further apart are two people, whatever their names. Blocking: for each of the 14 positions the
    digit there is zeroed, and for each of the 13 neighbouring pairs the two digits are put in order; records
    whose keys are equal differ at most by that slip: 27 sorts of integers instead of comparing every pair."""
    import numpy as np

    found = []
    for place in _PINFL_PLACES:
        found += _equal_key_pairs(ids, pinfls - (pinfls // place % 10) * place)
    for high, low in zip(_PINFL_PLACES, _PINFL_PLACES[1:], strict=False):
        first, second = pinfls // high % 10, pinfls // low % 10
        unordered = pinfls - first * high - second * low
        found += _equal_key_pairs(
            ids, unordered + np.minimum(first, second) * high + np.maximum(first, second) * low
        )
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    return np.unique(np.concatenate(found), axis=0)


def _equal_key_pairs(ids: Any, keys: Any) -> list[Any]:
    """Every pair (left id < right id) of records whose keys are equal, as (n, 2) arrays."""
    import numpy as np

    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    found = []
    # Sorted, so keys[j] == keys[j + step] holds exactly for the pairs `step` apart within a run of equal
    # keys (a run of three PINFLs that differ only in this digit gives all three pairs).
    step = 1
    while step < len(keys):
        same = np.flatnonzero(keys[step:] == keys[:-step])
        if not len(same):
            break
        left, right = ids[order[same]], ids[order[same + step]]
        found.append(np.column_stack([np.minimum(left, right), np.maximum(left, right)]))
        step += 1
    return found


def names_agree(left: str, right: str, *, threshold: float = 0.85) -> bool:
    """Two name skeletons name one person: the surname and the given name each agree (equal, or a spelling
    variant at least ``threshold`` similar), in either order ("Karimova Malika" / "Malika Karimova"), and the
    patronymic too when both carry one. Comparing part by part keeps two different given names with a common
    surname ("Karimov Aziz" / "Karimov Anvar") apart, which a whole-name similarity lets through."""
    left_parts, right_parts = left.split(), right.split()
    if len(left_parts) < 2 or len(right_parts) < 2:
        return left == right and bool(left)

    def agree(a: str, b: str) -> bool:
        return a == b or name_similarity(a, b) >= threshold

    for ordered in (right_parts, [right_parts[1], right_parts[0], *right_parts[2:]]):
        if agree(left_parts[0], ordered[0]) and agree(left_parts[1], ordered[1]):
            if len(left_parts) > 2 and len(ordered) > 2 and not agree(left_parts[2], ordered[2]):
                continue
            return True
    return False


def duplicate_pairs(
    rows: Iterable[tuple[int, str, str, Any, str]], *, threshold: float = 0.85
) -> list[DuplicatePair]:
    """Candidate pairs among (id, pinfl, name skeleton, birth date, sex) rows.

    Blocking (vectorised): PINFLs one typing slip apart (``_pinfl_neighbours``); the PINFL carries the
    century, sex and birth date, so the block is also a birth date and sex block. Comparison (on the few
    candidates): the names agree part by part after the three scripts are folded to one skeleton
    (``names_agree``). Two records whose PINFLs are further apart are never a candidate."""
    import numpy as np

    records = [row for row in rows if row[2] and len(row[1]) == 14 and row[1].isdigit()]
    if len(records) < 2:
        return []
    ids = np.fromiter((row[0] for row in records), dtype=np.int64, count=len(records))
    pinfls = np.fromiter((int(row[1]) for row in records), dtype=np.int64, count=len(records))
    candidates = _pinfl_neighbours(ids, pinfls)
    if not len(candidates):
        return []
    wanted = set(candidates.ravel().tolist())
    by_id = {row[0]: row for row in records if row[0] in wanted}
    found = []
    for left_id, right_id in candidates.tolist():
        left, right = by_id[left_id], by_id[right_id]
        if not names_agree(left[2], right[2], threshold=threshold):
            continue
        same_birth = left[3] == right[3] and left[4] == right[4]
        exact = left[2] == right[2]
        score = 1.0 if exact and same_birth else 0.95 if same_birth else 0.9
        reason = "name, birth date and a mistyped PINFL" if same_birth else "name and a mistyped PINFL"
        found.append(DuplicatePair(left_id, right_id, score, reason))
    return sorted(found, key=lambda p: (-p.score, p.left_id, p.right_id))


def duplicate_candidates(*, actor: Any | None) -> list[DuplicatePair]:
    """Candidate duplicates among the persons the actor sees (``None``: the system, all persons)."""
    rows = Person.objects.filter(anonymised_at__isnull=True, merged_into__isnull=True)
    if actor is not None:
        rows = rows.filter(person_filter_for(actor))
    return duplicate_pairs(
        rows.values_list("pk", "pinfl", "name_key", "birth_date", "sex").iterator(chunk_size=20000)
    )


# ------------------------------------------------------------------------------------------- worklist


@dataclass
class Worklist:
    mahalla: Mahalla
    today: dt.date
    week_end: dt.date
    checkins_due: list[CheckIn]
    reports_without_order: list[ViolenceReport]
    orders_late: list[ProtectionOrder]
    orders_expiring: list[ProtectionOrder]
    conclusions_overdue: list[Conclusion]
    conclusions_due: list[Conclusion]
    referrals_waiting: list[Referral]
    alerts: list[CaseAlert]
    rounds_today: list[HouseholdRound] = field(default_factory=list)
    rounds_week: list[HouseholdRound] = field(default_factory=list)

    def persons(self) -> list[Person]:
        seen: dict[int, Person] = {}
        for checkin in self.checkins_due:
            seen[checkin.supervision.person.pk] = checkin.supervision.person
        for report in self.reports_without_order:
            seen[report.victim.pk] = report.victim
        for order in self.orders_late + self.orders_expiring:
            seen[order.victim.pk] = order.victim
        for conclusion in self.conclusions_overdue + self.conclusions_due:
            if conclusion.person is not None:
                seen[conclusion.person.pk] = conclusion.person
        for referral in self.referrals_waiting:
            seen[referral.person.pk] = referral.person
        for household_round in self.rounds_today + self.rounds_week:
            if household_round.person is not None:
                seen[household_round.person.pk] = household_round.person
        return list(seen.values())


def worklist_for(*, actor: Any, mahalla: Mahalla, today: dt.date | None = None, limit: int = 200) -> Worklist:
    """Today's and this week's work of one mahalla (the caller has checked the mahalla through the
    territory funnel; the person-level rows are filtered again here)."""
    today = today or timezone.localdate()
    week_end = today + dt.timedelta(days=7)
    records = person_record_filter_for(actor)
    supervisions = Supervision.objects.filter(records, mahalla=mahalla, status=Supervision.Status.ACTIVE)
    checkins = list(
        CheckIn.objects.filter(
            supervision__in=supervisions.values("pk"),
            status__in=[CheckIn.Status.DUE, CheckIn.Status.MISSED],
            due_on__lte=week_end,
        )
        .select_related("supervision__person")
        .order_by("due_on", "pk")[:limit]
    )
    order_rows = ProtectionOrder.objects.filter(order_filter_for(actor), mahalla=mahalla).select_related(
        "victim", "report"
    )
    reports = list(
        ViolenceReport.objects.filter(order_filter_for(actor), mahalla=mahalla, order__isnull=True)
        .select_related("victim")
        .order_by("reported_at")[:limit]
    )
    orders_late = [
        order
        for order in order_rows.filter(issued_at__gte=timezone.now() - dt.timedelta(days=30))
        if order.issued_late
    ][:limit]
    orders_expiring = list(
        order_rows.filter(status=ProtectionOrder.Status.ACTIVE, ends_on__lte=week_end).order_by("ends_on")[
            :limit
        ]
    )
    conclusions = Conclusion.objects.filter(
        records, mahalla=mahalla, status=Conclusion.Status.OPEN
    ).select_related("person")
    overdue = list(conclusions.filter(deadline__lt=today).order_by("deadline", "pk")[:limit])
    due = list(
        conclusions.filter(deadline__gte=today, deadline__lte=week_end).order_by("deadline", "pk")[:limit]
    )
    referrals = list(
        Referral.objects.filter(
            records, mahalla=mahalla, status__in=[Referral.Status.SENT, Referral.Status.ACCEPTED]
        )
        .select_related("person")
        .order_by("deadline", "pk")[:limit]
    )
    alerts = (
        list(
            CaseAlert.objects.filter(records, mahalla=mahalla, acknowledged_at__isnull=True)
            .select_related("person")
            .order_by("-raised_on", "pk")[:limit]
        )
        if reads_persons(actor)
        else []
    )
    rounds = list(
        HouseholdRound.objects.filter(
            records, mahalla=mahalla, status=HouseholdRound.Status.PLANNED, planned_on__lte=week_end
        )
        .select_related("person", "inspector")
        .order_by("planned_on", "pk")[:limit]
    )
    return Worklist(
        mahalla=mahalla,
        today=today,
        week_end=week_end,
        checkins_due=checkins,
        reports_without_order=reports,
        orders_late=orders_late,
        orders_expiring=orders_expiring,
        conclusions_overdue=overdue,
        conclusions_due=due,
        referrals_waiting=referrals,
        alerts=alerts,
        # A round planned for an earlier day and not yet recorded is still today's work.
        rounds_today=[r for r in rounds if r.planned_on <= today],
        rounds_week=[r for r in rounds if r.planned_on > today],
    )


# ---------------------------------------------------------------------------------- counts and results


def register_counts(*, actor: Any) -> dict[str, Any]:
    """Counts inside the actor's scope, per category and for orders and supervisions, suppressed below 5
    for a role without person access."""
    entries = RegisterEntry.objects.filter(count_filter_for(actor), status=RegisterEntry.Status.ACTIVE)
    per_category = dict(
        entries.values_list("category__code").annotate(n=Count("person", distinct=True)).order_by()
    )
    categories = {
        category.code: suppress(per_category.get(category.code, 0), actor)
        for category in LegalCategory.objects.all()
    }
    return {
        "categories": categories,
        "orders_active": suppress(
            ProtectionOrder.objects.filter(
                count_filter_for(actor), status=ProtectionOrder.Status.ACTIVE
            ).count(),
            actor,
        ),
        "supervisions_active": suppress(
            Supervision.objects.filter(count_filter_for(actor), status=Supervision.Status.ACTIVE).count(),
            actor,
        ),
        "conclusions_open": suppress(
            Conclusion.objects.filter(count_filter_for(actor), status=Conclusion.Status.OPEN).count(), actor
        ),
        "suppressed_below": 5,
    }


@dataclass
class ResultRow:
    key: str
    label: str
    conclusions: int | str
    executed_on_time: int | str
    on_time_share: float | None
    referrals: int | str
    referrals_completed: int | str
    registered: int | str
    reoffended: int | str
    # The mahalla's class on the latest analysed date (green/yellow/red), or, for a district or region, how
    # many of its mahallas are in each class.
    crime_class: str = ""
    classes: dict[str, int] = field(default_factory=dict)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def results(
    *, actor: Any, group_by: str = "mahalla", today: dt.date | None = None, mahalla_code: str | None = None
) -> list[ResultRow]:
    """Mahalla Seven results in the actor's scope, grouped by mahalla, district, region or member position:
    conclusions executed on time, referrals completed, repeat offending of registered persons within 12
    months of their listing. Counts below 5 are suppressed for roles without person access (the share is
    then withheld too)."""
    today = today or timezone.localdate()
    if group_by not in ("mahalla", "district", "region", "position"):
        raise ApplicationError(
            "Group by mahalla, district, region or position.", {"field": "group_by", "value": group_by}
        )
    scope = count_filter_for(actor)
    key_field = {
        "mahalla": "mahalla__code",
        "district": "district__code",
        "region": "region__code",
        "position": "owner_position",
    }[group_by]
    label_field = {
        "mahalla": "mahalla__name_uz",
        "district": "district__name_uz",
        "region": "region__name_uz",
        "position": "owner_position",
    }[group_by]
    conclusions = Conclusion.objects.filter(scope)
    if mahalla_code:
        conclusions = conclusions.filter(mahalla__code=mahalla_code)
    from django.db.models import F

    stats: dict[str, dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    for key, label, total, on_time in (
        conclusions.values_list(key_field, label_field)
        .annotate(
            total=Count("pk"),
            on_time=Count("pk", filter=Q(status=Conclusion.Status.EXECUTED, executed_on__lte=F("deadline"))),
        )
        .order_by()
    ):
        stats[key]["label"] = label
        stats[key]["conclusions"] += total
        stats[key]["on_time"] += on_time
    if group_by != "position":
        referrals = Referral.objects.filter(scope)
        if mahalla_code:
            referrals = referrals.filter(mahalla__code=mahalla_code)
        for key, label, total, completed in (
            referrals.values_list(key_field, label_field)
            .annotate(total=Count("pk"), completed=Count("pk", filter=Q(status=Referral.Status.COMPLETED)))
            .order_by()
        ):
            stats[key]["label"] = label
            stats[key]["referrals"] += total
            stats[key]["completed"] += completed
        entries = RegisterEntry.objects.filter(scope, starts_on__gte=today - dt.timedelta(days=365 * 2))
        if mahalla_code:
            entries = entries.filter(mahalla__code=mahalla_code)
        entry_rows = list(entries.values_list(key_field, label_field, "person_id", "starts_on"))
        # Subqueries, not Python lists of ids: a nation's 700,000 listed persons made 150 IN-list queries
        # whose building alone took seconds.
        listed_refs = PersonSourceRef.objects.filter(person_id__in=entries.values("person_id"))
        refs: dict[int, list[str]] = defaultdict(list)
        for person_id, ref in listed_refs.values_list("person_id", "ref"):
            refs[person_id].append(ref)
        offences: dict[str, list[dt.datetime]] = defaultdict(list)
        for ref, occurred in Offence.objects.filter(offender_ref__in=listed_refs.values("ref")).values_list(
            "offender_ref", "occurred_at"
        ):
            offences[ref].append(occurred)
        persons_seen: dict[str, set[int]] = defaultdict(set)
        reoffended: dict[str, set[int]] = defaultdict(set)
        for key, label, person_id, starts_on in entry_rows:
            stats[key]["label"] = label
            persons_seen[key].add(person_id)
            for ref in refs.get(person_id, []):
                for occurred in offences.get(ref, []):
                    day = timezone.localtime(occurred).date()
                    if starts_on < day <= starts_on + dt.timedelta(days=365):
                        reoffended[key].add(person_id)
        for key in persons_seen:
            stats[key]["registered"] = len(persons_seen[key])
            stats[key]["reoffended"] = len(reoffended[key])
    classes = _classes(actor=actor, group_by=group_by)
    rows = []
    for key in sorted(stats, key=lambda k: (str(stats[k]["label"]), str(k))):
        s = stats[key]
        label = (
            str(SevenPosition(key).label)
            if group_by == "position" and key in SevenPosition.values
            else str(s["label"])
        )
        shown_conclusions = suppress(s["conclusions"], actor)
        rows.append(
            ResultRow(
                key=str(key),
                label=label,
                conclusions=shown_conclusions,
                executed_on_time=suppress(s["on_time"], actor),
                on_time_share=_share(s["on_time"], s["conclusions"])
                if isinstance(shown_conclusions, int)
                else None,
                referrals=suppress(s["referrals"], actor),
                referrals_completed=suppress(s["completed"], actor),
                registered=suppress(s["registered"], actor),
                reoffended=suppress(s["reoffended"], actor),
                crime_class=classes.get(str(key), {}).get("class", "") if group_by == "mahalla" else "",
                classes={k: v for k, v in classes.get(str(key), {}).items() if k != "class"},
            )
        )
    return rows


def _classes(*, actor: Any, group_by: str) -> dict[str, dict[str, Any]]:
    """The latest classification next to the results: per mahalla its class, per district or region the
    number of its mahallas in each class (the analytics' own scoped selectors)."""
    if group_by == "position":
        return {}
    from mahalla.analytics import selectors as analytics

    day = analytics.latest_date(actor=actor)
    if day is None:
        return {}
    key_field = {"mahalla": "mahalla__code", "district": "district__code", "region": "region__code"}[group_by]
    out: dict[str, dict[str, Any]] = defaultdict(dict)
    rows = analytics.mahalla_result_list(actor=actor, date=day).values_list(key_field, "crime_class")
    for key, crime_class in rows.iterator(chunk_size=5000):
        if group_by == "mahalla":
            out[key]["class"] = crime_class
        else:
            out[key][crime_class] = out[key].get(crime_class, 0) + 1
    return out

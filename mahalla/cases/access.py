"""Who may see and change casework: the role sets and the funnels for a person, an order, a supervision, a
referral, a conclusion, a check-in, a violence report and a household round by id.

Need to know (issue 12, part 8):
- the preventive inspector and the Mahalla Seven of a mahalla see its persons and their records (a case
  referred to a user, while the referral is active, and a case the user owns are visible to that user too);
- the district's women's-affairs inspector sees the protection orders of the district (and the victims and
  reports they name), nothing else at person level;
- chiefs, analysts, prosecutors, investigators, administrators see counts only, suppressed below 5.

Every funnel is fail-closed: a record outside the actor's reach is reported exactly like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from mahalla.core.errors import AccessDenied
from mahalla.core.roles import Role
from mahalla.territory.access import NOTHING, territory_filter_for

from .models import (
    CheckIn,
    Conclusion,
    HouseholdRound,
    Person,
    ProtectionOrder,
    Referral,
    Supervision,
    ViolenceReport,
)

PERSON_READERS = frozenset({Role.PREVENTIVE_INSPECTOR, Role.MAHALLA_SEVEN})
ORDER_READERS = PERSON_READERS | {Role.WOMENS_AFFAIRS_INSPECTOR}
# Who issues protection orders (with the women's activist), records check-ins and supervisions.
INSPECTORS = frozenset({Role.PREVENTIVE_INSPECTOR})
ORDER_ISSUERS = frozenset({Role.PREVENTIVE_INSPECTOR, Role.WOMENS_AFFAIRS_INSPECTOR})
# Who works on conclusions, referrals and persons' cards.
CASE_WORKERS = PERSON_READERS
COUNT_READERS = frozenset(
    {
        Role.NATIONAL_ANALYST,
        Role.REGIONAL_CHIEF,
        Role.DISTRICT_CHIEF,
        Role.RESPONSIBLE_OFFICIAL,
        Role.PROSECUTOR,
        Role.INVESTIGATOR,
        Role.CYBER_OFFICER,
        Role.ADMINISTRATOR,
    }
)
CASE_MENU_ROLES = frozenset(PERSON_READERS | ORDER_READERS | COUNT_READERS)

# The smallest count shown to a role without person access; smaller counts print as "<5".
SUPPRESSION_THRESHOLD = 5


def is_active_user(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and bool(actor.is_active)


def reads_persons(actor: Any) -> bool:
    return is_active_user(actor) and actor.role in PERSON_READERS


def reads_orders(actor: Any) -> bool:
    return is_active_user(actor) and actor.role in ORDER_READERS


def _territory(actor: Any, prefix: str) -> Q:
    return territory_filter_for(actor).q(
        region=f"{prefix}region", district=f"{prefix}district", mahalla=f"{prefix}mahalla"
    )


def person_filter_for(actor: Any, *, prefix: str = "") -> Q:
    """Persons the actor may read, as a filter on Person (through ``prefix`` from a related model)."""
    if not reads_persons(actor):
        return NOTHING
    scope = territory_filter_for(actor)
    if scope.sees_nothing:
        return NOTHING
    if scope.sees_everything:
        return Q()
    shared = Q(**{f"{prefix}transitions__to_user": actor.pk, f"{prefix}transitions__status": "active"})
    owned = Q(**{f"{prefix}ownership__owner": actor.pk})
    return _territory(actor, prefix) | Q(
        **{f"{prefix}pk__in": Person.objects.filter(shared | owned).values("pk")}
    )


def person_record_filter_for(actor: Any) -> Q:
    """Records that belong to a person (conclusions, supervisions, referrals): visible with the person."""
    if not reads_persons(actor):
        return NOTHING
    scope = territory_filter_for(actor)
    if scope.sees_nothing:
        return NOTHING
    if scope.sees_everything:
        return Q()
    return _territory(actor, "") | Q(person__in=Person.objects.filter(person_filter_for(actor)).values("pk"))


def order_filter_for(actor: Any) -> Q:
    if not reads_orders(actor):
        return NOTHING
    return _territory(actor, "")


def count_filter_for(actor: Any, *, prefix: str = "") -> Q:
    """Rows an actor may COUNT (every role with a scope, inside the scope)."""
    if not is_active_user(actor):
        return NOTHING
    return _territory(actor, prefix)


def _id(value: object) -> int | None:
    text = str(value)
    return int(text) if text.isdigit() else None


def _access_by_id(
    actor: Any, object_id: object, *, queryset: QuerySet[Any], visible: Q, reader: bool, not_found: str
) -> Any:
    """The one funnel: the row with this id among those ``visible`` to the actor, or AccessDenied exactly
    as for a missing row (fail closed: a malformed id, a role that is not a ``reader``, another territory)."""
    missing = AccessDenied(not_found, {"id": str(object_id)})
    pk = _id(object_id)
    if pk is None:
        raise missing
    if not reader:
        raise missing
    row = queryset.filter(visible, pk=pk).first()
    if row is None:
        raise missing
    return row


def access_person_by_id(actor: Any, person_id: object) -> Person:
    return _access_by_id(
        actor,
        person_id,
        queryset=Person.objects.select_related("mahalla", "district", "region")
        .defer("mahalla__boundary", "district__boundary", "region__boundary")
        .filter(anonymised_at__isnull=True),
        visible=person_filter_for(actor),
        reader=reads_persons(actor),
        not_found=_("Person not found"),
    )


def access_order_by_id(actor: Any, order_id: object) -> ProtectionOrder:
    return _access_by_id(
        actor,
        order_id,
        queryset=ProtectionOrder.objects.select_related("victim", "aggressor", "report", "mahalla").defer(
            "mahalla__boundary"
        ),
        visible=order_filter_for(actor),
        reader=reads_orders(actor),
        not_found=_("Protection order not found"),
    )


def access_report_by_id(actor: Any, report_id: object) -> ViolenceReport:
    return _access_by_id(
        actor,
        report_id,
        queryset=ViolenceReport.objects.select_related("mahalla", "victim"),
        visible=order_filter_for(actor),
        reader=reads_orders(actor),
        not_found=_("Report not found"),
    )


def access_supervision_by_id(actor: Any, supervision_id: object) -> Supervision:
    return _access_by_id(
        actor,
        supervision_id,
        queryset=Supervision.objects.select_related("person"),
        visible=person_record_filter_for(actor),
        reader=reads_persons(actor),
        not_found=_("Supervision not found"),
    )


def access_checkin_by_id(actor: Any, checkin_id: object) -> CheckIn:
    visible = Supervision.objects.filter(person_record_filter_for(actor)).values("pk")
    return _access_by_id(
        actor,
        checkin_id,
        queryset=CheckIn.objects.select_related("supervision"),
        visible=Q(supervision__in=visible),
        reader=reads_persons(actor),
        not_found=_("Check-in not found"),
    )


def access_referral_by_id(actor: Any, referral_id: object) -> Referral:
    return _access_by_id(
        actor,
        referral_id,
        queryset=Referral.objects.select_related("person"),
        visible=person_record_filter_for(actor),
        reader=reads_persons(actor),
        not_found=_("Referral not found"),
    )


def access_round_by_id(actor: Any, round_id: object) -> HouseholdRound:
    return _access_by_id(
        actor,
        round_id,
        queryset=HouseholdRound.objects.select_related("mahalla", "person").defer("mahalla__boundary"),
        visible=person_record_filter_for(actor),
        reader=reads_persons(actor),
        not_found=_("Household round not found"),
    )


def access_conclusion_by_id(actor: Any, conclusion_id: object) -> Conclusion:
    return _access_by_id(
        actor,
        conclusion_id,
        queryset=Conclusion.objects.select_related("person"),
        visible=_territory(actor, "") if reads_persons(actor) else NOTHING,
        reader=reads_persons(actor),
        not_found=_("Conclusion not found"),
    )


def suppress(count: int, actor: Any) -> int | str:
    """A count as shown to the actor: below 5 it reads "<5" for a role without person access."""
    if reads_persons(actor):
        return count
    if 0 < count < SUPPRESSION_THRESHOLD:
        return "<5"
    return count

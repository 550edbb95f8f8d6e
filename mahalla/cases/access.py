"""Who may see and change casework: the role sets and the funnels for a person, an order, a supervision, a
referral, a conclusion and a check-in by id.

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

from django.db.models import Q
from django.utils.translation import gettext as _

from mahalla.core.errors import AccessDenied
from mahalla.core.roles import Role
from mahalla.territory.access import NOTHING, territory_filter_for

from .models import CheckIn, Conclusion, Person, ProtectionOrder, Referral, Supervision

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


def access_person_by_id(actor: Any, person_id: object) -> Person:
    not_found = AccessDenied(_("Person not found"), {"id": str(person_id)})
    pk = _id(person_id)
    if pk is None:
        raise not_found
    if not reads_persons(actor):
        raise not_found
    person = (
        Person.objects.select_related("mahalla", "district", "region")
        .defer("mahalla__boundary", "district__boundary", "region__boundary")
        .filter(person_filter_for(actor), pk=pk, anonymised_at__isnull=True)
        .first()
    )
    if person is None:
        raise not_found
    return person


def access_order_by_id(actor: Any, order_id: object) -> ProtectionOrder:
    not_found = AccessDenied(_("Protection order not found"), {"id": str(order_id)})
    pk = _id(order_id)
    if pk is None:
        raise not_found
    if not reads_orders(actor):
        raise not_found
    order = (
        ProtectionOrder.objects.select_related("victim", "aggressor", "report", "mahalla")
        .defer("mahalla__boundary")
        .filter(order_filter_for(actor), pk=pk)
        .first()
    )
    if order is None:
        raise not_found
    return order


def access_supervision_by_id(actor: Any, supervision_id: object) -> Supervision:
    not_found = AccessDenied(_("Supervision not found"), {"id": str(supervision_id)})
    pk = _id(supervision_id)
    if pk is None:
        raise not_found
    supervision = (
        Supervision.objects.select_related("person").filter(person_record_filter_for(actor), pk=pk).first()
    )
    if supervision is None:
        raise not_found
    return supervision


def access_checkin_by_id(actor: Any, checkin_id: object) -> CheckIn:
    not_found = AccessDenied(_("Check-in not found"), {"id": str(checkin_id)})
    pk = _id(checkin_id)
    if pk is None:
        raise not_found
    visible = Supervision.objects.filter(person_record_filter_for(actor)).values("pk")
    checkin = CheckIn.objects.select_related("supervision").filter(supervision__in=visible, pk=pk).first()
    if checkin is None:
        raise not_found
    return checkin


def access_referral_by_id(actor: Any, referral_id: object) -> Referral:
    not_found = AccessDenied(_("Referral not found"), {"id": str(referral_id)})
    pk = _id(referral_id)
    if pk is None:
        raise not_found
    referral = (
        Referral.objects.select_related("person").filter(person_record_filter_for(actor), pk=pk).first()
    )
    if referral is None:
        raise not_found
    return referral


def access_conclusion_by_id(actor: Any, conclusion_id: object) -> Conclusion:
    not_found = AccessDenied(_("Conclusion not found"), {"id": str(conclusion_id)})
    pk = _id(conclusion_id)
    if pk is None:
        raise not_found
    if not reads_persons(actor):
        raise not_found
    conclusion = Conclusion.objects.select_related("person").filter(_territory(actor, ""), pk=pk).first()
    if conclusion is None:
        raise not_found
    return conclusion


def suppress(count: int, actor: Any) -> int | str:
    """A count as shown to the actor: below 5 it reads "<5" for a role without person access."""
    if reads_persons(actor):
        return count
    if 0 < count < SUPPRESSION_THRESHOLD:
        return "<5"
    return count

"""The casework URLs in the access matrix (mahalla/core/access_matrix.py; rules: mahalla/cases/access.py).

Persons and their records: the preventive inspector and the Mahalla Seven (PERSON_READERS) of the territory.
Protection orders: they and the district's women's-affairs inspector (ORDER_READERS); orders are issued,
extended and breached by the preventive and the women's-affairs inspectors (ORDER_ISSUERS). Supervisions and
check-ins: the preventive inspector only. Counts and results: every role, inside its scope. A person read
needs ``?purpose=``."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from mahalla.core.access_matrix import ALL_ROLES, Call, Place, Route
from mahalla.core.roles import Role

from .access import INSPECTORS, ORDER_ISSUERS, ORDER_READERS, PERSON_READERS

PURPOSE = {"purpose": "case work"}
TODAY = dt.date(2026, 1, 10)


def _future() -> str:
    return (timezone.localdate() + dt.timedelta(days=20)).isoformat()


def _person(place: Place, suffix: str = "") -> object:
    from .tests.factories import person_make

    return person_make(place.mahalla, f"Karimova Malika {place.marker}{suffix}")


def _person_call(place: Place) -> Call:
    return Call(kwargs={"person_id": _person(place).pk}, query=PURPOSE)


def _person_patch(place: Place) -> Call:
    person = _person(place)
    return Call(
        kwargs={"person_id": person.pk},
        data={"version": person.version, "phone": "+998901234567"},
        content="json",
    )


def _person_create(place: Place) -> Call:
    from .tests.factories import pinfl_next

    return Call(
        data={
            "pinfl": pinfl_next(),
            "name_latin": f"Yusupov Anvar {place.marker}",
            "birth_date": "1990-01-01",
            "sex": "M",
            "mahalla": place.mahalla.code,
        },
        content="json",
    )


def _merge(place: Place) -> Call:
    kept, duplicate = _person(place), _person(place, "B")
    return Call(kwargs={"person_id": kept.pk}, data={"duplicate": duplicate.pk}, content="json")


def _register_entry(place: Place) -> Call:
    from .models import LegalCategory

    category = LegalCategory.objects.first()
    return Call(
        kwargs={"person_id": _person(place).pk},
        data={
            "category": category.code if category else "none",
            "basis_document": f"Decision {place.marker}",
            "starts_on": TODAY.isoformat(),
            "decided_by": "District court",
        },
        content="json",
    )


def _referral_create(place: Place) -> Call:
    return Call(
        kwargs={"person_id": _person(place).pk},
        data={"service": "employment", "agency": "Job centre", "deadline": _future(), "consent_given": True},
        content="json",
    )


def _supervision_create(place: Place) -> Call:
    return Call(
        kwargs={"person_id": _person(place).pk},
        data={
            "court_decision": f"Court {place.marker}",
            "decided_on": "2026-01-01",
            "starts_on": "2026-01-05",
            "ends_on": "2026-07-05",
            "checkins_per_month": 2,
        },
        content="json",
    )


def _case_worker(place: Place) -> object:
    from mahalla.accounts.tests.factories import UserFactory
    from mahalla.core.roles import ScopeLevel

    return UserFactory(
        username=f"worker.{place.marker.lower()}",
        role=Role.PREVENTIVE_INSPECTOR,
        scope_level=ScopeLevel.DISTRICT,
        scope_district=place.district,
    )


def _transition_create(place: Place) -> Call:
    return Call(
        kwargs={"person_id": _person(place).pk},
        data={"kind": "refer", "to_user": _case_worker(place).pk},
        content="json",
    )


def _transition_revoke(place: Place) -> Call:
    from .models import CaseTransition

    worker = _case_worker(place)
    transition = CaseTransition.objects.create(
        person=_person(place),
        kind=CaseTransition.Kind.REFER,
        from_user=place.chief,
        to_user=worker,
        status=CaseTransition.Status.ACTIVE,
        by=place.chief,
    )
    return Call(kwargs={"transition_id": transition.pk}, data={"action": "revoke"}, content="json")


def _report(place: Place) -> object:
    from .models import ViolenceReport

    victim = _person(place)
    return ViolenceReport.objects.create(
        kind=ViolenceReport.Kind.DOMESTIC_VIOLENCE,
        victim=victim,
        reported_at=dt.datetime(2026, 1, 9, 10, 0, tzinfo=dt.UTC),
        description=f"Report {place.marker}",
        mahalla=place.mahalla,
        district=place.district,
        region=place.region,
    )


def _report_create(place: Place) -> Call:
    return Call(
        data={"kind": "harassment", "victim": _person(place).pk, "reported_at": "2026-01-09T10:00:00Z"},
        content="json",
    )


def _order_issue(place: Place) -> Call:
    return Call(
        kwargs={"report_id": _report(place).pk}, data={"womens_activist": "Aliyeva Nodira"}, content="json"
    )


def _order(place: Place) -> object:
    from .models import ProtectionOrder

    report = _report(place)
    today = timezone.localdate()
    return ProtectionOrder.objects.create(
        report=report,
        victim=report.victim,
        issued_at=timezone.now(),
        womens_activist=f"Activist {place.marker}",
        starts_on=today,
        ends_on=today + dt.timedelta(days=10),
        mahalla=place.mahalla,
        district=place.district,
        region=place.region,
    )


def _order_extend(place: Place) -> Call:
    return Call(kwargs={"order_id": _order(place).pk}, data={"days": 5}, content="json")


def _order_violation(place: Place) -> Call:
    return Call(
        kwargs={"order_id": _order(place).pk},
        data={"occurred_at": timezone.now().isoformat(), "description": "Came to the house"},
        content="json",
    )


def _checkin(place: Place) -> Call:
    from .models import CheckIn, Supervision

    today = timezone.localdate()
    supervision = Supervision.objects.create(
        person=_person(place),
        court_decision=f"Court {place.marker}",
        decided_on=today - dt.timedelta(days=30),
        starts_on=today - dt.timedelta(days=20),
        ends_on=today + dt.timedelta(days=160),
        checkins_per_month=2,
        mahalla=place.mahalla,
        district=place.district,
        region=place.region,
    )
    checkin = CheckIn.objects.create(supervision=supervision, due_on=today)
    return Call(
        kwargs={"checkin_id": checkin.pk},
        data={"reported_at": timezone.now().isoformat(), "note": "On time"},
        content="json",
    )


def _conclusion(place: Place) -> Call:
    from .models import Conclusion, ConclusionRule

    rule = ConclusionRule.objects.create(
        subject="offender", measures=["talk"], owner_position="chairman", deadline_days=10
    )
    today = timezone.localdate()
    conclusion = Conclusion.objects.create(
        offence=place.offence,
        subject="offender",
        person=_person(place),
        rule=rule,
        measures=["talk"],
        owner_position="chairman",
        issued_on=today,
        deadline=today + dt.timedelta(days=10),
        mahalla=place.mahalla,
        district=place.district,
        region=place.region,
    )
    return Call(
        kwargs={"conclusion_id": conclusion.pk},
        data={"executed_on": today.isoformat(), "note": "Done"},
        content="json",
    )


def _referral_status(place: Place) -> Call:
    from .models import Referral

    referral = Referral.objects.create(
        person=_person(place),
        service="employment",
        agency=f"Agency {place.marker}",
        deadline=timezone.localdate() + dt.timedelta(days=20),
        consent_given=True,
        consent_recorded_at=timezone.now(),
        created_by=place.chief,
        mahalla=place.mahalla,
        district=place.district,
        region=place.region,
    )
    return Call(
        kwargs={"referral_id": referral.pk},
        data={"status": "accepted", "version": referral.version},
        content="json",
    )


def _round_plan(place: Place) -> Call:
    return Call(
        data={
            "mahalla": place.mahalla.code,
            "address": f"Street {place.marker}, house 4",
            "planned_on": timezone.localdate().isoformat(),
            "purpose": "family",
            "person": _person(place).pk,
        },
        content="json",
    )


def _round_record(place: Place) -> Call:
    from .models import HouseholdRound

    household_round = HouseholdRound.objects.create(
        address=f"Street {place.marker}, house 4",
        person=_person(place),
        planned_on=timezone.localdate(),
        inspector=place.chief,
        purpose="family",
        mahalla=place.mahalla,
        district=place.district,
        region=place.region,
    )
    return Call(
        kwargs={"round_id": household_round.pk},
        data={"done_on": timezone.localdate().isoformat(), "outcome": "All well", "version": 1},
        content="json",
    )


def _worklist(place: Place) -> Call:
    _person(place)
    return Call(kwargs={"code": place.mahalla.code})


def _person_action(place: Place) -> Call:
    return Call(
        kwargs={"person_id": _person(place).pk, "action": "referral"},
        data={"service": "employment", "agency": "Job centre", "deadline": _future(), "consent_given": "on"},
    )


def _listed(place: Place) -> Call:
    _person(place)
    return Call(query=PURPOSE)


def _order_listed(place: Place) -> Call:
    _order(place)
    return Call(query=PURPOSE)


ROUTES = [
    # ------------------------------------------------------------------------------------------ the API
    Route("cases:person-list", roles=PERSON_READERS, territorial=False, build=_listed),
    Route("cases:person-create", method="POST", roles=PERSON_READERS, build=_person_create, success=(201,)),
    Route("cases:person-duplicates", roles=PERSON_READERS, territorial=False, build=_listed),
    Route("cases:person-detail", roles=PERSON_READERS, build=_person_call),
    Route("cases:person-detail", method="PATCH", roles=PERSON_READERS, build=_person_patch),
    Route("cases:person-merge", method="POST", roles=PERSON_READERS, build=_merge),
    Route(
        "cases:register-entry-create",
        method="POST",
        roles=PERSON_READERS,
        build=_register_entry,
        success=(201,),
    ),
    Route(
        "cases:referral-create", method="POST", roles=PERSON_READERS, build=_referral_create, success=(201,)
    ),
    Route(
        "cases:supervision-create", method="POST", roles=INSPECTORS, build=_supervision_create, success=(201,)
    ),
    Route(
        "cases:transition-create",
        method="POST",
        roles=PERSON_READERS,
        build=_transition_create,
        success=(201,),
    ),
    Route(
        "cases:transition-respond",
        method="POST",
        roles=PERSON_READERS,
        build=_transition_revoke,
        note="the revoke of a referral; accept / reject answer only the receiving account (to_user), "
        "which no actor of the matrix is",
    ),
    Route(
        "cases:report-create",
        method="POST",
        roles=PERSON_READERS,
        build=_report_create,
        success=(201,),
        note="the victim is opened with the person funnel: the women's-affairs inspector reads no persons",
    ),
    Route("cases:order-issue", method="POST", roles=ORDER_ISSUERS, build=_order_issue, success=(201,)),
    Route("cases:order-list", roles=ORDER_READERS, territorial=False, build=_order_listed),
    Route("cases:order-extend", method="POST", roles=ORDER_ISSUERS, build=_order_extend),
    Route(
        "cases:order-violation", method="POST", roles=ORDER_ISSUERS, build=_order_violation, success=(201,)
    ),
    Route("cases:checkin-record", method="POST", roles=INSPECTORS, build=_checkin),
    Route("cases:conclusion-execute", method="POST", roles=PERSON_READERS, build=_conclusion),
    Route("cases:referral-status", method="POST", roles=PERSON_READERS, build=_referral_status),
    Route("cases:round-list", roles=PERSON_READERS, territorial=False, build=_listed),
    Route(
        "cases:round-list",
        method="POST",
        roles=PERSON_READERS,
        build=_round_plan,
        success=(201,),
        note="planning a household round; the round is made by the actor",
    ),
    Route("cases:round-record", method="POST", roles=PERSON_READERS, build=_round_record),
    Route("cases:worklist", roles=PERSON_READERS, build=_worklist),
    Route("cases:results", roles=ALL_ROLES, territorial=False, build=_listed),
    Route("cases:counts", roles=ALL_ROLES, territorial=False, build=_listed),
    # ---------------------------------------------------------------------------------------- the pages
    Route("cases-web:index", roles=ALL_ROLES, territorial=False, build=_listed),
    Route(
        "cases-web:service-worker",
        territorial=False,
        public=True,
        leak_check=False,
        note="a static script, served under /cases/ for its scope",
    ),
    Route("cases-web:offline", territorial=False, public=True, note="the offline fallback page, no data"),
    Route("cases-web:worklist", roles=PERSON_READERS, build=_worklist),
    Route("cases-web:persons", roles=PERSON_READERS, territorial=False, build=_listed),
    Route("cases-web:person", roles=PERSON_READERS, build=_person_call),
    Route(
        "cases-web:person-action",
        method="POST",
        roles=PERSON_READERS,
        build=_person_action,
        success=(302,),
        note="the referral form of a person's card",
    ),
    Route("cases-web:orders", roles=ORDER_READERS, territorial=False, build=_order_listed),
    Route("cases-web:results", roles=ALL_ROLES, territorial=False, build=_listed),
]

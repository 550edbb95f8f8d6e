from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from mahalla.audit.models import AuditEvent
from mahalla.core.errors import AccessDenied, ApplicationError, Conflict
from mahalla.core.roles import Role
from mahalla.incidents.models import CodeKind, Offence, OffenceCategory

from .. import services
from ..models import (
    AlertKind,
    CaseAlert,
    CheckIn,
    Conclusion,
    InsonReferral,
    LegalCategory,
    Person,
    PersonSourceRef,
    ProtectionOrder,
    Referral,
    RegisterEntry,
    Supervision,
)
from .factories import inspector, person_make, user_for

TASHKENT = dt.timezone(dt.timedelta(hours=5))


def admin():
    return user_for(Role.ADMINISTRATOR)


# ------------------------------------------------------------------------------------ legal categories


def test_a_category_without_a_legal_basis_cannot_be_created(db):
    with pytest.raises(ApplicationError) as error:
        services.legal_category_create(
            actor=admin(),
            code="opinion",
            kind="preventive_register",
            name_en="x",
            name_uz="x",
            name_ru="x",
            legal_basis="  ",
        )
    assert error.value.extra["field"] == "legal_basis"
    assert not LegalCategory.objects.filter(code="opinion").exists()
    # Nor behind the service's back: the database refuses it.
    with pytest.raises(IntegrityError), transaction.atomic():
        LegalCategory.objects.create(
            code="opinion", kind="preventive_register", name_en="x", name_uz="x", name_ru="x", legal_basis=""
        )


def test_every_reference_category_names_its_law(db):
    categories = list(LegalCategory.objects.all())
    assert {c.kind for c in categories} >= {
        "preventive_register",
        "administrative_supervision",
        "protection_order",
        "minors_commission",
        "social_registry",
    }
    assert all(c.legal_basis.strip() for c in categories)


def test_a_person_is_listed_only_under_an_existing_category(place):
    with pytest.raises(ApplicationError) as error:
        services.register_entry_add(
            actor=place.inspector,
            person=place.person,
            category_code="troublemaker",
            basis_document="x",
            starts_on=dt.date(2026, 1, 1),
            decided_by="x",
        )
    assert error.value.extra["field"] == "category"
    entry = services.register_entry_add(
        actor=place.inspector,
        person=place.person,
        category_code="preventive_register",
        basis_document="decision 12",
        starts_on=dt.date(2026, 1, 1),
        decided_by="district department",
    )
    assert entry.term_ends_on == dt.date(2027, 1, 1)


# --------------------------------------------------------------------------------------------- persons


@pytest.mark.parametrize(
    "pinfl", ["1234567890123", "123456789012345", "1234567890123a", "", "01234567890123"]
)
def test_a_pinfl_that_is_not_14_digits_is_refused_and_nothing_is_created(place, pinfl):
    before = Person.objects.count()
    with pytest.raises(ApplicationError) as error:
        services.person_create(
            actor=place.inspector,
            pinfl=pinfl,
            name_latin="Qodirov O'ktam",
            birth_date=dt.date(2000, 1, 1),
            sex="M",
            mahalla=place.home,
        )
    assert error.value.extra["field"] == "pinfl"
    assert Person.objects.count() == before


def test_a_new_person_gets_the_cyrillic_and_russian_spellings_and_an_audit_row(place):
    person = services.person_create(
        actor=place.inspector,
        pinfl="31234567890123",
        name_latin="Qodirov O'ktam",
        birth_date=dt.date(2000, 1, 1),
        sex="M",
        mahalla=place.home,
    )
    assert person.name_cyrillic == "Қодиров Ўктам"
    assert person.name_russian == "Кодиров Уктам"
    assert AuditEvent.objects.filter(
        object_type="cases.person", object_id=str(person.pk), action="create"
    ).exists()


def test_an_inspector_cannot_create_a_person_in_another_mahalla(place):
    with pytest.raises(AccessDenied):
        services.person_create(
            actor=place.inspector,
            pinfl="31234567890124",
            name_latin="X Y",
            birth_date=dt.date(2000, 1, 1),
            sex="M",
            mahalla=place.far,
        )


def test_an_edit_on_an_older_copy_is_refused_with_the_servers_value(place):
    person = services.person_update(
        actor=place.inspector, person=place.person, version=1, phone="+998901111111"
    )
    assert person.version == 2
    with pytest.raises(Conflict) as error:
        services.person_update(actor=place.inspector, person=person, version=1, phone="+998902222222")
    assert error.value.extra["server"]["phone"] == "+998901111111"
    assert error.value.extra["server"]["version"] == 2
    person.refresh_from_db()
    assert person.phone == "+998901111111"


def test_a_merge_moves_the_records_and_keeps_the_duplicate_as_history(place):
    duplicate = person_make(place.home, "Каримова Малика", birth=place.person.birth_date)
    services.referral_create(
        actor=place.inspector,
        person=duplicate,
        service="employment",
        agency="Job centre",
        deadline=timezone.localdate() + dt.timedelta(days=10),
        consent_given=True,
    )
    merge = services.person_merge(actor=place.inspector, kept=place.person, merged=duplicate)
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == place.person.pk
    assert Referral.objects.get().person_id == place.person.pk
    assert merge.moved["referral.person"]


# ----------------------------------------------------------------------------------------- conclusions


def _admin_offence(mahalla, *, article="183", offender_ref="", victim_ref="", days_ago=20, **flags):
    when = timezone.now() - dt.timedelta(days=days_ago)
    return Offence.objects.create(
        source_system="E-MAMURIY",
        registration_number=f"EM-{Offence.objects.count() + 1}",
        code_kind=CodeKind.ADMINISTRATIVE,
        article=article,
        category=OffenceCategory.objects.get(code="hooliganism"),
        occurred_at=when,
        registered_at=when,
        mahalla=mahalla,
        district_id=mahalla.district_id,
        region_id=mahalla.region_id,
        offender_ref=offender_ref,
        victim_ref=victim_ref,
        **flags,
    )


def test_an_administrative_offence_gets_a_conclusion_for_offender_and_victim_by_the_most_specific_rule(place):
    PersonSourceRef.objects.create(person=place.person, source_system="E-MAMURIY", ref="OFF-1")
    offence = _admin_offence(
        place.home, article="59-1", offender_ref="OFF-1", victim_ref="VIC-1", family_relation=True
    )
    assert services.conclusions_generate(day=timezone.localdate()) == 2
    offender = Conclusion.objects.get(offence=offence, subject="offender")
    assert offender.person_id == place.person.pk
    assert offender.owner_position == "womens_activist"  # article 59-1 beats "any article, family relation"
    assert "family reconciliation talk" in offender.measures
    victim = Conclusion.objects.get(offence=offence, subject="victim")
    assert victim.person_id is None and victim.subject_ref == "VIC-1"
    # Idempotent: a second run adds nothing.
    assert services.conclusions_generate(day=timezone.localdate()) == 0


def test_a_minor_offender_is_owned_by_the_youth_leader(place):
    minor = person_make(
        place.home, "Aliyev Sardor", birth=timezone.localdate() - dt.timedelta(days=365 * 15), sex="M"
    )
    PersonSourceRef.objects.create(person=minor, source_system="E-MAMURIY", ref="M-1")
    _admin_offence(place.home, article="187", offender_ref="M-1")
    services.conclusions_generate(day=timezone.localdate())
    assert Conclusion.objects.get(person=minor).owner_position == "youth_leader"


def test_the_daily_monitoring_raises_an_alert_for_an_overdue_conclusion_once(place):
    _admin_offence(place.home, days_ago=40)
    outcome = services.monitoring_run(day=timezone.localdate())
    assert outcome.conclusions_generated == 1
    assert outcome.alerts[AlertKind.CONCLUSION_OVERDUE] == 1
    assert services.monitoring_run(day=timezone.localdate()).alerts[AlertKind.CONCLUSION_OVERDUE] == 0
    alert = CaseAlert.objects.get(kind=AlertKind.CONCLUSION_OVERDUE)
    assert alert.mahalla_id == place.home.pk and alert.owner_position == "preventive_inspector"


def test_a_conclusion_executed_before_it_was_issued_is_refused(place):
    _admin_offence(place.home, days_ago=3)
    services.conclusions_generate(day=timezone.localdate())
    conclusion = Conclusion.objects.get()
    with pytest.raises(ApplicationError) as error:
        services.conclusion_execute(
            actor=place.inspector,
            conclusion=conclusion,
            executed_on=conclusion.issued_on - dt.timedelta(days=1),
            note="",
        )
    assert error.value.extra["field"] == "executed_on"
    done = services.conclusion_execute(
        actor=place.inspector, conclusion=conclusion, executed_on=timezone.localdate(), note="talk held"
    )
    assert done.executed_on_time


# ----------------------------------------------------------------------------------- protection orders


def _report(place, hours_ago=2):
    return services.violence_report_create(
        actor=place.inspector,
        kind="domestic_violence",
        victim=place.person,
        reported_at=timezone.now() - dt.timedelta(hours=hours_ago),
    )


def test_an_order_runs_30_days_by_default_and_lists_the_victim(place):
    order = services.protection_order_issue(
        actor=place.inspector, report=_report(place), womens_activist="Yusupova Nodira"
    )
    assert (order.ends_on - order.starts_on).days + 1 == 30
    assert not order.issued_late
    assert RegisterEntry.objects.filter(
        person=place.person, category__kind="protection_order", term_ends_on=order.ends_on
    ).exists()


def test_the_orders_term_is_a_setting(place, settings):
    settings.CASES_PROTECTION_ORDER_DAYS = 15
    order = services.protection_order_issue(
        actor=place.inspector, report=_report(place), womens_activist="Yusupova Nodira"
    )
    assert (order.ends_on - order.starts_on).days + 1 == 15


@pytest.mark.parametrize("term", [0, 31, 400])
def test_an_order_term_outside_the_laws_limits_is_refused_and_nothing_is_issued(place, term):
    report = _report(place)
    with pytest.raises(ApplicationError) as error:
        services.protection_order_issue(
            actor=place.inspector, report=report, womens_activist="Yusupova Nodira", term_days=term
        )
    assert error.value.extra["field"] == "term_days"
    assert not ProtectionOrder.objects.exists()


def test_an_order_needs_the_womens_activist(place):
    with pytest.raises(ApplicationError) as error:
        services.protection_order_issue(actor=place.inspector, report=_report(place), womens_activist=" ")
    assert error.value.extra["field"] == "womens_activist"


def test_a_report_with_no_order_after_24_hours_raises_an_alert_and_a_late_order_stays_marked(place):
    report = _report(place, hours_ago=30)
    outcome = services.monitoring_run(day=timezone.localdate())
    assert outcome.alerts[AlertKind.ORDER_LATE] == 1
    order = services.protection_order_issue(
        actor=place.inspector, report=report, womens_activist="Yusupova Nodira"
    )
    assert order.issued_late


def test_an_order_is_extended_warned_before_expiry_and_expires(place):
    order = services.protection_order_issue(
        actor=place.inspector, report=_report(place), womens_activist="Yusupova Nodira", term_days=3
    )
    assert services.monitoring_run(day=timezone.localdate()).alerts[AlertKind.ORDER_EXPIRING] == 1
    order = services.protection_order_extend(
        actor=place.inspector, order=order, days=10, version=order.version
    )
    assert order.extensions == 1 and (order.ends_on - order.starts_on).days + 1 == 13
    with pytest.raises(ApplicationError) as error:
        services.protection_order_extend(actor=place.inspector, order=order, days=365)
    assert error.value.extra["field"] == "days"
    services.monitoring_run(day=order.ends_on + dt.timedelta(days=1))
    order.refresh_from_db()
    assert order.status == ProtectionOrder.Status.EXPIRED


def test_a_violation_of_an_order_raises_an_alert(place):
    order = services.protection_order_issue(
        actor=place.inspector, report=_report(place), womens_activist="Yusupova Nodira"
    )
    services.protection_order_violation_record(
        actor=place.inspector, order=order, occurred_at=timezone.now(), description="came to the house"
    )
    assert CaseAlert.objects.filter(kind=AlertKind.ORDER_VIOLATED, person=place.person).count() == 1


class _Intake(BaseHTTPRequestHandler):
    received: list[dict] = []
    fail = False

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if _Intake.fail:
            self.send_response(503)
            self.end_headers()
            return
        _Intake.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"accepted")

    def log_message(self, *args):
        pass


@pytest.fixture
def intake(settings):
    server = HTTPServer(("127.0.0.1", 0), _Intake)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CASES_INSON_URL = f"http://127.0.0.1:{server.server_port}/referrals"
    _Intake.received = []
    _Intake.fail = False
    yield _Intake
    server.shutdown()


def test_a_referral_to_inson_is_sent_through_the_queue(
    place, intake, django_capture_on_commit_callbacks, settings
):
    settings.HUEY = {**settings.HUEY, "immediate": True}
    order = None
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order = services.protection_order_issue(
            actor=place.inspector,
            report=_report(place),
            womens_activist="Yusupova Nodira",
            inson_centre="Inson, Chilonzor",
        )
    referral = InsonReferral.objects.get(order=order)
    assert referral.status == InsonReferral.Status.QUEUED and len(callbacks) == 1
    services.inson_referral_send(referral_id=referral.pk, final_attempt=False)
    referral.refresh_from_db()
    assert referral.status == InsonReferral.Status.SENT and referral.acknowledgement == "accepted"
    assert intake.received[0]["victim_pinfl"] == place.person.pinfl


def test_a_referral_to_inson_is_retried_then_failed_visibly_and_can_be_sent_again(
    place, intake, django_capture_on_commit_callbacks
):
    intake.fail = True
    with django_capture_on_commit_callbacks(execute=False):
        order = services.protection_order_issue(
            actor=place.inspector,
            report=_report(place),
            womens_activist="Yusupova Nodira",
            inson_centre="Inson, Chilonzor",
        )
    referral = InsonReferral.objects.get(order=order)
    with pytest.raises(services.InsonUnavailable):
        services.inson_referral_send(referral_id=referral.pk, final_attempt=False)
    referral.refresh_from_db()
    assert (
        referral.status == InsonReferral.Status.QUEUED
        and referral.attempts == 1
        and "503" in referral.last_error
    )
    services.inson_referral_send(referral_id=referral.pk, final_attempt=True)
    referral.refresh_from_db()
    assert referral.status == InsonReferral.Status.FAILED and referral.attempts == 2
    assert CaseAlert.objects.filter(kind=AlertKind.INSON_FAILED, object_id=referral.pk).exists()
    intake.fail = False
    with django_capture_on_commit_callbacks(execute=False):
        services.inson_referral_resend(actor=place.inspector, referral=referral)
    services.inson_referral_send(referral_id=referral.pk, final_attempt=True)
    referral.refresh_from_db()
    assert referral.status == InsonReferral.Status.SENT


# ------------------------------------------------------------------------------------------ supervision


def _supervision(place, starts=dt.date(2026, 1, 10), months_end=dt.date(2026, 7, 10), per_month=2):
    return services.supervision_create(
        actor=place.inspector,
        person=place.person,
        court_decision="Court 2-15/2026",
        decided_on=starts - dt.timedelta(days=3),
        starts_on=starts,
        ends_on=months_end,
        checkins_per_month=per_month,
        curfew_from=dt.time(22),
        curfew_to=dt.time(6),
        no_alcohol=True,
    )


def test_the_check_in_calendar_follows_the_reporting_frequency(place):
    supervision = _supervision(place)
    days = list(supervision.checkins.values_list("due_on", flat=True))
    assert days[0] == dt.date(2026, 1, 16)  # the 1st is before the start, the 16th is the month's second day
    assert dt.date(2026, 2, 1) in days and dt.date(2026, 2, 15) in days
    assert len(days) == 12  # Jan: 1, Feb-Jun: 2 each, Jul: 1 (the 1st; the 16th is after the end)


@pytest.mark.parametrize(
    "ends_on,ok",
    [
        (dt.date(2026, 7, 9), False),
        (dt.date(2026, 7, 10), True),
        (dt.date(2027, 1, 10), True),
        (dt.date(2027, 1, 11), False),
    ],
)
def test_supervision_lasts_6_to_12_months(place, ends_on, ok):
    if ok:
        assert _supervision(place, months_end=ends_on).pk
    else:
        with pytest.raises(ApplicationError) as error:
            _supervision(place, months_end=ends_on)
        assert error.value.extra["field"] == "ends_on"
        assert not Supervision.objects.exists()


@pytest.mark.parametrize("per_month", [0, 5])
def test_reporting_is_1_to_4_times_a_month(place, per_month):
    with pytest.raises(ApplicationError) as error:
        _supervision(place, per_month=per_month)
    assert error.value.extra["field"] == "checkins_per_month"


def test_a_check_in_before_the_supervision_starts_is_refused_and_nothing_changes(place):
    supervision = _supervision(place)
    checkin = supervision.checkins.first()
    with pytest.raises(ApplicationError) as error:
        services.checkin_record(
            actor=place.inspector, checkin=checkin, reported_at=dt.datetime(2026, 1, 9, 10, tzinfo=TASHKENT)
        )
    assert error.value.extra["field"] == "reported_at"
    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.DUE and checkin.version == 1


def test_missed_check_ins_raise_alerts_and_repeated_misses_escalate(place, settings):
    settings.CASES_ESCALATION_MISSED_CHECKINS = 2
    supervision = _supervision(place)
    first = services.monitoring_run(day=dt.date(2026, 1, 20))
    assert first.checkins_missed == 1 and first.alerts[AlertKind.CHECKIN_MISSED] == 1
    assert first.alerts[AlertKind.SUPERVISION_ESCALATED] == 0
    checkin = supervision.checkins.get(due_on=dt.date(2026, 2, 1))
    services.checkin_record(
        actor=place.inspector,
        checkin=checkin,
        reported_at=dt.datetime(2026, 2, 1, 9, tzinfo=TASHKENT),
        note="came",
    )
    second = services.monitoring_run(day=dt.date(2026, 2, 20))
    assert second.checkins_missed == 1
    assert second.alerts[AlertKind.SUPERVISION_ESCALATED] == 1
    supervision.refresh_from_db()
    assert supervision.escalated_on == dt.date(2026, 2, 20)


def test_a_person_who_moves_is_handed_over_with_the_history(place):
    supervision = _supervision(place)
    new_inspector = inspector(place.neighbour)
    services.supervision_handover(
        actor=place.inspector, supervision=supervision, to_mahalla=place.neighbour, to_inspector=new_inspector
    )
    supervision.refresh_from_db()
    place.person.refresh_from_db()
    assert supervision.mahalla_id == place.neighbour.pk and supervision.inspector_id == new_inspector.pk
    assert place.person.mahalla_id == place.neighbour.pk
    assert supervision.checkins.count() == 12 and supervision.handovers.count() == 1


# ---------------------------------------------------------------------------------------------- referrals


def test_a_referral_without_consent_is_refused_naming_the_field_and_nothing_is_created(place):
    with pytest.raises(ApplicationError) as error:
        services.referral_create(
            actor=place.inspector,
            person=place.person,
            service="employment",
            agency="Job centre",
            deadline=timezone.localdate() + dt.timedelta(days=5),
            consent_given=False,
        )
    assert error.value.extra["field"] == "consent_given"
    assert not Referral.objects.exists()


def test_a_referral_without_consent_needs_a_reason_that_is_audited(place):
    referral = services.referral_create(
        actor=place.inspector,
        person=place.person,
        service="health",
        agency="Polyclinic 3",
        deadline=timezone.localdate() + dt.timedelta(days=5),
        consent_given=False,
        consent_override_reason="child at risk, court order",
    )
    event = AuditEvent.objects.get(object_type="cases.referral", object_id=str(referral.pk))
    assert "child at risk" in event.purpose and event.details["consent"] is False


def test_a_referral_goes_sent_accepted_completed_only_in_order(place):
    referral = services.referral_create(
        actor=place.inspector,
        person=place.person,
        service="employment",
        agency="Job centre",
        deadline=timezone.localdate() + dt.timedelta(days=5),
        consent_given=True,
    )
    with pytest.raises(ApplicationError):
        services.referral_status_set(
            actor=place.inspector, referral=referral, status="completed", outcome="job"
        )
    referral = services.referral_status_set(
        actor=place.inspector, referral=referral, status="accepted", version=1
    )
    referral = services.referral_status_set(
        actor=place.inspector, referral=referral, status="completed", outcome="employed", version=2
    )
    assert referral.status == "completed"


def test_transfer_takes_effect_on_acceptance_and_refer_can_be_revoked(place):
    colleague = inspector(place.neighbour)
    transfer = services.case_transfer(actor=place.inspector, person=place.person, to_user=colleague)
    assert not hasattr(place.person, "ownership") or place.person.ownership.owner_id != colleague.pk
    services.case_transfer_respond(actor=colleague, transition=transfer, accept=True)
    place.person.refresh_from_db()
    assert place.person.ownership.owner_id == colleague.pk
    refer = services.case_refer(actor=place.inspector, person=place.person, to_user=inspector(place.far))
    services.case_refer_revoke(actor=place.inspector, transition=refer)
    assert [t.kind for t in place.person.transitions.all()] == ["transfer", "refer"]


# ---------------------------------------------------------------------------------------------- retention


def test_retention_anonymises_persons_whose_entries_ended_long_ago_and_keeps_the_rest(place):
    old = services.register_entry_add(
        actor=place.inspector,
        person=place.person,
        category_code="preventive_register",
        basis_document="d1",
        starts_on=dt.date(2015, 1, 1),
        term_ends_on=dt.date(2016, 1, 1),
        decided_by="dept",
    )
    services.register_entry_end(actor=place.inspector, entry=old, ended_on=dt.date(2016, 1, 1), reason="term")
    recent = services.register_entry_add(
        actor=place.inspector,
        person=place.neighbour_person,
        category_code="preventive_register",
        basis_document="d2",
        starts_on=dt.date(2024, 1, 1),
        term_ends_on=dt.date(2025, 1, 1),
        decided_by="dept",
    )
    services.register_entry_end(
        actor=place.inspector, entry=recent, ended_on=dt.date(2025, 1, 1), reason="term"
    )
    assert services.retention_anonymise(today=dt.date(2026, 6, 1), years=5) == 1
    place.person.refresh_from_db()
    place.neighbour_person.refresh_from_db()
    assert place.person.anonymised_at is not None and place.person.name_latin == services.ANONYMISED
    assert place.person.pinfl.startswith("0") and place.person.birth_date == dt.date(1990, 1, 1)
    assert place.neighbour_person.anonymised_at is None
    assert services.retention_anonymise(today=dt.date(2026, 6, 1), years=5) == 0


def test_results_stand_next_to_the_latest_class_per_mahalla_and_rolled_up(place):
    from mahalla.analytics.models import DailyRun, MahallaDayResult

    from ..selectors import results

    day = timezone.localdate() - dt.timedelta(days=1)
    run = DailyRun.objects.create(date=day, status=DailyRun.Status.DONE)
    for mahalla, crime_class in ((place.home, "red"), (place.neighbour, "green")):
        MahallaDayResult.objects.create(
            run=run,
            date=day,
            mahalla=mahalla,
            district_id=mahalla.district_id,
            region_id=mahalla.region_id,
            crime_class=crime_class,
        )
    _admin_offence(place.home, days_ago=5)
    services.conclusions_generate(day=timezone.localdate())
    by_mahalla = {row.key: row for row in results(actor=place.inspector, group_by="mahalla")}
    assert by_mahalla[place.home.code].crime_class == "red" and by_mahalla[place.home.code].conclusions == 1
    chief = user_for(Role.DISTRICT_CHIEF, district=place.district)
    by_district = {row.key: row for row in results(actor=chief, group_by="district")}
    assert by_district[place.district.code].classes == {"red": 1, "green": 1}
    assert by_district[place.district.code].conclusions == "<5"


def test_a_hand_over_moves_the_planned_household_rounds_to_the_new_mahalla_and_inspector(place):
    supervision = _supervision(place)
    planned = services.household_round_plan(
        actor=place.inspector,
        mahalla=place.home,
        address="Navoiy ko'chasi, 12-uy",
        planned_on=timezone.localdate() + dt.timedelta(days=3),
        purpose="supervision",
        person=place.person,
    )
    done = services.household_round_plan(
        actor=place.inspector,
        mahalla=place.home,
        address="Navoiy ko'chasi, 12-uy",
        planned_on=timezone.localdate(),
        purpose="supervision",
        person=place.person,
    )
    done = services.household_round_record(
        actor=place.inspector, household_round=done, outcome="at home", done_on=timezone.localdate()
    )
    new_inspector = inspector(place.neighbour)
    services.supervision_handover(
        actor=place.inspector, supervision=supervision, to_mahalla=place.neighbour, to_inspector=new_inspector
    )
    planned.refresh_from_db()
    assert (planned.mahalla_id, planned.inspector_id) == (place.neighbour.pk, new_inspector.pk)
    # An edit queued offline against the old assignment must come back as a conflict.
    assert planned.version == 2
    done.refresh_from_db()
    assert (done.mahalla_id, done.inspector_id) == (place.home.pk, place.inspector.pk)


def test_a_hand_over_without_a_named_inspector_gives_the_rounds_to_the_new_mahallas_inspector(place):
    supervision = _supervision(place)
    planned = services.household_round_plan(
        actor=place.inspector,
        mahalla=place.home,
        address="Bobur ko'chasi, 3-uy",
        planned_on=timezone.localdate() + dt.timedelta(days=3),
        purpose="supervision",
        person=place.person,
    )
    neighbour_inspector = inspector(place.neighbour)
    services.supervision_handover(actor=place.inspector, supervision=supervision, to_mahalla=place.neighbour)
    planned.refresh_from_db()
    assert (planned.mahalla_id, planned.inspector_id) == (place.neighbour.pk, neighbour_inspector.pk)


def test_a_register_entry_without_a_term_gets_the_categorys_default_term(place):
    entry = services.register_entry_add(
        actor=place.inspector,
        person=place.person,
        category_code="preventive_register",
        basis_document="d1",
        starts_on=dt.date(2026, 1, 1),
        decided_by="dept",
    )
    assert entry.term_ends_on == dt.date(2026, 1, 1) + dt.timedelta(days=entry.category.default_term_days)

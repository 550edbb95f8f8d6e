"""Demo data of coordination: agencies and staff in every district, a year of council meetings in the demo
district, inter-agency tasks (some planted late), trainings with certificates, and planted person reads
without a purpose, all written through the coordination services where a service exists. Returns the planted
truth so that tests and `make demo` can check that oversight finds exactly these cases. The casework truths
(late orders, missed check-ins, overdue conclusions) are planted by the casework generator (truth_cases.json);
register entries past their term are planted here."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from mahalla.accounts.models import User
from mahalla.coordination import council, oversight, services, training
from mahalla.coordination.models import (
    Agency,
    AgencyKind,
    Course,
    OversightRule,
    StaffMember,
    Task,
    TaskType,
)
from mahalla.core.roles import Role
from mahalla.territory.models import District, Mahalla

from .services import DEMO_USER_PREFIX

DISTRICT_AGENCIES = [
    (AgencyKind.INTERNAL_AFFAIRS, "IIB"),
    (AgencyKind.PROSECUTOR, "Prokuratura"),
    (AgencyKind.HOKIMIYAT, "Hokimiyat"),
    (AgencyKind.SOCIAL_CENTRE, '"Inson" markazi'),
    (AgencyKind.EDUCATION, "Xalq ta'limi bo'limi"),
    (AgencyKind.HEALTH, "Tibbiyot birlashmasi"),
    (AgencyKind.LABOUR, "Bandlik markazi"),
]
DISTRICT_POSTS = ["chief", "investigator", "cyber_officer", "drug_officer", "womens_inspector"]
FIRST = ["Aziz", "Dilnoza", "Jasur", "Malika", "Rustam", "Gulnora", "Sardor", "Nodira", "Bekzod", "Zarina"]
LAST = ["Karimov", "Yusupova", "Rahimov", "Tosheva", "Aliyev", "Saidova", "Ergashev", "Nazarova"]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(LAST)} {rng.choice(FIRST)}"


def agencies_and_staff_create(*, seed: int) -> dict[str, int]:
    """Seven agencies per district with mahallas; district staff by post, and per mahalla its preventive
    inspector and two Mahalla Seven members reachable by e-mail or SMS. Idempotent (skips when present)."""
    if Agency.objects.exists():
        return {"agencies": Agency.objects.count(), "staff": StaffMember.objects.count()}
    rng = random.Random(seed * 7919 + 15)
    districts = list(
        District.objects.filter(mahallas__isnull=False).distinct().defer("boundary").order_by("code")
    )
    agencies = [
        Agency(
            name=f"{d.name_uz} {label}",
            kind=kind,
            level="district",
            region_id=d.region_id,
            district=d,
            email=f"{kind}.{d.code}@demo.invalid",
        )
        for d in districts
        for kind, label in DISTRICT_AGENCIES
    ]
    Agency.objects.bulk_create(agencies, batch_size=2000)
    by_district = {(a.district_id, a.kind): a for a in Agency.objects.all()}
    staff: list[StaffMember] = []
    for d in districts:
        police = by_district[(d.pk, AgencyKind.INTERNAL_AFFAIRS)]
        for post in DISTRICT_POSTS:
            staff.append(
                StaffMember(
                    agency=police,
                    full_name=_name(rng),
                    post=post,
                    channel="email",
                    email=f"{post}.{d.code}@demo.invalid",
                    is_head=post == "chief",
                    region_id=d.region_id,
                    district=d,
                )
            )
        for kind, _label in DISTRICT_AGENCIES[1:]:
            staff.append(
                StaffMember(
                    agency=by_district[(d.pk, kind)],
                    full_name=_name(rng),
                    post="specialist",
                    channel="sms",
                    phone=f"+99890{rng.randrange(10**6, 10**7)}",
                    is_head=True,
                    region_id=d.region_id,
                    district=d,
                )
            )
    mahallas = Mahalla.objects.filter(district__in=districts).values_list(
        "pk", "code", "district_id", "region_id"
    )
    for pk, code, district_id, region_id in mahallas:
        police = by_district[(district_id, AgencyKind.INTERNAL_AFFAIRS)]
        staff.append(
            StaffMember(
                agency=police,
                full_name=_name(rng),
                post="preventive_inspector",
                channel="email",
                email=f"inspector.{code}@demo.invalid",
                region_id=region_id,
                district_id=district_id,
                mahalla_id=pk,
            )
        )
        for member in range(2):
            staff.append(
                StaffMember(
                    agency=police,
                    full_name=_name(rng),
                    post="mahalla_seven",
                    channel="sms",
                    phone=f"+99891{rng.randrange(10**6, 10**7)}",
                    region_id=region_id,
                    district_id=district_id,
                    mahalla_id=pk,
                    is_head=False,
                )
            )
            del member
    StaffMember.objects.bulk_create(staff, batch_size=5000)
    return {"agencies": len(agencies), "staff": len(staff)}


def _link_demo_user(role: str, agency: Agency, *, post: str, head: bool) -> User | None:
    user = User.objects.filter(username=f"{DEMO_USER_PREFIX}{role}").first()
    if user is None:
        return None
    StaffMember.objects.update_or_create(
        user=user,
        defaults={
            "agency": agency,
            "full_name": f"Demo {Role(role).label}",
            "post": post,
            "channel": "account",
            "is_head": head,
            "region_id": agency.region_id,
            "district": agency.district,
        },
    )
    return user


def _register_entries_past_term_plant(inspector: User | None, *, as_of: dt.date, count: int = 3) -> list[int]:
    """Planted: the demo inspector records three preventive-register decisions from the paper files whose
    one-year term has already run out, and nobody ends them (the oversight finds exactly these). The casework
    monitoring ends entries at their term, so the register holds no other active entry past its term."""
    if inspector is None or not apps.is_installed("mahalla.cases"):
        return []
    from mahalla.cases.models import Person
    from mahalla.cases.services import register_entry_add

    persons = Person.objects.filter(
        mahalla__in=inspector.scope_mahallas.all(), anonymised_at__isnull=True, merged_into__isnull=True
    ).order_by("pk")[:count]
    planted = []
    for index, person in enumerate(persons):
        starts = as_of - dt.timedelta(days=400 + 30 * index)
        entry = register_entry_add(
            actor=inspector,
            person=person,
            category_code="preventive_register",
            basis_document=f"IIB qarori {starts:%Y}/{index + 1} (qog'oz hisobdan)",
            starts_on=starts,
            term_ends_on=starts + dt.timedelta(days=365),
            decided_by="district internal-affairs department",
        )
        planted.append(entry.pk)
    return planted


@transaction.atomic
def coordination_demo_build(*, seed: int, as_of: dt.date) -> dict[str, Any]:
    """Everything the coordination pages show in the demo; returns the planted truth."""
    counts = agencies_and_staff_create(seed=seed)
    district = (
        District.objects.filter(code="1726273", mahallas__isnull=False).first()
        or District.objects.filter(mahallas__isnull=False).order_by("code").first()
    )
    if district is None or Task.objects.filter(district=district).exists():
        return {"already_built": True, **counts}
    rng = random.Random(seed * 104729 + 3)
    agency = {a.kind: a for a in Agency.objects.filter(district=district)}
    chief = _link_demo_user(Role.DISTRICT_CHIEF, agency[AgencyKind.INTERNAL_AFFAIRS], post="chief", head=True)
    inspector = _link_demo_user(
        Role.PREVENTIVE_INSPECTOR,
        agency[AgencyKind.INTERNAL_AFFAIRS],
        post="preventive_inspector",
        head=False,
    )
    prosecutor = _link_demo_user(Role.PROSECUTOR, agency[AgencyKind.PROSECUTOR], post="prosecutor", head=True)
    partner = _link_demo_user(
        Role.AGENCY_OFFICER, agency[AgencyKind.SOCIAL_CENTRE], post="specialist", head=True
    )
    if not all((chief, inspector, prosecutor, partner)):
        return {"demo_users_missing": True, **counts}
    # The other demo accounts work in the district's bodies too, so that their Tasks page has an inbox.
    for role, kind, post in (
        (Role.INVESTIGATOR, AgencyKind.INTERNAL_AFFAIRS, "investigator"),
        (Role.CYBER_OFFICER, AgencyKind.INTERNAL_AFFAIRS, "cyber_officer"),
        (Role.NARCOTICS_OFFICER, AgencyKind.INTERNAL_AFFAIRS, "drug_officer"),
        (Role.WOMENS_AFFAIRS_INSPECTOR, AgencyKind.INTERNAL_AFFAIRS, "womens_inspector"),
        (Role.RESPONSIBLE_OFFICIAL, AgencyKind.HOKIMIYAT, "specialist"),
        # The Mahalla Seven answer to the hokimiyat's sector in the demo (no mahalla body is generated).
        (Role.MAHALLA_SEVEN, AgencyKind.HOKIMIYAT, "mahalla_seven"),
    ):
        if kind in agency:
            _link_demo_user(role, agency[kind], post=post, head=False)
    mahallas = list(Mahalla.objects.filter(district=district).defer("boundary").order_by("code"))
    types = {t.key: t for t in TaskType.objects.all()}
    titles = [
        ("social-assistance", "Oilaga qishki yoqilg'i yordami", AgencyKind.SOCIAL_CENTRE),
        ("employment", "Sudlanganlikdan qaytgan yoshni ishga joylashtirish", AgencyKind.LABOUR),
        ("mahalla-visit", "Ko'cha yoritilishini tekshirish", AgencyKind.HOKIMIYAT),
        ("social-assistance", "Voyaga yetmagan bolani maktabga qaytarish", AgencyKind.EDUCATION),
        ("mahalla-visit", "Giyohvandlikka qarshi suhbat", AgencyKind.HEALTH),
    ]
    planted_late: list[str] = []
    tasks_made = 0
    # Tasks sent over the last 60 days by the inspector's police station; each is walked through a random
    # number of steps. A task whose deadline passed while open is planted as late (the oversight finds it).
    for index in range(24):
        kind, title, to_kind = titles[index % len(titles)]
        sent = as_of - dt.timedelta(days=rng.randrange(1, 60))
        task = services.task_create(
            actor=chief,
            to_agency=agency[to_kind],
            task_type=types[kind],
            title=title,
            mahalla=mahallas[index % len(mahallas)],
            today=sent,
            description="Demo: " + title,
        )
        tasks_made += 1
        receiver = partner if to_kind == AgencyKind.SOCIAL_CENTRE else None
        steps = rng.choice([0, 1, 1, 2, 3]) if receiver else 0
        if steps >= 1:
            services.task_accept(actor=receiver, task=task)
        if steps >= 2:
            services.task_progress(actor=receiver, task=task, text="Yordam ko'rsatildi", done=True)
        if steps >= 3:
            services.task_close(actor=chief, task=task, text="Tasdiqlandi")
        task.refresh_from_db()
        if task.status in Task.OPEN_STATUSES and task.deadline < as_of:
            planted_late.append(task.number)
    services.tasks_remind_and_escalate(today=as_of)
    # Four quarterly council meetings; each decides two tasks, the last is planned for next week.
    meetings = 0
    for quarter in range(3, -1, -1):
        day = (
            as_of
            - dt.timedelta(days=91 * quarter)
            + (dt.timedelta(days=7) if quarter == 0 else dt.timedelta())
        )
        meeting = council.meeting_create(actor=prosecutor, level="district", date=day, district=district)
        meetings += 1
        if quarter == 0:
            continue
        for to_kind, text in (
            (AgencyKind.HOKIMIYAT, "Qizil mahallalarda ko'chalarni yoritish"),
            (AgencyKind.INTERNAL_AFFAIRS, "Xonadonbay profilaktik suhbatlar"),
        ):
            council.decision_record(
                actor=prosecutor,
                meeting=meeting,
                text=text,
                to_agency=agency[to_kind],
                deadline=day + dt.timedelta(days=30),
                today=day,
            )
        council.meeting_hold(
            actor=prosecutor, meeting=meeting, attendees="IIB, Prokuratura, Hokimiyat, Inson"
        )
        # Decisions are sent and never accepted in the demo: those past their deadline are late.
        planted_late += [
            t.number for t in Task.objects.filter(decision__meeting=meeting) if t.deadline < as_of
        ]
    # Trainings: a cyber class and a domestic-violence class held in the district.
    local = list(StaffMember.objects.filter(district=district, active=True).exclude(user__isnull=False)[:12])
    for key, back in (("cyber-fraud", 120), ("domestic-violence", 45)):
        training.training_class_record(
            actor=chief,
            course=Course.objects.get(key=key),
            date=as_of - dt.timedelta(days=back),
            district=district,
            trainer="Akademiya",
            results=[
                (member, rng.randrange(40, 100)) for member in local[: 6 if key == "cyber-fraud" else 4]
            ],
        )
    # Planted: the demo investigator opened three offence records without saying why.
    investigator = User.objects.filter(username=f"{DEMO_USER_PREFIX}{Role.INVESTIGATOR}").first()
    planted_reads: list[str] = []
    if investigator is not None:
        from mahalla.audit.services import audit_record_reads
        from mahalla.incidents.models import Offence

        audit_record_reads(actor=investigator, objects=list(Offence.objects.filter(district=district)[:3]))
        # The reads are recorded now: they are planted for the run only when today is in its window.
        rule = OversightRule.objects.filter(key="person-read-without-purpose").first()
        window = int(rule.parameters.get("days", 30)) if rule is not None else 30
        if as_of - dt.timedelta(days=window) <= timezone.localdate() <= as_of:
            planted_reads.append(investigator.username)
    planted_entries = _register_entries_past_term_plant(inspector, as_of=as_of)
    outcome = oversight.oversight_run(today=as_of)
    return {
        **counts,
        "district": district.code,
        "tasks": tasks_made,
        "meetings": meetings,
        "planted_late_tasks": sorted(planted_late),
        "planted_reads_without_purpose": planted_reads,
        "planted_register_entries_past_term": planted_entries,
        "oversight_findings": outcome.per_rule,
    }

"""Test data of the cyber module: a small world of two regions, officers of every role, organisations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from mahalla.accounts.tests.factories import UserFactory, mahalla_create
from mahalla.core.roles import Role, ScopeLevel
from mahalla.cyber import services
from mahalla.cyber.models import CyberReport, Organisation
from mahalla.cyber.services import ReportInput
from mahalla.territory.models import District, Mahalla

# Luhn-valid numbers of the UzCard and Humo ranges, and a Visa test number.
CARD_UZCARD = "8600123456789012"
CARD_HUMO = "9860100012345672"
CARD_VISA = "4111111111111111"


@dataclass
class World:
    district_a: District
    district_b: District
    mahalla_a1: Mahalla
    mahalla_a2: Mahalla
    mahalla_b1: Mahalla
    users: dict[str, Any]
    bank: Organisation
    visa_bank: Organisation
    telegram: Organisation
    operator: Organisation


def world_create() -> World:
    districts = list(District.objects.order_by("region__code", "code").select_related("region"))
    district_a = districts[0]
    district_b = next(d for d in districts if d.region_id != district_a.region_id)
    mahalla_a1 = mahalla_create(district_code=district_a.code, code="CYA0001")
    mahalla_a2 = mahalla_create(district_code=district_a.code, code="CYA0002")
    mahalla_b1 = mahalla_create(district_code=district_b.code, code="CYB0001")

    def district_user(name: str, role: str, district: District) -> Any:
        return UserFactory(username=name, role=role, scope_level=ScopeLevel.DISTRICT, scope_district=district)

    users = {
        "analyst": UserFactory(
            username="analyst", role=Role.NATIONAL_ANALYST, scope_level=ScopeLevel.COUNTRY
        ),
        "administrator": UserFactory(
            username="admin1", role=Role.ADMINISTRATOR, scope_level=ScopeLevel.COUNTRY
        ),
        "prosecutor": UserFactory(
            username="prosecutor", role=Role.PROSECUTOR, scope_level=ScopeLevel.COUNTRY
        ),
        "officer_a": district_user("officer_a", Role.CYBER_OFFICER, district_a),
        "officer_b": district_user("officer_b", Role.CYBER_OFFICER, district_b),
        "investigator_a": district_user("investigator_a", Role.INVESTIGATOR, district_a),
        "chief_a": district_user("chief_a", Role.DISTRICT_CHIEF, district_a),
        "inspector_a": district_user("inspector_a", Role.PREVENTIVE_INSPECTOR, district_a),
        "official_a": district_user("official_a", Role.RESPONSIBLE_OFFICIAL, district_a),
        "seven_a": district_user("seven_a", Role.MAHALLA_SEVEN, district_a),
        "regional_chief_a": UserFactory(
            username="regional_a",
            role=Role.REGIONAL_CHIEF,
            scope_level=ScopeLevel.REGION,
            scope_region=district_a.region,
        ),
    }
    bank = Organisation.objects.create(
        code="kapitalbank",
        name="Kapitalbank",
        kind="bank",
        indicator_kinds=["card"],
        card_schemes=["UzCard", "Humo"],
    )
    visa_bank = Organisation.objects.create(
        code="visabank",
        name="Visa Bank",
        kind="bank",
        indicator_kinds=["card"],
        card_schemes=["Visa", "Mastercard"],
    )
    telegram = Organisation.objects.create(
        code="telegram", name="Telegram", kind="platform", indicator_kinds=["handle"]
    )
    operator = Organisation.objects.create(
        code="operator", name="Operator", kind="telecom", indicator_kinds=["phone"]
    )
    return World(
        district_a, district_b, mahalla_a1, mahalla_a2, mahalla_b1, users, bank, visa_bank, telegram, operator
    )


def report_input(mahalla: Mahalla, **overrides: Any) -> ReportInput:
    values: dict[str, Any] = {
        "narrative": (
            f"Bank xodimi deb qo'ng'iroq qilishdi, SMS kodni aytdim. Pul {CARD_UZCARD} kartasiga ketdi."
        ),
        "message_text": "",
        "occurred_at": timezone.now() - dt.timedelta(hours=3),
        "channel": "call",
        "mahalla": mahalla,
        "loss_amount": "1500000",
    }
    values.update(overrides)
    return ReportInput(**values)


def report_submitted(**kwargs: Any) -> CyberReport:
    """A public report as the form stores it, then processed by its queued task (Huey runs immediately in
    the tests) once the form's transaction commits, as in production."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        report = services.report_create_public(**kwargs)
    report.refresh_from_db()
    return report

"""Casework of the synthetic nation: persons on legal registers, violence reports and protection orders,
administrative supervisions with their check-ins, referrals, and the planted truths the monitoring and the
duplicate detector must find.

Reads the generated `territories.csv` and `offences.csv` of a directory and writes `cases.json` (the rows the
casework importer loads) and `truth_cases.json` (what was planted). Deterministic from the seed.

Published scale (DOMAIN.md section 6, issue 12): about 2 % of the population listed at risk (2024: over
800,000 people); tens of thousands of protection orders a year; thousands under administrative supervision.
The rates below reproduce that for the nation (36 million people): 2 % listed, 110 orders per 100,000 a year
(about 40,000), 14 supervisions per 100,000 (about 5,000). The demo keeps the last 60 days of orders.

Planted truths:
- `late_orders`: reports whose order was issued 25-60 hours after the report; `reports_without_order`:
  reports older than 24 hours with no order at all (the monitoring must raise ORDER_LATE for each);
- `missed_checkins`: supervisions whose check-ins in the last 30 days were not recorded;
- `overdue_conclusions`: administrative offences whose conclusion stays open past its deadline (every other
  conclusion older than its deadline is executed on time);
- `duplicates`: persons entered twice, the second time in Cyrillic or Russian script, with a PINFL one digit
  off and the same birth date.

Household rounds (`household_rounds` in cases.json): about three a mahalla planned for the week ahead of the
as-of day, one in ten for an earlier day and not yet recorded; the importer gives each to the preventive
inspector account that works in the mahalla (the demo's), and counts the others as unassigned.
"""

from __future__ import annotations

import calendar
import csv
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from mahalla.core.transliterate import latin_to_cyrillic, latin_to_russian

from .names import person_name

AT_RISK_SHARE = 0.02
ORDERS_PER_100K_YEAR = 110.0
SUPERVISIONS_PER_100K = 14.0
ORDER_WINDOW_DAYS = 60
LATE_ORDER_SHARE = 0.05
NO_ORDER_SHARE = 0.03
MISSED_CHECKIN_SHARE = 0.10
OVERDUE_CONCLUSION_SHARE = 0.08
DUPLICATE_SHARE = 0.02
# Household rounds planned by the inspectors for the week ahead (from the as-of day), per mahalla; one in
# ROUND_OVERDUE_SHARE was planned for an earlier day and is still not recorded.
ROUNDS_PER_MAHALLA_WEEK = 3.0
ROUND_OVERDUE_SHARE = 0.1
ROUND_STREETS = ("Navoiy", "Bobur", "Mustaqillik", "Amir Temur", "Bog'ishamol", "Yangi hayot", "Do'stlik")
CONCLUSION_WINDOW_DAYS = 120
SEED_OFFSET = 12  # issue 12: the casework stream of random numbers, independent of the others


# The draws below are the ones numpy's Generator.choice makes (one uniform against the cumulative weights;
# one integer for an unweighted pick), without its per-call overhead: 750,000 persons at the nation's scale,
# and the same seed still gives byte-identical files.
_AGE_CDF = np.cumsum([0.15, 0.45, 0.40])
_AGE_CDF /= _AGE_CDF[-1]
_CATEGORIES_FEMALE = ("preventive_register", "youth_notebook", "iron_notebook", "womens_notebook")
_CATEGORIES_MALE = ("preventive_register", "youth_notebook", "iron_notebook")


def _choice_weighted(rng: np.random.Generator, options: list[int], cdf: np.ndarray) -> int:
    return options[int(np.searchsorted(cdf, rng.random(), side="right"))]


def _choice(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    return options[int(rng.integers(0, len(options)))]


def _pinfl(rng: np.random.Generator, birth: date, female: bool) -> str:
    century = 3 if birth.year < 2000 else 5
    first = century + (1 if female else 0)
    tail = "".join(map(str, rng.integers(0, 10, size=7).tolist()))
    return f"{first}{birth:%d%m%y}{tail}"


def _typo(rng: np.random.Generator, pinfl: str) -> str:
    position = int(rng.integers(7, 14))
    digit = (int(pinfl[position]) + 1 + int(rng.integers(0, 8))) % 10
    return pinfl[:position] + str(digit) + pinfl[position + 1 :]


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _plant_at_least_one(
    reports: list[dict[str, Any]], supervisions: list[dict[str, Any]], truth: dict[str, Any], as_of: date
) -> None:
    """At a small scale the rates may plant nothing of a kind: plant one of each kind there is room for, so
    that every scale carries every truth."""
    ordered = [r for r in reports if "order" in r and r["key"] not in truth["late_orders"]]
    if not truth["late_orders"] and ordered:
        report = ordered.pop(0)
        report["order"]["issued_at"] = (
            datetime.fromisoformat(report["reported_at"]) + timedelta(hours=30)
        ).isoformat()
        truth["late_orders"].append(report["key"])
    if not truth["reports_without_order"] and ordered:
        report = ordered.pop(0)
        del report["order"]
        truth["reports_without_order"].append(report["key"])
    if not truth["missed_checkins"] and supervisions:
        supervisions[0]["record_checkins_until"] = (as_of - timedelta(days=35)).isoformat()
        truth["missed_checkins"].append(supervisions[0]["pinfl"])


def _household_rounds(
    rng: np.random.Generator, persons: list[dict[str, Any]], entries: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Rounds planned for the week ahead in every mahalla with persons on a register: most visit a listed
    person's household (the purpose follows the register), some are preventive rounds of a street. Drawn from
    a stream of their own, so that the other planted truths stay where they were."""
    category = {row["pinfl"]: row["category"] for row in entries}
    purpose_of = {
        "minors_commission": "registered_person",
        "womens_notebook": "family",
        "iron_notebook": "family",
    }
    by_mahalla: dict[str, list[dict[str, Any]]] = {}
    for person in persons:
        if person["pinfl"] in category:
            by_mahalla.setdefault(person["mahalla"], []).append(person)
    rounds = []
    for code, local in by_mahalla.items():
        for _index in range(int(rng.poisson(ROUNDS_PER_MAHALLA_WEEK))):
            street = f"{ROUND_STREETS[int(rng.integers(0, len(ROUND_STREETS)))]} ko'chasi"
            address = f"{street}, {int(rng.integers(1, 120))}-uy"
            day = -int(rng.integers(1, 4)) if rng.random() < ROUND_OVERDUE_SHARE else int(rng.integers(0, 7))
            row: dict[str, Any] = {"mahalla": code, "address": address, "planned_in_days": day}
            if rng.random() < 0.8:
                person = local[int(rng.integers(0, len(local)))]
                row["pinfl"] = person["pinfl"]
                row["purpose"] = purpose_of.get(category[person["pinfl"]], "registered_person")
            else:
                row["purpose"] = "prevention"
            rounds.append(row)
    return rounds


def generate_cases(directory: Path | str, *, seed: int, as_of: date) -> dict[str, Any]:
    directory = Path(directory)
    rng = np.random.default_rng([seed, SEED_OFFSET])
    mahallas: list[tuple[str, int]] = []
    with (directory / "territories.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["level"] == "mahalla":
                mahallas.append((row["code"], int(row.get("population") or 0)))
    offenders: dict[str, list[tuple[str, str]]] = {}
    admin: list[dict[str, str]] = []
    window_start = as_of - timedelta(days=CONCLUSION_WINDOW_DAYS)
    with (directory / "offences.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["offender_ref"]:
                offenders.setdefault(row["mahalla_code"], []).append(
                    (row["source_system"], row["offender_ref"])
                )
            if row["code_kind"] == "administrative" and row["occurred_at"][:10] >= window_start.isoformat():
                admin.append(
                    {
                        "source_system": row["source_system"],
                        "registration_number": row["registration_number"],
                        "occurred": row["occurred_at"][:10],
                    }
                )

    persons: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    reports: list[dict[str, Any]] = []
    supervisions: list[dict[str, Any]] = []
    referrals: list[dict[str, Any]] = []
    truth: dict[str, Any] = {
        "late_orders": [],
        "reports_without_order": [],
        "missed_checkins": [],
        "overdue_conclusions": [],
        "duplicates": [],
    }
    used_pinfl: set[str] = set()
    now_anchor = datetime(as_of.year, as_of.month, as_of.day, 9, 0)
    for code, population in mahallas:
        count = int(rng.poisson(population * AT_RISK_SHARE))
        refs = offenders.get(code, [])
        local: list[dict[str, Any]] = []
        for index in range(count):
            female = bool(rng.random() < 0.35)
            age = _choice_weighted(
                rng,
                [int(rng.integers(14, 18)), int(rng.integers(18, 31)), int(rng.integers(31, 65))],
                _AGE_CDF,
            )
            birth = as_of - timedelta(days=age * 365 + int(rng.integers(0, 365)))
            pinfl = _pinfl(rng, birth, female)
            while pinfl in used_pinfl:
                pinfl = _pinfl(rng, birth, female)
            used_pinfl.add(pinfl)
            name = person_name(rng, female)
            person = {
                "pinfl": pinfl,
                "name_latin": name,
                "birth_date": birth.isoformat(),
                "sex": "F" if female else "M",
                "mahalla": code,
                "source_refs": [list(refs[index])] if index < len(refs) and rng.random() < 0.5 else [],
            }
            persons.append(person)
            local.append(person)
            category = (
                "minors_commission"
                if age < 18
                else _choice(rng, _CATEGORIES_FEMALE if female else _CATEGORIES_MALE)
            )
            starts = as_of - timedelta(days=int(rng.integers(10, 700)))
            entries.append(
                {
                    "pinfl": pinfl,
                    "category": category,
                    "basis_document": f"decision {code}-{index + 1}",
                    "starts_on": starts.isoformat(),
                    "decided_by": "district internal-affairs department",
                }
            )
            if rng.random() < DUPLICATE_SHARE:
                if rng.random() < 0.5:
                    twin_name = latin_to_cyrillic(name)
                else:
                    twin_name = latin_to_russian(name)
                twin_pinfl = _typo(rng, pinfl)
                if twin_pinfl not in used_pinfl:
                    used_pinfl.add(twin_pinfl)
                    persons.append(
                        {
                            "pinfl": twin_pinfl,
                            "name_latin": twin_name,
                            "birth_date": birth.isoformat(),
                            "sex": person["sex"],
                            "mahalla": code,
                            "source_refs": [],
                        }
                    )
                    truth["duplicates"].append([pinfl, twin_pinfl])
        women = [p for p in local if p["sex"] == "F"]
        orders = int(rng.poisson(population * ORDERS_PER_100K_YEAR / 100_000 * ORDER_WINDOW_DAYS / 365))
        for index in range(min(orders, len(women))):
            victim = women[index]
            reported = now_anchor - timedelta(hours=int(rng.integers(30, ORDER_WINDOW_DAYS * 24)))
            draw = rng.random()
            key = f"{code}-R{index + 1}"
            report: dict[str, Any] = {
                "key": key,
                "victim": victim["pinfl"],
                "kind": "domestic_violence" if rng.random() < 0.8 else "harassment",
                "reported_at": reported.isoformat(),
            }
            if draw < NO_ORDER_SHARE:
                truth["reports_without_order"].append(key)
            else:
                delay = (
                    int(rng.integers(25, 61))
                    if draw < NO_ORDER_SHARE + LATE_ORDER_SHARE
                    else int(rng.integers(1, 23))
                )
                if delay > 24:
                    truth["late_orders"].append(key)
                report["order"] = {
                    "issued_at": (reported + timedelta(hours=delay)).isoformat(),
                    "womens_activist": person_name(rng, True),
                }
            reports.append(report)
        men = [
            p
            for p in local
            if p["sex"] == "M" and p["birth_date"] < (as_of - timedelta(days=18 * 365)).isoformat()
        ]
        under = int(rng.poisson(population * SUPERVISIONS_PER_100K / 100_000))
        for index in range(min(under, len(men))):
            starts = as_of - timedelta(days=int(rng.integers(35, 150)))
            months = int(rng.integers(6, 13))
            ends = _add_months(starts, months)
            missed = bool(rng.random() < MISSED_CHECKIN_SHARE)
            supervisions.append(
                {
                    "pinfl": men[index]["pinfl"],
                    "court_decision": f"court {code}-{index + 1}",
                    "decided_on": (starts - timedelta(days=5)).isoformat(),
                    "starts_on": starts.isoformat(),
                    "ends_on": ends.isoformat(),
                    "checkins_per_month": int(rng.integers(1, 5)),
                    "no_alcohol": bool(rng.random() < 0.5),
                    "record_checkins_until": (as_of - timedelta(days=35)).isoformat()
                    if missed
                    else as_of.isoformat(),
                }
            )
            if missed:
                truth["missed_checkins"].append(men[index]["pinfl"])
        for person in local[: int(rng.poisson(len(local) * 0.05))]:
            referrals.append(
                {
                    "pinfl": person["pinfl"],
                    "service": str(
                        rng.choice(
                            ["employment", "education", "health", "housing", "legal_aid", "rehabilitation"]
                        )
                    ),
                    "agency": "district centre",
                    "consent_given": bool(rng.random() < 0.95),
                    "deadline_days": int(rng.integers(5, 40)),
                }
            )
    rounds = _household_rounds(np.random.default_rng([seed, SEED_OFFSET, 2]), persons, entries)
    # Planted only among offences old enough for every rule's deadline (at most 20 days) to have passed.
    old_enough = (as_of - timedelta(days=30)).isoformat()
    overdue = [
        row for row in admin if row["occurred"] < old_enough and rng.random() < OVERDUE_CONCLUSION_SHARE
    ]
    if not overdue:
        overdue = [row for row in admin if row["occurred"] < old_enough][:1]
    truth["overdue_conclusions"] = [f"{row['source_system']}:{row['registration_number']}" for row in overdue]
    _plant_at_least_one(reports, supervisions, truth, as_of)
    payload = {
        "as_of": as_of.isoformat(),
        "seed": seed,
        "persons": persons,
        "entries": entries,
        "reports": reports,
        "supervisions": supervisions,
        "referrals": referrals,
        "household_rounds": rounds,
        "overdue_conclusions": truth["overdue_conclusions"],
    }
    (directory / "cases.json").write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    truth["counts"] = {
        "persons": len(persons),
        "reports": len(reports),
        "supervisions": len(supervisions),
        "referrals": len(referrals),
        "household_rounds": len(rounds),
        "household_rounds_overdue": sum(1 for r in rounds if r["planned_in_days"] < 0),
        "administrative_offences_in_window": len(admin),
    }
    (directory / "truth_cases.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return truth

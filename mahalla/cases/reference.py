"""Reference data of casework, loaded by migration 0002: the legal categories (each with its law) and the
default conclusion rules (data: edit them in the admin, never in code).

The legal bases are those named in DOMAIN.md section 6. The articles of the Code of Administrative
Responsibility in the rules are those the demo uses (183 petty hooliganism, 187 public drunkenness, 59-1
family conflict, 56 drug use): the numbering is unverified against the published code, so the rules are data.
"""

from __future__ import annotations

from typing import Any

LEGAL_CATEGORIES: tuple[dict[str, Any], ...] = (
    {
        "code": "preventive_register",
        "kind": "preventive_register",
        "name_en": "Preventive register",
        "name_uz": "Profilaktik hisob",
        "name_ru": "Профилактический учёт",
        "legal_basis": (
            "Law of the Republic of Uzbekistan No. ZRU-371 of 14 May 2014 On the "
            "Prevention of Offences, art. 29"
        ),
        "default_term_days": 365,
    },
    {
        "code": "administrative_supervision",
        "kind": "administrative_supervision",
        "name_en": "Administrative supervision",
        "name_uz": "Ma'muriy nazorat",
        "name_ru": "Административный надзор",
        "legal_basis": (
            "Law of the Republic of Uzbekistan of 2 April 2019 On Administrative "
            "Supervision of Persons Released from Places of Deprivation of Liberty"
        ),
        "default_term_days": None,
    },
    {
        "code": "protection_order",
        "kind": "protection_order",
        "name_en": "Protected person (protection order)",
        "name_uz": "Himoya orderi",
        "name_ru": "Охранный ордер",
        "legal_basis": (
            "Law of the Republic of Uzbekistan No. ZRU-561 of 2 September 2019 On "
            "the Protection of Women from Harassment and Violence"
        ),
        "default_term_days": None,
    },
    {
        "code": "minors_commission",
        "kind": "minors_commission",
        "name_en": "Minor on record with the commission on minors' affairs",
        "name_uz": "Voyaga yetmaganlar ishlari bo'yicha komissiya hisobida",
        "name_ru": "На учёте комиссии по делам несовершеннолетних",
        "legal_basis": (
            "Law of the Republic of Uzbekistan On the Prevention of Neglect and Offences among Minors (2010)"
        ),
        "default_term_days": 365,
    },
    {
        "code": "iron_notebook",
        "kind": "social_registry",
        "name_en": "Iron notebook (needy family)",
        "name_uz": "Temir daftar",
        "name_ru": "Железная тетрадь",
        "legal_basis": (
            "Social registry flag imported from the iron notebook (Presidential "
            "decision on the Mahalla Seven system)"
        ),
        "default_term_days": None,
    },
    {
        "code": "womens_notebook",
        "kind": "social_registry",
        "name_en": "Women's notebook",
        "name_uz": "Ayollar daftari",
        "name_ru": "Женская тетрадь",
        "legal_basis": (
            "Social registry flag imported from the women's notebook (Presidential "
            "decision on the Mahalla Seven system)"
        ),
        "default_term_days": None,
    },
    {
        "code": "youth_notebook",
        "kind": "social_registry",
        "name_en": "Youth notebook",
        "name_uz": "Yoshlar daftari",
        "name_ru": "Молодёжная тетрадь",
        "legal_basis": (
            "Social registry flag imported from the youth notebook (Presidential "
            "decision on the Mahalla Seven system)"
        ),
        "default_term_days": None,
    },
)

CONCLUSION_RULES: tuple[dict[str, Any], ...] = (
    # The fallbacks: every administrative offence gets a conclusion.
    {
        "subject": "offender",
        "article": "",
        "age_group": "any",
        "circumstance": "",
        "owner_position": "preventive_inspector",
        "deadline_days": 15,
        "measures": ["prophylactic talk", "household visit"],
    },
    {
        "subject": "victim",
        "article": "",
        "age_group": "any",
        "circumstance": "",
        "owner_position": "social_worker",
        "deadline_days": 10,
        "measures": ["victim support visit"],
    },
    # Minors and youth.
    {
        "subject": "offender",
        "article": "",
        "age_group": "minor",
        "circumstance": "",
        "owner_position": "youth_leader",
        "deadline_days": 10,
        "measures": ["talk with the parents", "school or college contact", "leisure club placement"],
    },
    {
        "subject": "offender",
        "article": "",
        "age_group": "youth",
        "circumstance": "",
        "owner_position": "employment",
        "deadline_days": 20,
        "measures": ["prophylactic talk", "employment or vocational training offer"],
    },
    # Circumstances.
    {
        "subject": "offender",
        "article": "",
        "age_group": "any",
        "circumstance": "under_alcohol",
        "owner_position": "preventive_inspector",
        "deadline_days": 15,
        "measures": ["prophylactic talk", "referral to narcological consultation"],
    },
    {
        "subject": "offender",
        "article": "",
        "age_group": "any",
        "circumstance": "under_drugs",
        "owner_position": "preventive_inspector",
        "deadline_days": 7,
        "measures": ["referral to treatment", "household visit"],
    },
    {
        "subject": "offender",
        "article": "",
        "age_group": "any",
        "circumstance": "family_relation",
        "owner_position": "womens_activist",
        "deadline_days": 7,
        "measures": ["family reconciliation talk", "check on the children", "protection order assessment"],
    },
    {
        "subject": "victim",
        "article": "",
        "age_group": "any",
        "circumstance": "involves_woman",
        "owner_position": "womens_activist",
        "deadline_days": 3,
        "measures": ["safety assessment", "offer of Inson centre support", "protection order assessment"],
    },
    # Articles (unverified numbering, see the module docstring).
    {
        "subject": "offender",
        "article": "183",
        "age_group": "any",
        "circumstance": "",
        "owner_position": "preventive_inspector",
        "deadline_days": 15,
        "measures": ["prophylactic talk", "official warning"],
    },
    {
        "subject": "offender",
        "article": "59-1",
        "age_group": "any",
        "circumstance": "",
        "owner_position": "womens_activist",
        "deadline_days": 7,
        "measures": ["family reconciliation talk", "protection order assessment", "household visit"],
    },
    {
        "subject": "offender",
        "article": "56",
        "age_group": "any",
        "circumstance": "",
        "owner_position": "preventive_inspector",
        "deadline_days": 7,
        "measures": ["referral to treatment", "official warning"],
    },
)


def reference_load(legal_category_model: Any, conclusion_rule_model: Any) -> None:
    """Insert the reference rows that are missing (never overwrite an edited row)."""
    for row in LEGAL_CATEGORIES:
        legal_category_model.objects.get_or_create(code=row["code"], defaults=row)
    if not conclusion_rule_model.objects.exists():
        conclusion_rule_model.objects.bulk_create(conclusion_rule_model(**row) for row in CONCLUSION_RULES)

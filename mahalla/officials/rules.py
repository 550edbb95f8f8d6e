"""The default assignment rules of DOMAIN.md section 5, loaded by the data migration, editable in the admin.

Position codes are those of docs/import-formats.md ("Officials"). The workload limits and "top per region"
numbers are not public: they are defaults to tune, never constants in code.
"""

from __future__ import annotations

from typing import Any

INSTITUTIONS = (
    "ministry_academy",
    "criminological_institute",
    "prosecutor_academy",
    "law_university",
    "national_guard_institute",
)

DEFAULT_RULES: tuple[dict[str, Any], ...] = (
    {
        "code": "grave_red",
        "name": "Grave (red) mahallas: district hokims, prosecutors, internal-affairs chiefs and deputies",
        "kind": "grave",
        "target": "mahalla",
        "positions": [
            "hokim",
            "prosecutor",
            "internal_affairs_chief",
            "first_deputy_hokim",
            "deputy_internal_affairs_chief",
            "deputy_prosecutor",
        ],
        "official_level": "district",
        "base_priority": 3.0,
        "max_per_official": 5,
    },
    {
        "code": "red_streak_3",
        "name": "Red 3 years in a row: law-enforcement education and research institutions",
        "kind": "red_streak",
        "target": "mahalla",
        "positions": [f"{code}_{role}" for role in ("researcher", "head") for code in INSTITUTIONS],
        "official_level": "country",
        "min_streak_years": 3,
        "base_priority": 4.0,
        "max_per_official": 12,
    },
    {
        "code": "red_streak_5",
        "name": "Red 5 years in a row: regional National Guard head, deputies of internal affairs and hokim",
        "kind": "red_streak",
        "target": "mahalla",
        "positions": ["national_guard_head", "deputy_internal_affairs_chief", "first_deputy_hokim"],
        "official_level": "region",
        "min_streak_years": 5,
        "base_priority": 5.0,
        "max_per_official": 5,
    },
    {
        "code": "worst_district",
        "name": "Worst district of the region: first deputies of regional prosecutor and internal affairs",
        "kind": "worst_district",
        "target": "district",
        "positions": ["first_deputy_prosecutor", "deputy_internal_affairs_chief"],
        "official_level": "region",
        "top_per_region": 2,
        "base_priority": 4.0,
        "max_per_official": 2,
    },
    {
        "code": "women_share",
        "name": "Highest share of women's crime: regional head of family & women",
        "kind": "share",
        "target": "mahalla",
        "positions": ["deputy_hokim_family_women"],
        "official_level": "region",
        "share_flags": ["involves_woman"],
        "top_per_region": 3,
        "min_offences": 5,
        "base_priority": 2.0,
        "max_per_official": 3,
    },
    {
        "code": "alcohol_drugs_share",
        "name": "Highest share of crime under alcohol or drugs: regional health department head",
        "kind": "share",
        "target": "mahalla",
        "positions": ["health_department_head"],
        "official_level": "region",
        "share_flags": ["under_alcohol", "under_drugs"],
        "top_per_region": 3,
        "min_offences": 5,
        "base_priority": 2.0,
        "max_per_official": 3,
    },
    {
        "code": "conflict_family_share",
        "name": "Highest share of conflict-ridden families: regional justice department head",
        "kind": "share",
        "target": "mahalla",
        "positions": ["justice_department_head"],
        "official_level": "region",
        "share_flags": ["family_relation"],
        "top_per_region": 3,
        "min_offences": 5,
        "base_priority": 2.0,
        "max_per_official": 3,
    },
)


def rules_load(rule_model: Any) -> None:
    """Create the default rules that are missing (an edited rule is left as the administrator set it)."""
    for row in DEFAULT_RULES:
        values = dict(row)
        code = values.pop("code")
        rule_model.objects.get_or_create(code=code, defaults=values)

"""People of the programme: district and regional officials, institutions and the Mahalla Seven.

Positions follow DOMAIN.md sections 5 and 6: hokims and their deputies, internal-affairs chiefs and deputies,
prosecutors, regional National Guard heads, regional heads of the family & women, health and justice
departments, law-enforcement education and research institutions, and the seven members of each mahalla's
"Mahalla Seven". Preventive inspectors are written with their post in the territories file.
"""

from __future__ import annotations

import numpy as np

from .names import FEMALE_GIVEN, MALE_GIVEN, SURNAMES
from .territory import Territory

OFFICIAL_COLUMNS = (
    "official_id",
    "level",
    "territory_code",
    "position",
    "title_uz",
    "name",
    "organisation",
    "phone",
)

# (position code, Uzbek title, organisation, share of women holding it in this synthetic nation)
REGION_POSITIONS: tuple[tuple[str, str, str, float], ...] = (
    ("hokim", "Viloyat hokimi", "Viloyat hokimligi", 0.05),
    ("first_deputy_hokim", "Viloyat hokimining birinchi o'rinbosari", "Viloyat hokimligi", 0.1),
    (
        "deputy_hokim_family_women",
        "Hokim o'rinbosari, oila va xotin-qizlar bo'limi boshlig'i",
        "Viloyat hokimligi",
        0.9,
    ),
    ("internal_affairs_chief", "Viloyat ichki ishlar boshqarmasi boshlig'i", "IIB", 0.02),
    ("deputy_internal_affairs_chief", "Viloyat IIB boshlig'i o'rinbosari", "IIB", 0.05),
    ("prosecutor", "Viloyat prokurori", "Viloyat prokuraturasi", 0.05),
    ("first_deputy_prosecutor", "Viloyat prokurorining birinchi o'rinbosari", "Viloyat prokuraturasi", 0.1),
    ("national_guard_head", "Milliy gvardiya viloyat boshqarmasi boshlig'i", "Milliy gvardiya", 0.02),
    (
        "health_department_head",
        "Sog'liqni saqlash boshqarmasi boshlig'i",
        "Sog'liqni saqlash boshqarmasi",
        0.3,
    ),
    ("justice_department_head", "Adliya boshqarmasi boshlig'i", "Adliya boshqarmasi", 0.2),
)
DISTRICT_POSITIONS: tuple[tuple[str, str, str, float], ...] = (
    ("hokim", "Tuman (shahar) hokimi", "Tuman hokimligi", 0.05),
    ("first_deputy_hokim", "Hokimning birinchi o'rinbosari", "Tuman hokimligi", 0.1),
    ("deputy_hokim_youth", "Hokim o'rinbosari, yoshlar ishlari bo'yicha", "Tuman hokimligi", 0.2),
    ("deputy_hokim_family_women", "Hokim o'rinbosari, oila va xotin-qizlar bo'yicha", "Tuman hokimligi", 0.9),
    ("internal_affairs_chief", "Tuman ichki ishlar bo'limi boshlig'i", "IIB", 0.02),
    ("deputy_internal_affairs_chief", "IIB boshlig'ining profilaktika bo'yicha o'rinbosari", "IIB", 0.05),
    ("prosecutor", "Tuman prokurori", "Tuman prokuraturasi", 0.05),
    ("deputy_prosecutor", "Tuman prokurorining o'rinbosari", "Tuman prokuraturasi", 0.1),
)
MAHALLA_SEVEN: tuple[tuple[str, str, str, float], ...] = (
    ("mahalla_chairman", "Mahalla raisi", "Mahalla fuqarolar yig'ini", 0.15),
    ("hokim_assistant", "Hokim yordamchisi (bandlik)", "Tuman hokimligi", 0.3),
    ("youth_leader", "Yoshlar yetakchisi", "Yoshlar ishlari agentligi", 0.35),
    ("womens_activist", "Xotin-qizlar faoli", "Oila va xotin-qizlar qo'mitasi", 1.0),
    ("preventive_inspector", "Profilaktika inspektori", "IIB", 0.12),
    ("tax_officer", "Soliq inspektori", "Soliq qo'mitasi", 0.3),
    ("social_worker", "Ijtimoiy xodim", "Ijtimoiy himoya milliy agentligi", 0.7),
)
# Law-enforcement education and research institutions, which diagnose mahallas red three years running.
INSTITUTIONS: tuple[tuple[str, str], ...] = (
    ("ministry_academy", "O'zbekiston Respublikasi IIV Akademiyasi"),
    ("criminological_institute", "Kriminologiya tadqiqot instituti"),
    ("prosecutor_academy", "O'zbekiston Respublikasi Bosh prokuraturasi Akademiyasi"),
    ("law_university", "Toshkent davlat yuridik universiteti"),
    ("national_guard_institute", "Milliy gvardiya Harbiy-texnik instituti"),
)


def build_officials(territory: Territory, seed: int) -> list[dict[str, str]]:
    """One row per person; regions and districts of the generated scale only, plus national institutions."""
    rng = np.random.default_rng([seed, 5])
    rows: list[dict[str, str]] = []
    # Draws in blocks: one call per person would dominate the run time of a nation (65,000 people).
    block = 4096
    draws: list[np.ndarray] = []

    def draw() -> np.ndarray:
        if not draws or draws[-1].shape[0] == 0:
            draws.append(rng.random((block, 8)))
        row: np.ndarray = draws[-1][0]
        draws[-1] = draws[-1][1:]
        return row

    def name_for(female_share: float, u: np.ndarray) -> str:
        surname = SURNAMES[int(u[1] * len(SURNAMES))]
        if u[0] < female_share:
            return f"{surname}a {FEMALE_GIVEN[int(u[2] * len(FEMALE_GIVEN))]}"
        return f"{surname} {MALE_GIVEN[int(u[2] * len(MALE_GIVEN))]}"

    def phone(u: np.ndarray) -> str:
        operator_code = (71, 90, 91, 93, 94, 97, 99)[int(u[3] * 7)]
        return f"+998 {operator_code} {100 + int(u[4] * 900)}-{10 + int(u[5] * 90)}-{10 + int(u[6] * 90)}"

    def add(
        level: str,
        code: str,
        position: str,
        title: str,
        organisation: str,
        female_share: float,
        name: str | None = None,
    ) -> None:
        u = draw()
        rows.append(
            {
                "official_id": f"OF{len(rows) + 1:07d}",
                "level": level,
                "territory_code": code,
                "position": position,
                "title_uz": title,
                "name": name or name_for(female_share, u),
                "organisation": organisation,
                "phone": phone(u),
            }
        )

    for code, organisation in INSTITUTIONS:
        for position, title in (
            ("head", "Rahbar"),
            ("researcher", "Ilmiy xodim"),
            ("researcher", "Ilmiy xodim"),
        ):
            add("country", "", f"{code}_{position}", title, organisation, 0.3)
    districts_with_mahallas = {m.district_code for m in territory.mahallas}
    regions_with_mahallas = {m.region_code for m in territory.mahallas}
    for region_code in sorted(regions_with_mahallas):
        for position, title, organisation, female in REGION_POSITIONS:
            add("region", region_code, position, title, organisation, female)
    for district_code in sorted(districts_with_mahallas):
        for position, title, organisation, female in DISTRICT_POSITIONS:
            add("district", district_code, position, title, organisation, female)
    for mahalla in territory.mahallas:
        for position, title, organisation, female in MAHALLA_SEVEN:
            # The inspector of the Seven is the post's inspector, named in the territories file.
            name = mahalla.inspector_name if position == "preventive_inspector" else None
            add("mahalla", mahalla.code, position, title, organisation, female, name)
    return rows

"""The kinds of offence the generator draws, with their share of all crime and their attributes.

Shares of crime: IT/cyber 44 % (DOMAIN.md section 8, 2024: 44.4 %); the rest is split by assumption in
proportions typical of Uzbek MVD reporting (theft first, then violence, drugs, fraud, hooliganism, domestic
violence). Flag probabilities are assumptions too; all of them are written to the truth file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CRIMINAL = "criminal"
ADMINISTRATIVE = "administrative"


@dataclass(frozen=True)
class KindSpec:
    name: str
    code_kind: str
    category: str
    profile: str
    share: float  # of all crimes (criminal kinds) or of all administrative offences
    articles: tuple[tuple[str, float], ...]
    places: tuple[tuple[str, float], ...]
    flags: dict[str, float] = field(default_factory=dict)
    causes: tuple[tuple[str, float], ...] = ()
    solved: float = 0.6
    located: bool = True  # has a street address (cyber crimes are recorded at the victim's mahalla only)


CYBER_SHARE = 0.44
# Of IT crime: about 98 % involves bank cards; methods 60/16/11/9/4 % (DOMAIN.md section 8).
CYBER_BANK_CARD = 0.98
CYBER_METHODS: tuple[tuple[str, float], ...] = (
    ("malicious_link", 0.60),
    ("sms_code", 0.16),
    ("marketplace", 0.11),
    ("investment", 0.09),
    ("loan", 0.04),
)
CYBER_METHOD_CAUSE = {
    "malicious_link": "VICTIM.OPENED_LINK",
    "sms_code": "VICTIM.SHARED_CARD_CODE",
    "marketplace": "DIGITAL.FAKE_MARKETPLACE",
    "investment": "DIGITAL.FAKE_INVESTMENT",
    "loan": "DIGITAL.ILLEGAL_LOAN",
}
# Card fraud goes under 168 (or 169 when the card account was entered without authority); IT crime without a
# card under 278-x.
CYBER_CARD_ARTICLES: tuple[tuple[str, float], ...] = (("168", 0.92), ("169", 0.08))
CYBER_OTHER_ARTICLES: tuple[tuple[str, float], ...] = (
    ("278-2", 0.40),
    ("278-6", 0.30),
    ("278-3", 0.10),
    ("278-4", 0.10),
    ("278-5", 0.10),
)
# Residential burglary (a part of theft) triggers near repeats: each burglary is followed by on average
# NEAR_REPEAT_BRANCHING others nearby (Johnson & Bowers 2004; Mohler et al. 2011 fit 0.2-0.4 for burglary).
BURGLARY_SHARE_OF_THEFT = 0.40
NEAR_REPEAT_BRANCHING = 0.30
NEAR_REPEAT_DAYS = 5.0  # mean delay of a follow-on burglary (exponential)
NEAR_REPEAT_METRES = 80.0  # standard deviation of its distance in each axis
# Domestic violence: probability that an incident is against a victim already known in the mahalla.
DOMESTIC_REPEAT_VICTIM = 0.40

THEFT_SHARE = 0.168

CRIME_KINDS: tuple[KindSpec, ...] = (
    KindSpec(
        "cyber",
        CRIMINAL,
        "cyber",
        "cyber",
        CYBER_SHARE,
        (),
        (("online", 1.0),),
        {
            "minor": 0.03,
            "youth": 0.30,
            "woman": 0.45,
            "family": 0.01,
            "alcohol": 0.0,
            "drugs": 0.0,
            "repeat": 0.05,
        },
        (("DIGITAL.TELEGRAM", 0.45),),
        solved=0.30,
        located=False,
    ),
    KindSpec(
        "theft",
        CRIMINAL,
        "theft",
        "theft",
        THEFT_SHARE * (1 - BURGLARY_SHARE_OF_THEFT),
        (("169", 1.0),),
        (("street", 0.35), ("shop", 0.25), ("transport", 0.15), ("public_place", 0.15), ("workplace", 0.10)),
        {
            "minor": 0.08,
            "youth": 0.35,
            "woman": 0.20,
            "family": 0.02,
            "alcohol": 0.08,
            "drugs": 0.05,
            "repeat": 0.25,
        },
        (
            ("VICTIM.UNSECURED_PROPERTY", 0.5),
            ("SOCIAL.UNEMPLOYMENT", 0.3),
            ("SITUATION.CROWDED_PLACE", 0.3),
            ("SITUATION.NO_CCTV", 0.25),
            ("BEHAVIOUR.GAMBLING", 0.1),
        ),
        solved=0.55,
    ),
    KindSpec(
        "burglary",
        CRIMINAL,
        "theft",
        "burglary",
        THEFT_SHARE * BURGLARY_SHARE_OF_THEFT,
        (("169", 1.0),),
        (("home", 1.0),),
        {
            "minor": 0.06,
            "youth": 0.35,
            "woman": 0.10,
            "family": 0.02,
            "alcohol": 0.05,
            "drugs": 0.05,
            "repeat": 0.30,
        },
        (
            ("SITUATION.POOR_LIGHTING", 0.35),
            ("SITUATION.NO_CCTV", 0.4),
            ("VICTIM.UNSECURED_PROPERTY", 0.4),
            ("SITUATION.OPEN_ATTIC_BASEMENT", 0.15),
            ("SOCIAL.POVERTY", 0.2),
        ),
        solved=0.45,
    ),
    KindSpec(
        "fraud",
        CRIMINAL,
        "fraud",
        "fraud",
        0.067,
        (("168", 0.85), ("167", 0.15)),
        (("street", 0.2), ("shop", 0.3), ("workplace", 0.2), ("other", 0.3)),
        {
            "minor": 0.02,
            "youth": 0.25,
            "woman": 0.35,
            "family": 0.03,
            "alcohol": 0.0,
            "drugs": 0.0,
            "repeat": 0.15,
        },
        (("SOCIAL.POVERTY", 0.4), ("BEHAVIOUR.GAMBLING", 0.3), ("SOCIAL.UNEMPLOYMENT", 0.3)),
        solved=0.50,
    ),
    KindSpec(
        "drugs",
        CRIMINAL,
        "drugs",
        "drugs",
        0.073,
        (("276", 0.70), ("273", 0.25), ("270", 0.05)),
        (("street", 0.45), ("public_place", 0.25), ("home", 0.25), ("transport", 0.05)),
        {
            "minor": 0.04,
            "youth": 0.45,
            "woman": 0.06,
            "family": 0.01,
            "alcohol": 0.05,
            "drugs": 0.55,
            "repeat": 0.30,
        },
        (
            ("BEHAVIOUR.DRUGS", 0.8),
            ("DIGITAL.TELEGRAM", 0.35),
            ("BEHAVIOUR.PEER_INFLUENCE", 0.25),
            ("BEHAVIOUR.IDLE_YOUTH", 0.25),
        ),
        solved=0.95,
    ),
    KindSpec(
        "domestic_violence",
        CRIMINAL,
        "domestic_violence",
        "domestic_violence",
        0.056,
        (("126-1", 1.0),),
        (("home", 1.0),),
        {
            "minor": 0.10,
            "youth": 0.25,
            "woman": 0.85,
            "family": 1.0,
            "alcohol": 0.30,
            "drugs": 0.03,
            "repeat": 0.35,
        },
        (("SOCIAL.FAMILY_CONFLICT", 1.0), ("PREVENTION.LATE_RESPONSE", 0.15), ("SOCIAL.POVERTY", 0.2)),
        solved=0.95,
    ),
    KindSpec(
        "violent",
        CRIMINAL,
        "violent",
        "violent",
        0.084,
        (
            ("109", 0.45),
            ("105", 0.20),
            ("104", 0.10),
            ("164", 0.12),
            ("166", 0.05),
            ("165", 0.05),
            ("97", 0.02),
            ("118", 0.01),
        ),
        (("street", 0.45), ("home", 0.25), ("public_place", 0.25), ("workplace", 0.05)),
        {
            "minor": 0.05,
            "youth": 0.35,
            "woman": 0.20,
            "family": 0.20,
            "alcohol": 0.35,
            "drugs": 0.05,
            "repeat": 0.20,
        },
        (
            ("BEHAVIOUR.PEER_INFLUENCE", 0.3),
            ("SITUATION.POOR_LIGHTING", 0.25),
            ("SITUATION.ALCOHOL_OUTLET", 0.2),
        ),
        solved=0.85,
    ),
    KindSpec(
        "hooliganism",
        CRIMINAL,
        "hooliganism",
        "hooliganism",
        0.067,
        (("277", 1.0),),
        (("street", 0.5), ("public_place", 0.4), ("transport", 0.1)),
        {
            "minor": 0.10,
            "youth": 0.45,
            "woman": 0.08,
            "family": 0.03,
            "alcohol": 0.45,
            "drugs": 0.05,
            "repeat": 0.25,
        },
        (
            ("BEHAVIOUR.IDLE_YOUTH", 0.4),
            ("BEHAVIOUR.PEER_INFLUENCE", 0.35),
            ("SITUATION.ALCOHOL_OUTLET", 0.25),
        ),
        solved=0.90,
    ),
    KindSpec(
        "other",
        CRIMINAL,
        "other",
        "other",
        0.045,
        (("186", 0.6), ("139", 0.4)),
        (("shop", 0.4), ("workplace", 0.3), ("other", 0.3)),
        {
            "minor": 0.03,
            "youth": 0.2,
            "woman": 0.25,
            "family": 0.02,
            "alcohol": 0.02,
            "drugs": 0.0,
            "repeat": 0.1,
        },
        (("SOCIAL.UNEMPLOYMENT", 0.3),),
        solved=0.70,
    ),
)

# Administrative offences that feed social prevention (a conclusion is issued for each), per 100,000 people a
# year. An assumption at a plausible order of magnitude: about as many as the crimes located in mahallas.
ADMIN_RATE_PER_100K = 100.0
ADMIN_KINDS: tuple[KindSpec, ...] = (
    KindSpec(
        "petty_hooliganism",
        ADMINISTRATIVE,
        "hooliganism",
        "admin_disorder",
        0.35,
        (("183", 1.0),),
        (("street", 0.6), ("public_place", 0.4)),
        {
            "minor": 0.08,
            "youth": 0.45,
            "woman": 0.06,
            "family": 0.02,
            "alcohol": 0.50,
            "drugs": 0.02,
            "repeat": 0.2,
        },
        (("BEHAVIOUR.IDLE_YOUTH", 0.4), ("BEHAVIOUR.PEER_INFLUENCE", 0.3)),
        solved=1.0,
    ),
    KindSpec(
        "public_drunkenness",
        ADMINISTRATIVE,
        "hooliganism",
        "admin_disorder",
        0.25,
        (("187", 1.0),),
        (("street", 0.5), ("public_place", 0.5)),
        {
            "minor": 0.01,
            "youth": 0.25,
            "woman": 0.04,
            "family": 0.0,
            "alcohol": 1.0,
            "drugs": 0.0,
            "repeat": 0.3,
        },
        (("SITUATION.ALCOHOL_OUTLET", 0.35),),
        solved=1.0,
    ),
    KindSpec(
        "domestic_conflict",
        ADMINISTRATIVE,
        "domestic_violence",
        "admin_family",
        0.20,
        (("59-1", 1.0),),
        (("home", 1.0),),
        {
            "minor": 0.05,
            "youth": 0.3,
            "woman": 0.80,
            "family": 1.0,
            "alcohol": 0.30,
            "drugs": 0.02,
            "repeat": 0.3,
        },
        (("SOCIAL.FAMILY_CONFLICT", 1.0),),
        solved=1.0,
    ),
    KindSpec(
        "drug_use",
        ADMINISTRATIVE,
        "drugs",
        "admin_disorder",
        0.08,
        (("56", 1.0),),
        (("street", 0.5), ("public_place", 0.3), ("home", 0.2)),
        {
            "minor": 0.05,
            "youth": 0.55,
            "woman": 0.05,
            "family": 0.0,
            "alcohol": 0.05,
            "drugs": 0.90,
            "repeat": 0.25,
        },
        (("BEHAVIOUR.DRUGS", 1.0), ("BEHAVIOUR.PEER_INFLUENCE", 0.3)),
        solved=1.0,
    ),
    KindSpec(
        "light_injury",
        ADMINISTRATIVE,
        "violent",
        "admin_disorder",
        0.07,
        (("61", 1.0),),
        (("street", 0.5), ("home", 0.3), ("public_place", 0.2)),
        {
            "minor": 0.05,
            "youth": 0.35,
            "woman": 0.2,
            "family": 0.3,
            "alcohol": 0.4,
            "drugs": 0.02,
            "repeat": 0.15,
        },
        (("BEHAVIOUR.PEER_INFLUENCE", 0.3),),
        solved=1.0,
    ),
    KindSpec(
        "petty_theft",
        ADMINISTRATIVE,
        "other",
        "admin_other",
        0.05,
        (("197", 1.0),),
        (("shop", 0.7), ("street", 0.3)),
        {
            "minor": 0.15,
            "youth": 0.35,
            "woman": 0.25,
            "family": 0.0,
            "alcohol": 0.1,
            "drugs": 0.03,
            "repeat": 0.2,
        },
        (("SOCIAL.POVERTY", 0.4), ("SOCIAL.NEGLECT_OF_MINORS", 0.1)),
        solved=1.0,
    ),
)

# Flags that vary between mahallas (some have far more drinking, women's crime or conflict-ridden families,
# DOMAIN.md section 5): a per-mahalla shift on the logit scale with this standard deviation.
FLAG_MAHALLA_SPREAD = {"alcohol": 0.6, "woman": 0.4, "family": 0.5}

"""Roles and territorial scope levels.

Kept in core so that every app, the audit log included, can name them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    NATIONAL_ANALYST = "national_analyst", _("National analyst")
    REGIONAL_CHIEF = "regional_chief", _("Regional chief")
    DISTRICT_CHIEF = "district_chief", _("District chief")
    RESPONSIBLE_OFFICIAL = "responsible_official", _("Responsible official")
    PREVENTIVE_INSPECTOR = "preventive_inspector", _("Preventive inspector")
    INVESTIGATOR = "investigator", _("Investigator")
    CYBER_OFFICER = "cyber_officer", _("Cybercrime officer")
    NARCOTICS_OFFICER = "narcotics_officer", _("Narcotics officer")
    PROSECUTOR = "prosecutor", _("Prosecutor")
    MAHALLA_SEVEN = "mahalla_seven", _("Mahalla Seven member")
    WOMENS_AFFAIRS_INSPECTOR = "womens_affairs_inspector", _("District women's-affairs inspector")
    ADMINISTRATOR = "administrator", _("Administrator")
    AGENCY_OFFICER = "agency_officer", _("Partner agency officer")


class ScopeLevel(models.TextChoices):
    COUNTRY = "country", _("Country")
    REGION = "region", _("Region")
    DISTRICT = "district", _("District")
    MAHALLAS = "mahallas", _("Selected mahallas")


# Who may search the audit log: oversight belongs to administrators and prosecutors only.
AUDIT_READERS = frozenset({Role.ADMINISTRATOR, Role.PROSECUTOR})

# Who may see offence records at person level (flags about minors, women, family; causes; free text).
# Mahalla Seven members work on social prevention and see aggregates only.
OFFENCE_RECORD_READERS = frozenset(
    {
        Role.NATIONAL_ANALYST,
        Role.REGIONAL_CHIEF,
        Role.DISTRICT_CHIEF,
        Role.RESPONSIBLE_OFFICIAL,
        Role.PREVENTIVE_INSPECTOR,
        Role.INVESTIGATOR,
        Role.CYBER_OFFICER,
        Role.NARCOTICS_OFFICER,
        Role.PROSECUTOR,
        Role.ADMINISTRATOR,
    }
)

# Who may use the drug-network workbench (mahalla.links): the drug units and the national analysts. Entities
# are people's phones, cards and accounts: every read of one is audited (mahalla/links/access.py).
LINKS_READERS = frozenset({Role.NARCOTICS_OFFICER, Role.NATIONAL_ANALYST})
# Who may enter entities, links, sources and cameras, and run the analyses.
LINKS_WRITERS = frozenset({Role.NARCOTICS_OFFICER})

# Who may load data (imports) into the registries.
IMPORTERS = frozenset({Role.ADMINISTRATOR, Role.NATIONAL_ANALYST})

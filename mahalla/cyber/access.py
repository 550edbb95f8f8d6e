"""Who may see and do what in the cyber module: role sets and the funnels for a report, a campaign, a
blocking request by id.

Reports are person-level records (the victim's account, contact and loss): they are read by the roles below
within their territory, every read audited. A campaign is visible to a reader who sees at least one of its
reports; the campaign page lists only the reports the reader may see. Aggregates (the dashboard) are open to
the prevention roles too, with counts under 5 suppressed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from mahalla.core.errors import AccessDenied
from mahalla.core.roles import Role
from mahalla.territory.access import territory_filter_for

from .models import BlockRequest, Campaign, CyberReport

# Who reads reports at person level.
CYBER_READERS = frozenset(
    {
        Role.CYBER_OFFICER,
        Role.INVESTIGATOR,
        Role.NATIONAL_ANALYST,
        Role.REGIONAL_CHIEF,
        Role.DISTRICT_CHIEF,
        Role.PROSECUTOR,
        Role.ADMINISTRATOR,
    }
)
# Who takes a victim's statement.
CYBER_INTAKE = frozenset(
    {Role.CYBER_OFFICER, Role.INVESTIGATOR, Role.PREVENTIVE_INSPECTOR, Role.ADMINISTRATOR}
)
# Who decides on campaigns, corrects the method, sends blocking requests, imports reports.
CYBER_ANALYSTS = frozenset({Role.CYBER_OFFICER, Role.NATIONAL_ANALYST, Role.ADMINISTRATOR})
# Who sees the dashboard (aggregates; small counts suppressed for roles outside CYBER_READERS).
CYBER_DASHBOARD = CYBER_READERS | {Role.RESPONSIBLE_OFFICIAL, Role.PREVENTIVE_INSPECTOR, Role.MAHALLA_SEVEN}
# Who proposes and records awareness bulletins.
CYBER_BULLETINS = CYBER_ANALYSTS | {
    Role.DISTRICT_CHIEF,
    Role.REGIONAL_CHIEF,
    Role.MAHALLA_SEVEN,
    Role.RESPONSIBLE_OFFICIAL,
}
# The top menu shows the section to every role that has a page in it.
CYBER_SECTION = CYBER_DASHBOARD | CYBER_INTAKE

SUPPRESSION_THRESHOLD = 5


def is_active_user(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active


def has_role(actor: Any, roles: frozenset[str]) -> bool:
    return is_active_user(actor) and actor.role in roles


def report_filter_for(actor: Any, *, prefix: str = "") -> Q:
    """Reports the actor may read: a reader's territory; nothing for any other role (fail closed)."""
    if not has_role(actor, CYBER_READERS):
        return Q(pk__in=[])
    return territory_filter_for(actor).q(
        region=f"{prefix}region", district=f"{prefix}district", mahalla=f"{prefix}mahalla"
    )


def aggregate_filter_for(actor: Any, *, prefix: str = "") -> Q:
    """Reports the actor may count (dashboard): the territory of any dashboard role."""
    if not has_role(actor, CYBER_DASHBOARD):
        return Q(pk__in=[])
    return territory_filter_for(actor).q(
        region=f"{prefix}region", district=f"{prefix}district", mahalla=f"{prefix}mahalla"
    )


def sees_small_counts(actor: Any) -> bool:
    return has_role(actor, CYBER_READERS)


def access_report_by_id(actor: Any, report_id: object) -> CyberReport:
    """The report if the actor may read it; otherwise AccessDenied, as for one that does not exist."""
    not_found = AccessDenied(_("Report not found"), {"id": str(report_id)})
    if not has_role(actor, CYBER_READERS):
        raise not_found
    if not str(report_id).isdigit():
        raise not_found
    report = (
        CyberReport.objects.select_related("mahalla", "district", "region")
        .defer("mahalla__boundary", "district__boundary", "region__boundary")
        .filter(report_filter_for(actor), pk=int(str(report_id)))
        .first()
    )
    if report is None:
        raise not_found
    return report


def access_campaign_by_id(actor: Any, campaign_id: object) -> Campaign:
    """The campaign if the actor sees at least one of its reports; otherwise AccessDenied."""
    not_found = AccessDenied(_("Campaign not found"), {"id": str(campaign_id)})
    if not has_role(actor, CYBER_READERS):
        raise not_found
    if not str(campaign_id).isdigit():
        raise not_found
    visible = CyberReport.objects.filter(
        report_filter_for(actor), campaign_member__campaign_id=int(str(campaign_id))
    )
    campaign = Campaign.objects.filter(pk=int(str(campaign_id))).first()
    if campaign is None or not visible.exists():
        raise not_found
    return campaign


def access_block_request_by_id(actor: Any, request_id: object) -> BlockRequest:
    """A blocking request, for the analysts who send them (the requests are national: a bank's list)."""
    not_found = AccessDenied(_("Blocking request not found"), {"id": str(request_id)})
    if not has_role(actor, CYBER_ANALYSTS):
        raise not_found
    if not str(request_id).isdigit():
        raise not_found
    block_request = (
        BlockRequest.objects.select_related("organisation", "indicator")
        .filter(pk=int(str(request_id)))
        .first()
    )
    if block_request is None:
        raise not_found
    return block_request

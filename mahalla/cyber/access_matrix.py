"""Access matrix rows of the cyber module (see mahalla/core/access_matrix.py).

Reports are read at person level by CYBER_READERS in their territory; a campaign is visible to a reader who
sees one of its reports; campaigns are decided, blocking requests sent and reports imported by
CYBER_ANALYSTS; the dashboard is open to CYBER_DASHBOARD | CYBER_INTAKE, bulletins to CYBER_BULLETINS. The
public report form needs no sign-in. The bank API takes an organisation's own token (``Authorization: Bank
<token>``), which none of the matrix's actors holds. Its reference data (BIN table, protected brands, warning
list, organisations, classifier versions) is in the admin for country administrators only, as all national
reference data."""

from __future__ import annotations

import datetime as dt

from mahalla.core.access_matrix import ALL_ROLES, NO_ROLE, Call, Place, Route, admin_routes

from .access import CYBER_ANALYSTS, CYBER_BULLETINS, CYBER_DASHBOARD, CYBER_INTAKE, CYBER_READERS

READERS = frozenset(CYBER_READERS)
ANALYSTS = frozenset(CYBER_ANALYSTS)
INTAKE = frozenset(CYBER_INTAKE)
BULLETINS = frozenset(CYBER_BULLETINS)
SECTION = frozenset(CYBER_DASHBOARD | CYBER_INTAKE)
# The method correction: the report must be readable (a reader) and the role must correct (analyst/intake).
CORRECTORS = READERS & (ANALYSTS | INTAKE)
# A refused form post: another territory's object or a role outside the page is a 404.
FORM_REFUSED = (302, 403, 404)
BANK_REFUSED = (401, 403)


def _report(place: Place):  # -> CyberReport
    from .models import CyberReport

    at = dt.datetime(2026, 1, 10, 12, 0, tzinfo=dt.UTC)
    return CyberReport.objects.create(
        reference=f"CR-{place.marker}",
        source="officer",
        narrative=f"Fraud {place.marker}",
        message_text=f"Message {place.marker}",
        occurred_at=at,
        reported_at=at,
        loss_amount=100,
        channel="telegram",
        region=place.region,
        district=place.district,
        mahalla=place.mahalla,
        victim_name=f"Victim {place.marker}",
        method="sms_code",
    )


def _report_call(place: Place) -> Call:
    return Call(kwargs={"report_id": _report(place).pk})


def _campaign(place: Place):  # -> Campaign
    from .models import Campaign, CampaignMember

    campaign = Campaign.objects.create(code=f"CMP-{place.marker}", size=1, main_method="sms_code")
    CampaignMember.objects.create(report=_report(place), campaign=campaign, reason=f"card {place.marker}")
    return campaign


def _campaign_call(place: Place) -> Call:
    return Call(kwargs={"campaign_id": _campaign(place).pk})


def _bulletin(place: Place):  # -> Bulletin
    from .models import Bulletin

    return Bulletin.objects.create(
        mahalla=place.mahalla,
        district=place.district,
        region=place.region,
        method="sms_code",
        victims=6,
        proposed_at=dt.datetime(2026, 1, 12, 9, 0, tzinfo=dt.UTC),
    )


def _with_campaign(place: Place) -> Call:
    """A list's world: a report of the place in a campaign of the place (the other's must not show)."""
    _campaign(place)
    return Call()


def _with_bulletin(place: Place) -> Call:
    _bulletin(place)
    return Call()


def _officer_report_form(place: Place) -> Call:
    return Call(
        data={
            "narrative": f"Statement {place.marker}",
            "occurred_at": "2026-01-10 12:00",
            "currency": "UZS",
            "channel": "telegram",
            "mahalla": place.mahalla.code,
        }
    )


ROUTES: list[Route] = [
    # --- public pages (no sign-in)
    Route("cyber:public-report", territorial=False, public=True),
    Route(
        "cyber:public-report",
        method="POST",
        territorial=False,
        public=True,
        build=_officer_report_form,
        note="a victim's statement, signed out: the page thanks with the reference number",
    ),
    Route(
        "cyber:public-districts",
        territorial=False,
        public=True,
        build=lambda place: Call(query={"region": place.region.code}),
    ),
    Route(
        "cyber:public-mahallas",
        territorial=False,
        public=True,
        build=lambda place: Call(query={"district": place.district.code}),
    ),
    # --- officers' pages
    Route("cyber:index", roles=SECTION, territorial=False, build=_with_campaign),
    Route("cyber:reports", roles=READERS, territorial=False, build=_with_campaign),
    Route("cyber:report-new", roles=INTAKE, territorial=False),
    Route(
        "cyber:report-new",
        method="POST",
        roles=INTAKE,
        success=(302,),
        refused=(400, 403, 404),
        build=_officer_report_form,
        note="another territory's mahalla is not offered: the form is shown again (400), nothing stored",
    ),
    Route("cyber:import", roles=ANALYSTS, territorial=False),
    Route("cyber:report", roles=READERS, build=_report_call),
    Route(
        "cyber:report-correct",
        method="POST",
        roles=CORRECTORS,
        success=(302,),
        refused=FORM_REFUSED,
        build=lambda place: Call(kwargs={"report_id": _report(place).pk}, data={"method": "investment"}),
        note="a reader whose role does not correct (chiefs, prosecutor) gets a 404 as for an unseen report",
    ),
    Route("cyber:campaigns", roles=READERS, territorial=False, build=_with_campaign),
    Route("cyber:campaign", roles=READERS, build=_campaign_call),
    Route(
        "cyber:campaign-action",
        method="POST",
        roles=ANALYSTS,
        success=(302,),
        refused=FORM_REFUSED,
        build=lambda place: Call(
            kwargs={"campaign_id": _campaign(place).pk, "action": "confirm"}, data={"reason": "same card"}
        ),
    ),
    Route(
        "cyber:blocking",
        roles=ANALYSTS,
        territorial=False,
        note="blocking requests are national (a bank's list): analysts only",
    ),
    Route("cyber:blocking-export", roles=ANALYSTS, territorial=False),
    Route("cyber:bulletins", roles=BULLETINS, territorial=False, build=_with_bulletin),
    Route(
        "cyber:bulletins-propose",
        method="POST",
        roles=ANALYSTS,
        success=(302,),
        refused=FORM_REFUSED,
        territorial=False,
    ),
    Route(
        "cyber:bulletin-deliver",
        method="POST",
        roles=BULLETINS,
        success=(302,),
        refused=FORM_REFUSED,
        build=lambda place: Call(kwargs={"bulletin_id": _bulletin(place).pk}, data={"note": "read out"}),
    ),
    Route(
        "cyber:bulletin-pdf",
        roles=BULLETINS,
        build=lambda place: Call(kwargs={"bulletin_id": _bulletin(place).pk}, query={"language": "uz"}),
        leak_check=False,
        note="a PDF (compressed): its text is not searchable for markers",
    ),
    # --- API (officers)
    Route(
        "cyber-api:reports",
        roles=ALL_ROLES,
        territorial=False,
        build=_with_campaign,
        note="any signed-in account may ask; the list holds only the reports of a reader's territory "
        "(empty for the other roles)",
    ),
    Route(
        "cyber-api:reports",
        method="POST",
        roles=INTAKE,
        success=(201,),
        refused=(400, 403, 404),
        build=lambda place: Call(
            data={
                "narrative": f"Statement {place.marker}",
                "occurred_at": "2026-01-10T12:00:00Z",
                "channel": "telegram",
                "mahalla": place.mahalla.code,
            },
            content="json",
        ),
        note="another territory's mahalla is refused with a 400 (outside your territory), nothing stored",
    ),
    Route("cyber-api:report", roles=READERS, build=_report_call),
    Route(
        "cyber-api:campaigns",
        roles=ALL_ROLES,
        territorial=False,
        build=_with_campaign,
        note="any signed-in account may ask; only campaigns with a report the caller may read are listed",
    ),
    Route(
        "cyber-api:campaign-confirm",
        method="POST",
        roles=ANALYSTS,
        build=lambda place: Call(
            kwargs={"campaign_id": _campaign(place).pk}, data={"reason": "same card"}, content="json"
        ),
    ),
    # --- API (banks and platforms, their own organisation token)
    Route(
        "cyber-api:bank-requests",
        roles=NO_ROLE,
        territorial=False,
        refused=BANK_REFUSED,
        note="only an organisation's 'Authorization: Bank <token>' is accepted; no matrix actor holds one",
    ),
    Route(
        "cyber-api:bank-requests-export",
        roles=NO_ROLE,
        territorial=False,
        refused=BANK_REFUSED,
        note="only an organisation's 'Authorization: Bank <token>' is accepted; no matrix actor holds one",
    ),
    Route(
        "cyber-api:bank-request-status",
        method="POST",
        roles=NO_ROLE,
        territorial=False,
        refused=BANK_REFUSED,
        build=lambda place: Call(kwargs={"request_id": 1}, data={"status": "blocked"}, content="json"),
        note="only an organisation's 'Authorization: Bank <token>' is accepted; no matrix actor holds one",
    ),
    # Reference data in the admin (country administrators, as the other reference tables)
    *admin_routes("cyber", "cardrange"),
    *admin_routes("cyber", "protectedbrand"),
    *admin_routes("cyber", "warninglistentry"),
    *admin_routes("cyber", "organisation"),
    *admin_routes("cyber", "classifierversion"),
]

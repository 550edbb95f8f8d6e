from django.urls import path

from mahalla.core.lazy import lazy_api

app_name = "cyber-api"

urlpatterns = [
    path("reports/", lazy_api("mahalla.cyber.apis.CyberReportListApi"), name="reports"),
    path("reports/<int:report_id>/", lazy_api("mahalla.cyber.apis.CyberReportDetailApi"), name="report"),
    path("campaigns/", lazy_api("mahalla.cyber.apis.CampaignListApi"), name="campaigns"),
    path(
        "campaigns/<int:campaign_id>/confirm/",
        lazy_api("mahalla.cyber.apis.CampaignConfirmApi"),
        name="campaign-confirm",
    ),
    path("bank/requests/", lazy_api("mahalla.cyber.apis.BankBlockRequestListApi"), name="bank-requests"),
    path(
        "bank/requests.csv",
        lazy_api("mahalla.cyber.apis.BankBlockRequestExportApi"),
        name="bank-requests-export",
    ),
    path(
        "bank/requests/<int:request_id>/status/",
        lazy_api("mahalla.cyber.apis.BankBlockRequestStatusApi"),
        name="bank-request-status",
    ),
]

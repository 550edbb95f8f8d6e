from django.urls import path

from . import apis

app_name = "cyber-api"

urlpatterns = [
    path("reports/", apis.CyberReportListApi.as_view(), name="reports"),
    path("reports/<int:report_id>/", apis.CyberReportDetailApi.as_view(), name="report"),
    path("campaigns/", apis.CampaignListApi.as_view(), name="campaigns"),
    path("campaigns/<int:campaign_id>/confirm/", apis.CampaignConfirmApi.as_view(), name="campaign-confirm"),
    path("bank/requests/", apis.BankBlockRequestListApi.as_view(), name="bank-requests"),
    path("bank/requests.csv", apis.BankBlockRequestExportApi.as_view(), name="bank-requests-export"),
    path(
        "bank/requests/<int:request_id>/status/",
        apis.BankBlockRequestStatusApi.as_view(),
        name="bank-request-status",
    ),
]

from django.urls import path

from . import views

app_name = "cyber"

urlpatterns = [
    path("", views.index, name="index"),
    path("report/", views.public_report, name="public-report"),
    path("report/districts/", views.public_districts, name="public-districts"),
    path("report/mahallas/", views.public_mahallas, name="public-mahallas"),
    path("reports/", views.report_list, name="reports"),
    path("reports/new/", views.report_new, name="report-new"),
    path("reports/import/", views.report_import, name="import"),
    path("reports/<int:report_id>/", views.report_detail, name="report"),
    path("reports/<int:report_id>/correct/", views.report_correct, name="report-correct"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:campaign_id>/<str:action>/", views.campaign_action, name="campaign-action"),
    path("blocking/", views.block_list, name="blocking"),
    path("blocking/export.csv", views.block_export, name="blocking-export"),
    path("bulletins/", views.bulletin_list, name="bulletins"),
    path("bulletins/propose/", views.bulletin_propose, name="bulletins-propose"),
    path("bulletins/<int:bulletin_id>/deliver/", views.bulletin_deliver, name="bulletin-deliver"),
    path("bulletins/<int:bulletin_id>/pdf/", views.bulletin_pdf, name="bulletin-pdf"),
]

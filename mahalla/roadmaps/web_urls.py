from django.urls import path

from . import views

app_name = "roadmaps-web"

urlpatterns = [
    path("", views.roadmap_index, name="index"),
    path("new/", views.roadmap_new, name="new"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:alert_id>/acknowledge/", views.alert_acknowledge, name="alert-acknowledge"),
    path("progress/<str:level>/<str:code>/", views.progress, name="progress"),
    path("causes/<str:level>/<str:code>/", views.causes, name="causes"),
    path("<int:roadmap_id>/", views.roadmap_detail, name="detail"),
    path("<int:roadmap_id>/effect/", views.roadmap_effect, name="effect"),
    path("measures/<int:measure_id>/status/", views.measure_status, name="measure-status"),
    path("measures/<int:measure_id>/evidence/", views.measure_evidence, name="measure-evidence"),
    path("measures/<int:measure_id>/comment/", views.measure_comment, name="measure-comment"),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence"),
]

from django.urls import path

from mahalla.core.lazy import lazy_api

app_name = "roadmaps"

urlpatterns = [
    path("", lazy_api("mahalla.roadmaps.apis.RoadmapListApi"), name="roadmap-list"),
    path("create/", lazy_api("mahalla.roadmaps.apis.RoadmapCreateApi"), name="roadmap-create"),
    path(
        "from-explanation/",
        lazy_api("mahalla.roadmaps.apis.RoadmapFromExplanationApi"),
        name="roadmap-from-explanation",
    ),
    path("templates/", lazy_api("mahalla.roadmaps.apis.RoadmapTemplateListApi"), name="template-list"),
    path("suggestion/<str:code>/", lazy_api("mahalla.roadmaps.apis.MahallaSuggestionApi"), name="suggestion"),
    path("progress/", lazy_api("mahalla.roadmaps.apis.RoadmapProgressApi"), name="progress"),
    path("causes/", lazy_api("mahalla.roadmaps.apis.CauseAnalysisApi"), name="causes"),
    path("alerts/", lazy_api("mahalla.roadmaps.apis.MeasureAlertListApi"), name="alert-list"),
    path(
        "alerts/<int:alert_id>/acknowledge/",
        lazy_api("mahalla.roadmaps.apis.MeasureAlertAcknowledgeApi"),
        name="alert-acknowledge",
    ),
    path("<int:roadmap_id>/", lazy_api("mahalla.roadmaps.apis.RoadmapDetailApi"), name="roadmap-detail"),
    path(
        "<int:roadmap_id>/measures/",
        lazy_api("mahalla.roadmaps.apis.MeasureCreateApi"),
        name="measure-create",
    ),
    path(
        "<int:roadmap_id>/effect/",
        lazy_api("mahalla.roadmaps.apis.RoadmapEffectEstimateApi"),
        name="effect-estimate",
    ),
    path(
        "measures/<int:measure_id>/",
        lazy_api("mahalla.roadmaps.apis.MeasureUpdateApi"),
        name="measure-update",
    ),
    path(
        "measures/<int:measure_id>/evidence/",
        lazy_api("mahalla.roadmaps.apis.MeasureEvidenceAddApi"),
        name="evidence-add",
    ),
    path(
        "measures/<int:measure_id>/comments/",
        lazy_api("mahalla.roadmaps.apis.MeasureCommentAddApi"),
        name="comment-add",
    ),
]

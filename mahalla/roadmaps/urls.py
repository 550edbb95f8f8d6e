from django.urls import path

from . import apis

app_name = "roadmaps"

urlpatterns = [
    path("", apis.RoadmapListApi.as_view(), name="roadmap-list"),
    path("create/", apis.RoadmapCreateApi.as_view(), name="roadmap-create"),
    path("from-explanation/", apis.RoadmapFromExplanationApi.as_view(), name="roadmap-from-explanation"),
    path("templates/", apis.RoadmapTemplateListApi.as_view(), name="template-list"),
    path("suggestion/<str:code>/", apis.MahallaSuggestionApi.as_view(), name="suggestion"),
    path("progress/", apis.RoadmapProgressApi.as_view(), name="progress"),
    path("causes/", apis.CauseAnalysisApi.as_view(), name="causes"),
    path("alerts/", apis.MeasureAlertListApi.as_view(), name="alert-list"),
    path(
        "alerts/<int:alert_id>/acknowledge/",
        apis.MeasureAlertAcknowledgeApi.as_view(),
        name="alert-acknowledge",
    ),
    path("<int:roadmap_id>/", apis.RoadmapDetailApi.as_view(), name="roadmap-detail"),
    path("<int:roadmap_id>/measures/", apis.MeasureCreateApi.as_view(), name="measure-create"),
    path("<int:roadmap_id>/effect/", apis.RoadmapEffectEstimateApi.as_view(), name="effect-estimate"),
    path("measures/<int:measure_id>/", apis.MeasureUpdateApi.as_view(), name="measure-update"),
    path("measures/<int:measure_id>/evidence/", apis.MeasureEvidenceAddApi.as_view(), name="evidence-add"),
    path("measures/<int:measure_id>/comments/", apis.MeasureCommentAddApi.as_view(), name="comment-add"),
]

from django.urls import path

from . import apis

app_name = "coordination"

urlpatterns = [
    path("tasks/", apis.CoordinationTaskListApi.as_view(), name="task-list"),
    path("tasks/<int:task_id>/", apis.CoordinationTaskDetailApi.as_view(), name="task-detail"),
    path("tasks/<int:task_id>/action/", apis.CoordinationTaskActionApi.as_view(), name="task-action"),
    path("meetings/", apis.CouncilMeetingListApi.as_view(), name="meeting-list"),
    path("meetings/<int:meeting_id>/", apis.CouncilMeetingDetailApi.as_view(), name="meeting-detail"),
    path(
        "meetings/<int:meeting_id>/decisions/",
        apis.CouncilDecisionCreateApi.as_view(),
        name="decision-create",
    ),
    path("meetings/<int:meeting_id>/minutes/", apis.CouncilMinutesApi.as_view(), name="minutes"),
    path("findings/", apis.OversightFindingListApi.as_view(), name="finding-list"),
    path(
        "findings/<int:finding_id>/respond/",
        apis.OversightFindingRespondApi.as_view(),
        name="finding-respond",
    ),
    path("training/needs/", apis.TrainingNeedListApi.as_view(), name="training-needs"),
]

from django.urls import path

from mahalla.core.lazy import lazy_api

app_name = "coordination"

urlpatterns = [
    path("tasks/", lazy_api("mahalla.coordination.apis.CoordinationTaskListApi"), name="task-list"),
    path(
        "tasks/<int:task_id>/",
        lazy_api("mahalla.coordination.apis.CoordinationTaskDetailApi"),
        name="task-detail",
    ),
    path(
        "tasks/<int:task_id>/action/",
        lazy_api("mahalla.coordination.apis.CoordinationTaskActionApi"),
        name="task-action",
    ),
    path("meetings/", lazy_api("mahalla.coordination.apis.CouncilMeetingListApi"), name="meeting-list"),
    path(
        "meetings/<int:meeting_id>/",
        lazy_api("mahalla.coordination.apis.CouncilMeetingDetailApi"),
        name="meeting-detail",
    ),
    path(
        "meetings/<int:meeting_id>/decisions/",
        lazy_api("mahalla.coordination.apis.CouncilDecisionCreateApi"),
        name="decision-create",
    ),
    path(
        "meetings/<int:meeting_id>/minutes/",
        lazy_api("mahalla.coordination.apis.CouncilMinutesApi"),
        name="minutes",
    ),
    path("findings/", lazy_api("mahalla.coordination.apis.OversightFindingListApi"), name="finding-list"),
    path(
        "findings/<int:finding_id>/respond/",
        lazy_api("mahalla.coordination.apis.OversightFindingRespondApi"),
        name="finding-respond",
    ),
    path("training/needs/", lazy_api("mahalla.coordination.apis.TrainingNeedListApi"), name="training-needs"),
]

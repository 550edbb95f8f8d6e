from django.urls import path

from . import views

app_name = "coordination-web"

urlpatterns = [
    path("tasks/", views.inbox, name="inbox"),
    path("tasks/new/", views.task_new, name="task-new"),
    path("tasks/<int:task_id>/", views.task_detail, name="task"),
    path("council/", views.meetings, name="meetings"),
    path("council/<int:meeting_id>/", views.meeting_detail, name="meeting"),
    path("council/<int:meeting_id>/minutes/", views.minutes, name="minutes"),
    path("oversight/", views.oversight_page, name="oversight"),
    path("training/", views.training_page, name="training"),
]

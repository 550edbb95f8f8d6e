from django.urls import path

from . import views

app_name = "officials"
urlpatterns = [
    path("", views.assignments, name="assignments"),
    path(
        "assignments/<int:assignment_id>/confirm/", views.assignment_confirm_view, name="assignment-confirm"
    ),
    path("assignments/<int:assignment_id>/change/", views.assignment_change_view, name="assignment-change"),
    path("districts/", views.districts, name="districts"),
    path("<int:official_id>/", views.official_detail, name="official"),
]

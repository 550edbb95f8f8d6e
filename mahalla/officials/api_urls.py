from django.urls import path

from mahalla.core.lazy import lazy_api

app_name = "officials-api"
urlpatterns = [
    path("", lazy_api("mahalla.officials.apis.OfficialListApi"), name="official-list"),
    path(
        "<int:official_id>/",
        lazy_api("mahalla.officials.apis.OfficialAccountabilityApi"),
        name="official-accountability",
    ),
    path("assignments/", lazy_api("mahalla.officials.apis.AssignmentListApi"), name="assignment-list"),
    path(
        "assignments/propose/",
        lazy_api("mahalla.officials.apis.AssignmentProposeApi"),
        name="assignment-propose",
    ),
    path(
        "assignments/<int:assignment_id>/confirm/",
        lazy_api("mahalla.officials.apis.AssignmentConfirmApi"),
        name="assignment-confirm",
    ),
    path(
        "assignments/<int:assignment_id>/change/",
        lazy_api("mahalla.officials.apis.AssignmentChangeApi"),
        name="assignment-change",
    ),
    path(
        "assignments/<int:assignment_id>/end/",
        lazy_api("mahalla.officials.apis.AssignmentEndApi"),
        name="assignment-end",
    ),
    path(
        "districts/",
        lazy_api("mahalla.officials.apis.DistrictAccountabilityApi"),
        name="district-accountability",
    ),
]

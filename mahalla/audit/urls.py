from django.urls import path

from mahalla.core.lazy import lazy_api

app_name = "audit"

urlpatterns = [
    path("events/", lazy_api("mahalla.audit.apis.AuditEventListApi"), name="event-list"),
]

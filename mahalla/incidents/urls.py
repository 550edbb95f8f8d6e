from django.urls import path

from mahalla.core.lazy import lazy_api

app_name = "incidents"

urlpatterns = [
    path("", lazy_api("mahalla.incidents.apis.OffenceListApi"), name="offence-list"),
    path("counts/", lazy_api("mahalla.incidents.apis.OffenceCountsApi"), name="offence-counts"),
    path("<int:offence_id>/", lazy_api("mahalla.incidents.apis.OffenceDetailApi"), name="offence-detail"),
]

from django.urls import path

from . import apis

app_name = "incidents"

urlpatterns = [
    path("", apis.OffenceListApi.as_view(), name="offence-list"),
    path("counts/", apis.OffenceCountsApi.as_view(), name="offence-counts"),
    path("<int:offence_id>/", apis.OffenceDetailApi.as_view(), name="offence-detail"),
]

from django.urls import path

from mahalla.core.lazy import lazy_api

app_name = "territory"

urlpatterns = [
    path("regions/", lazy_api("mahalla.territory.apis.RegionListApi"), name="region-list"),
    path("regions/<str:code>/", lazy_api("mahalla.territory.apis.RegionDetailApi"), name="region-detail"),
    path("districts/", lazy_api("mahalla.territory.apis.DistrictListApi"), name="district-list"),
    path(
        "districts/<str:code>/", lazy_api("mahalla.territory.apis.DistrictDetailApi"), name="district-detail"
    ),
    path("mahallas/", lazy_api("mahalla.territory.apis.MahallaListApi"), name="mahalla-list"),
    path("mahallas/<str:code>/", lazy_api("mahalla.territory.apis.MahallaDetailApi"), name="mahalla-detail"),
]

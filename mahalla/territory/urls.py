from django.urls import path

from . import apis

app_name = "territory"

urlpatterns = [
    path("regions/", apis.RegionListApi.as_view(), name="region-list"),
    path("regions/<str:code>/", apis.RegionDetailApi.as_view(), name="region-detail"),
    path("districts/", apis.DistrictListApi.as_view(), name="district-list"),
    path("districts/<str:code>/", apis.DistrictDetailApi.as_view(), name="district-detail"),
    path("mahallas/", apis.MahallaListApi.as_view(), name="mahalla-list"),
    path("mahallas/<str:code>/", apis.MahallaDetailApi.as_view(), name="mahalla-detail"),
]

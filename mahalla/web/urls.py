from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("situation/", views.dashboard, name="dashboard"),
    path("country/", views.country, name="country"),
    path("region/<str:code>/", views.region, name="region"),
    path("district/<str:code>/", views.district, name="district"),
    path("mahalla/<str:code>/", views.mahalla, name="mahalla"),
    path("map/<str:level>/<str:code>.geojson", views.map_data, name="map-data"),
    path(
        "map/<str:level>/<str:code>/forecast-cells.geojson",
        views.map_forecast_cells,
        name="map-forecast-cells",
    ),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:alert_id>/acknowledge/", views.alert_acknowledge_view, name="alert-acknowledge"),
    path("alerts/<int:alert_id>/assign/", views.alert_assign_view, name="alert-assign"),
    path("search/", views.search, name="search"),
    path("briefing/<str:level>/<str:code>/", views.briefing, name="briefing"),
]

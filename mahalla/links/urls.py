from django.urls import path

from . import views

app_name = "links"

urlpatterns = [
    path("", views.index, name="index"),
    path("entities/", views.entities, name="entities"),
    path("entities/<int:entity_id>/", views.entity_panel, name="entity"),
    path("shops/<int:shop_id>/", views.dossier, name="dossier"),
    path("shops/<int:shop_id>/dossier.pdf", views.dossier_pdf, name="dossier-pdf"),
    path("map/", views.drops_map, name="map"),
    path("map/data/", views.drops_map_data, name="map-data"),
]

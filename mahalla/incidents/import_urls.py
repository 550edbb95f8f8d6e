from django.urls import path

from mahalla.core.lazy import lazy_api

app_name = "imports"

urlpatterns = [
    path(
        "territories/", lazy_api("mahalla.incidents.import_apis.TerritoryImportApi"), name="territory-import"
    ),
    path("offences/", lazy_api("mahalla.incidents.import_apis.OffenceImportApi"), name="offence-import"),
]

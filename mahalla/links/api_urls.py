from django.urls import path

from mahalla.core.lazy import lazy_api

urlpatterns = [
    path("entities/", lazy_api("mahalla.links.apis.LinksEntityListApi"), name="links-api-entities"),
    path(
        "entities/<int:entity_id>/",
        lazy_api("mahalla.links.apis.LinksEntityDetailApi"),
        name="links-api-entity",
    ),
    path(
        "shops/<int:shop_id>/suppliers/",
        lazy_api("mahalla.links.apis.LinksShopSuppliersApi"),
        name="links-api-suppliers",
    ),
]

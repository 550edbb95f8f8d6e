from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "mahalla.territory"
    label = "territory"

from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "mahalla.incidents"
    label = "incidents"

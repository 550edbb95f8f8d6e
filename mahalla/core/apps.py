from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mahalla.core"
    label = "core"

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "mahalla.audit"
    label = "audit"

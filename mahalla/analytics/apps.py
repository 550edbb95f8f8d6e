from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "mahalla.analytics"
    label = "analytics"
    verbose_name = _("Daily analysis")
    default_auto_field = "django.db.models.BigAutoField"

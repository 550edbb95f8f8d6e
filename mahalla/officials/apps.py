from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficialsConfig(AppConfig):
    name = "mahalla.officials"
    label = "officials"
    verbose_name = _("Responsible officials")
    default_auto_field = "django.db.models.BigAutoField"

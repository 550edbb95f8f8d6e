from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CyberConfig(AppConfig):
    name = "mahalla.cyber"
    label = "cyber"
    verbose_name = _("Cybercrime and payment protection")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from mahalla.core.navigation import NavigationSection, register_section

        from .access import CYBER_SECTION

        register_section(
            NavigationSection(
                key="cyber", url_name="cyber:index", label=_("Cyber"), roles=CYBER_SECTION, order=60
            )
        )

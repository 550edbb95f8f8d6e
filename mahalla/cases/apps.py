from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "mahalla.cases"
    label = "cases"
    verbose_name = _("Social prevention casework")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from mahalla.core.navigation import NavigationSection, register_section

        from .access import CASE_MENU_ROLES

        register_section(
            NavigationSection(
                key="cases", url_name="cases-web:index", label=_("Casework"), roles=CASE_MENU_ROLES, order=45
            )
        )

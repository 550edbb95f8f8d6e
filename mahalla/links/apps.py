from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinksConfig(AppConfig):
    name = "mahalla.links"
    label = "links"
    verbose_name = _("Drug networks and public-space monitoring")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from mahalla.core.navigation import NavigationSection, register_section
        from mahalla.core.roles import LINKS_READERS

        register_section(
            NavigationSection(
                key="links", url_name="links:index", label=_("Drug networks"), roles=LINKS_READERS, order=65
            )
        )

from typing import Any

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
        from mahalla.roadmaps.signals import register_signal_provider

        register_section(
            NavigationSection(
                key="links", url_name="links:index", label=_("Drug networks"), roles=LINKS_READERS, order=65
            )
        )
        # A dead-drop cluster in a mahalla offers the roadmap template for it (explanation_rules.csv).
        register_signal_provider("links.drop_clusters", _drop_cluster_signal)


def _drop_cluster_signal(actor: Any, mahalla: Any) -> dict[str, int]:
    # Imported on call: the selectors pull in igraph, which no command's start-up may load.
    from .selectors import mahalla_drop_cluster_signal

    return mahalla_drop_cluster_signal(actor, mahalla)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "mahalla.coordination"
    label = "coordination"
    verbose_name = _("Coordination and training")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from mahalla.core.navigation import NavigationSection, register_section

        from .access import COORDINATION_USERS, COUNCIL_READERS, OVERSIGHT_READERS, TRAINING_PLANNERS

        register_section(
            NavigationSection(
                key="tasks",
                url_name="coordination-web:inbox",
                label=_("Tasks"),
                roles=COORDINATION_USERS,
                order=70,
            )
        )
        register_section(
            NavigationSection(
                key="council",
                url_name="coordination-web:meetings",
                label=_("Council"),
                roles=COUNCIL_READERS,
                order=71,
            )
        )
        register_section(
            NavigationSection(
                key="oversight",
                url_name="coordination-web:oversight",
                label=_("Oversight"),
                roles=OVERSIGHT_READERS,
                order=72,
            )
        )
        register_section(
            NavigationSection(
                key="training",
                url_name="coordination-web:training",
                label=_("Training"),
                roles=TRAINING_PLANNERS,
                order=73,
            )
        )

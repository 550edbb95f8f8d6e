from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoadmapsConfig(AppConfig):
    name = "mahalla.roadmaps"
    label = "roadmaps"
    verbose_name = _("Roadmaps and measures")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The officials' accountability views show overdue measures per official and, per district, the red
        # mahallas with an official and a current roadmap (docs/officials.md, "For other apps").
        from mahalla.officials import hooks

        from .accountability import district_red_with_official_and_roadmap, official_overdue_measures

        hooks.official_panel_register(official_overdue_measures)
        hooks.district_column_register(district_red_with_official_and_roadmap)

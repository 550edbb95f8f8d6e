from django.contrib import admin

from .models import Assignment, AssignmentRuleConfig, ConflictOfInterest, Official


@admin.register(AssignmentRuleConfig)
class AssignmentRuleConfigAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "official_level", "base_priority", "max_per_official", "active")
    list_filter = ("kind", "active")


@admin.register(Official)
class OfficialAdmin(admin.ModelAdmin):
    list_display = ("external_id", "name", "position", "level", "region", "district", "active")
    list_filter = ("level", "active")
    search_fields = ("name", "external_id", "position")
    raw_id_fields = ("region", "district", "mahalla", "user")


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(admin.ModelAdmin):
    list_display = ("official", "mahalla", "kind", "created_at")
    raw_id_fields = ("official", "mahalla", "created_by")


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    """Read-only: assignments change through the audited services (web, API, command), never here."""

    list_display = ("year", "rule", "target_key", "official", "status", "confirmed_by")
    list_filter = ("year", "status", "rule")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

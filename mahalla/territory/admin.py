"""Territory reference data in the admin. Writes are audited; boundaries are shown, not hand-edited (they
arrive by import, which validates them)."""

from __future__ import annotations

from django.contrib import admin

from mahalla.audit.admin import AuditedModelAdmin

from .models import District, LawAndOrderPost, Mahalla, Region

NAME_SEARCH = ["code", "name_uz", "name_uz_cyrl", "name_ru"]


@admin.register(Region)
class RegionAdmin(AuditedModelAdmin):
    list_display = ["code", "name_uz", "name_ru", "kind", "population"]
    list_filter = ["kind"]
    search_fields = NAME_SEARCH
    readonly_fields = ["boundary"]


@admin.register(District)
class DistrictAdmin(AuditedModelAdmin):
    list_display = ["code", "name_uz", "name_ru", "kind", "region", "population"]
    list_filter = ["kind", "region"]
    search_fields = NAME_SEARCH
    list_select_related = ["region"]
    readonly_fields = ["boundary"]


class LawAndOrderPostInline(admin.StackedInline):
    model = LawAndOrderPost
    extra = 0


@admin.register(Mahalla)
class MahallaAdmin(AuditedModelAdmin):
    list_display = ["code", "name_uz", "district", "region", "population"]
    list_filter = ["region"]
    search_fields = NAME_SEARCH
    list_select_related = ["district", "region"]
    autocomplete_fields = ["district", "region"]
    readonly_fields = ["boundary", "min_lon", "min_lat", "max_lon", "max_lat"]
    inlines = [LawAndOrderPostInline]


@admin.register(LawAndOrderPost)
class LawAndOrderPostAdmin(AuditedModelAdmin):
    list_display = ["number", "mahalla", "inspector_name", "inspector_phone"]
    search_fields = ["number", "mahalla__code", "mahalla__name_uz", "inspector_name"]
    autocomplete_fields = ["mahalla"]

"""Reference data of the offence registry in the admin: categories, the article -> category table with its
validity dates, and the cause taxonomy. Offence records are deliberately not in the admin: every read of
one must be scoped to a territory and audited, which only the selectors do."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from mahalla.audit.admin import AuditedModelAdmin

from .models import ArticleCategoryRule, CauseCode, ImportBatch, OffenceCategory


@admin.register(OffenceCategory)
class OffenceCategoryAdmin(AuditedModelAdmin):
    list_display = ["code", "name_en", "name_uz", "name_ru", "severity", "ordering"]
    search_fields = ["code", "name_en", "name_uz", "name_ru"]


@admin.register(ArticleCategoryRule)
class ArticleCategoryRuleAdmin(AuditedModelAdmin):
    list_display = ["code_kind", "article", "condition", "category", "valid_from", "valid_to", "verified"]
    list_filter = ["code_kind", "category", "verified"]
    search_fields = ["article", "title_en"]
    list_select_related = ["category"]


@admin.register(CauseCode)
class CauseCodeAdmin(AuditedModelAdmin):
    list_display = ["code", "name_en", "name_uz", "name_ru", "parent"]
    search_fields = ["code", "name_en", "name_uz", "name_ru"]
    autocomplete_fields = ["parent"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Import history, read-only: a batch is the record of what a file did."""

    list_display = ["started_at", "kind", "file_name", "status", "rows_read", "rows_created", "rows_rejected"]
    list_filter = ["kind", "status"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

"""The cyber module's reference data in the admin: the BIN table, the protected brands, the warning list and
the organisations that receive blocking requests; the classifier's versions read-only. National data: the
admin site opens these to country administrators only (mahalla/core/admin_site.py closes every model admin
that does not scope itself). Reports, indicators and campaigns are not here: every read of them is scoped
and audited by the selectors. A saved change is in use at once in this process and within
CYBER_REFERENCE_SECONDS in the others."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from mahalla.audit.admin import AuditedModelAdmin

from .models import CardRange, ClassifierVersion, Organisation, ProtectedBrand, WarningListEntry
from .reference_data import reference_sync, warning_flags_update


class _ReferenceAdmin(AuditedModelAdmin):
    def save_model(self, request: HttpRequest, obj: Model, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        reference_sync(force=True)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        super().delete_model(request, obj)
        reference_sync(force=True)


@admin.register(CardRange)
class CardRangeAdmin(_ReferenceAdmin):
    list_display = ["prefix_from", "prefix_to", "scheme", "country", "verified"]
    list_filter = ["scheme", "verified"]
    search_fields = ["scheme", "note"]


@admin.register(ProtectedBrand)
class ProtectedBrandAdmin(_ReferenceAdmin):
    list_display = ["brand", "domain", "kind"]
    list_filter = ["kind"]
    search_fields = ["brand", "domain"]


@admin.register(WarningListEntry)
class WarningListEntryAdmin(_ReferenceAdmin):
    list_display = ["kind", "value", "reason"]
    list_filter = ["kind"]
    search_fields = ["value", "reason"]

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        before = form.initial.get("kind"), str(form.initial.get("value") or "")
        super().save_model(request, obj, form, change)
        if change and before[1] and before != (obj.kind, obj.value):
            warning_flags_update(*before)
        warning_flags_update(obj.kind, obj.value)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        warning_flags_update(obj.kind, obj.value)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    """Banks, platforms, operators and registrars. The API token is issued by the service and never shown;
    an organisation with requests cannot be deleted (they are evidence)."""

    list_display = ["code", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    exclude = ["token_hash"]


@admin.register(ClassifierVersion)
class ClassifierVersionAdmin(admin.ModelAdmin):
    """The method classifier's versions, read-only: a version is made by `mahalla cyber-train`."""

    list_display = ["version", "trained_at", "training_rows", "corrections_used", "active"]
    list_filter = ["active"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

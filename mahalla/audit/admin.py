"""The audit log in the admin is read-only for everyone, superusers included; AuditedModelAdmin makes every
admin write on reference data leave an audit row."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from mahalla.core.roles import AUDIT_READERS

from .models import AuditAction, AuditEvent
from .selectors import audit_event_filter_for
from .services import audit_record


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose additions, changes and deletions are written to the audit log in the same
    transaction as the change itself (the admin wraps each write in one)."""

    def save_model(self, request: HttpRequest, obj: Model, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            object_type=obj._meta.label_lower,
            object_id=obj.pk,
            object_repr=str(obj),
            details={"via": "admin", "changed": list(form.changed_data)},
        )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        audit_record(
            actor=request.user,
            action=AuditAction.DELETE,
            object_type=obj._meta.label_lower,
            object_id=obj.pk,
            object_repr=str(obj),
            details={"via": "admin"},
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    # Scoped like the API search: a reader sees the events of its own territory only.
    territory_scoped = True
    list_display = [
        "at",
        "actor_username",
        "actor_role",
        "action",
        "object_type",
        "object_id",
        "purpose",
        "ip_address",
    ]
    list_filter = ["action", "object_type", "actor_role"]
    search_fields = ["actor_username", "object_id", "object_repr", "purpose"]
    date_hierarchy = "at"
    readonly_fields = [field.name for field in AuditEvent._meta.fields]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        user: Any = request.user
        return bool(user.is_active and user.is_staff and getattr(user, "role", None) in AUDIT_READERS)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}

    # Reading the log is itself logged, as through the API: oversight of the overseers.
    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(audit_event_filter_for(request.user))

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        response = super().changelist_view(request, extra_context)
        if getattr(response, "status_code", None) == 200:
            audit_record(
                actor=request.user,
                action=AuditAction.LIST,
                object_type="audit.auditevent",
                details={"via": "admin", "filters": dict(request.GET.items())},
            )
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        response = super().change_view(request, object_id, form_url, extra_context)
        if getattr(response, "status_code", None) == 200:
            audit_record(
                actor=request.user,
                action=AuditAction.READ,
                object_type="audit.auditevent",
                object_id=object_id,
                details={"via": "admin"},
            )
        return response

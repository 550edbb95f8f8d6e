"""Accounts in the admin, with role and territorial scope. Changes are audited like every other write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from mahalla.audit.admin import AuditedModelAdmin
from mahalla.core.errors import ApplicationError

from .models import LoginFailure, User
from .services import user_scope_validate


class UserScopeForm(UserChangeForm):
    """The admin's change form checks role and scope with the same rule as the account services, so that
    the admin cannot store an account that would silently see nothing (or a district in the wrong region)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        try:
            user_scope_validate(
                role=cleaned.get("role", ""),
                scope_level=cleaned.get("scope_level", ""),
                scope_region=cleaned.get("scope_region"),
                scope_district=cleaned.get("scope_district"),
                scope_mahallas=list(cleaned.get("scope_mahallas") or []),
            )
        except ApplicationError as error:
            field = error.extra.get("field")
            if field in self.fields:
                self.add_error(field, error.message)
            else:
                raise forms.ValidationError(error.message) from error
        return cleaned


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    form = UserScopeForm
    list_display = ["username", "first_name", "last_name", "role", "scope_level", "is_active", "last_login"]
    list_filter = ["role", "scope_level", "is_active", "is_staff"]
    autocomplete_fields = ["scope_region", "scope_district", "scope_mahallas"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (
            _("Role and territory"),
            {"fields": ("role", "scope_level", "scope_region", "scope_district", "scope_mahallas")},
        ),
        (_("Work"), {"fields": ("position", "organisation", "preferred_language")}),
    )


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "ip_address"]
    search_fields = ["username", "ip_address"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

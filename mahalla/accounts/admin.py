"""Accounts in the admin, with role and territorial scope. Changes are audited like every other write."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from mahalla.audit.admin import AuditedModelAdmin

from .models import LoginFailure, User


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
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

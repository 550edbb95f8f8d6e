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
from mahalla.core.admin_site import admin_site_user
from mahalla.core.errors import ApplicationError
from mahalla.core.roles import Role

from .models import LoginFailure, User
from .selectors import user_manageable_filter
from .services import USERNAME_PATTERN, scope_within_actor, user_scope_validate

# Fields that grant power beyond a role and a scope: only a country-wide superuser administrator sets them.
PRIVILEGE_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


def account_manager(user: Any) -> bool:
    return admin_site_user(user) and user.role == Role.ADMINISTRATOR


def privilege_granter(user: Any) -> bool:
    return account_manager(user) and user.is_superuser and user.scope_level == "country"


class UserScopeForm(UserChangeForm):
    """The admin's change form checks role and scope with the same rule as the account services, so that
    the admin cannot store an account that would silently see nothing (or a district in the wrong region)."""

    actor: Any = None  # the administrator editing, set by UserAdmin.get_form

    def clean_username(self) -> str:
        username = str(self.cleaned_data.get("username", ""))
        if not USERNAME_PATTERN.fullmatch(username):
            raise forms.ValidationError(_("Use Latin letters, digits and . _ - @ + only."))
        return username

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        scope = {
            "scope_level": cleaned.get("scope_level", ""),
            "scope_region": cleaned.get("scope_region"),
            "scope_district": cleaned.get("scope_district"),
            "scope_mahallas": list(cleaned.get("scope_mahallas") or []),
        }
        try:
            user_scope_validate(role=cleaned.get("role", ""), **scope)
        except ApplicationError as error:
            field = error.extra.get("field")
            if field in self.fields:
                self.add_error(field, error.message)
            else:
                raise forms.ValidationError(error.message) from error
            return cleaned
        # The same rule as the account services: an administrator places accounts inside its own scope
        # only, and does not change its own role or scope.
        actor = self.actor
        if actor is not None and self.instance.pk == actor.pk:
            if cleaned.get("role") != actor.role or scope["scope_level"] != actor.scope_level:
                raise forms.ValidationError(_("You cannot change your own role or scope."))
        if actor is not None and not scope_within_actor(actor, **scope):
            raise forms.ValidationError(_("This scope is outside your territory."))
        return cleaned


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    """Accounts inside the administrator's own territory only, like the account API: the list, every
    page of an account and every change are scoped; privileges beyond role and scope are read-only
    except for a country-wide superuser."""

    territory_scoped = True
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
        (_("Single sign-on"), {"fields": ("sign_on_subject",)}),
    )

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).filter(user_manageable_filter(request.user))

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if not privilege_granter(request.user):
            fields += [name for name in PRIVILEGE_FIELDS if name not in fields]
        return fields

    def has_module_permission(self, request: HttpRequest) -> bool:
        return account_manager(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return account_manager(request.user) and self._within(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return account_manager(request.user) and self._within(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return account_manager(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Accounts are deactivated, never deleted: audit rows point at them.
        return False

    def _within(self, request: HttpRequest, obj: Any) -> bool:
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "ip_address"]
    search_fields = ["username", "ip_address"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

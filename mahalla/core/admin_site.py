"""The admin site under the same rules as the rest of the platform.

Django's admin decides by ``is_staff`` and Django permissions, which know nothing of roles and territories:
a regional administrator holding ``change_user`` could move accounts of another region or make itself a
superuser. Here:

- only active staff accounts whose role is administrator or prosecutor enter the admin at all;
- every model admin is for **country-wide administrators only** (reference data is national), unless it
  declares ``territory_scoped = True`` and scopes its own querysets and permissions (the account admin and
  the audit log do); a model admin added later by any app is therefore closed by default;
- Django's groups and token admins are not offered (roles replace groups; tokens are managed through the
  API).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest

from .roles import Role, ScopeLevel

ADMIN_SITE_ROLES = frozenset({Role.ADMINISTRATOR, Role.PROSECUTOR})
_PERMISSIONS = (
    "has_view_permission",
    "has_add_permission",
    "has_change_permission",
    "has_delete_permission",
    "has_module_permission",
)


def admin_site_user(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and getattr(user, "role", None) in ADMIN_SITE_ROLES
    )


def country_administrator(user: Any) -> bool:
    return bool(
        admin_site_user(user)
        and user.role == Role.ADMINISTRATOR
        and user.scope_level == ScopeLevel.COUNTRY
        and user.scope_region_id is None
        and user.scope_district_id is None
    )


def _country_only(model_admin: admin.ModelAdmin) -> None:
    for name in _PERMISSIONS:
        original = getattr(model_admin, name)

        def gated(request: HttpRequest, *args: Any, _original: Any = original, **kwargs: Any) -> bool:
            return country_administrator(request.user) and bool(_original(request, *args, **kwargs))

        setattr(model_admin, name, gated)


class MahallaAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return admin_site_user(request.user)

    def get_urls(self) -> list[Any]:
        # Called once the URL configuration is loaded, after every app registered its model admins.
        self._close_unscoped_model_admins()
        return super().get_urls()

    def _close_unscoped_model_admins(self) -> None:
        from django.contrib.auth.models import Group
        from rest_framework.authtoken.models import TokenProxy

        for model in (Group, TokenProxy):
            if self.is_registered(model):
                self.unregister(model)
        for model_admin in self._registry.values():
            if getattr(model_admin, "territory_scoped", False) or getattr(
                model_admin, "_country_only", False
            ):
                continue
            _country_only(model_admin)
            model_admin._country_only = True  # type: ignore[attr-defined]


class MahallaAdminConfig(AdminConfig):
    default_site = "mahalla.core.admin_site.MahallaAdminSite"

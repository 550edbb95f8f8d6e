from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from mahalla.core.roles import Role, ScopeLevel


class User(AbstractUser):
    """A person using the platform: one role and one territorial scope. The scope is what every selector
    filters by; an account whose scope is incomplete sees nothing (fail-closed)."""

    role = models.CharField(_("role"), max_length=40, choices=Role.choices)
    scope_level = models.CharField(_("scope"), max_length=12, choices=ScopeLevel.choices)
    scope_region = models.ForeignKey(
        "territory.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scope_district = models.ForeignKey(
        "territory.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scope_mahallas = models.ManyToManyField("territory.Mahalla", blank=True, related_name="+")
    position = models.CharField(_("position"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    preferred_language = models.CharField(_("language"), max_length=8, blank=True)
    # The identity provider's stable subject (claim "sub") of the person; single sign-on matches on it
    # only: a username is something some providers let people choose.
    sign_on_subject = models.CharField(
        _("single sign-on subject"), max_length=255, unique=True, null=True, blank=True
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="region_scope_names_a_region",
                condition=~models.Q(scope_level=ScopeLevel.REGION) | models.Q(scope_region__isnull=False),
            ),
            models.CheckConstraint(
                name="district_scope_names_a_district",
                condition=~models.Q(scope_level=ScopeLevel.DISTRICT) | models.Q(scope_district__isnull=False),
            ),
        ]


class LoginFailure(models.Model):
    """Failed sign-ins, counted per username and per address for the lock-out."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.ip_address or ''}".rstrip()

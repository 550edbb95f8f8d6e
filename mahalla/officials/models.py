"""Responsible officials named to challenging mahallas (DOMAIN.md section 5): the people, the rules that
propose them as data, their conflicts of interest and the assignments with their full history.

An assignment is never deleted: confirming, changing (handing over to another official) and ending change
its status, and a change points to the assignment that replaced it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OfficialLevel(models.TextChoices):
    COUNTRY = "country", _("Country (national institution)")
    REGION = "region", _("Region")
    DISTRICT = "district", _("District")
    MAHALLA = "mahalla", _("Mahalla")


class Official(models.Model):
    """A person of the programme, by name and position (docs/import-formats.md, "Officials")."""

    external_id = models.CharField(_("identifier"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position code"), max_length=60, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200)
    level = models.CharField(_("level"), max_length=10, choices=OfficialLevel.choices)
    region = models.ForeignKey(
        "territory.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "territory.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mahalla = models.ForeignKey(
        "territory.Mahalla", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    active = models.BooleanField(_("active"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="official",
        verbose_name=_("account"),
    )
    # Overrides the rules' workload limit for this person (e.g. a deputy who carries more, or less).
    max_assignments = models.PositiveSmallIntegerField(_("workload limit"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "external_id"]
        verbose_name = _("official")
        verbose_name_plural = _("officials")
        constraints = [
            models.CheckConstraint(
                name="official_region_level_names_region",
                condition=~Q(level="region") | Q(region__isnull=False),
            ),
            models.CheckConstraint(
                name="official_district_level_names_district",
                condition=~Q(level="district") | Q(district__isnull=False),
            ),
            models.CheckConstraint(
                name="official_mahalla_level_names_mahalla",
                condition=~Q(level="mahalla") | Q(mahalla__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["level", "position"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.title})"


class ConflictOfInterest(models.Model):
    """A mahalla an official may not answer for: they live there, or declared a conflict (family,
    business)."""

    class Kind(models.TextChoices):
        RESIDENCE = "residence", _("Lives in the mahalla")
        DECLARED = "declared", _("Declared conflict of interest")

    official = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="conflicts")
    mahalla = models.ForeignKey("territory.Mahalla", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(fields=["official", "mahalla", "kind"], name="conflict_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.official_id} / {self.mahalla_id} ({self.kind})"


class AssignmentRuleConfig(models.Model):
    """One assignment rule of DOMAIN.md section 5, as data an administrator can tune in the admin.

    ``kind`` says what selects the targets; the numbers say how many and how urgent. Defaults are loaded by
    this app's data migration (mahalla/officials/rules.py)."""

    class Kind(models.TextChoices):
        GRAVE = "grave", _("Grave (red) mahallas")
        RED_STREAK = "red_streak", _("Red several years in a row")
        WORST_DISTRICT = "worst_district", _("Worst districts of a region")
        SHARE = "share", _("Highest share of an offence feature")

    class Target(models.TextChoices):
        MAHALLA = "mahalla", _("Mahalla")
        DISTRICT = "district", _("District")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    target = models.CharField(_("target"), max_length=10, choices=Target.choices, default=Target.MAHALLA)
    # Position codes (docs/import-formats.md) in order of preference, and the level they are held at.
    positions = models.JSONField(_("positions"), default=list)
    official_level = models.CharField(
        _("level of the officials"), max_length=10, choices=OfficialLevel.choices
    )
    # red_streak: years red in a row (>=). Also used as the lower bound by longer streaks' rules.
    min_streak_years = models.PositiveSmallIntegerField(_("red years in a row"), default=0)
    # worst_district / share: how many per region; share: the offence flags counted and the minimum number
    # of offences in the year for a share to count (1 of 1 is not "the highest share").
    top_per_region = models.PositiveSmallIntegerField(_("top per region"), default=0)
    share_flags = models.JSONField(_("offence flags"), default=list, blank=True)
    min_offences = models.PositiveSmallIntegerField(_("minimum offences"), default=0)
    base_priority = models.FloatField(_("priority"), default=1.0)
    max_per_official = models.PositiveSmallIntegerField(_("workload limit per official"), default=5)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-base_priority", "code"]
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """An official answering for a mahalla (or a district) for a year, and why."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        CHANGED = "changed", _("Changed (handed over)")
        ENDED = "ended", _("Ended")

    ACTIVE = (Status.PROPOSED, Status.CONFIRMED)

    official = models.ForeignKey(Official, on_delete=models.PROTECT, related_name="assignments")
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    rule = models.ForeignKey(AssignmentRuleConfig, on_delete=models.PROTECT, related_name="assignments")
    target = models.CharField(max_length=10, choices=AssignmentRuleConfig.Target.choices)
    mahalla = models.ForeignKey(
        "territory.Mahalla", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Always set (the mahalla's own for a mahalla target): scoping needs no join.
    district = models.ForeignKey("territory.District", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("territory.Region", on_delete=models.PROTECT, related_name="+")
    # "m<id>" or "d<id>": one active assignment per rule, year and target (NULL mahallas would not collide).
    target_key = models.CharField(max_length=24)
    reason = models.TextField(_("reason"))
    reason_detail = models.JSONField(default=dict)
    priority = models.FloatField(default=0.0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(_("why it ended"), blank=True)
    replaced_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaces"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "region_id", "district_id", "-priority", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "rule", "target_key"],
                condition=Q(status__in=["proposed", "confirmed"]),
                name="one_active_assignment_per_rule_year_target",
            ),
            models.CheckConstraint(
                name="mahalla_target_names_mahalla",
                condition=~Q(target="mahalla") | Q(mahalla__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["year", "status", "district"]),
            models.Index(fields=["official", "year", "status"]),
            models.Index(fields=["mahalla", "year"]),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.rule_id} {self.target_key} -> {self.official_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

"""Roadmaps of prevention measures for a region, district or mahalla, their measures with evidence and
comments, the alerts raised when a measure is overdue, and the measured effect of completed work.

A roadmap records its region, district and mahalla (the levels above its own filled, the levels below
empty) so that the one territorial filter (territory.access) scopes it without joins: a district chief sees
the roadmaps of the district and of its mahallas, never the region's, which plan for other districts too.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TerritoryLevel(models.TextChoices):
    REGION = "region", _("Region")
    DISTRICT = "district", _("District")
    MAHALLA = "mahalla", _("Mahalla")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


class Roadmap(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    class Source(models.TextChoices):
        TEMPLATE = "template", _("From a template")
        EXPLANATION = "explanation", _("From the mahalla's explanation")

    level = models.CharField(_("level"), max_length=10, choices=TerritoryLevel.choices)
    region = models.ForeignKey("territory.Region", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(
        "territory.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mahalla = models.ForeignKey(
        "territory.Mahalla", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.TEMPLATE)
    # The templates (problem keys) the measures came from, and for a roadmap built from an explanation the
    # factors that were read, so that the reason for every measure stays visible.
    template_keys = models.JSONField(default=list)
    reasons = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "id"]
        verbose_name = _("roadmap")
        verbose_name_plural = _("roadmaps")
        indexes = [models.Index(fields=["district", "period_start"]), models.Index(fields=["region"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.period_start})"

    @property
    def territory_code(self) -> str:
        territory = self.mahalla or self.district or self.region
        return territory.code

    @property
    def period_end(self) -> dt.date:
        """The last day of the period."""
        months = 1 if self.period_kind == PeriodKind.MONTH else 3
        year = self.period_start.year + (self.period_start.month - 1 + months) // 12
        month = (self.period_start.month - 1 + months) % 12 + 1
        return dt.date(year, month, 1) - dt.timedelta(days=1)


class MeasureKind(models.TextChoices):
    AWARENESS = "awareness", _("Awareness and outreach")
    SOCIAL_WORK = "social_work", _("Individual social work")
    YOUTH_WORK = "youth_work", _("Youth engagement")
    PATROL = "patrol", _("Patrols and visits")
    INSPECTION = "inspection", _("Inspection")
    INFRASTRUCTURE = "infrastructure", _("Lighting, CCTV and other works")
    COORDINATION = "coordination", _("Coordination meeting")
    OTHER = "other", _("Other")


class Measure(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="measures")
    title = models.CharField(_("title"), max_length=300)
    problem_key = models.CharField(_("problem"), max_length=40, blank=True)
    template_measure_key = models.CharField(max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=MeasureKind.choices, default=MeasureKind.OTHER)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_measures",
        verbose_name=_("owner"),
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    target_mahallas = models.ManyToManyField("territory.Mahalla", related_name="+", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: dt.date) -> bool:
        return self.status in (self.Status.PLANNED, self.Status.IN_PROGRESS) and self.deadline < today


class MeasureEvidence(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        DOCUMENT = "document", _("Document")

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="roadmaps/evidence/%Y/%m/", max_length=255)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name


class MeasureComment(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class MeasureAlert(models.Model):
    """A measure past its deadline and not done: one alert per measure and deadline, addressed to the
    owner and the chief of the roadmap's territory. (analytics.Alert is keyed by a mahalla and a date of
    the daily run and has no addressee, while a region or district roadmap has no mahalla.)"""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="alerts")
    # Denormalised from the roadmap for the territorial filter.
    region = models.ForeignKey("territory.Region", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(
        "territory.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mahalla = models.ForeignKey(
        "territory.Mahalla", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField()
    raised_on = models.DateField()
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="measure_alerts")
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-raised_on", "id"]
        verbose_name = _("overdue measure alert")
        verbose_name_plural = _("overdue measure alerts")
        constraints = [
            models.UniqueConstraint(fields=["measure", "deadline"], name="measure_alert_once_per_deadline")
        ]

    def __str__(self) -> str:
        return f"overdue {self.measure_id} since {self.deadline}"


class EffectEstimate(models.Model):
    """The engine's matched difference-in-differences for a completed measure or a roadmap."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="effects")
    measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.CASCADE, related_name="effects"
    )
    region = models.ForeignKey("territory.Region", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(
        "territory.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mahalla = models.ForeignKey(
        "territory.Mahalla", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    intervention_date = models.DateField()
    period = models.CharField(max_length=10)
    parameters = models.JSONField(default=dict)
    effect = models.FloatField()
    relative_effect = models.FloatField()
    ci_low = models.FloatField()
    ci_high = models.FloatField()
    relative_ci_low = models.FloatField()
    relative_ci_high = models.FloatField()
    p_value = models.FloatField()
    significant = models.BooleanField()
    n_treated = models.PositiveIntegerField()
    n_controls = models.PositiveIntegerField()
    treated_pre = models.FloatField()
    treated_post = models.FloatField()
    counterfactual = models.FloatField()
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-computed_at", "-id"]

    def __str__(self) -> str:
        return f"effect of roadmap {self.roadmap_id}: {self.relative_effect:+.2f} (p={self.p_value:.3f})"

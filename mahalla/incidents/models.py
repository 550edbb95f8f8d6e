"""Offences (crimes and administrative offences), the article -> category table and the cause taxonomy."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CodeKind(models.TextChoices):
    CRIMINAL = "criminal", _("Criminal Code")
    ADMINISTRATIVE = "administrative", _("Code of Administrative Responsibility")


class OffenceCategory(models.Model):
    """IT/cyber, fraud, theft, drugs, domestic violence, violent, hooliganism, other, ... as data."""

    code = models.CharField(max_length=30, unique=True)
    name_en = models.CharField(max_length=100)
    name_uz = models.CharField(max_length=100)
    name_ru = models.CharField(max_length=100)
    # Weight in the mahalla classification's severity score (see mahalla.engine.classification).
    severity = models.FloatField(default=1.0)
    ordering = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["ordering", "code"]
        verbose_name = _("offence category")
        verbose_name_plural = _("offence categories")

    def __str__(self) -> str:
        return self.name_en


class ArticleCategoryRule(models.Model):
    """Which category an article of a code belongs to, for offences that occurred in [valid_from, valid_to).

    A rule with a condition (e.g. `computer_means`) applies only when the offence has that flag; it takes
    precedence over the unconditional rule of the same article. Drug articles may be renumbered: a new row
    with new dates, never an edit of code."""

    class Condition(models.TextChoices):
        NONE = "", _("always")
        COMPUTER_MEANS = "computer_means", _("committed by computer means or with a bank card")

    code_kind = models.CharField(max_length=20, choices=CodeKind.choices)
    article = models.CharField(max_length=20)
    condition = models.CharField(max_length=30, choices=Condition.choices, blank=True, default="")
    category = models.ForeignKey(OffenceCategory, on_delete=models.PROTECT, related_name="rules")
    title_en = models.CharField(max_length=200, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    verified = models.BooleanField(default=False, help_text=_("checked against the published code"))

    class Meta:
        ordering = ["code_kind", "article", "condition", "valid_from"]
        verbose_name = _("article to category rule")
        verbose_name_plural = _("article to category rules")

    def __str__(self) -> str:
        return f"{self.code_kind} {self.article} {self.condition} -> {self.category.code}"


class CauseCode(models.Model):
    """Taxonomy of the causes and conditions of offences (several per offence)."""

    code = models.CharField(max_length=40, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name_en = models.CharField(max_length=200)
    name_uz = models.CharField(max_length=200)
    name_ru = models.CharField(max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("cause")
        verbose_name_plural = _("causes")

    def __str__(self) -> str:
        return f"{self.code} {self.name_en}"


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=20)
    file_name = models.CharField(max_length=300)
    file_sha256 = models.CharField(max_length=64)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    rows_read = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.status})"


class PlaceType(models.TextChoices):
    HOME = "home", _("Home")
    STREET = "street", _("Street")
    PUBLIC_PLACE = "public_place", _("Public place")
    ONLINE = "online", _("Online")
    SHOP = "shop", _("Shop or market")
    WORKPLACE = "workplace", _("Workplace")
    TRANSPORT = "transport", _("Transport")
    EDUCATION = "education", _("School or college")
    OTHER = "other", _("Other")


class CyberMethod(models.TextChoices):
    """How a cyber fraud was done (DOMAIN.md section 8)."""

    MALICIOUS_LINK = "malicious_link", _("Malicious link or APK")
    SMS_CODE = "sms_code", _("SMS code obtained by deception")
    MARKETPLACE = "marketplace", _("Marketplace fraud")
    INVESTMENT = "investment", _("Fake investment or exchange")
    LOAN = "loan", _("Loan in the victim's name")
    OTHER = "other", _("Other")


class OffenceStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    INVESTIGATION = "investigation", _("Under investigation")
    COURT = "court", _("Sent to court")
    CLOSED = "closed", _("Closed")
    SUSPENDED = "suspended", _("Suspended")


class Offence(models.Model):
    source_system = models.CharField(max_length=40)
    registration_number = models.CharField(max_length=64)
    code_kind = models.CharField(max_length=20, choices=CodeKind.choices)
    article = models.CharField(max_length=20)
    article_part = models.CharField(max_length=20, blank=True)
    # No index of its own for the four foreign keys that lead a (key, occurred_at) index below: that index
    # serves every look-up by the key alone, and each index of its own cost a million-row import about 0.6 s.
    category = models.ForeignKey(
        OffenceCategory, on_delete=models.PROTECT, related_name="offences", db_index=False
    )
    occurred_at = models.DateTimeField(db_index=True)
    registered_at = models.DateTimeField()
    mahalla = models.ForeignKey(
        "territory.Mahalla", on_delete=models.PROTECT, related_name="offences", db_index=False
    )
    # Denormalised from the mahalla so that territorial scoping and aggregation need no join.
    district = models.ForeignKey(
        "territory.District", on_delete=models.PROTECT, related_name="offences", db_index=False
    )
    region = models.ForeignKey(
        "territory.Region", on_delete=models.PROTECT, related_name="offences", db_index=False
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    place_type = models.CharField(max_length=20, choices=PlaceType.choices, default=PlaceType.OTHER)
    computer_means = models.BooleanField(default=False)
    bank_card = models.BooleanField(default=False)
    cyber_method = models.CharField(max_length=20, choices=CyberMethod.choices, blank=True)
    involves_minor = models.BooleanField(default=False)
    involves_youth = models.BooleanField(default=False)
    involves_woman = models.BooleanField(default=False)
    family_relation = models.BooleanField(default=False)
    under_alcohol = models.BooleanField(default=False)
    under_drugs = models.BooleanField(default=False)
    repeat_offender = models.BooleanField(default=False)
    # Pseudonymous keys from the source system: they join repeat victims and offenders without names.
    victim_ref = models.CharField(max_length=64, blank=True, db_index=True)
    offender_ref = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=20, choices=OffenceStatus.choices, default=OffenceStatus.REGISTERED)
    solved = models.BooleanField(default=False)
    causes = models.ManyToManyField(CauseCode, through="OffenceCause", related_name="offences", blank=True)
    import_batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = _("offence")
        verbose_name_plural = _("offences")
        constraints = [
            models.UniqueConstraint(
                fields=["source_system", "registration_number"], name="offence_unique_per_source"
            )
        ]
        indexes = [
            models.Index(fields=["district", "occurred_at"]),
            models.Index(fields=["region", "occurred_at"]),
            models.Index(fields=["mahalla", "occurred_at"]),
            models.Index(fields=["category", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.source_system}:{self.registration_number}"


class OffenceCause(models.Model):
    offence = models.ForeignKey(Offence, on_delete=models.CASCADE)
    cause = models.ForeignKey(CauseCode, on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["offence", "cause"], name="offence_cause_once")]

    def __str__(self) -> str:
        return f"{self.offence_id} {self.cause_id}"

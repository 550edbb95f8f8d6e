"""Cybercrime reports, their indicators, the campaigns that link them, the blocking requests sent to banks and
platforms, the classifier's versions and the awareness bulletins.

A report records its region, district and mahalla (the victim's) so that the one territorial filter scopes it
without joins. Its texts are stored with every card number masked (indicators.redact_cards); a card indicator
keeps only the masked form for display and a keyed hash for matching.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    TELEGRAM = "telegram", _("Telegram")
    SMS = "sms", _("SMS")
    CALL = "call", _("Phone call")
    MARKETPLACE = "marketplace", _("Marketplace")
    WEBSITE = "website", _("Website")
    APP = "app", _("Mobile app")
    OTHER = "other", _("Other")


class Method(models.TextChoices):
    MALICIOUS_LINK = "malicious_link", _("Malicious link or APK file")
    SMS_CODE = "sms_code", _("SMS code obtained by deception")
    MARKETPLACE = "marketplace", _("Marketplace fraud")
    INVESTMENT = "investment", _("Fake investment or exchange")
    LOAN = "loan", _("Loan taken in the victim's name")
    OTHER = "other", _("Other")


class Source(models.TextChoices):
    PUBLIC = "public", _("Public form")
    OFFICER = "officer", _("Officer intake")
    BANK = "bank", _("Bank")
    LINE_102 = "line_102", _("102 line")
    IMPORT = "import", _("Other import")


class AgeGroup(models.TextChoices):
    UNDER_18 = "under_18", _("Under 18")
    AGE_18_29 = "18_29", _("18-29")
    AGE_30_44 = "30_44", _("30-44")
    AGE_45_59 = "45_59", _("45-59")
    AGE_60_PLUS = "60_plus", _("60 and over")
    UNKNOWN = "", _("Not given")


class Processing(models.TextChoices):
    PENDING = "pending", _("Being processed")
    DONE = "done", _("Processed")
    FAILED = "failed", _("Processing failed")


class CyberReport(models.Model):
    reference = models.CharField(_("reference number"), max_length=20, unique=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    source_name = models.CharField(_("reporting organisation"), max_length=80, blank=True)
    external_id = models.CharField(_("number in the source system"), max_length=64, blank=True)
    narrative = models.TextField(_("what happened"))
    message_text = models.TextField(_("message received"), blank=True)
    occurred_at = models.DateTimeField(_("when it happened"))
    reported_at = models.DateTimeField(_("reported at"), db_index=True)
    loss_amount = models.DecimalField(_("loss"), max_digits=16, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3, default="UZS")
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    region = models.ForeignKey("territory.Region", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("territory.District", on_delete=models.PROTECT, related_name="+")
    mahalla = models.ForeignKey("territory.Mahalla", on_delete=models.PROTECT, related_name="+")
    victim_age_group = models.CharField(
        _("victim's age group"), max_length=10, choices=AgeGroup.choices, blank=True, default=""
    )
    # Contact details of the victim, for the officer who follows up: person-level data, reads are audited.
    victim_name = models.CharField(_("victim's name"), max_length=200, blank=True)
    victim_contact = models.CharField(_("victim's contact"), max_length=100, blank=True)
    offence = models.ForeignKey(
        "incidents.Offence", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    method = models.CharField(_("method"), max_length=16, choices=Method.choices, blank=True, db_index=True)
    method_probability = models.FloatField(_("probability"), null=True, blank=True)
    method_words = models.JSONField(_("deciding words"), default=list, blank=True)
    method_model_version = models.CharField(max_length=40, blank=True)
    # An officer's correction: kept apart from the model's guess, and fed to the next training.
    method_corrected = models.CharField(
        _("method (officer)"), max_length=16, choices=Method.choices, blank=True
    )
    method_corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # A public or officer report is stored at once and processed (indicators, method, campaign) by a queued
    # task after the commit, so that the form answers quickly; a failure stays visible and the daily job
    # queues it again. The card indicators are taken before the text is redacted (the clear number is never
    # stored, not even in the queue): their masked form and keyed hash wait here for the task.
    processing = models.CharField(
        _("processing"), max_length=8, choices=Processing.choices, default=Processing.DONE, db_index=True
    )
    processing_attempts = models.PositiveSmallIntegerField(default=0)
    processing_error = models.CharField(max_length=500, blank=True)
    card_indicators = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("cybercrime report")
        verbose_name_plural = _("cybercrime reports")
        indexes = [
            models.Index(fields=["district", "reported_at"]),
            models.Index(fields=["region", "reported_at"]),
            models.Index(fields=["mahalla", "reported_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(loss_amount__gte=0), name="cyber_report_loss_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def method_final(self) -> str:
        return self.method_corrected or self.method


class ReportAttachment(models.Model):
    report = models.ForeignKey(CyberReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="cyber/attachments/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=200, blank=True)
    # Text read off the screenshot by the officer; indicators are extracted from it as from the report.
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("attachment")

    def __str__(self) -> str:
        return self.original_name or f"attachment {self.pk}"


class Indicator(models.Model):
    kind = models.CharField(_("kind"), max_length=10)
    # The normalised value that joins reports; for a card the keyed hash, never the number.
    value = models.CharField(_("value"), max_length=300)
    display = models.CharField(_("shown as"), max_length=300)
    details = models.JSONField(default=dict, blank=True)
    warning = models.BooleanField(_("on the warning list"), default=False)
    first_seen = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("indicator")
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="cyber_indicator_unique")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.display}"


class ReportIndicator(models.Model):
    report = models.ForeignKey(CyberReport, on_delete=models.CASCADE, related_name="indicator_links")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="report_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="cyber_report_indicator_unique")
        ]

    def __str__(self) -> str:
        return f"{self.report_id} - {self.indicator_id}"


class ReportTextBand(models.Model):
    """The MinHash band keys of a report's received message: reports sharing a key are text-similar
    candidates, so that a new report finds its template's campaign with one indexed query."""

    report = models.ForeignKey(CyberReport, on_delete=models.CASCADE, related_name="text_bands")
    band_key = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return str(self.band_key)


class Campaign(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        CLOSED = "closed", _("Closed")

    code = models.CharField(_("code"), max_length=20, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    size = models.PositiveIntegerField(_("reports"), default=0)
    size_30_days_ago = models.PositiveIntegerField(default=0)
    total_loss = models.DecimalField(_("total loss"), max_digits=20, decimal_places=2, default=0)
    first_seen = models.DateTimeField(null=True, blank=True)
    last_seen = models.DateTimeField(null=True, blank=True)
    main_method = models.CharField(max_length=16, choices=Method.choices, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("campaign")

    def __str__(self) -> str:
        return self.code


class CampaignMember(models.Model):
    report = models.OneToOneField(CyberReport, on_delete=models.CASCADE, related_name="campaign_member")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members")
    # Why the report is in the campaign: the strongest link found ("card 860012******9012", "text").
    reason = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.report_id}"


class LinkDecision(models.Model):
    """An analyst's decision on a link between two reports, re-applied at every rebuild."""

    class Decision(models.TextChoices):
        CONFIRM = "confirm", _("Confirmed link")
        SPLIT = "split", _("Split: not the same campaign")

    report_a = models.ForeignKey(CyberReport, on_delete=models.CASCADE, related_name="+")
    report_b = models.ForeignKey(CyberReport, on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.CharField(max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.decision} {self.report_a_id}-{self.report_b_id}"


class Organisation(models.Model):
    """A bank, platform or operator that receives blocking requests. Its API token is stored as a hash."""

    class Kind(models.TextChoices):
        BANK = "bank", _("Bank")
        PLATFORM = "platform", _("Platform")
        TELECOM = "telecom", _("Mobile operator")
        REGISTRAR = "registrar", _("Domain registrar")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Which indicator kinds it blocks (card for a bank, phone for an operator, handle for Telegram...).
    indicator_kinds = models.JSONField(default=list)
    # For a bank: the card schemes it issues (cards of those schemes go to it).
    card_schemes = models.JSONField(default=list, blank=True)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = _("organisation")

    def __str__(self) -> str:
        return self.name


class BlockRequest(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        BLOCKED = "blocked", _("Blocked")
        REJECTED = "rejected", _("Rejected")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="block_requests")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="block_requests")
    campaign = models.ForeignKey(Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    evidence = models.ManyToManyField(CyberReport, related_name="block_requests")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED)
    first_reported_at = models.DateTimeField(_("first reported"))
    requested_at = models.DateTimeField(_("requested at"))
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("blocked or rejected at"), null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("blocking request")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "indicator"], name="cyber_block_request_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.indicator_id} ({self.status})"

    @property
    def hours_to_block(self) -> float | None:
        if self.status != self.Status.BLOCKED or self.closed_at is None:
            return None
        return (self.closed_at - self.first_reported_at).total_seconds() / 3600


class ClassifierVersion(models.Model):
    version = models.CharField(max_length=40, unique=True)
    trained_at = models.DateTimeField()
    path = models.CharField(max_length=300)
    metrics = models.JSONField(default=dict)
    training_rows = models.PositiveIntegerField(default=0)
    corrections_used = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.version


class PublicSubmissionAttempt(models.Model):
    """One public form submission (accepted or not) by a keyed hash of the client address: the rate limit
    is counted in the database, which every server process shares; the address itself is not kept."""

    address_hash = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.at.isoformat()


class Bulletin(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        DELIVERED = "delivered", _("Delivered")

    mahalla = models.ForeignKey("territory.Mahalla", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("territory.District", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("territory.Region", on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=16, choices=Method.choices)
    age_group = models.CharField(max_length=10, choices=AgeGroup.choices, blank=True)
    victims = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    delivery_note = models.CharField(max_length=500, blank=True)
    effect = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.mahalla_id} {self.method}"


# --- reference data (edited in the admin by country administrators; loaded from reference/*.csv) ---------


class CardRange(models.Model):
    """A range of card number prefixes (the first six digits) and its payment scheme: a 16-digit number
    that passes Luhn is taken for a card only when its prefix is in a range (the BIN table)."""

    prefix_from = models.PositiveIntegerField(_("first prefix"), help_text=_("first six digits, e.g. 860000"))
    prefix_to = models.PositiveIntegerField(_("last prefix"), help_text=_("first six digits, e.g. 860099"))
    scheme = models.CharField(_("scheme"), max_length=40)
    country = models.CharField(_("country"), max_length=2, blank=True)
    verified = models.BooleanField(_("verified by the scheme"), default=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("card prefix range")
        verbose_name_plural = _("card prefix ranges (BIN table)")
        ordering = ["prefix_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    prefix_from__gte=100000, prefix_to__lte=999999, prefix_from__lte=F("prefix_to")
                ),
                name="cyber_cardrange_six_digits_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix_from}-{self.prefix_to} {self.scheme}"

    def clean(self) -> None:
        errors = {}
        for name in ("prefix_from", "prefix_to"):
            value = getattr(self, name)
            if value is not None and not 100000 <= value <= 999999:
                errors[name] = _("A prefix is six digits (100000 to 999999).")
        if not errors and self.prefix_from is not None and self.prefix_to is not None:
            if self.prefix_from > self.prefix_to:
                errors["prefix_to"] = _("The last prefix must not be below the first.")
        if errors:
            raise ValidationError(errors)


class ProtectedBrand(models.Model):
    """A bank, payment app, marketplace or portal whose look-alike domains are flagged."""

    brand = models.CharField(_("brand"), max_length=80)
    domain = models.CharField(_("genuine domain"), max_length=253, unique=True)
    kind = models.CharField(_("kind"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("protected brand")
        ordering = ["brand", "domain"]

    def __str__(self) -> str:
        return f"{self.brand} ({self.domain})"

    def clean(self) -> None:
        self.domain = (self.domain or "").strip().lower().rstrip(".")
        if not _DOMAIN.fullmatch(self.domain):
            raise ValidationError({"domain": _("Enter a domain name such as payme.uz.")})


class WarningListEntry(models.Model):
    """A benign value (a bank's hotline, t.me itself) that never links reports."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone number")
        DOMAIN = "domain", _("Domain")
        URL = "url", _("Link")
        HANDLE = "handle", _("Telegram handle")
        WALLET = "wallet", _("Wallet")
        APK = "apk", _("APK file")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=300)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("warning list entry")
        verbose_name_plural = _("warning list")
        ordering = ["kind", "value"]
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="cyber_warning_kind_value")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.value}"

    def clean(self) -> None:
        self.value = (self.value or "").strip().lower()
        if not self.value:
            raise ValidationError({"value": _("Enter a value.")})
        if self.kind == self.Kind.PHONE and not re.fullmatch(r"\+\d{7,15}", self.value):
            raise ValidationError(
                {"value": _("Enter the phone number as +998... (digits only after the +).")}
            )
        if self.kind == self.Kind.DOMAIN and not _DOMAIN.fullmatch(self.value):
            raise ValidationError({"value": _("Enter a domain name such as t.me.")})


_DOMAIN = re.compile(
    r"(?=.{1,253}$)(?:[a-z0-9\u00a1-\uffff](?:[a-z0-9\u00a1-\uffff-]{0,61}[a-z0-9\u00a1-\uffff])?\.)+[a-z\u00a1-\uffff]{2,63}"
)

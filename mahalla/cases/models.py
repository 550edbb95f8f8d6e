"""Social-prevention casework: persons on legal registers, conclusions, protection orders, administrative
supervision, assistance referrals, case transitions and the alerts of the daily monitoring.

Every row that belongs to a person carries the person's mahalla, district and region (denormalised, like
offences) so that territorial scoping needs no join. Rows the worklist edits offline carry a ``version``
that every write increments: an edit sent with an older version is refused (409) with the server's value.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

PINFL_VALIDATOR = RegexValidator(r"^[0-9]{14}\Z", _("A PINFL is exactly 14 digits."))


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class SevenPosition(models.TextChoices):
    """The members of the Mahalla Seven (DOMAIN.md section 6)."""

    CHAIRMAN = "chairman", _("Chairman")
    EMPLOYMENT = "employment", _("Hokim's assistant (employment)")
    YOUTH_LEADER = "youth_leader", _("Youth leader")
    WOMENS_ACTIVIST = "womens_activist", _("Women's activist")
    PREVENTIVE_INSPECTOR = "preventive_inspector", _("Preventive inspector")
    TAX_OFFICER = "tax_officer", _("Tax officer")
    SOCIAL_WORKER = "social_worker", _("Social worker")


class CategoryKind(models.TextChoices):
    PREVENTIVE_REGISTER = "preventive_register", _("Preventive register")
    ADMINISTRATIVE_SUPERVISION = "administrative_supervision", _("Administrative supervision")
    PROTECTION_ORDER = "protection_order", _("Protection order")
    MINORS_COMMISSION = "minors_commission", _("Minor on record with the commission on minors' affairs")
    SOCIAL_REGISTRY = "social_registry", _("Social registry flag")


class TerritorialRow(models.Model):
    mahalla = models.ForeignKey("territory.Mahalla", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("territory.District", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("territory.Region", on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class LegalCategory(models.Model):
    """A category a person may be listed under: data, each with the law that allows it. There is no
    free-text category and no category of opinion or belief; a category without a legal basis is refused by
    the service and by the database."""

    code = models.SlugField(max_length=40, unique=True)
    kind = models.CharField(max_length=40, choices=CategoryKind.choices)
    name_en = models.CharField(max_length=150)
    name_uz = models.CharField(max_length=150)
    name_ru = models.CharField(max_length=150)
    legal_basis = models.CharField(max_length=300)
    default_term_days = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("legal category")
        verbose_name_plural = _("legal categories")
        constraints = [
            models.CheckConstraint(condition=~Q(legal_basis=""), name="legal_category_has_basis"),
            models.CheckConstraint(condition=~Q(code=""), name="legal_category_has_code"),
        ]

    def __str__(self) -> str:
        return self.name_en

    def term_end(self, starts_on: dt.date) -> dt.date | None:
        """The day a listing under this category ends when the decision names no term: the category's
        default term from the start, or None (no fixed term). Used by the service and the bulk importer."""
        if not self.default_term_days:
            return None
        return starts_on + dt.timedelta(days=self.default_term_days)

    def display_name(self, language: str | None = None) -> str:
        """The category's name in the reader's language (the code is for machines)."""
        language = (language or get_language() or "uz").split("-")[0]
        return {"uz": self.name_uz, "ru": self.name_ru}.get(language, self.name_en) or self.name_en


class Person(TerritorialRow):
    pinfl = models.CharField(max_length=14, unique=True, validators=[PINFL_VALIDATOR])
    name_latin = models.CharField(max_length=200)
    name_cyrillic = models.CharField(max_length=200, blank=True)
    name_russian = models.CharField(max_length=200, blank=True)
    name_key = models.CharField(max_length=200, db_index=True, editable=False)
    birth_date = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    phone = models.CharField(max_length=30, blank=True)
    address = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    anonymised_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name_latin", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [models.Index(fields=["birth_date", "sex"]), models.Index(fields=["mahalla", "name_latin"])]

    def __str__(self) -> str:
        return self.name_latin

    def age_on(self, day: dt.date) -> int:
        return (
            day.year
            - self.birth_date.year
            - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))
        )


class PersonSourceRef(models.Model):
    """The pseudonymous key a source system uses for this person (offences' offender_ref / victim_ref)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="source_refs")
    source_system = models.CharField(max_length=40)
    ref = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source_system", "ref"], name="person_ref_unique")]

    def __str__(self) -> str:
        return f"{self.source_system}:{self.ref}"


class PersonMerge(models.Model):
    """A duplicate merged into the kept record: the history of the duplicate stays, pointing at the kept."""

    kept = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_merged")
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    moved = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.merged_id} -> {self.kept_id}"


class RegisterEntry(TerritorialRow):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="register_entries")
    category = models.ForeignKey(LegalCategory, on_delete=models.PROTECT, related_name="entries")
    basis_document = models.CharField(max_length=200)
    starts_on = models.DateField()
    term_ends_on = models.DateField(null=True, blank=True)
    review_on = models.DateField(null=True, blank=True)
    decided_by = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("register entry")
        verbose_name_plural = _("register entries")
        constraints = [
            models.CheckConstraint(condition=~Q(basis_document=""), name="register_entry_has_basis_document"),
            models.CheckConstraint(
                condition=Q(term_ends_on__isnull=True) | Q(term_ends_on__gte=models.F("starts_on")),
                name="register_entry_term_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} - {self.category}"


class AgeGroup(models.TextChoices):
    ANY = "any", _("Any age")
    MINOR = "minor", _("Minor (under 18)")
    YOUTH = "youth", _("Youth (18-30)")
    ADULT = "adult", _("Adult (over 30)")


class Circumstance(models.TextChoices):
    NONE = "", _("Any circumstances")
    UNDER_ALCOHOL = "under_alcohol", _("Under alcohol")
    UNDER_DRUGS = "under_drugs", _("Under drugs")
    FAMILY_RELATION = "family_relation", _("Within the family")
    REPEAT_OFFENDER = "repeat_offender", _("Repeat offender")
    INVOLVES_WOMAN = "involves_woman", _("A woman involved")


class Subject(models.TextChoices):
    OFFENDER = "offender", _("Offender")
    VICTIM = "victim", _("Victim")


class ConclusionRule(models.Model):
    """Which measures a conclusion proposes, by article, age group and circumstances (data, not code). The
    most specific matching rule wins: an article beats any article, an age group beats any age, a
    circumstance beats none; ties go to the lower ``priority``."""

    subject = models.CharField(max_length=10, choices=Subject.choices)
    article = models.CharField(max_length=20, blank=True, help_text=_("blank: any administrative article"))
    age_group = models.CharField(max_length=10, choices=AgeGroup.choices, default=AgeGroup.ANY)
    circumstance = models.CharField(max_length=30, choices=Circumstance.choices, blank=True, default="")
    measures = models.JSONField()
    owner_position = models.CharField(max_length=30, choices=SevenPosition.choices)
    deadline_days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    priority = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["subject", "article", "age_group", "circumstance", "priority"]

    def __str__(self) -> str:
        return f"{self.subject} {self.article or '*'} {self.age_group} {self.circumstance or '*'}"

    @property
    def specificity(self) -> tuple[int, int, int, int]:
        return (
            bool(self.article),
            self.age_group != AgeGroup.ANY,
            bool(self.circumstance),
            -self.priority,
        )


class Conclusion(TerritorialRow):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        EXECUTED = "executed", _("Executed")

    offence = models.ForeignKey("incidents.Offence", on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=10, choices=Subject.choices)
    subject_ref = models.CharField(max_length=64, blank=True)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="conclusions"
    )
    rule = models.ForeignKey(ConclusionRule, on_delete=models.PROTECT, related_name="+")
    measures = models.JSONField()
    owner_position = models.CharField(max_length=30, choices=SevenPosition.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_on = models.DateField()
    deadline = models.DateField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    executed_on = models.DateField(null=True, blank=True)
    execution_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["deadline", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["offence", "subject"], name="conclusion_once_per_subject")
        ]
        indexes = [models.Index(fields=["mahalla", "status", "deadline"])]

    def __str__(self) -> str:
        return f"conclusion {self.pk} ({self.subject})"

    @property
    def executed_on_time(self) -> bool:
        return self.executed_on is not None and self.executed_on <= self.deadline


class ViolenceReport(TerritorialRow):
    """A report of domestic violence or harassment: the start of the 24-hour clock for a protection order."""

    class Kind(models.TextChoices):
        DOMESTIC_VIOLENCE = "domestic_violence", _("Domestic violence")
        HARASSMENT = "harassment", _("Harassment")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    victim = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="reports_as_victim")
    aggressor = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="reports_as_aggressor"
    )
    reported_at = models.DateTimeField(db_index=True)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-reported_at", "pk"]

    def __str__(self) -> str:
        return f"report {self.pk} ({self.kind})"


class ProtectionOrder(TerritorialRow):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    report = models.OneToOneField(ViolenceReport, on_delete=models.PROTECT, related_name="order")
    victim = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="orders_as_victim")
    aggressor = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="orders_as_aggressor"
    )
    issued_at = models.DateTimeField()
    # Empty for orders imported from the paper registry (issued before the platform).
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    womens_activist = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField(db_index=True)
    extensions = models.PositiveSmallIntegerField(default=0)
    conditions = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-issued_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="order_ends_after_start"
            ),
            models.CheckConstraint(condition=~Q(womens_activist=""), name="order_names_womens_activist"),
        ]

    def __str__(self) -> str:
        return f"order {self.pk}"

    @property
    def issued_late(self) -> bool:
        return self.issued_at - self.report.reported_at > dt.timedelta(hours=24)


class OrderViolation(models.Model):
    order = models.ForeignKey(ProtectionOrder, on_delete=models.PROTECT, related_name="violations")
    occurred_at = models.DateTimeField()
    description = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"violation of order {self.order_id}"


class InsonReferral(models.Model):
    """A victim's referral to an "Inson" social centre, sent through the outbound queue. A referral is never
    lost: it stays QUEUED until sent; after the last retry it is FAILED, shown as such, and can be re-sent."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    order = models.ForeignKey(ProtectionOrder, on_delete=models.PROTECT, related_name="inson_referrals")
    centre = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    acknowledgement = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"Inson referral {self.pk} ({self.status})"


class Supervision(TerritorialRow):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="supervisions")
    court_decision = models.CharField(max_length=200)
    decided_on = models.DateField()
    starts_on = models.DateField()
    ends_on = models.DateField()
    checkins_per_month = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    curfew_from = models.TimeField(null=True, blank=True)
    curfew_to = models.TimeField(null=True, blank=True)
    banned_places = models.TextField(blank=True)
    area = models.CharField(max_length=200, blank=True)
    no_alcohol = models.BooleanField(default=False)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)
    escalated_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="supervision_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(checkins_per_month__gte=1) & Q(checkins_per_month__lte=4),
                name="supervision_checkins_1_to_4",
            ),
        ]

    def __str__(self) -> str:
        return f"supervision {self.pk}"


class CheckIn(models.Model):
    class Status(models.TextChoices):
        DUE = "due", _("Due")
        DONE = "done", _("Reported")
        MISSED = "missed", _("Missed")

    supervision = models.ForeignKey(Supervision, on_delete=models.CASCADE, related_name="checkins")
    due_on = models.DateField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DUE, db_index=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["supervision", "due_on"], name="checkin_once_per_day")]

    def __str__(self) -> str:
        return f"check-in {self.due_on}"


class SupervisionViolation(models.Model):
    supervision = models.ForeignKey(Supervision, on_delete=models.CASCADE, related_name="violations")
    occurred_on = models.DateField()
    restriction = models.CharField(max_length=40)
    description = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"violation {self.restriction}"


class Handover(models.Model):
    """A supervised person moved: the case passes to the new mahalla's inspector with its history."""

    supervision = models.ForeignKey(Supervision, on_delete=models.CASCADE, related_name="handovers")
    from_mahalla = models.ForeignKey("territory.Mahalla", on_delete=models.PROTECT, related_name="+")
    to_mahalla = models.ForeignKey("territory.Mahalla", on_delete=models.PROTECT, related_name="+")
    to_inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handed_over_at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"handover {self.from_mahalla_id} -> {self.to_mahalla_id}"


class ServiceKind(models.TextChoices):
    EMPLOYMENT = "employment", _("Employment")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    HOUSING = "housing", _("Housing")
    LEGAL_AID = "legal_aid", _("Legal aid")
    REHABILITATION = "rehabilitation", _("Rehabilitation")


class Referral(TerritorialRow):
    """Assistance for a person from an agency, gated by the person's recorded consent."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent, waiting for the agency")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        COMPLETED = "completed", _("Completed")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referrals")
    service = models.CharField(max_length=20, choices=ServiceKind.choices)
    agency = models.CharField(max_length=200)
    consent_given = models.BooleanField(default=False)
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    consent_override_reason = models.CharField(max_length=500, blank=True)
    deadline = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT, db_index=True)
    outcome = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_given=True) | ~Q(consent_override_reason=""),
                name="referral_consent_or_override_reason",
            )
        ]

    def __str__(self) -> str:
        return f"referral {self.pk} ({self.service})"


class CaseOwnership(models.Model):
    """Who owns a person's case and who it is shared with; every change is a CaseTransition."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="ownership")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"case of {self.person_id}"


class CaseTransition(models.Model):
    """Primero's transitions: assign (new owner), refer (shared access, revocable), transfer (ownership after
    acceptance)."""

    class Kind(models.TextChoices):
        ASSIGN = "assign", _("Assign")
        REFER = "refer", _("Refer")
        TRANSFER = "transfer", _("Transfer")

    class Status(models.TextChoices):
        DONE = "done", _("Done")
        ACTIVE = "active", _("Active")
        REVOKED = "revoked", _("Revoked")
        PENDING = "pending", _("Waiting for acceptance")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="transitions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices)
    note = models.CharField(max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.person_id} -> {self.to_user_id}"


class AlertKind(models.TextChoices):
    CONCLUSION_OVERDUE = "conclusion_overdue", _("Conclusion overdue")
    ORDER_LATE = "order_late", _("No protection order 24 hours after the report")
    ORDER_EXPIRING = "order_expiring", _("Protection order expiring")
    ORDER_VIOLATED = "order_violated", _("Protection order violated")
    CHECKIN_MISSED = "checkin_missed", _("Check-in missed")
    SUPERVISION_VIOLATED = "supervision_violated", _("Supervision restriction violated")
    SUPERVISION_ESCALATED = "supervision_escalated", _("Supervision escalated")
    REFERRAL_OVERDUE = "referral_overdue", _("Referral overdue")
    INSON_FAILED = "inson_failed", _("Referral to the Inson centre failed")


class CaseAlert(TerritorialRow):
    """An alert of the daily monitoring, raised once per object and kind (the monitoring may run again)."""

    kind = models.CharField(max_length=30, choices=AlertKind.choices, db_index=True)
    object_type = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField()
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts")
    owner_position = models.CharField(max_length=30, choices=SevenPosition.choices, blank=True)
    due_on = models.DateField(null=True, blank=True)
    raised_on = models.DateField(db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-raised_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_type", "object_id"], name="case_alert_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_type}:{self.object_id}"


class MonitoringRun(models.Model):
    day = models.DateField()
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"monitoring {self.day}"


class HouseholdRound(TerritorialRow):
    """A planned visit of a household of the mahalla by its inspector (or a Mahalla Seven member): planned
    with a date and a purpose, recorded as done with its outcome from the worklist, offline too."""

    class Purpose(models.TextChoices):
        REGISTERED_PERSON = "registered_person", _("Visit of a person on a register")
        PROTECTION_ORDER = "protection_order", _("Check on a protection order")
        SUPERVISION = "supervision", _("Check on a person under supervision")
        CONCLUSION = "conclusion", _("Measure of a conclusion")
        FAMILY = "family", _("Family in a difficult situation")
        PREVENTION = "prevention", _("Preventive round of the street")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")

    address = models.CharField(max_length=300)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="household_rounds"
    )
    planned_on = models.DateField()
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    done_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["planned_on", "pk"]
        indexes = [models.Index(fields=["mahalla", "status", "planned_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="planned") | (Q(done_on__isnull=False) & ~Q(outcome="")),
                name="household_round_done_has_date_and_outcome",
            )
        ]

    def __str__(self) -> str:
        return f"household round {self.pk} ({self.planned_on})"

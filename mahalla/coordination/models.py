"""Inter-agency work: agencies and their people, tasks with service levels, the coordination council on
prevention, the prosecutor's oversight findings, and personnel training.

Every object names its territory (region, and district / mahalla where it has one) so that the one
territorial filter (territory.access.territory_filter_for) decides who sees it. History is never rewritten:
task events, notification attempts and finding responses are appended, not edited."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TerritoryLevel(models.TextChoices):
    COUNTRY = "country", _("Country")
    REGION = "region", _("Region")
    DISTRICT = "district", _("District")


class AgencyKind(models.TextChoices):
    INTERNAL_AFFAIRS = "internal_affairs", _("Internal affairs")
    PROSECUTOR = "prosecutor", _("Prosecutor's office")
    HOKIMIYAT = "hokimiyat", _("Hokimiyat")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    LABOUR = "labour", _("Labour and employment")
    SOCIAL_CENTRE = "social_centre", _('"Inson" social centre')
    BANK = "bank", _("Bank")
    MAHALLA = "mahalla", _("Mahalla institutions")


class Territorial(models.Model):
    """Region always; district for district-level objects; mahalla where the object is about one."""

    region = models.ForeignKey(
        "territory.Region", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    district = models.ForeignKey(
        "territory.District", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    mahalla = models.ForeignKey(
        "territory.Mahalla", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        abstract = True


class Agency(Territorial):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=AgencyKind.choices)
    level = models.CharField(_("level"), max_length=10, choices=TerritoryLevel.choices)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    ACCOUNT = "account", _("Platform account")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class Post(models.TextChoices):
    """The posts whose training needs follow from the crime mix (DOMAIN.md sections 2, 6)."""

    CHIEF = "chief", _("Chief")
    PREVENTIVE_INSPECTOR = "preventive_inspector", _("Preventive inspector")
    WOMENS_INSPECTOR = "womens_inspector", _("Women's affairs inspector")
    INVESTIGATOR = "investigator", _("Investigator")
    CYBER_OFFICER = "cyber_officer", _("Cybercrime officer")
    DRUG_OFFICER = "drug_officer", _("Drug unit officer")
    PROSECUTOR = "prosecutor", _("Prosecutor")
    MAHALLA_SEVEN = "mahalla_seven", _("Mahalla Seven member")
    SPECIALIST = "specialist", _("Specialist")


class StaffMember(Territorial):
    """A person of an agency: a platform user, or a contact who receives tasks by e-mail or SMS."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="staff")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="staff_member"
    )
    full_name = models.CharField(_("full name"), max_length=200)
    post = models.CharField(_("post"), max_length=24, choices=Post.choices, default=Post.SPECIALIST)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.ACCOUNT)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_head = models.BooleanField(_("head of the agency"), default=False)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.CheckConstraint(
                name="staff_reachable_by_its_channel",
                condition=(
                    models.Q(channel="account", user__isnull=False)
                    | (models.Q(channel="email") & ~models.Q(email=""))
                    | (models.Q(channel="sms") & ~models.Q(phone=""))
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.agency})"


class TaskSubject(models.TextChoices):
    MAHALLA = "mahalla", _("Mahalla")
    MEASURE = "measure", _("Roadmap measure")
    PERSON = "person", _("Casework person")
    CAMPAIGN = "campaign", _("Cyber campaign")
    NETWORK = "network", _("Drug network")
    DECISION = "decision", _("Council decision")


class TaskType(models.Model):
    """A kind of task with its service level: days to accept and days to complete (data, not code)."""

    key = models.SlugField(unique=True, max_length=40)
    name_en = models.CharField(max_length=200)
    name_uz = models.CharField(max_length=200)
    name_ru = models.CharField(max_length=200)
    accept_days = models.PositiveSmallIntegerField(default=2)
    complete_days = models.PositiveSmallIntegerField(default=14)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name_en

    def name_in(self, language: str) -> str:
        return {"uz": self.name_uz, "ru": self.name_ru}.get(language[:2], self.name_en) or self.name_en


class Task(Territorial):
    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")
        DONE = "done", _("Done")
        CLOSED = "closed", _("Closed")

    OPEN_STATUSES = ("sent", "accepted")

    number = models.CharField(_("number"), max_length=24, unique=True)
    task_type = models.ForeignKey(TaskType, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(_("subject"), max_length=12, choices=TaskSubject.choices)
    subject_reference = models.CharField(_("subject reference"), max_length=80, blank=True)
    from_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="tasks_sent")
    to_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="tasks_received")
    assignee = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks_assigned"
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SENT)
    accept_by = models.DateField(_("accept by"))
    deadline = models.DateField(_("deadline"))
    decision = models.ForeignKey(
        "CouncilDecision", on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    escalated_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["to_agency", "status"]), models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return f"{self.number}: {self.title}"


class TaskEvent(models.Model):
    """One step of a task's history, appended and never changed."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")
        PROGRESS = "progress", _("Progress")
        DONE = "done", _("Done")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Returned for more work")
        REMINDER = "reminder", _("Reminder")
        ESCALATED = "escalated", _("Escalated")

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    text = models.TextField(blank=True)
    evidence = models.FileField(upload_to="coordination/evidence/%Y/%m/", blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind} {self.at}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("A task's history is never rewritten")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("A task's history is never rewritten")


class Notification(models.Model):
    """A message to a person about a task, sent by a Huey task with retries. A failure stays visible."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="notifications")
    recipient = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="notifications")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    address = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.channel} to {self.recipient_id}: {self.subject}"


class CouncilMeeting(Territorial):
    """A meeting of the coordination council on prevention, chaired by the prosecutor of its territory."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")

    level = models.CharField(_("level"), max_length=10, choices=TerritoryLevel.choices)
    date = models.DateField(_("date"))
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    attendees = models.TextField(_("attendees"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.date}"


class AgendaItem(models.Model):
    class Kind(models.TextChoices):
        TURNED_RED = "turned_red", _("Mahallas turned red")
        RED_STREAK = "red_streak", _("Red for several years")
        OVERDUE_MEASURES = "overdue_measures", _("Overdue roadmap measures")
        SPIKE = "spike", _("Spikes")
        CLUSTER = "cluster", _("Space-time clusters")
        OVERDUE_TASKS = "overdue_tasks", _("Overdue inter-agency tasks")
        CYBER = "cyber", _("Cybercrime share")
        PREVIOUS_DECISIONS = "previous_decisions", _("Report on the previous meeting's decisions")
        OTHER = "other", _("Other")

    meeting = models.ForeignKey(CouncilMeeting, on_delete=models.CASCADE, related_name="agenda")
    order = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=300)
    detail = models.JSONField(default=dict)
    proposed = models.BooleanField(default=True, help_text="proposed by the platform from the analysis")

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class CouncilDecision(models.Model):
    meeting = models.ForeignKey(CouncilMeeting, on_delete=models.PROTECT, related_name="decisions")
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.SET_NULL, null=True, blank=True)
    text = models.TextField(_("decision"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:80]


class OversightRule(models.Model):
    """A rule of the prosecutor's oversight: which check, with which threshold, on or off (data)."""

    key = models.SlugField(unique=True, max_length=40)
    name_en = models.CharField(max_length=200)
    name_uz = models.CharField(max_length=200)
    name_ru = models.CharField(max_length=200)
    legal_basis = models.CharField(max_length=300)  # English, like name_en
    legal_basis_uz = models.CharField(max_length=300, blank=True, default="")
    legal_basis_ru = models.CharField(max_length=300, blank=True, default="")
    parameters = models.JSONField(default=dict)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name_en

    def name_in(self, language: str) -> str:
        return {"uz": self.name_uz, "ru": self.name_ru}.get(language[:2], self.name_en) or self.name_en

    def legal_basis_in(self, language: str) -> str:
        """The legal basis in ``language``; English where a row has no translation (an admin-added rule)."""
        translated = {"uz": self.legal_basis_uz, "ru": self.legal_basis_ru}.get(language[:2], "")
        return translated or self.legal_basis


class OversightFinding(Territorial):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")
        RESOLVED = "resolved", _("Resolved")

    rule = models.ForeignKey(OversightRule, on_delete=models.PROTECT, related_name="findings")
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=80)
    summary = models.CharField(max_length=300)
    evidence = models.JSONField(default=dict)
    found_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    response = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-found_on", "rule__key", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "object_type", "object_id"], name="one_finding_per_rule_object"
            )
        ]

    def __str__(self) -> str:
        return self.summary


class CourseTopic(models.TextChoices):
    CYBER_FRAUD = "cyber_fraud", _("Cyber fraud")
    DOMESTIC_VIOLENCE = "domestic_violence", _("Domestic violence procedure")
    CASEWORK = "casework", _("Social-prevention casework")
    DRUGS = "drugs", _("Drug distribution")
    JUVENILE = "juvenile", _("Work with minors")
    TACTICAL = "tactical", _("Tactical")
    PSYCHOLOGICAL = "psychological", _("Psychological")
    ROADMAPS = "roadmaps", _("Roadmaps and targeted measures")


class Course(models.Model):
    key = models.SlugField(unique=True, max_length=40)
    topic = models.CharField(max_length=20, choices=CourseTopic.choices)
    title_en = models.CharField(max_length=200)
    title_uz = models.CharField(max_length=200)
    title_ru = models.CharField(max_length=200)
    hours = models.PositiveSmallIntegerField(default=8)
    certificate_years = models.PositiveSmallIntegerField(default=2)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.title_en

    def title_in(self, language: str) -> str:
        return {"uz": self.title_uz, "ru": self.title_ru}.get(language[:2], self.title_en) or self.title_en


class TrainingClass(Territorial):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="classes")
    date = models.DateField()
    trainer = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-date", "id"]

    def __str__(self) -> str:
        return f"{self.course_id} {self.date}"


class Attendance(models.Model):
    training_class = models.ForeignKey(TrainingClass, on_delete=models.PROTECT, related_name="attendance")
    member = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="attendance")
    attended = models.BooleanField(default=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["training_class", "member"], name="one_attendance_per_class"),
            models.CheckConstraint(name="score_is_a_percentage", condition=models.Q(score__lte=100)),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} at {self.training_class_id}"


class Certificate(models.Model):
    member = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="certificates")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+")
    issued_on = models.DateField()
    expires_on = models.DateField()

    class Meta:
        ordering = ["-issued_on"]

    def __str__(self) -> str:
        return f"{self.member_id} {self.course_id} until {self.expires_on}"

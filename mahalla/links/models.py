"""The drug-network workbench's data: sources with their legal basis, entities of the schema's types with
facts that each name their source, links with provenance, cameras and their detections, and the stored
results of the analyses (co-travel pairs, drop clusters)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    DOCUMENT = "document", _("Document")
    SEIZURE = "seizure", _("Seizure protocol")
    REPORT = "report", _("Report")
    DETECTION_FEED = "detection_feed", _("Detection feed (public-space monitoring)")
    IMPORT = "import", _("Import")
    OPEN_SOURCE = "open_source", _("Open source (posts)")
    ANALYSIS = "analysis", _("Analysis")


class Source(models.Model):
    """Where facts and links come from, and the legal basis on which they may be processed."""

    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices)
    reference = models.CharField(_("reference"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    region = models.ForeignKey(
        "territory.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "territory.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mahalla = models.ForeignKey(
        "territory.Mahalla", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            models.CheckConstraint(name="links_source_has_legal_basis", condition=~models.Q(legal_basis="")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"


class Entity(models.Model):
    """One node of the network, of a type of the schema (reference/schema.yaml). ``key`` is the resolution
    key: ``<Type>:<normalised pivot value>`` for types with a pivot (so a phone number is one entity however
    many records name it), ``<Type>#<uuid>`` otherwise. Resolution is scoped to the writer's territory
    (services.entity_resolve): ``scope`` names the territory the entity was resolved in (``mahalla:<id>``,
    ``district:<id>``, ``region:<id>`` or ``country``), so one key is one entity per scope and an officer
    never resolves onto, or learns of, another territory's entity."""

    schema = models.CharField(_("type"), max_length=40)
    key = models.CharField(max_length=300, db_index=True)
    scope = models.CharField(max_length=40, default="", blank=True)
    caption = models.CharField(_("caption"), max_length=300)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    occurred_at = models.DateTimeField(null=True, blank=True)
    region = models.ForeignKey(
        "territory.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "territory.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mahalla = models.ForeignKey(
        "territory.Mahalla", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("entity")
        verbose_name_plural = _("entities")
        indexes = [models.Index(fields=["schema", "district"])]
        constraints = [
            models.UniqueConstraint(fields=["key", "scope"], name="links_entity_key_once_per_scope")
        ]

    def __str__(self) -> str:
        return f"{self.schema}: {self.caption}"


class Fact(models.Model):
    """One property value of an entity, with where it came from, when, and who entered it."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="facts")
    prop = models.CharField(_("property"), max_length=60)
    value = models.TextField(_("value"))
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="facts")
    observed_on = models.DateField(_("date"), null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fact")
        verbose_name_plural = _("facts")
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "prop", "value", "source"], name="links_fact_once_per_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.prop}={self.value[:40]}"


class Link(models.Model):
    """A tie between two entities, of a link type of the schema, with its provenance."""

    schema = models.CharField(_("type"), max_length=40)
    source_entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="links_out")
    target_entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="links_in")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="links")
    date = models.DateField(_("date"))
    weight = models.FloatField(default=1.0)
    details = models.JSONField(default=dict, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("link")
        verbose_name_plural = _("links")
        constraints = [
            models.CheckConstraint(
                name="links_link_not_to_itself", condition=~models.Q(source_entity=models.F("target_entity"))
            ),
        ]
        indexes = [models.Index(fields=["schema", "date"])]

    def __str__(self) -> str:
        return f"{self.source_entity_id} -{self.schema}-> {self.target_entity_id}"


class Camera(models.Model):
    """A public-space camera or plate reader whose detections the platform receives."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    mahalla = models.ForeignKey("territory.Mahalla", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("territory.District", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("territory.Region", on_delete=models.PROTECT, related_name="+")
    feed = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="cameras")

    class Meta:
        verbose_name = _("camera")
        verbose_name_plural = _("cameras")

    def __str__(self) -> str:
        return self.code


class Detection(models.Model):
    """One plate read or camera detection event; ``event_id`` makes ingestion idempotent."""

    event_id = models.CharField(max_length=80, unique=True)
    camera = models.ForeignKey(Camera, on_delete=models.PROTECT, related_name="detections")
    plate = models.CharField(_("plate"), max_length=20)
    observed_at = models.DateTimeField(_("observed at"))
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("detection")
        verbose_name_plural = _("detections")
        indexes = [
            models.Index(fields=["camera", "observed_at"]),
            models.Index(fields=["plate", "observed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.plate}@{self.camera_id} {self.observed_at:%Y-%m-%d %H:%M:%S}"


class DropCluster(models.Model):
    """A cluster of dead drops found by the last clustering run, with the distance to the nearest places
    where young people gather."""

    computed_on = models.DateField()
    lat = models.FloatField()
    lon = models.FloatField()
    size = models.PositiveIntegerField()
    radius_m = models.FloatField()
    first_seen = models.DateField()
    last_seen = models.DateField()
    school_m = models.FloatField(null=True)
    college_m = models.FloatField(null=True)
    park_m = models.FloatField(null=True)
    members = models.JSONField(default=list)  # entity ids of the drops
    mahalla = models.ForeignKey("territory.Mahalla", null=True, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("territory.District", null=True, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("territory.Region", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("dead-drop cluster")
        verbose_name_plural = _("dead-drop clusters")

    def __str__(self) -> str:
        return f"{self.size} drops @ {self.lat:.4f},{self.lon:.4f}"

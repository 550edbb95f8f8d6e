"""Region -> District -> Mahalla with official codes, names in three scripts, population and geometry.

Boundaries are GeoJSON (Polygon or MultiPolygon, WGS 84 lon/lat) stored in the database as JSON so that the
same schema runs on SQLite and PostgreSQL; shapely does the geometry in Python.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class NamedTerritory(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True)
    name_uz = models.CharField(_("name (Uzbek, Latin)"), max_length=200)
    name_uz_cyrl = models.CharField(_("name (Uzbek, Cyrillic)"), max_length=200, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    centroid_lat = models.FloatField(_("centroid latitude"), null=True, blank=True)
    centroid_lon = models.FloatField(_("centroid longitude"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name_uz} ({self.code})"

    def display_name(self, language: str | None = None, script: str | None = None) -> str:
        """The name in the reader's language; Uzbek readers may choose Cyrillic."""
        language = (language or get_language() or "uz").split("-")[0]
        if language == "ru" and self.name_ru:
            return self.name_ru
        if script == "cyrl" and self.name_uz_cyrl:
            return self.name_uz_cyrl
        return self.name_uz


class Region(NamedTerritory):
    class Kind(models.TextChoices):
        REGION = "region", _("Region")
        REPUBLIC = "republic", _("Republic")
        CITY = "city", _("City")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.REGION)

    class Meta(NamedTerritory.Meta):
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class District(NamedTerritory):
    class Kind(models.TextChoices):
        DISTRICT = "district", _("District (tuman)")
        CITY = "city", _("City (shahar)")

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="districts")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.DISTRICT)

    class Meta(NamedTerritory.Meta):
        verbose_name = _("district")
        verbose_name_plural = _("districts")


class Mahalla(NamedTerritory):
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="mahallas")
    # Denormalised so that territorial scoping of millions of rows needs no join.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="mahallas")
    # Bounding box of the boundary, to narrow point-in-polygon and map queries.
    min_lon = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    max_lon = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    # The boundary generalised per map level at import time ({"region": GeoJSON, "country": GeoJSON};
    # geometry.MAP_LEVELS), so that region and country maps send light shapes.
    boundary_simplified = models.JSONField(_("boundary simplified per map level"), null=True, blank=True)

    class Meta(NamedTerritory.Meta):
        verbose_name = _("mahalla")
        verbose_name_plural = _("mahallas")
        indexes = [models.Index(fields=["district", "code"])]


class LawAndOrderPost(models.Model):
    """The mahalla's law-and-order post, led by a (senior) preventive inspector."""

    mahalla = models.OneToOneField(Mahalla, on_delete=models.CASCADE, related_name="post")
    number = models.CharField(_("post number"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    inspector_name = models.CharField(_("preventive inspector"), max_length=200, blank=True)
    inspector_phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("law-and-order post")
        verbose_name_plural = _("law-and-order posts")

    def __str__(self) -> str:
        return f"{self.number} {self.mahalla.name_uz}"

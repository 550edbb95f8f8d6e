"""The stored results of the daily crime-situation run: one row per mahalla and date, one per aggregate
territory and date, the space-time clusters, the alerts and a record of each run.

Results are keyed by date, not by run: re-running a date replaces that date's rows (in one transaction) and
leaves every other date untouched. Alerts carry people's work (acknowledged, assigned), so a re-run keeps the
workflow state of an alert it produces again and removes only untouched alerts it no longer produces.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CrimeClass(models.TextChoices):
    GREEN = "green", _("Green (yashil)")
    YELLOW = "yellow", _("Yellow (sariq)")
    RED = "red", _("Red (qizil)")


class AggregateLevel(models.TextChoices):
    COUNTRY = "country", _("Country")
    REGION = "region", _("Region")
    DISTRICT = "district", _("District")


class DailyRun(models.Model):
    """One execution of the daily analysis for one date: what was asked, how long it took, with what."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    date = models.DateField(_("analysed date"), db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    # Seconds per step (load, comparisons, classification, ...), to see where the time goes.
    timings = models.JSONField(default=dict)
    parameters = models.JSONField(default=dict)
    versions = models.JSONField(default=dict)
    # The next-week forecast's method, chosen by a backtest on the weeks before the date, with its scores
    # (see mahalla/analytics/forecasting.py).
    forecast = models.JSONField(default=dict)
    offences_read = models.PositiveIntegerField(default=0)
    mahallas = models.PositiveIntegerField(default=0)
    alerts = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-started_at"]
        verbose_name = _("daily run")
        verbose_name_plural = _("daily runs")

    def __str__(self) -> str:
        return f"{self.date} {self.status}"


class MahallaDayResult(models.Model):
    """The picture of one mahalla on one date."""

    run = models.ForeignKey(DailyRun, on_delete=models.PROTECT, related_name="mahalla_results")
    date = models.DateField()
    mahalla = models.ForeignKey("territory.Mahalla", on_delete=models.PROTECT, related_name="day_results")
    # Denormalised so that scoping and aggregation by territory need no join.
    district = models.ForeignKey("territory.District", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("territory.Region", on_delete=models.PROTECT, related_name="+")
    crime_class = models.CharField(max_length=8, choices=CrimeClass.choices)
    previous_class = models.CharField(max_length=8, choices=CrimeClass.choices, blank=True)
    # The rule's inputs, thresholds and the reason for the class, in the reader's language at display time.
    explanation = models.JSONField(default=dict)
    # Offences in the classification window by category code.
    counts = models.JSONField(default=dict)
    total_window = models.PositiveIntegerField(default=0)
    total_day = models.PositiveIntegerField(default=0)
    total_year = models.PositiveIntegerField(default=0)
    rate_per_100k = models.FloatField(null=True, blank=True)
    smoothed_rate_per_100k = models.FloatField(null=True, blank=True)
    # CompStat: {"wtd": {"current", "previous", "year_before", "z_previous", "z_year_before"}, ...}
    comparisons = models.JSONField(default=dict)
    spike = models.BooleanField(default=False)
    spike_detail = models.JSONField(default=dict)
    hotspot_class = models.CharField(max_length=40, blank=True)
    hotspot_detail = models.JSONField(default=dict)
    in_cluster = models.BooleanField(default=False)
    forecast_next_week = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("mahalla result")
        verbose_name_plural = _("mahalla results")
        constraints = [
            models.UniqueConstraint(fields=["date", "mahalla"], name="mahalla_result_once_per_date")
        ]
        indexes = [
            models.Index(fields=["date", "district"]),
            models.Index(fields=["date", "region"]),
            models.Index(fields=["mahalla", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.mahalla_id} {self.crime_class}"


class ForecastCell(models.Model):
    """One flagged grid cell of the date's next-week forecast: the cells of a district with the highest
    expected offences, by the method that won the backtest of the grid forecast (see
    mahalla/analytics/forecasting.py). Only the flagged cells are stored."""

    run = models.ForeignKey(DailyRun, on_delete=models.PROTECT, related_name="forecast_cells")
    date = models.DateField()
    # The mahalla with most of the cell's past offences: it scopes the cell to a mahalla-level role.
    mahalla = models.ForeignKey("territory.Mahalla", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("territory.District", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("territory.Region", on_delete=models.PROTECT, related_name="+")
    # The cell's bounds in degrees (WGS 84).
    south = models.FloatField()
    west = models.FloatField()
    north = models.FloatField()
    east = models.FloatField()
    expected = models.FloatField()
    # 1 = the cell with the highest forecast of its district.
    rank = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("forecast cell")
        verbose_name_plural = _("forecast cells")
        indexes = [models.Index(fields=["date", "district"]), models.Index(fields=["date", "region"])]

    def __str__(self) -> str:
        return f"{self.date} {self.district_id} #{self.rank}"

    @property
    def centre_lat(self) -> float:
        return (self.south + self.north) / 2.0

    @property
    def centre_lon(self) -> float:
        return (self.west + self.east) / 2.0


class AggregateDayResult(models.Model):
    """Country, region or district totals on one date."""

    run = models.ForeignKey(DailyRun, on_delete=models.PROTECT, related_name="aggregate_results")
    date = models.DateField()
    level = models.CharField(max_length=10, choices=AggregateLevel.choices)
    region = models.ForeignKey(
        "territory.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "territory.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mahallas = models.PositiveIntegerField(default=0)
    mahallas_no_crime = models.PositiveIntegerField(default=0)
    green = models.PositiveIntegerField(default=0)
    yellow = models.PositiveIntegerField(default=0)
    red = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)
    total_window = models.PositiveIntegerField(default=0)
    total_year = models.PositiveIntegerField(default=0)
    cyber_share = models.FloatField(null=True, blank=True)
    minors = models.PositiveIntegerField(default=0)
    youth = models.PositiveIntegerField(default=0)
    women = models.PositiveIntegerField(default=0)
    family = models.PositiveIntegerField(default=0)
    comparisons = models.JSONField(default=dict)
    causes = models.JSONField(default=list)
    population = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("territory result")
        verbose_name_plural = _("territory results")
        constraints = [
            models.UniqueConstraint(
                fields=["date", "level", "region", "district"],
                name="aggregate_result_once_per_date",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.level} {self.district_id or self.region_id or ''}"


class ClusterResult(models.Model):
    """A space-time cluster found by the prospective permutation scan ending on the date."""

    run = models.ForeignKey(DailyRun, on_delete=models.PROTECT, related_name="clusters")
    date = models.DateField(db_index=True)
    rank = models.PositiveSmallIntegerField()
    centre = models.ForeignKey("territory.Mahalla", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("territory.District", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("territory.Region", on_delete=models.PROTECT, related_name="+")
    mahalla_codes = models.JSONField(default=list)
    start_date = models.DateField()
    end_date = models.DateField()
    observed = models.PositiveIntegerField()
    expected = models.FloatField()
    llr = models.FloatField()
    p_value = models.FloatField()
    recurrence_interval_days = models.FloatField(null=True, blank=True)
    significant = models.BooleanField(default=False)

    class Meta:
        ordering = ["date", "rank"]
        constraints = [models.UniqueConstraint(fields=["date", "rank"], name="cluster_rank_once_per_date")]

    def __str__(self) -> str:
        return f"{self.date} cluster {self.rank} p={self.p_value:.3f}"


class AlertKind(models.TextChoices):
    TURNED_RED = "turned_red", _("Turned red")
    NEW_HOTSPOT = "new_hotspot", _("New hot spot")
    INTENSIFYING_HOTSPOT = "intensifying_hotspot", _("Intensifying hot spot")
    CLUSTER = "cluster", _("Significant space-time cluster")
    SPIKE = "spike", _("Spike")


class Alert(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")

    date = models.DateField(db_index=True)
    kind = models.CharField(max_length=24, choices=AlertKind.choices)
    mahalla = models.ForeignKey("territory.Mahalla", on_delete=models.PROTECT, related_name="alerts")
    district = models.ForeignKey("territory.District", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("territory.Region", on_delete=models.PROTECT, related_name="+")
    # Higher is more urgent; used to order the inbox.
    severity = models.FloatField(default=0.0)
    # Numbers behind the alert, rendered into the reader's language by the page.
    detail = models.JSONField(default=dict)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_alerts",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-severity", "id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(fields=["date", "kind", "mahalla"], name="alert_once_per_date")
        ]
        indexes = [models.Index(fields=["district", "date"]), models.Index(fields=["region", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.kind} {self.mahalla_id}"

    @property
    def touched(self) -> bool:
        """Whether a person has worked on the alert (then a re-run must not delete it)."""
        return self.status != self.Status.OPEN or self.assigned_to_id is not None

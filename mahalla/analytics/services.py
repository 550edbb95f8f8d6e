"""Writes of the analytics app: the daily run and the alert workflow (acknowledge, assign)."""

from __future__ import annotations

import datetime as dt
import platform
import time
from importlib import metadata
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mahalla.audit.models import AuditAction
from mahalla.audit.services import audit_record
from mahalla.core.bulk import rows_insert
from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.core.roles import Role
from mahalla.territory.access import territory_filter_for

from .models import AggregateDayResult, Alert, ClusterResult, DailyRun, ForecastCell, MahallaDayResult
from .selectors import BACKFILL_PENDING_KEY

if TYPE_CHECKING:
    # The computation (pandas, scipy, the engine) loads when a run starts, not with the web pages that
    # import this module for the alerts' services: a server worker starts in a fraction of the time.
    from . import frames, pipeline

# Who may acknowledge and assign alerts in their territory.
ALERT_HANDLERS = frozenset(
    {
        Role.NATIONAL_ANALYST,
        Role.REGIONAL_CHIEF,
        Role.DISTRICT_CHIEF,
        Role.RESPONSIBLE_OFFICIAL,
        Role.PREVENTIVE_INSPECTOR,
        Role.PROSECUTOR,
        Role.ADMINISTRATOR,
    }
)
# Who may assign an alert to someone (a chief names the responsible official).
ALERT_ASSIGNERS = frozenset(
    {Role.NATIONAL_ANALYST, Role.REGIONAL_CHIEF, Role.DISTRICT_CHIEF, Role.ADMINISTRATOR}
)


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in ("mahalla", "numpy", "pandas", "scipy", "django"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "unknown"
    return versions


def _parameters(overrides: dict[str, Any] | None) -> dict[str, Any]:
    from . import pipeline

    parameters = dict(pipeline.DEFAULT_PARAMETERS)
    for key, value in (overrides or {}).items():
        if key not in parameters and key != "classification":
            raise ApplicationError(
                _("Unknown analysis parameter %(name)s.") % {"name": key},
                {"parameter": key, "known": sorted(parameters)},
            )
        parameters[key] = value
    return parameters


def analysis_run(*, date: dt.date, actor: Any = None, parameters: dict[str, Any] | None = None) -> DailyRun:
    """Compute and store the daily picture of `date`, replacing that date's results and nothing else.

    The computation runs outside the transaction (it only reads); the replacement of the stored rows is one
    transaction, so readers see either yesterday's or today's complete results, never a mix. A failed run
    is recorded as failed and leaves the previous results of the date in place.
    """
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise ApplicationError(_("The analysis date must be a calendar date."), {"date": str(date)})
    if date > timezone.localdate():
        raise ApplicationError(
            _("Cannot analyse %(date)s: it lies in the future.") % {"date": date.isoformat()},
            {"date": date.isoformat()},
        )
    from . import frames, pipeline

    values = _parameters(parameters)
    started = time.perf_counter()
    run = DailyRun.objects.create(
        date=date,
        parameters=values,
        versions=_versions(),
        started_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    try:
        load_started = time.perf_counter()
        inputs = frames.load_inputs(
            date,
            history_days=int(values["history_days"]),
            code_kinds=values["code_kinds"],
            cause_days=int(values["class_window_days"]),
        )
        load_seconds = round(time.perf_counter() - load_started, 3)
        if inputs.mahallas.empty:
            raise ApplicationError(_("There are no mahallas to analyse: import the territory first."))
        previous = _previous_state(date)
        outputs = pipeline.run_pipeline(inputs, values, previous)
        store_started = time.perf_counter()
        with transaction.atomic():
            _replace_results(run, date, inputs, outputs)
            run.status = DailyRun.Status.DONE
            run.forecast = outputs.forecast
            run.offences_read = len(inputs.offences)
            run.mahallas = len(inputs.mahallas)
            run.alerts = len(outputs.alerts)
            run.finished_at = timezone.now()
            run.timings = {
                "load": load_seconds,
                **outputs.timings,
                "store": round(time.perf_counter() - store_started, 3),
            }
            run.duration_seconds = round(time.perf_counter() - started, 3)
            run.save()
            audit_record(
                actor=actor,
                action=AuditAction.RUN,
                object_type="analytics.dailyrun",
                object_id=run.pk,
                object_repr=str(run),
                details={"date": date.isoformat(), "mahallas": run.mahallas, "alerts": run.alerts},
            )
    except Exception as error:
        run.status = DailyRun.Status.FAILED
        run.finished_at = timezone.now()
        run.duration_seconds = round(time.perf_counter() - started, 3)
        run.message = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
        run.save()
        raise
    return run


def analysis_done(date: dt.date) -> bool:
    """True when `date` has a finished run."""
    return DailyRun.objects.filter(date=date, status=DailyRun.Status.DONE).exists()


def analysis_backfill_mark(*, dates: list[dt.date]) -> list[dt.date]:
    """Mark those of `dates` without a finished run as pending, for the pages, before a process analyses
    them with `analysis_backfill_run` (the demo's weekly history, analysed while the platform already
    serves its last day). Returns the dates marked, oldest first.

    Each date's results depend only on the offences and on the stored classes of the day before it, so
    analysing earlier dates after a later one gives the same results as in date order."""
    from django.core.cache import cache

    finished = DailyRun.objects.filter(date__in=set(dates), status=DailyRun.Status.DONE)
    done = set(finished.values_list("date", flat=True))
    pending = sorted(set(dates) - done)
    if pending:
        cache.set(BACKFILL_PENDING_KEY, [day.isoformat() for day in pending], None)
    return pending


def analysis_backfill_run(*, dates: list[dt.date], progress: Any = None) -> list[DailyRun]:
    """Analyse, oldest first, those of `dates` without a finished run, taking each off the pending mark as
    it ends (finished or failed: a failed run is recorded as such and is not "still being computed")."""
    from django.core.cache import cache

    runs = []
    days = sorted(set(dates))
    for day in progress(days) if progress else days:
        try:
            if not analysis_done(day):
                runs.append(analysis_run(date=day))
        finally:
            pending = set(cache.get(BACKFILL_PENDING_KEY) or []) - {day.isoformat()}
            if pending:
                cache.set(BACKFILL_PENDING_KEY, sorted(pending), None)
            else:
                cache.delete(BACKFILL_PENDING_KEY)
    return runs


def _previous_state(date: dt.date) -> dict[int, dict[str, str]]:
    """Yesterday's stored class and hot-spot class per mahalla (empty when yesterday was not analysed)."""
    rows = MahallaDayResult.objects.filter(date=date - dt.timedelta(days=1)).values_list(
        "mahalla_id", "crime_class", "hotspot_class"
    )
    return {
        mahalla: {"class": crime_class, "hotspot_class": hotspot} for mahalla, crime_class, hotspot in rows
    }


def _replace_results(run: DailyRun, date: dt.date, inputs: frames.Inputs, outputs: pipeline.Outputs) -> None:
    from . import pipeline

    MahallaDayResult.objects.filter(date=date).delete()
    AggregateDayResult.objects.filter(date=date).delete()
    ClusterResult.objects.filter(date=date).delete()
    ForecastCell.objects.filter(date=date).delete()
    cells = outputs.forecast_cells
    ForecastCell.objects.bulk_create(
        [ForecastCell(run=run, date=date, **cell) for cell in cells], batch_size=2000
    )
    territory = inputs.mahallas
    # Column by column (the 9,000 rows of a nation in one COPY on PostgreSQL): a model instance per row and
    # Django's per-value preparation took most of the storage step.
    table = outputs.mahalla
    ids = table.index
    count = len(table)

    def numbers(name: str) -> list[Any]:
        return pipeline._json_column(table[name])

    def whole(name: str) -> list[int]:
        return [int(v) for v in table[name].tolist()]

    rows_insert(
        MahallaDayResult,
        {
            "run_id": [run.pk] * count,
            "date": [date] * count,
            "mahalla_id": [int(m) for m in ids],
            "district_id": [int(v) for v in territory["district_id"].reindex(ids).tolist()],
            "region_id": [int(v) for v in territory["region_id"].reindex(ids).tolist()],
            "crime_class": [str(v) for v in table["crime_class"].tolist()],
            "previous_class": [str(v) for v in table["previous_class"].tolist()],
            "explanation": table["explanation"].tolist(),
            "counts": table["counts"].tolist(),
            "total_window": whole("total_window"),
            "total_day": whole("total_day"),
            "total_year": whole("total_year"),
            "rate_per_100k": numbers("rate_per_100k"),
            "smoothed_rate_per_100k": numbers("smoothed_rate_per_100k"),
            "comparisons": table["comparisons"].tolist(),
            "spike": [bool(v) for v in table["spike"].tolist()],
            "spike_detail": table["spike_detail"].tolist(),
            "hotspot_class": [str(v) for v in table["hotspot_class"].tolist()],
            "hotspot_detail": table["hotspot_detail"].tolist(),
            "in_cluster": [bool(v) for v in table["in_cluster"].tolist()],
            "forecast_next_week": numbers("forecast_next_week"),
        },
    )
    aggregates = outputs.aggregates
    if aggregates:
        rows_insert(
            AggregateDayResult,
            {
                "run_id": [run.pk] * len(aggregates),
                "date": [date] * len(aggregates),
                **{name: [row[name] for row in aggregates] for name in aggregates[0]},
            },
        )
    ClusterResult.objects.bulk_create(
        [
            ClusterResult(
                run=run,
                date=date,
                rank=c["rank"],
                centre_id=c["centre_id"],
                district_id=int(territory.at[c["centre_id"], "district_id"]),
                region_id=int(territory.at[c["centre_id"], "region_id"]),
                mahalla_codes=[str(territory.at[m, "code"]) for m in c["mahalla_ids"]],
                start_date=c["start_date"],
                end_date=c["end_date"],
                observed=c["observed"],
                expected=c["expected"],
                llr=c["llr"],
                p_value=c["p_value"],
                recurrence_interval_days=c["recurrence_interval_days"],
                significant=c["significant"],
            )
            for c in outputs.clusters
        ]
    )
    _replace_alerts(date, territory, outputs.alerts)


def _replace_alerts(date: dt.date, territory: Any, alerts: list[dict[str, Any]]) -> None:
    """Upsert the date's alerts by (kind, mahalla): people's work on an alert survives a re-run; untouched
    alerts that the new run no longer produces are removed."""
    existing = {(a.kind, a.mahalla_id): a for a in Alert.objects.filter(date=date)}
    produced = set()
    new, changed = [], []
    for alert in alerts:
        key = (alert["kind"], alert["mahalla_id"])
        produced.add(key)
        if key in existing:
            row = existing[key]
            row.severity = alert["severity"]
            row.detail = alert["detail"]
            changed.append(row)
        else:
            new.append(
                Alert(
                    date=date,
                    kind=alert["kind"],
                    mahalla_id=alert["mahalla_id"],
                    district_id=int(territory.at[alert["mahalla_id"], "district_id"]),
                    region_id=int(territory.at[alert["mahalla_id"], "region_id"]),
                    severity=alert["severity"],
                    detail=alert["detail"],
                )
            )
    stale = [a.pk for key, a in existing.items() if key not in produced and not a.touched]
    Alert.objects.filter(pk__in=stale).delete()
    Alert.objects.bulk_update(changed, ["severity", "detail"], batch_size=1000)
    Alert.objects.bulk_create(new, batch_size=1000)


def _alert_for_handler(actor: Any, alert_id: int, roles: frozenset[str]) -> Alert:
    """The alert if the actor may work on it; otherwise AccessDenied, as for one that does not exist."""
    if getattr(actor, "role", None) not in roles:
        raise AccessDenied(_("Alert not found"), {"alert": alert_id})
    scope = territory_filter_for(actor)
    alert = Alert.objects.select_for_update().filter(scope.q(), pk=alert_id).first()
    if alert is None:
        raise AccessDenied(_("Alert not found"), {"alert": alert_id})
    return alert


@transaction.atomic
def alert_acknowledge(*, actor: Any, alert_id: int) -> Alert:
    alert = _alert_for_handler(actor, alert_id, ALERT_HANDLERS)
    if alert.status == Alert.Status.ACKNOWLEDGED:
        return alert
    alert.status = Alert.Status.ACKNOWLEDGED
    alert.acknowledged_by = actor
    alert.acknowledged_at = timezone.now()
    alert.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="analytics.alert",
        object_id=alert.pk,
        object_repr=str(alert),
        details={"status": alert.status},
    )
    return alert


@transaction.atomic
def alert_assign(*, actor: Any, alert_id: int, assignee: Any) -> Alert:
    """Name the person responsible for the alert. The assignee must be an active user whose territory
    covers the alert's mahalla, so that they can open what they are made responsible for."""
    alert = _alert_for_handler(actor, alert_id, ALERT_ASSIGNERS)
    if assignee is None or not getattr(assignee, "is_active", False):
        raise ApplicationError(_("The assignee must be an active user."), {"assignee": str(assignee)})
    assignee_scope = territory_filter_for(assignee)
    if not Alert.objects.filter(assignee_scope.q(), pk=alert.pk).exists():
        raise ApplicationError(
            _("%(user)s cannot see this mahalla, so cannot be made responsible for it.")
            % {"user": assignee.get_username()},
            {"assignee": assignee.get_username()},
        )
    alert.assigned_to = assignee
    alert.assigned_by = actor
    alert.assigned_at = timezone.now()
    alert.save(update_fields=["assigned_to", "assigned_by", "assigned_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="analytics.alert",
        object_id=alert.pk,
        object_repr=str(alert),
        details={"assigned_to": assignee.get_username()},
    )
    return alert

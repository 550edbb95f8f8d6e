"""Writes of the drug-network workbench: sources, entities resolved on their pivot values, facts and links
with provenance, cameras, detections (idempotent on the event id), and the stored results of co-travel and
dead-drop clustering. Every write is atomic and audited; a user's bad input is an ApplicationError naming
the field, the value and the reason."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from mahalla.audit.models import AuditAction
from mahalla.audit.services import audit_record
from mahalla.core.errors import ApplicationError

from .access import links_filter_for, require_writer
from .models import Camera, Detection, DropCluster, Entity, Fact, Link, Source, SourceKind
from .schema import pivot_normalise, schema

if TYPE_CHECKING:
    # numpy loads in the two functions that compute with it: the pages import these services.
    import numpy as np


def _territory(*, mahalla: Any = None, district: Any = None, region: Any = None) -> dict[str, Any]:
    if mahalla is not None:
        return {"mahalla": mahalla, "district_id": mahalla.district_id, "region_id": mahalla.region_id}
    if district is not None:
        return {"mahalla": None, "district": district, "region_id": district.region_id}
    return {"mahalla": None, "district": None, "region": region}


def _scope(territory: dict[str, Any]) -> str:
    """The territory an entity is resolved in, as the ``scope`` of its key (see Entity)."""
    for level in ("mahalla", "district", "region"):
        value = territory.get(level)
        value_id = value.pk if value is not None else territory.get(f"{level}_id")
        if value_id is not None:
            return f"{level}:{value_id}"
    return "country"


def _resolved(*, actor: Any, key: str, scope: str, system: bool) -> Entity | None:
    """The existing entity with this key that the writer may resolve onto: for an officer only among the
    entities inside the officer's territory (fail-closed: another territory's entity with the same phone or
    card is neither returned nor written to, a new one is made in the officer's scope); the one of the same
    scope first. System loads (feeds, imports) resolve across the country, as before."""
    same = Entity.objects.filter(key=key)
    if not system:
        same = same.filter(links_filter_for(actor))
    return same.filter(scope=scope).first() or same.order_by("pk").first()


def source_create(
    *,
    actor: Any,
    kind: str,
    reference: str,
    legal_basis: str,
    mahalla: Any = None,
    district: Any = None,
    region: Any = None,
    system: bool = False,
) -> Source:
    """A source of facts and links. ``legal_basis`` is required: nothing is processed without one."""
    if not system:
        require_writer(actor)
    if kind not in SourceKind.values:
        raise ApplicationError(
            _("Unknown source kind %(kind)s.") % {"kind": kind}, {"field": "kind", "value": kind}
        )
    if not (legal_basis or "").strip():
        raise ApplicationError(
            _("A source needs its legal basis."), {"field": "legal_basis", "value": legal_basis}
        )
    if not (reference or "").strip():
        raise ApplicationError(_("A source needs a reference."), {"field": "reference", "value": reference})
    with transaction.atomic():
        source = Source.objects.create(
            kind=kind,
            reference=reference.strip()[:200],
            legal_basis=legal_basis.strip()[:300],
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            **_territory(mahalla=mahalla, district=district, region=region),
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="links.source",
            object_id=source.pk,
            object_repr=str(source),
            details={"legal_basis": source.legal_basis},
        )
    return source


def entity_resolve(
    *,
    actor: Any,
    schema_name: str,
    properties: dict[str, Any],
    source: Source,
    observed_on: dt.date | None = None,
    lat: float | None = None,
    lon: float | None = None,
    occurred_at: dt.datetime | None = None,
    mahalla: Any = None,
    district: Any = None,
    region: Any = None,
    system: bool = False,
) -> Entity:
    """The entity these properties describe: the existing one with the same pivot value (the same phone,
    card hash, wallet, handle or plate), or a new one. Each property becomes a fact with its source."""
    if not system:
        require_writer(actor)
    entity_type = schema().entity(schema_name)
    unknown = sorted(set(properties) - set(entity_type.properties))
    if unknown:
        raise ApplicationError(
            _("%(type)s has no property %(name)s.") % {"type": schema_name, "name": unknown[0]},
            {"field": unknown[0], "allowed": sorted(entity_type.properties)},
        )
    values = {name: str(value).strip() for name, value in properties.items() if str(value).strip()}
    for name, value in values.items():
        allowed = entity_type.properties[name].get("values")
        if allowed and value not in allowed:
            raise ApplicationError(
                _("%(value)s is not a valid %(name)s.") % {"value": value, "name": name},
                {"field": name, "value": value, "allowed": allowed},
            )
    if entity_type.pivot:
        pivot_kind = entity_type.properties[entity_type.pivot].get("type", "string")
        raw = values.get(entity_type.pivot, "")
        pivot = pivot_normalise(pivot_kind, raw)
        if not pivot:
            raise ApplicationError(
                _("%(type)s needs its %(name)s.") % {"type": schema_name, "name": entity_type.pivot},
                {"field": entity_type.pivot, "value": raw},
            )
        values[entity_type.pivot] = pivot
        key = f"{schema_name}:{pivot}"
    else:
        key = f"{schema_name}#{uuid.uuid4().hex}"
    if (
        entity_type.geo
        and lat is not None
        and lon is not None
        and not (-90 <= lat <= 90 and -180 <= lon <= 180)
    ):
        raise ApplicationError(_("Coordinates out of range."), {"field": "lat/lon", "value": [lat, lon]})
    caption = " ".join(values[c] for c in entity_type.caption if values.get(c)) or schema_name
    territory = _territory(mahalla=mahalla, district=district, region=region)
    if (
        territory.get("mahalla") is None
        and territory.get("district") is None
        and territory.get("region") is None
    ):
        territory = {
            "mahalla_id": source.mahalla_id,
            "district_id": source.district_id,
            "region_id": source.region_id,
        }
    scope = _scope(territory)
    with transaction.atomic():
        entity = _resolved(actor=actor, key=key, scope=scope, system=system) if entity_type.pivot else None
        created = False
        if entity is None:
            entity, created = Entity.objects.get_or_create(
                key=key,
                scope=scope,
                defaults={
                    "schema": schema_name,
                    "caption": caption[:300],
                    "lat": lat,
                    "lon": lon,
                    "occurred_at": occurred_at,
                    **territory,
                },
            )
        if not created and entity.lat is None and lat is not None:
            entity.lat, entity.lon = lat, lon
            entity.save(update_fields=["lat", "lon"])
        entered_by = actor if getattr(actor, "is_authenticated", False) else None
        Fact.objects.bulk_create(
            [
                Fact(
                    entity=entity,
                    prop=name,
                    value=value,
                    source=source,
                    observed_on=observed_on,
                    entered_by=entered_by,
                )
                for name, value in values.items()
            ],
            ignore_conflicts=True,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            object_type="links.entity",
            object_id=entity.pk,
            object_repr=str(entity),
            details={"source": source.pk, "properties": sorted(values)},
        )
    return entity


def link_create(
    *,
    actor: Any,
    schema_name: str,
    source_entity: Entity,
    target_entity: Entity,
    source: Source,
    date: dt.date,
    weight: float = 1.0,
    details: dict[str, Any] | None = None,
    system: bool = False,
    audit: bool = True,
) -> Link:
    """A link of the schema's type between two entities, with its source and date."""
    if not system:
        require_writer(actor)
    link_type = schema().link(schema_name)
    if source_entity.schema not in link_type.source or target_entity.schema not in link_type.target:
        raise ApplicationError(
            _("A %(link)s link goes from %(source)s to %(target)s.")
            % {
                "link": schema_name,
                "source": "/".join(sorted(link_type.source)),
                "target": "/".join(sorted(link_type.target)),
            },
            {"field": "schema", "value": [source_entity.schema, target_entity.schema]},
        )
    if source_entity.pk == target_entity.pk:
        raise ApplicationError(
            _("A link needs two different entities."), {"field": "target", "value": target_entity.pk}
        )
    if weight <= 0:
        raise ApplicationError(_("A link's weight must be positive."), {"field": "weight", "value": weight})
    with transaction.atomic():
        link = Link.objects.create(
            schema=schema_name,
            source_entity=source_entity,
            target_entity=target_entity,
            source=source,
            date=date,
            weight=weight,
            details=details or {},
            entered_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if audit:
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                object_type="links.link",
                object_id=link.pk,
                object_repr=str(link),
                details={"source": source.pk, "schema": schema_name},
            )
    return link


def camera_register(
    *,
    actor: Any,
    code: str,
    name: str,
    lat: float,
    lon: float,
    mahalla: Any,
    feed: Source,
    system: bool = False,
) -> Camera:
    if not system:
        require_writer(actor)
    if feed.kind != SourceKind.DETECTION_FEED:
        raise ApplicationError(
            _("A camera belongs to a detection feed."), {"field": "feed", "value": feed.pk}
        )
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ApplicationError(_("Coordinates out of range."), {"field": "lat/lon", "value": [lat, lon]})
    with transaction.atomic():
        camera, _created = Camera.objects.update_or_create(
            code=code.strip().upper(),
            defaults={
                "name": name,
                "lat": lat,
                "lon": lon,
                "mahalla": mahalla,
                "district_id": mahalla.district_id,
                "region_id": mahalla.region_id,
                "feed": feed,
            },
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="links.camera",
            object_id=camera.pk,
            object_repr=camera.code,
            details={"feed": feed.pk, "legal_basis": feed.legal_basis},
        )
    return camera


@dataclass
class DetectionBatchResult:
    inserted: int = 0
    duplicates: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)  # {"index", "event_id", "reason"}


DetectionValues = tuple[str, int, str, dt.datetime]  # event_id, camera id, plate, observed_at


def detection_values(event: Any, cameras: dict[str, int]) -> tuple[DetectionValues | None, str]:
    """The stored values of one event (event id, camera id, plate, observed at), or None and the reason it
    is refused. Plain tuples, not model instances: a bulk load parses millions of them."""
    if not isinstance(event, dict):
        return None, "malformed: the event is not a JSON object"
    event_id = event.get("event_id")
    if not isinstance(event_id, str) or not event_id.strip() or len(event_id) > 80:
        return None, "malformed: event_id missing or not a string of at most 80 characters"
    camera_code = event.get("camera")
    if not isinstance(camera_code, str) or not camera_code.strip():
        return None, "malformed: camera missing"
    plate = pivot_normalise("plate", str(event.get("plate") or ""))
    if not plate or len(plate) > 20:
        return None, "malformed: plate missing or longer than 20 characters"
    observed = event.get("observed_at")
    when: dt.datetime | None = None
    if isinstance(observed, int | float) and not isinstance(observed, bool):
        when = dt.datetime.fromtimestamp(float(observed), tz=dt.UTC)
    elif isinstance(observed, str):
        try:
            when = parse_datetime(observed)
        except ValueError:
            when = None
        if when is not None and when.tzinfo is None:
            return None, "malformed: observed_at has no time zone"
    if when is None:
        return None, "malformed: observed_at is not a date-time (ISO 8601 with zone, or Unix seconds)"
    camera_id = cameras.get(camera_code.strip().upper())
    if camera_id is None:
        return None, f"unknown camera {camera_code!r}: register it before sending its detections"
    return (event_id.strip(), camera_id, plate, when), ""


def detection_parse(event: Any, cameras: dict[str, int]) -> tuple[Detection | None, str]:
    """A Detection from one event, or None and the reason it is refused."""
    values, reason = detection_values(event, cameras)
    if values is None:
        return None, reason
    event_id, camera_id, plate, when = values
    return Detection(event_id=event_id, camera_id=camera_id, plate=plate, observed_at=when), ""


def camera_codes() -> dict[str, int]:
    return dict(Camera.objects.values_list("code", "id"))


def detections_store(
    *, events: list[Any], origin: str, cameras: dict[str, int] | None = None, actor: Any = None
) -> DetectionBatchResult:
    """Store a batch of detection events in one transaction. An event whose id is already stored is a
    duplicate (a redelivery) and changes nothing; a malformed one or one from an unknown camera is refused
    with its reason and does not stop the others.

    On PostgreSQL the batch is COPYed into a temporary table and inserted with ``ON CONFLICT (event_id) DO
    NOTHING`` in the same transaction: one round trip for the rows, the unique index deciding what is new
    (idempotent, and safe between concurrent consumers). Elsewhere (SQLite in tests) the ORM does the same."""
    codes = camera_codes() if cameras is None else cameras
    result = DetectionBatchResult()
    rows: list[DetectionValues] = []
    seen: set[str] = set()
    for index, event in enumerate(events):
        values, reason = detection_values(event, codes)
        if values is None:
            event_id = event.get("event_id") if isinstance(event, dict) else None
            result.rejected.append({"index": index, "event_id": event_id, "reason": reason})
            continue
        if values[0] in seen:
            result.duplicates += 1
            continue
        seen.add(values[0])
        rows.append(values)
    if not rows:
        return result
    with transaction.atomic():
        if connection.vendor == "postgresql":
            inserted = _detections_copy(rows)
        else:
            inserted = _detections_insert(rows)
        result.inserted = inserted
        result.duplicates += len(rows) - inserted
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            object_type="links.detection",
            object_repr=f"{len(rows)} detections",
            details={"origin": origin, "received": len(events), "rejected": len(result.rejected)},
        )
    return result


_DETECTION_COLUMNS = "event_id, camera_id, plate, observed_at"


def _detections_insert(rows: list[DetectionValues]) -> int:
    """One prepared INSERT run over all the rows (SQLite): the unique event_id decides what is new, as
    COPY + ON CONFLICT does on PostgreSQL; the number inserted. The ORM's bulk_create built a model instance
    and compiled SQL per 2,000 rows, which made the demo's 3M detections take most of an hour."""
    table = connection.ops.quote_name(Detection._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    now = adapt(timezone.now())
    with connection.cursor() as cursor:
        before = connection.connection.total_changes
        cursor.executemany(
            f"INSERT INTO {table} ({_DETECTION_COLUMNS}, received_at) VALUES (%s, %s, %s, %s, %s) "  # noqa: S608
            "ON CONFLICT (event_id) DO NOTHING",
            [(event_id, camera_id, plate, adapt(when), now) for event_id, camera_id, plate, when in rows],
        )
        return int(connection.connection.total_changes - before)


def _detections_copy(rows: list[DetectionValues]) -> int:
    """COPY the rows into a per-session temporary table and insert the new ones; the
    number inserted. Must run inside the caller's transaction."""
    table = connection.ops.quote_name(Detection._meta.db_table)
    columns = _DETECTION_COLUMNS
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS links_detection_incoming "
            "(event_id varchar(80), camera_id bigint, plate varchar(20), observed_at timestamptz) "
            "ON COMMIT DELETE ROWS"
        )
        with cursor.cursor.copy(f"COPY links_detection_incoming ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({columns}, received_at) "  # noqa: S608 - table and columns are ours
            f"SELECT {columns}, now() FROM links_detection_incoming ON CONFLICT (event_id) DO NOTHING"
        )
        inserted = int(cursor.rowcount)
        # Emptied now too, not only at commit: inside an enclosing transaction (a test) no batch may see
        # the rows of the one before.
        cursor.execute("TRUNCATE links_detection_incoming")
        return inserted


def detections_frame(
    *, start: dt.datetime, end: dt.datetime
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Detections in [start, end) as integer arrays (vehicle code, camera id, Unix seconds) and the plates."""
    import numpy as np

    query = Detection.objects.filter(observed_at__gte=start, observed_at__lt=end).values_list(
        "plate", "camera_id", "observed_at"
    )
    # Raw rows from the ORM's own SQL: the ORM's per-row datetime conversion was most of the cost at 3M
    # rows. SQLite returns the stored UTC text, which numpy parses in one call; PostgreSQL aware datetimes.
    sql, params = query.query.sql_with_params()
    plates: dict[str, int] = {}
    vehicle: list[int] = []
    camera: list[int] = []
    stamps: list[Any] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(50_000):
            for plate, camera_id, observed in chunk:
                vehicle.append(plates.setdefault(plate, len(plates)))
                camera.append(camera_id)
                stamps.append(observed)
    if stamps and isinstance(stamps[0], str):
        ts = np.array(stamps, dtype="datetime64[us]").astype("datetime64[s]").astype(np.int64)
    else:
        ts = np.fromiter(
            (int(observed.timestamp()) for observed in stamps), dtype=np.int64, count=len(stamps)
        )
    names = [""] * len(plates)
    for plate, code in plates.items():
        names[code] = plate
    return (
        np.asarray(vehicle, dtype=np.int64),
        np.asarray(camera, dtype=np.int64),
        ts,
        names,
    )


def cotravel_run(
    *,
    actor: Any,
    start: dt.datetime,
    end: dt.datetime,
    window: int = 60,
    min_cameras: int = 4,
    min_score: float | None = None,
    system: bool = False,
) -> int:
    """Run the co-travel analysis over the detections of [start, end) and store each pair found as a
    ``co_travel`` link between the two vehicles, with its evidence, replacing the links of an earlier run over
    the same period. Returns the number of pairs."""
    from mahalla.engine.cotravel import cotravel_pairs  # scipy, imported when used

    if not system:
        require_writer(actor)
    vehicle, camera, ts, plates = detections_frame(start=start, end=end)
    result = cotravel_pairs(vehicle, camera, ts, window=window, min_cameras=min_cameras, min_score=min_score)
    codes = dict(Camera.objects.values_list("id", "code"))
    cameras_by_id = {c.pk: c for c in Camera.objects.all()}
    reference = f"co-travel {start:%Y-%m-%d}..{end:%Y-%m-%d}"
    with transaction.atomic():
        old = Source.objects.filter(kind=SourceKind.ANALYSIS, reference=reference)
        Link.objects.filter(source__in=old).delete()
        Fact.objects.filter(source__in=old).delete()
        old.delete()
        source = source_create(
            actor=actor,
            kind=SourceKind.ANALYSIS,
            reference=reference,
            legal_basis=_("Analysis of detections received under the feeds' legal bases"),
            system=True,
        )
        for pair in result.pairs:
            first_camera = cameras_by_id[pair.evidence[0].camera] if pair.evidence else None
            ends = []
            for code in (pair.vehicle_a, pair.vehicle_b):
                ends.append(
                    entity_resolve(
                        actor=actor,
                        schema_name="Vehicle",
                        properties={"plate": plates[code]},
                        source=source,
                        mahalla=first_camera.mahalla if first_camera else None,
                        system=True,
                    )
                )
            link_create(
                actor=actor,
                schema_name="co_travel",
                source_entity=ends[0],
                target_entity=ends[1],
                source=source,
                date=end.date(),
                weight=max(pair.score, 0.1),
                details={
                    "score": round(pair.score, 2),
                    "distinct_cameras": pair.distinct_cameras,
                    "co_occurrences": pair.co_occurrences,
                    "expected": pair.expected,
                    "evidence": [
                        {
                            "camera": codes.get(e.camera, str(e.camera)),
                            "a": dt.datetime.fromtimestamp(e.ts_a, tz=dt.UTC).isoformat(),
                            "b": dt.datetime.fromtimestamp(e.ts_b, tz=dt.UTC).isoformat(),
                            "rarity": round(e.rarity, 2),
                        }
                        for e in pair.evidence
                    ],
                },
                system=True,
            )
        audit_record(
            actor=actor,
            action=AuditAction.RUN,
            object_type="links.cotravel",
            object_repr=reference,
            details={
                "pairs": len(result.pairs),
                "reads": result.reads,
                "window": window,
                "min_cameras": min_cameras,
            },
        )
    return len(result.pairs)


def _places(kind: str) -> list[Entity]:
    return list(
        Entity.objects.filter(
            schema="Place", facts__prop="kind", facts__value=kind, lat__isnull=False
        ).distinct()
    )


def drops_cluster_run(
    *, actor: Any, day: dt.date, eps_metres: float = 150.0, min_samples: int = 4, system: bool = False
) -> int:
    """Cluster the dead drops (places of kind dead_drop) in space and time, store the clusters with the
    distance to the nearest school, college and park; replaces the clusters of the same day."""
    import numpy as np

    from mahalla.engine.drops import drops_cluster, nearest_distance_m  # scikit-learn, imported when used

    if not system:
        require_writer(actor)
    drops = _places("dead_drop")
    if drops:
        day0 = min((d.occurred_at or timezone.now()) for d in drops)
        days = np.array([((d.occurred_at or day0) - day0).total_seconds() / 86400 for d in drops])
        clustering = drops_cluster(
            np.array([d.lat for d in drops]),
            np.array([d.lon for d in drops]),
            days,
            eps_metres=eps_metres,
            min_samples=min_samples,
        )
    distances: dict[str, np.ndarray] = {}
    with transaction.atomic():
        DropCluster.objects.filter(computed_on=day).delete()
        if not drops or not clustering.clusters:
            return 0
        for kind in ("school", "college", "park"):
            places = _places(kind)
            distances[kind], _index = nearest_distance_m(
                [c.lat for c in clustering.clusters],
                [c.lon for c in clustering.clusters],
                [p.lat for p in places],
                [p.lon for p in places],
            )
        rows = []
        for position, cluster in enumerate(clustering.clusters):
            members = [drops[m] for m in cluster.members]
            mahallas = [m.mahalla_id for m in members if m.mahalla_id]
            main = max(set(mahallas), key=mahallas.count) if mahallas else None
            anchor = next((m for m in members if m.mahalla_id == main), members[0])

            def finite(kind: str, position: int = position) -> float | None:
                value = float(distances[kind][position])
                return value if np.isfinite(value) else None

            rows.append(
                DropCluster(
                    computed_on=day,
                    lat=cluster.lat,
                    lon=cluster.lon,
                    size=cluster.size,
                    radius_m=cluster.radius_m,
                    first_seen=(day0 + dt.timedelta(days=cluster.first_day)).date(),
                    last_seen=(day0 + dt.timedelta(days=cluster.last_day)).date(),
                    school_m=finite("school"),
                    college_m=finite("college"),
                    park_m=finite("park"),
                    members=[m.pk for m in members],
                    mahalla_id=anchor.mahalla_id,
                    district_id=anchor.district_id,
                    region_id=anchor.region_id,
                )
            )
        DropCluster.objects.bulk_create(rows)
        audit_record(
            actor=actor,
            action=AuditAction.RUN,
            object_type="links.dropcluster",
            object_repr=f"{len(rows)} clusters {day}",
            details={"drops": len(drops), "eps_metres": eps_metres, "min_samples": min_samples},
        )
    return len(rows)


def links_daily_run(*, day: dt.date, days: int = 30) -> dict[str, int]:
    """The daily monitoring: co-travel over the ``days`` days ending with ``day`` and the drop clustering."""
    end = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) + dt.timedelta(days=1)
    start = end - dt.timedelta(days=days)
    return {
        "co_travel_pairs": cotravel_run(actor=None, start=start, end=end, system=True),
        "drop_clusters": drops_cluster_run(actor=None, day=day, system=True),
    }

"""Load a generated drug-network world (mahalla/demo/generator/links.py) through the services: sources with
their legal basis, cameras, historic detections, entities and links, drops and places, and the posts the
classifier flags; then run co-travel and the drop clustering. Used by the demo and by the tests."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from django.db import connection, transaction

from mahalla.audit.services import audit_deferred
from mahalla.engine.posts import Lexicon, PostClassifier, extract, precision_recall

from .models import Detection, SourceKind
from .services import (
    camera_codes,
    camera_register,
    cotravel_run,
    detections_store,
    drops_cluster_run,
    entity_resolve,
    link_create,
    source_create,
)

SLANG_FILE = Path(__file__).parent / "reference" / "slang.yaml"
LEGAL_BASES = {
    SourceKind.DETECTION_FEED: "Law on operational-search activity; public-space video monitoring regulation",
    SourceKind.DOCUMENT: "Criminal Procedure Code: evidence gathered in criminal case",
    SourceKind.SEIZURE: "Criminal Procedure Code: seizure protocol",
    SourceKind.REPORT: "Law on operational-search activity: operational report",
    SourceKind.OPEN_SOURCE: "Public posts, monitored under the Law on operational-search activity",
}
EVIDENCE_KINDS = {
    "phone extraction": SourceKind.DOCUMENT,
    "bank reply": SourceKind.DOCUMENT,
    "vehicle registry": SourceKind.DOCUMENT,
    "platform reply": SourceKind.DOCUMENT,
    "seizure interview": SourceKind.SEIZURE,
    "buyer interview": SourceKind.REPORT,
    "call records": SourceKind.DOCUMENT,
    "co-travel analysis": SourceKind.REPORT,
}


def lexicon() -> Lexicon:
    data = yaml.safe_load(SLANG_FILE.read_text(encoding="utf-8"))
    return Lexicon(drug=data["drug"], drop=data["drop"], payment=data["payment"], contact=data["contact"])


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


DETECTION_BATCH = 100_000


@contextmanager
def _indexes_built_after() -> Iterator[None]:
    """Into an empty detections table (the demo's first load), insert without the two secondary indexes and
    build them once at the end: rows come in event order, so each insert touched a random page of both
    indexes (13.8 against 3.8 CPU us a row measured on SQLite, index build included). Inside the caller's
    transaction, so a failed load rolls the indexes back with the rows. A table with rows keeps its indexes:
    the live feeds read it meanwhile. SQLite only: on PostgreSQL the rows come by COPY, and CREATE INDEX is
    refused in a transaction with pending deferred foreign-key checks ("pending trigger events")."""
    if connection.vendor != "sqlite" or Detection.objects.exists():
        yield
        return
    quote = connection.ops.quote_name
    table = quote(Detection._meta.db_table)
    with connection.cursor() as cursor:
        for index in Detection._meta.indexes:
            cursor.execute(f"DROP INDEX {quote(index.name)}")
        yield
        for index in Detection._meta.indexes:
            columns = ", ".join(quote(Detection._meta.get_field(name).column) for name in index.fields)
            cursor.execute(f"CREATE INDEX {quote(index.name)} ON {table} ({columns})")


def _detections_load(path: Path) -> int:
    """Store the detections of ``path`` through ``detections_store`` in batches of 100,000, all in one
    transaction: one commit (on SQLite a commit per batch cost a journal flush each) and nothing half-loaded
    if the file turns out bad. The camera codes are read once, not per batch."""
    stored = 0
    cameras = camera_codes()
    with transaction.atomic(), _indexes_built_after(), path.open(encoding="utf-8", newline="") as handle:
        batch: list[dict[str, str]] = []
        for row in csv.DictReader(handle):
            batch.append(row)
            if len(batch) == DETECTION_BATCH:
                stored += detections_store(events=batch, origin="demo import", cameras=cameras).inserted
                batch = []
        if batch:
            stored += detections_store(events=batch, origin="demo import", cameras=cameras).inserted
    return stored


def world_load(
    *, directory: Path, mahallas: list[Any], detections: bool = True, analyse: bool = True
) -> dict[str, Any]:
    """Load the files of ``directory`` into the database, spread over ``mahallas``. Returns counts.

    One transaction for the whole world, its audit events written together at the end (audit_deferred):
    all of it or nothing, and no per-record commit or chain-head read."""
    if not mahallas:
        raise ValueError("at least one mahalla is needed")
    with audit_deferred():
        return _world_load(directory=directory, mahallas=mahallas, detections=detections, analyse=analyse)


def _world_load(*, directory: Path, mahallas: list[Any], detections: bool, analyse: bool) -> dict[str, Any]:
    home = mahallas[0]
    sources = {
        name: source_create(
            actor=None,
            kind=kind,
            reference=f"demo: {name}",
            legal_basis=LEGAL_BASES[kind],
            mahalla=home,
            system=True,
        )
        for name, kind in EVIDENCE_KINDS.items()
    }
    feed = source_create(
        actor=None,
        kind=SourceKind.DETECTION_FEED,
        reference="ANPR network of Tashkent (demo)",
        legal_basis=LEGAL_BASES[SourceKind.DETECTION_FEED],
        mahalla=home,
        system=True,
    )
    counts: dict[str, Any] = {}
    cameras = _rows(directory / "links_cameras.csv")
    with transaction.atomic():
        for n, row in enumerate(cameras):
            camera_register(
                actor=None,
                code=row["code"],
                name=row["name"],
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                mahalla=mahallas[n % len(mahallas)],
                feed=feed,
                system=True,
            )
    counts["cameras"] = len(cameras)
    if detections:
        counts["detections"] = _detections_load(directory / "links_detections.csv")

    refs: dict[str, Any] = {}
    entity_rows = _rows(directory / "links_entities.csv")
    with transaction.atomic():
        for n, row in enumerate(entity_rows):
            schema_name = row["schema"]
            properties = {k: v for k, v in row.items() if k not in ("ref", "schema", "card") and v}
            if schema_name == "Card":
                from mahalla.engine.posts import card_hash

                properties = {
                    "card_hash": card_hash(row["card"]),
                    "mask": f"{row['card'][:6]}******{row['card'][-4:]}",
                }
            refs[row["ref"]] = entity_resolve(
                actor=None,
                schema_name=schema_name,
                properties=properties,
                source=sources["phone extraction" if schema_name != "Shop" else "platform reply"],
                mahalla=mahallas[n % len(mahallas)],
                system=True,
            )
        for row in _rows(directory / "links_links.csv"):
            link_create(
                actor=None,
                schema_name=row["schema"],
                source_entity=refs[row["source"]],
                target_entity=refs[row["target"]],
                source=sources[row["evidence"]],
                date=dt.date.fromisoformat(row["date"]),
                system=True,
            )
    counts["entities"] = len(entity_rows)

    with transaction.atomic():
        seizure = sources["seizure interview"]
        for n, row in enumerate(_rows(directory / "links_drops.csv")):
            day = dt.date.fromisoformat(row["day"])
            entity_resolve(
                actor=None,
                schema_name="Place",
                properties={"kind": "dead_drop", "description": row["description"]},
                source=seizure,
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                occurred_at=dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC),
                mahalla=mahallas[n % len(mahallas)],
                system=True,
            )
        registry = sources["vehicle registry"]
        for n, row in enumerate(_rows(directory / "links_places.csv")):
            entity_resolve(
                actor=None,
                schema_name="Place",
                properties={"kind": row["kind"], "address": row["name"]},
                source=registry,
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                mahalla=mahallas[n % len(mahallas)],
                system=True,
            )

    posts = _rows(directory / "links_posts.csv")
    train = [p for p in posts if p["held_out"] == "0"]
    test = [p for p in posts if p["held_out"] == "1"]
    words = lexicon()
    classifier = PostClassifier(words).fit([p["text"] for p in train], [int(p["label"]) for p in train])
    predicted = classifier.predict([p["text"] for p in test]).tolist()
    precision, recall = precision_recall([int(p["label"]) for p in test], predicted)
    counts["posts"] = {"held_out": len(test), "precision": precision, "recall": recall}
    open_source = source_create(
        actor=None,
        kind=SourceKind.OPEN_SOURCE,
        reference="Telegram channels (demo)",
        legal_basis=LEGAL_BASES[SourceKind.OPEN_SOURCE],
        mahalla=home,
        system=True,
    )
    with transaction.atomic():
        flagged = 0
        for post, label in zip(test, predicted, strict=True):
            if not label or flagged >= 20:
                continue
            flagged += 1
            posts_entity = entity_resolve(
                actor=None,
                schema_name="Post",
                properties={"text": post["text"]},
                source=open_source,
                mahalla=home,
                system=True,
            )
            found = extract(post["text"], words)
            for handle in found.handles:
                account = entity_resolve(
                    actor=None,
                    schema_name="Account",
                    properties={"handle": handle, "platform": "telegram"},
                    source=open_source,
                    mahalla=home,
                    system=True,
                )
                link_create(
                    actor=None,
                    schema_name="advertised",
                    source_entity=posts_entity,
                    target_entity=account,
                    source=open_source,
                    date=dt.date.today(),
                    system=True,
                )
            for card in found.cards:
                card_entity = entity_resolve(
                    actor=None,
                    schema_name="Card",
                    properties={"card_hash": card.hash, "mask": card.mask},
                    source=open_source,
                    mahalla=home,
                    system=True,
                )
                link_create(
                    actor=None,
                    schema_name="advertised",
                    source_entity=posts_entity,
                    target_entity=card_entity,
                    source=open_source,
                    date=dt.date.today(),
                    system=True,
                )
            for chain, address in found.wallets:
                wallet = entity_resolve(
                    actor=None,
                    schema_name="Wallet",
                    properties={"address": address, "chain": chain},
                    source=open_source,
                    mahalla=home,
                    system=True,
                )
                link_create(
                    actor=None,
                    schema_name="advertised",
                    source_entity=posts_entity,
                    target_entity=wallet,
                    source=open_source,
                    date=dt.date.today(),
                    system=True,
                )
    if analyse:
        import json

        truth = json.loads((directory / "truth_links.json").read_text(encoding="utf-8"))
        start = dt.datetime.fromisoformat(truth["start"])
        end = start + dt.timedelta(days=int(truth["days"]) + 1)
        if detections:
            counts["co_travel_pairs"] = cotravel_run(actor=None, start=start, end=end, system=True)
        counts["drop_clusters"] = drops_cluster_run(actor=None, day=end.date(), system=True)
    return counts

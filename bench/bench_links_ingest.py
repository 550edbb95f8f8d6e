"""Ingestion of live detections through NATS JetStream into PostgreSQL (issue 14: at least 10,000 a second).

Publishes EVENTS plate reads to a stream of its own (prefix mahalla_links_bench_<random>), then runs the
durable consumer (mahalla/links/stream.py: batches of 5,000 COPYed in one transaction while the next is
fetched, idempotent on event id, acknowledged after the commit) until the stream is drained, and reports
events per second. Baseline in the same run: storing the same number of events through
services.detections_store directly, without the broker (the database's own floor). Needs DATABASE_URL naming
a PostgreSQL database (it is migrated and the bench's rows are deleted afterwards). Prints the machine
(2 cores, shared), the load average and the process CPU time.

Run: `DATABASE_URL=postgres://postgres@127.0.0.1:5432/links .venv/bin/python bench/bench_links_ingest.py`
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

EVENTS = int(os.environ.get("BENCH_EVENTS", "200000"))
URL = os.environ.get("MAHALLA_LINKS_NATS_URL", "nats://127.0.0.1:4222")


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("set DATABASE_URL to a PostgreSQL database")
    call_command("migrate", verbosity=0)
    from mahalla.accounts.tests.factories import mahalla_create
    from mahalla.links.models import Camera, Detection, Source, SourceKind
    from mahalla.links.services import camera_register, detections_store, source_create
    from mahalla.links.stream import StreamNames, consume, publish, stream_delete
    from mahalla.territory.models import Mahalla

    mahalla = Mahalla.objects.filter(code="1726273999").first() or mahalla_create(
        district_code="1726273", code="1726273999"
    )
    feed = source_create(
        actor=None,
        kind=SourceKind.DETECTION_FEED,
        reference="bench",
        legal_basis="bench",
        mahalla=mahalla,
        system=True,
    )
    codes = [f"BENCH-{i:03d}" for i in range(100)]
    for i, code in enumerate(codes):
        camera_register(
            actor=None,
            code=code,
            name=code,
            lat=41.3,
            lon=69.2 + i * 1e-4,
            mahalla=mahalla,
            feed=feed,
            system=True,
        )
    run = uuid.uuid4().hex[:8]

    def events(tag: str) -> list[dict]:
        return [
            {
                "event_id": f"{run}-{tag}-{n}",
                "camera": codes[n % 100],
                "plate": f"01A{n % 1000:03d}BC",
                "observed_at": 1_767_225_600 + n // 10,
            }
            for n in range(EVENTS)
        ]

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; {EVENTS:,} events")
    direct = events("direct")
    started = time.perf_counter()
    cpu = time.process_time()
    for start in range(0, EVENTS, 2000):
        detections_store(events=direct[start : start + 2000], origin="bench")
    baseline = EVENTS / (time.perf_counter() - started)
    print(
        f"baseline: detections_store directly, batches of 2,000: {baseline:,.0f} events/s, "
        f"process CPU {time.process_time() - cpu:.1f} s"
    )

    names = StreamNames.with_prefix(f"mahalla_links_bench_{run}")
    payloads = [json.dumps(e).encode() for e in events("nats")]
    started = time.perf_counter()
    asyncio.run(publish(url=URL, names=names, payloads=payloads))
    print(f"published in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    cpu = time.process_time()
    stats = asyncio.run(consume(url=URL, names=names, batch=5000, fetch_timeout=0.5, idle_exit=1.0))
    elapsed = time.perf_counter() - started - 1.0  # minus the idle second that ends the run
    rate = stats.stored / elapsed
    cpu = time.process_time() - cpu
    print(
        f"JetStream -> PostgreSQL: {stats.stored:,} stored in {elapsed:.1f} s = {rate:,.0f} events/s "
        f"({rate / baseline:.2f} x baseline); target >= 10,000/s: {'PASS' if rate >= 10_000 else 'FAIL'}; "
        f"consumer process CPU {cpu:.1f} s ({stats.stored / cpu:,.0f} events per CPU second); "
        f"load average now {os.getloadavg()[0]:.1f}"
    )
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"children's CPU time {children.ru_utime + children.ru_stime:.1f} s (the broker and the database "
        "server are not children: their CPU is not in these figures)"
    )
    asyncio.run(stream_delete(url=URL, names=names))
    Detection.objects.filter(camera__code__in=codes).delete()
    Camera.objects.filter(code__in=codes).delete()
    Source.objects.filter(pk=feed.pk).delete()


if __name__ == "__main__":
    main()

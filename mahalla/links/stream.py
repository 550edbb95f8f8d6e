"""Live detections from NATS JetStream: a durable pull consumer that stores events in batches.

Delivery is at least once; storage is idempotent on the event id, so a consumer killed at any moment
(kill -9 included) loses nothing (what was not acknowledged is delivered again) and duplicates nothing (what
was stored before the kill is recognised by its id). The order per batch:

1. fetch up to ``batch`` messages (waiting at most ``fetch_timeout`` seconds);
2. parse them; store the good ones in ONE transaction (services.detections_store: COPY into PostgreSQL,
   insert what is new), in a database thread, while the next batch is fetched;
3. publish each refused one (malformed, or from an unknown camera) to the dead-letter subject with its reason
   in the ``Mahalla-Reason`` header and the original payload, and wait for JetStream to confirm it;
4. only then acknowledge the batch.

A crash between 2 and 4 redelivers the batch: its events are then duplicates and its dead letters are
published again (a dead-letter reader de-duplicates on the ``Nats-Msg-Id`` header, which is the original
message's stream sequence, so JetStream itself drops the copy inside its duplicate window).

Names: the stream, subjects and durable consumer are parameters (settings MAHALLA_LINKS_NATS_*), so tests and
benchmarks use their own.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import nats
from django.db import close_old_connections
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig
from nats.js.errors import NotFoundError

from .services import camera_codes, detections_store

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StreamNames:
    stream: str
    subject: str  # where detections are published
    dead_letter_subject: str
    durable: str

    @classmethod
    def with_prefix(cls, prefix: str) -> StreamNames:
        return cls(
            stream=prefix.upper().replace(".", "_"),
            subject=f"{prefix}.detections",
            dead_letter_subject=f"{prefix}.dead",
            durable=f"{prefix.replace('.', '_')}_store",
        )


@dataclass
class ConsumeStats:
    stored: int = 0
    duplicates: int = 0
    dead_letters: int = 0
    batches: int = 0


async def stream_ensure(js: Any, names: StreamNames) -> None:
    """Create the stream (detections and dead letters) if it is missing; file storage, kept 7 days."""
    try:
        await js.stream_info(names.stream)
    except NotFoundError:
        await js.add_stream(
            StreamConfig(
                name=names.stream,
                subjects=[names.subject, names.dead_letter_subject],
                max_age=7 * 24 * 3600,
                duplicate_window=120,
            )
        )


async def consume(
    *,
    url: str,
    names: StreamNames,
    batch: int = 5000,
    fetch_timeout: float = 1.0,
    idle_exit: float | None = None,
    max_events: int | None = None,
    ack_wait: float = 30.0,
    on_batch: Callable[[ConsumeStats], None] | None = None,
) -> ConsumeStats:
    """Consume until ``idle_exit`` seconds pass without a message (forever when None) or ``max_events``
    messages were handled. ``ack_wait``: seconds after which JetStream delivers again a message that a dead
    consumer never acknowledged (set when the durable consumer is created)."""
    client = await nats.connect(url, max_reconnect_attempts=5)
    js = client.jetstream()
    await stream_ensure(js, names)
    subscription = await js.pull_subscribe(
        names.subject,
        durable=names.durable,
        stream=names.stream,
        config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, max_ack_pending=batch * 4, ack_wait=ack_wait),
    )
    stats = ConsumeStats()
    database = ThreadPoolExecutor(max_workers=1)  # one thread: one database connection
    loop = asyncio.get_running_loop()
    cameras = await loop.run_in_executor(database, camera_codes)
    last_message = time.monotonic()
    handled = 0
    # One batch is stored (in the database thread) while the next is fetched; a batch is acknowledged only
    # after its own transaction committed, so at most two batches are ever unacknowledged.
    pending: tuple[list[Any], list[Any], asyncio.Future[Any]] | None = None

    async def finish(messages: list[Any], events: list[Any], stored: asyncio.Future[Any]) -> None:
        nonlocal handled
        result = await stored
        parsed_positions = [i for i, e in enumerate(events) if not isinstance(e, _Malformed)]
        refused = [
            (messages[parsed_positions[rejected["index"]]], rejected["reason"])
            for rejected in result.rejected
        ]
        refused += [
            (message, "malformed: not JSON")
            for message, event in zip(messages, events, strict=True)
            if isinstance(event, _Malformed)
        ]
        if refused:
            await asyncio.gather(
                *(
                    js.publish(
                        names.dead_letter_subject,
                        message.data,
                        headers={
                            "Mahalla-Reason": reason,
                            "Nats-Msg-Id": f"dead-{message.metadata.sequence.stream}",
                        },
                    )
                    for message, reason in refused
                )
            )
        for message in messages:
            await message.ack()
        await client.flush()
        stats.stored += result.inserted
        stats.duplicates += result.duplicates
        stats.dead_letters += len(refused)
        stats.batches += 1
        handled += len(messages)
        if on_batch is not None:
            on_batch(stats)

    try:
        while True:
            try:
                messages = await subscription.fetch(batch, timeout=fetch_timeout)
            except (TimeoutError, nats.errors.TimeoutError):
                messages = []
            if pending is not None:
                await finish(*pending)
                pending = None
                if max_events is not None and handled >= max_events:
                    # The batch just fetched is left unacknowledged: JetStream delivers it again later.
                    break
            if not messages:
                if idle_exit is not None and time.monotonic() - last_message > idle_exit:
                    break
                continue
            last_message = time.monotonic()
            events: list[Any] = []
            for message in messages:
                try:
                    events.append(json.loads(message.data))
                except (ValueError, UnicodeDecodeError):
                    events.append(_Malformed(message.data))
            parsed = [e for e in events if not isinstance(e, _Malformed)]
            if any(
                isinstance(e, dict) and str(e.get("camera", "")).strip().upper() not in cameras
                for e in parsed
            ):
                cameras = await loop.run_in_executor(database, camera_codes)  # a camera registered meanwhile
            stored = loop.run_in_executor(database, _store, parsed, cameras)
            pending = (messages, events, stored)
        if pending is not None:
            await finish(*pending)
    finally:
        await client.drain()
        database.shutdown(wait=True)
    return stats


class _Malformed:
    def __init__(self, data: bytes) -> None:
        self.data = data


def _store(events: list[Any], cameras: dict[str, int]) -> Any:
    close_old_connections()
    return detections_store(events=events, origin="nats", cameras=cameras)


async def publish(*, url: str, names: StreamNames, payloads: list[bytes], ensure: bool = True) -> None:
    """Publish payloads to the detections subject, waiting for JetStream's acknowledgements in flights."""
    client = await nats.connect(url)
    js = client.jetstream()
    if ensure:
        await stream_ensure(js, names)
    flight = 2000
    for start in range(0, len(payloads), flight):
        await asyncio.gather(*(js.publish(names.subject, p) for p in payloads[start : start + flight]))
    await client.drain()


async def dead_letters(*, url: str, names: StreamNames, timeout: float = 2.0) -> list[tuple[bytes, str]]:
    """Every dead letter in the stream, with its reason (for operators and tests)."""
    client = await nats.connect(url)
    js = client.jetstream()
    subscription = await js.subscribe(names.dead_letter_subject, stream=names.stream, ordered_consumer=True)
    letters: list[tuple[bytes, str]] = []
    try:
        while True:
            message = await subscription.next_msg(timeout=timeout)
            letters.append((message.data, (message.headers or {}).get("Mahalla-Reason", "")))
    except (TimeoutError, nats.errors.TimeoutError):
        pass
    await client.drain()
    return letters


async def stream_delete(*, url: str, names: StreamNames) -> None:
    client = await nats.connect(url)
    try:
        await client.jetstream().delete_stream(names.stream)
    except NotFoundError:
        pass
    await client.drain()

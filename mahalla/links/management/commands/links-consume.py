"""Run the durable JetStream consumer of detections (see mahalla/links/stream.py)."""

from __future__ import annotations

import asyncio
from typing import Any

from django.conf import settings

from mahalla.core.management.base import MahallaCommand


class Command(MahallaCommand):
    help = "Consume plate reads and camera detections from NATS JetStream into the database."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--url", default=settings.MAHALLA_LINKS_NATS_URL, help="NATS server URL")
        parser.add_argument(
            "--prefix",
            default=settings.MAHALLA_LINKS_NATS_PREFIX,
            help="Subject prefix: detections on PREFIX.detections, dead letters on PREFIX.dead",
        )
        parser.add_argument("--batch", type=int, default=1000, help="Messages stored per transaction")
        parser.add_argument("--idle-exit", type=float, default=None, help="Stop after this many idle seconds")
        parser.add_argument(
            "--ack-wait",
            type=float,
            default=30.0,
            help="Seconds before an unacknowledged message is redelivered",
        )
        parser.add_argument("--max-events", type=int, default=None, help="Stop after this many messages")

    def handle(self, *args: Any, **options: Any) -> None:
        from mahalla.links.stream import (
            StreamNames,
            consume,
        )  # the science loads when the command runs, not with --help

        names = StreamNames.with_prefix(options["prefix"])
        stats = asyncio.run(
            consume(
                url=options["url"],
                names=names,
                batch=options["batch"],
                idle_exit=options["idle_exit"],
                max_events=options["max_events"],
                ack_wait=options["ack_wait"],
            )
        )
        self.stdout.write(
            f"stored {stats.stored}, duplicates {stats.duplicates}, dead letters {stats.dead_letters}, "
            f"batches {stats.batches}"
        )

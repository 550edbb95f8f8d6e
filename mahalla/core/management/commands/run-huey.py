"""`mahalla run-huey`: the task queue's consumer, huey's own `run_huey` under the platform's name.

Huey's Django app (huey.contrib.djhuey) is not an installed app: importing it builds the queue's client, and
huey.storage imports the client library of every queue it supports (redis, psycopg) whether configured or
not, which every command and server worker paid at start-up though only the consumer and the code that
queues a task use the queue. Those import it when they run: the consumer here, a task's caller through
its app's `tasks` module (imported where the task is queued).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from mahalla.core.management.base import MahallaCommand


def _huey_command() -> Any:
    from huey.contrib.djhuey.management.commands.run_huey import Command

    return Command()


class Command(MahallaCommand):
    help = gettext_lazy(
        "Run the task queue's consumer (Huey): the queued tasks and the periodic ones of every app."
    )

    def add_arguments(self, parser: Any) -> None:
        _huey_command().add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        # Huey's command finds every app's `tasks` module (their periodic tasks) unless told not to.
        consumer = _huey_command()
        consumer.stdout, consumer.stderr = self.stdout, self.stderr
        consumer.handle(*args, **options)

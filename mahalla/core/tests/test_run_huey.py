"""`mahalla run-huey` runs Huey's consumer with every app's tasks, though Huey's Django app is not installed
(its import built the queue client in every process: mahalla/core/management/commands/run-huey.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

TASKS = (
    "mahalla.cases.tasks.cases_daily_monitoring",
    "mahalla.cases.tasks.inson_referral_send_task",
    "mahalla.coordination.tasks.notification_send",
    "mahalla.cyber.tasks.cyber_report_process_task",
    "mahalla.analytics.tasks.daily_analysis",
)


def test_the_consumer_starts_with_the_queued_and_periodic_tasks_of_every_app(tmp_path):
    root = Path(__file__).resolve().parents[3]
    environment = {"MAHALLA_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    log = tmp_path / "consumer.log"
    with log.open("w") as output:
        consumer = subprocess.Popen(
            [sys.executable, "-m", "mahalla.cli", "run_huey", "--workers", "1", "--logfile", os.devnull],
            cwd=root,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline and consumer.poll() is None:
                if all(task in log.read_text() for task in TASKS):
                    break
                time.sleep(0.2)
        finally:
            consumer.send_signal(signal.SIGINT)
            consumer.wait(timeout=60)
    text = log.read_text()
    assert "Huey consumer started" in text, text[-2000:]
    for task in TASKS:
        assert task in text, (task, text[-2000:])

"""Live detections through a real NATS JetStream server (the one on 127.0.0.1:4222, or one started from
Debian's nats-server for the test session): batches into the database, dead letters with their reason, an
unknown camera refused, and a consumer killed with SIGKILL that loses and duplicates nothing."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from mahalla.links.models import Detection
from mahalla.links.stream import StreamNames, consume, dead_letters, publish, stream_delete

from .factories import cameras_create, two_mahallas

ROOT = Path(__file__).resolve().parents[3]


def _run(coroutine):
    """asyncio.run in a thread of its own: Playwright's sync API (browser tests earlier in the same process)
    leaves an event loop running in the main thread."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def nats_url(tmp_path_factory: pytest.TempPathFactory):
    """The machine's JetStream server, or one of our own from Debian's nats-server on a free port."""
    if _listening(4222):
        yield "nats://127.0.0.1:4222"
        return
    binary = shutil.which("nats-server") or "/usr/sbin/nats-server"
    if not os.path.exists(binary):
        pytest.skip("no NATS server on 4222 and Debian's nats-server is not installed")
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    store = tmp_path_factory.mktemp("jetstream")
    process = subprocess.Popen([binary, "-js", "-a", "127.0.0.1", "-p", str(port), "-sd", str(store)])
    for _ in range(50):
        if _listening(port):
            break
        time.sleep(0.1)
    yield f"nats://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def names(nats_url: str):
    names = StreamNames.with_prefix(f"mahalla_links_test_{uuid.uuid4().hex[:10]}")
    yield names
    _run(stream_delete(url=nats_url, names=names))


def _event(n: int, camera: str = "CAM-1", plate: str = "01A123BC") -> bytes:
    return json.dumps(
        {"event_id": f"ev-{n}", "camera": camera, "plate": plate, "observed_at": 1_767_225_600 + n}
    ).encode()


@pytest.mark.django_db(transaction=True)
def test_a_malformed_event_goes_to_the_dead_letter_subject_with_its_reason_and_the_consumer_goes_on(
    nats_url, names
):
    mahalla, _other = two_mahallas()
    cameras_create(mahalla, ["CAM-1", "CAM-2"])
    payloads = [
        _event(1),
        b"{not json",
        json.dumps({"event_id": "ev-2", "camera": "CAM-1", "observed_at": 1_767_225_600}).encode(),
        _event(3, camera="CAM-404"),
        _event(4, camera="CAM-2"),
        _event(1),  # a redelivered duplicate
    ]
    _run(publish(url=nats_url, names=names, payloads=payloads))
    stats = _run(consume(url=nats_url, names=names, batch=4, fetch_timeout=0.5, idle_exit=1.0))

    assert sorted(Detection.objects.values_list("event_id", flat=True)) == ["ev-1", "ev-4"]
    assert stats.stored == 2 and stats.duplicates == 1 and stats.dead_letters == 3
    letters = _run(dead_letters(url=nats_url, names=names, timeout=1.0))
    reasons = sorted(reason for _data, reason in letters)
    assert reasons == [
        "malformed: not JSON",
        "malformed: plate missing or longer than 20 characters",
        "unknown camera 'CAM-404': register it before sending its detections",
    ]
    assert b"CAM-404" in dict((reason, data) for data, reason in letters)[reasons[2]]


def _consumer(names: StreamNames, nats_url: str, *extra: str) -> subprocess.Popen:
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        database_url = f"sqlite:///{settings_dict['NAME']}"
    else:
        database_url = (
            f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}/"
            f"{settings_dict['NAME']}"
        )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": database_url,
        "MAHALLA_SECRET_KEY": "test-only-not-a-secret",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "links-consume",
            "--url",
            nats_url,
            "--prefix",
            names.subject.rsplit(".", 1)[0],
            "--batch",
            "250",
            "--ack-wait",
            "4",
            *extra,
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_consumer_killed_with_sigkill_loses_and_duplicates_nothing(nats_url, names):
    mahalla, _other = two_mahallas()
    cameras_create(mahalla, ["CAM-1", "CAM-2"])
    total = 10_000
    payloads = [_event(n, camera=f"CAM-{1 + n % 2}", plate=f"01A{n % 900:03d}BC") for n in range(total)]
    payloads += payloads[:1_000]  # the publisher retried: 1,000 events arrive twice
    _run(publish(url=nats_url, names=names, payloads=payloads))

    first = _consumer(names, nats_url)
    deadline = time.monotonic() + 120
    while Detection.objects.count() < 2_000 and time.monotonic() < deadline:
        assert first.poll() is None, first.stderr.read().decode()
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    stored_at_kill = Detection.objects.count()
    assert 0 < stored_at_kill < total, "the kill must land while the consumer is working"

    second = _consumer(names, nats_url, "--idle-exit", "8")
    output, errors = second.communicate(timeout=300)
    assert second.returncode == 0, errors.decode()
    assert Detection.objects.count() == total
    assert Detection.objects.values("event_id").distinct().count() == total
    assert set(Detection.objects.values_list("event_id", flat=True)) == {f"ev-{n}" for n in range(total)}
    assert b"dead letters 0" in output

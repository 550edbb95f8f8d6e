"""`mahalla serve`: several server processes on one port, stopped together; bad counts refused."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("option", [{"workers": 0}, {"threads": 0}])
def test_a_server_without_processes_or_threads_is_refused(option):
    with pytest.raises(CommandError, match="must be at least 1"):
        call_command("serve", no_migrate=True, **option)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> set[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return {int(line) for line in out.split()}


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="worker processes need fork()")
def test_two_worker_processes_serve_one_port_and_stop_with_the_parent(tmp_path):
    port = _free_port()
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.local",
        MAHALLA_VAR_DIR=str(tmp_path),
        MAHALLA_SECRET_KEY="test-only-not-a-secret",
    )
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--no-migrate", "--port", str(port), "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        status = None
        # Not a timing test: wait for readiness as long as a busy machine needs (start-up is measured in
        # bench/bench_startup.py), but stop at once if the server died.
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and server.poll() is None:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/accounts/login/")
                status = connection.getresponse().status
                connection.close()
                break
            except OSError:
                time.sleep(0.1)
        assert status == 200, (
            server.stderr.read1().decode(errors="replace") if server.poll() is not None else "not ready"
        )
        workers = _children(server.pid)
        assert len(workers) == 2
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    # The parent waited for its workers: none is left serving.
    for pid in workers:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


@pytest.mark.django_db
def test_the_warm_up_requests_each_page_once_through_the_application(settings):
    from config.wsgi import application
    from mahalla.core.management.commands.serve import warm_up_pages

    settings.ALLOWED_HOSTS = ["mahalla.example.uz", "localhost"]
    assert warm_up_pages(application, ["/accounts/login/", "/no-such-page/"]) == ["200 OK", "404 Not Found"]

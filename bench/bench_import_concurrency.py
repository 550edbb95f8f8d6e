"""Benchmark: a million-row offence import on SQLite while a client keeps requesting a page that writes audit
rows; latency and failures during the import against the same requests without it.

Machine of record: 2 cores, 24 GiB (shared). Target (issue 9, item 6): no request fails during the import
(before: "database is locked" after the 20 s busy timeout), p95 reported.

    .venv/bin/python bench/bench_import_concurrency.py                      # 1,000,000 rows, staged path
    .venv/bin/python bench/bench_import_concurrency.py --paths previous,staged --rows 300000

Set-up (in a child process, on a fresh SQLite file under a temporary directory): migrate, a synthetic
territory of 300 mahallas (bench_import's generator), 1,000 offences already stored, a national analyst with
an API token.
Then a real server, `mahalla serve` (waitress, --workers 2), and --clients threads that each request
`GET /api/offences/<id>/?purpose=...` in a loop with --think seconds between requests: every such request
reads an offence and writes an audit READ row. First --baseline-seconds without import (the baseline), then
`offence_import` of the generated file in a child process (the staged path of this checkout, or with
--paths previous the importer of --baseline-commit loaded from git); the requests made while the import runs
are the figure. A failure is any answer other than 200, or no answer within 120 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import bench_import  # noqa: E402 - the generators and the previous importer live there


def environment(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        MAHALLA_DEBUG="0",
        MAHALLA_SECRET_KEY="bench-only-" + "x" * 50,
        MAHALLA_VAR_DIR=str(workdir / "var"),
        MAHALLA_SERVE_WORKERS="2",
    )
    return env


def setup(workdir: Path, stored: Path) -> tuple[str, list[int]]:
    """Migrate, territory, a few stored offences, a user and its token; returns the token and offence ids."""
    os.environ.update(environment(workdir))
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from rest_framework.authtoken.models import Token

    from mahalla.accounts.services import user_create
    from mahalla.incidents.importing import offence_import, territory_file_import
    from mahalla.incidents.models import Offence

    call_command("migrate", verbosity=0)
    territory_file_import(actor=None, source=workdir / "territories.csv")
    offence_import(actor=None, source=stored)
    user = user_create(
        actor=None,
        username="bench_analyst",
        password=None,
        role="national_analyst",
        scope_level="country",
    )
    token = Token.objects.create(user=user).key
    ids = list(Offence.objects.values_list("id", flat=True))
    connections.close_all()
    return token, ids


def import_child(path_name: str, workdir: Path, offences: Path, commit: str) -> None:
    """In a child process: the import alone, as `mahalla import` would run it."""
    os.environ.update(environment(workdir))
    import logging

    import django

    django.setup()
    # The importer's own account of its phases (staging, then the merge that holds the write lock).
    logging.getLogger("mahalla.incidents.importing").setLevel(logging.INFO)
    logging.getLogger("mahalla.incidents.importing").addHandler(logging.StreamHandler(sys.stderr))
    if path_name == "staged":
        from mahalla.incidents.importing import offence_import
    else:
        offence_import = bench_import.previous_importer(workdir, commit).offence_import
    started = time.perf_counter()
    outcome = offence_import(actor=None, source=offences)
    print(
        json.dumps({"seconds": round(time.perf_counter() - started, 1), "rows_created": outcome.rows_created})
    )


class Client(threading.Thread):
    def __init__(self, port: int, token: str, ids: list[int], think: float, seed: int) -> None:
        super().__init__(daemon=True)
        self.port, self.token, self.ids, self.think = port, token, ids, think
        self.rng = random.Random(seed)
        self.results: list[tuple[float, float, int | str]] = []  # (start, latency, status or error)
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            offence_id = self.ids[self.rng.randrange(len(self.ids))]
            request = urllib.request.Request(
                f"http://127.0.0.1:{self.port}/api/offences/{offence_id}/?purpose=bench+concurrency",
                headers={"Authorization": f"Token {self.token}", "Accept": "application/json"},
            )
            started = time.perf_counter()
            status: int | str
            try:
                with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - our own server
                    response.read()
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
                body = error.read()[:200].decode("utf-8", "replace")
                if "locked" in body:
                    status = f"{error.code} database is locked"
            except OSError as error:
                status = type(error).__name__
            self.results.append((started, time.perf_counter() - started, status))
            self.stop.wait(self.think)


def summary(label: str, results: list[tuple[float, float, int | str]], seconds: float) -> dict[str, Any]:
    latencies = sorted(latency for _start, latency, _status in results)
    failures = [status for _start, _latency, status in results if status != 200]
    if not latencies:
        print(f"  {label}: no requests")
        return {}
    p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
    row = {
        "requests": len(latencies),
        "per_second": len(latencies) / seconds,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": p95 * 1000,
        "max_ms": latencies[-1] * 1000,
        "failures": len(failures),
    }
    kinds = sorted({str(status) for status in failures})
    print(
        f"  {label}: {row['requests']} requests in {seconds:.0f} s ({row['per_second']:.1f}/s); "
        f"p50 {row['p50_ms']:.0f} ms, p95 {row['p95_ms']:.0f} ms, max {row['max_ms']:.0f} ms; "
        f"failures {row['failures']}{' (' + ', '.join(kinds) + ')' if kinds else ''}"
    )
    return row


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_wait(port: int, server: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server stopped during its start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the server did not start")


def run(path_name: str, args: argparse.Namespace, work: Path, offences: Path, stored: Path) -> None:
    run_dir = work / path_name
    run_dir.mkdir()
    (run_dir / "territories.csv").write_bytes((work / "territories.csv").read_bytes())
    env = environment(run_dir)
    done = subprocess.run(
        [sys.executable, __file__, "--setup", "--workdir", str(run_dir), "--stored", str(stored)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"set-up failed:\n{done.stderr[-3000:]}")
    token, ids = json.loads(done.stdout.strip().splitlines()[-1])
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port), "--workers", "2", "--threads", "4"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        server_wait(port, server)
        clients = [Client(port, token, ids, args.think, seed) for seed in range(args.clients)]
        for client in clients:
            client.start()
        time.sleep(3)  # warm-up: every worker has loaded the application
        baseline_start = time.perf_counter()
        time.sleep(args.baseline_seconds)
        import_start = time.perf_counter()
        load_before = os.getloadavg()[0]
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        importer = subprocess.run(
            [
                sys.executable,
                __file__,
                "--import",
                path_name,
                "--workdir",
                str(run_dir),
                "--offences",
                str(offences),
                "--baseline-commit",
                args.baseline_commit,
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            check=False,
        )
        import_end = time.perf_counter()
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        load_after = os.getloadavg()[0]
        for client in clients:
            client.stop.set()
        for client in clients:
            client.join(timeout=130)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    results = [result for client in clients for result in client.results]
    import_cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    if importer.returncode != 0:
        print(f"{path_name}: the import FAILED\n{importer.stderr[-2000:]}")
    else:
        outcome = json.loads(importer.stdout.strip().splitlines()[-1])
        print(
            f"{path_name} import: {outcome['rows_created']:,} rows in {import_end - import_start:.1f} s wall "
            f"({outcome['rows_created'] / (import_end - import_start):,.0f} rows/s), "
            f"its CPU {import_cpu:.1f} s; "
            f"load average {load_before:.1f} -> {load_after:.1f} on {os.cpu_count()} cores"
        )
    before = summary(
        "without import (baseline)",
        [r for r in results if baseline_start <= r[0] < import_start],
        import_start - baseline_start,
    )
    # A request counts for the import when it started while the import ran.
    during = summary(
        "during the import",
        [r for r in results if import_start <= r[0] < import_end],
        import_end - import_start,
    )
    failed = sorted(r for r in results if import_start <= r[0] < import_end and r[2] != 200)
    if failed:
        print(
            f"  failed requests started between {failed[0][0] - import_start:.0f} s and "
            f"{failed[-1][0] - import_start:.0f} s after the import started"
        )
    for logged in importer.stderr.strip().splitlines()[-3:]:
        if "merged in" in logged:
            print(f"  importer: {logged}")
    if before and during:
        print(
            f"  ratio during / baseline: p95 {during['p95_ms'] / before['p95_ms']:.1f}x, "
            f"max {during['max_ms'] / before['max_ms']:.1f}x; "
            f"failures during the import: {during['failures']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--paths", default="staged", help="staged, previous or both, comma-separated")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--think", type=float, default=0.2, help="seconds between a client's requests")
    parser.add_argument("--baseline-seconds", type=float, default=20)
    parser.add_argument("--baseline-commit", default=bench_import.BASELINE_COMMIT)
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--import", dest="import_path", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--offences", help=argparse.SUPPRESS)
    parser.add_argument("--stored", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        token, ids = setup(Path(args.workdir), Path(args.stored))
        print(json.dumps([token, ids]))
        return
    if args.import_path:
        import_child(args.import_path, Path(args.workdir), Path(args.offences), args.baseline_commit)
        return

    print(
        f"bench_import_concurrency: {args.rows:,} rows on SQLite, {args.clients} clients with {args.think} s "
        f"think time; machine: {os.cpu_count()} cores (shared)"
    )
    with tempfile.TemporaryDirectory(prefix="mahalla-bench-") as tmp:
        work = Path(tmp)
        mahallas = bench_import.territory_write(work / "territories.csv")
        offences = work / "offences.csv"
        bench_import.offences_write(offences, args.rows, mahallas)
        # Stored before the server starts: the offences the clients read (another numbering, no overlap).
        stored = work / "stored.csv"
        bench_import.offences_write(stored, 1_000, mahallas)
        text = stored.read_text(encoding="utf-8")
        for source in ("EJR", "E-MAMURIY"):
            text = text.replace(f"{source},2024-", f"{source},STORED-")
        stored.write_text(text, encoding="utf-8")
        print(f"generated {args.rows:,} rows ({offences.stat().st_size / 2**20:.0f} MiB CSV)")
        for path_name in args.paths.split(","):
            run(path_name, args, work, offences, stored)


if __name__ == "__main__":
    main()

"""Benchmark: 50 concurrent users on loopback against a served instance (issue 5: p95 <= 300 ms for the
dashboard, the map data and the mahalla page).

Machine of record: 2 cores, 24 GiB (shared); the load generator runs on the same 2 cores as the server, so
the numbers include its own CPU use. Uses the database that bench/bench_daily_run.py built and analysed
(the nation, under /tmp/mahalla-bench-daily by default, or the PostgreSQL database of its --database
postgres run): run that first.

    .venv/bin/python bench/bench_daily_run.py [--database postgres]
    .venv/bin/python bench/bench_web_load.py [--think-ms 1000] [--workers N] [--database postgres]

Creates 50 district chiefs (one per district, the commonest daily users), starts `mahalla serve` on a free
port, signs every user in through the login form, then each user repeats for --rounds rounds: its start page
(/, "Today"; a redirect is followed and its time added), the map data of its district,
and the page of one of its mahallas, pausing --think-ms before each request. Like a browser, a user sends
the map's ETag back (If-None-Match) and counts a 304 as the answer (--no-revalidate: always the full body).
Prints p50 / p95 / max per page and the ratio of p95 to the 300 ms target.

The target's scenario ("50 concurrent users", read as people using the pages): 50 users, each pausing
1,000 ms before every request (the default), map data revalidated, `mahalla serve` with its default
processes. --think-ms 0 is the closed loop (every user fires its next request the moment the last one
returns): an overload test, reported too but not the target's reading. By Little's law 50 users without a
pause see on average 50 / throughput seconds per request: under 300 ms at p95 would need several hundred
pages a second from 2 cores.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 300.0
BUDGET_MS = 200.0  # issue 16: on PostgreSQL
PASSWORD = "bench-load-password-2026"
PG_BENCH_DB = "mahalla_bench_daily"


class Client:
    """One signed-in browser: keeps its cookies and follows one redirect."""

    def __init__(self, port: int, revalidate: bool = True) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        # Like a browser's cache: the ETag of each fetched URL, sent back as If-None-Match.
        self.revalidate = revalidate
        self.etags: dict[str, str] = {}
        # HTTP requests sent, redirects followed included: the divisor of the server's CPU per request.
        self.sent = 0

    def request(self, method: str, path: str, body: dict[str, str] | None = None) -> tuple[int, bytes, float]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Accept-Language": "uz"}
        if self.revalidate and method == "GET" and path in self.etags:
            headers["If-None-Match"] = self.etags[path]
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        started = time.perf_counter()
        self.sent += 1
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        content = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        connection.close()
        if self.revalidate and method == "GET" and response.headers.get("ETag"):
            self.etags[path] = response.headers["ETag"]
        if response.status in (301, 302) and method == "GET":
            status, content, more = self.request("GET", response.headers["Location"])
            return status, content, elapsed + more
        return response.status, content, elapsed

    def sign_in(self, username: str) -> None:
        _status, page, _ = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "no CSRF token on the login page"
        status, _, _ = self.request(
            "POST",
            "/accounts/login/",
            {
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1).decode(),
                "next": "/",
            },
        )
        # A successful sign-in redirects (302) and sets the session cookie; a failed one re-renders the form.
        assert status == 302 and "sessionid" in self.cookies, f"sign-in of {username} failed ({status})"


def prepare_users(env: dict[str, str], count: int) -> list[dict[str, str]]:
    code = f"""
import django, json; django.setup()
from mahalla.accounts.models import User
from mahalla.territory.models import District, Mahalla
out = []
with_mahallas = Mahalla.objects.values('district_id')
districts = list(District.objects.filter(pk__in=with_mahallas).order_by('code')[:{count}])
for i, district in enumerate(districts):
    fields = dict(role='district_chief', scope_level='district', scope_district=district, scope_region=None,
                  is_active=True)
    user, _ = User.objects.update_or_create(username=f'bench_chief_{{i}}', defaults=fields)
    user.set_password('{PASSWORD}'); user.save()
    mahalla = Mahalla.objects.filter(district=district).order_by('code')[len(out) % 7]
    out.append(dict(username=user.username, district=district.code, mahalla=mahalla.code))
print(json.dumps(out))
"""
    out = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-c", code], env=env, check=True, capture_output=True, cwd=ROOT
    )
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


def server_cpu_seconds(pid: int) -> float:
    """User + system CPU of the server process and its worker processes (Linux /proc; 0 elsewhere): the
    cost per request, which the other load on a shared machine does not change the way it changes latency."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0.0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(child) for child in children]
        for one in pids:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    except OSError:
        return 0.0
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--var-dir", default="/tmp/mahalla-bench-daily")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads per server process")
    parser.add_argument(
        "--workers", type=int, default=None, help="server processes (default: mahalla serve's, 2 x cores + 1)"
    )
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="postgres: the database bench_daily_run.py --database postgres built",
    )
    parser.add_argument(
        "--pg-database",
        default=PG_BENCH_DB,
        help="the PostgreSQL database's name (as given to bench_daily_run.py --pg-database)",
    )
    parser.add_argument(
        "--no-revalidate",
        action="store_true",
        help="ignore ETags (a browser with its cache off); by default a user revalidates the map data",
    )
    parser.add_argument("--warm-up", type=int, default=1, help="unmeasured rounds first (fills the caches)")
    parser.add_argument(
        "--think-ms",
        type=int,
        default=1000,
        help="pause of each user before each request (1000: the target's scenario; 0: closed loop)",
    )
    args = parser.parse_args()
    env = dict(
        os.environ,
        MAHALLA_VAR_DIR=args.var_dir,
        DJANGO_SETTINGS_MODULE="config.settings.local",
        MAHALLA_DEBUG="0",
        MAHALLA_LOG_LEVEL="WARNING",
        MAHALLA_LOGIN_FAILURE_LIMIT="1000",
    )
    if args.database == "postgres":
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.pg_database}"
    else:
        env.pop("DATABASE_URL", None)
    users = prepare_users(env, args.users)
    port = free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/mahalla"),
            "serve",
            "--no-migrate",
            "--port",
            str(port),
            "--threads",
            str(args.threads),
            *(["--workers", str(args.workers)] if args.workers is not None else []),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        # Until the server listens (its warm-up takes tens of seconds on a loaded machine), or it died.
        deadline = time.monotonic() + 600
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError as error:
                if server.poll() is not None or time.monotonic() > deadline:
                    message = f"the server did not start: {server.stderr.read().decode()[-2000:]}"
                    raise SystemExit(message) from error
                time.sleep(0.2)
        clients = []
        for user in users:
            client = Client(port, revalidate=not args.no_revalidate)
            client.sign_in(user["username"])
            clients.append((client, user))
        timings: dict[str, list[float]] = {"dashboard": [], "map data": [], "mahalla page": []}
        errors: list[str] = []
        not_modified = {page: 0 for page in timings}
        lock = threading.Lock()
        start = threading.Barrier(len(clients))

        def work(client: Client, user: dict[str, str]) -> None:
            start.wait()
            for round_number in range(args.warm_up + args.rounds):
                for page, path in (
                    ("dashboard", "/"),
                    ("map data", f"/map/district/{user['district']}.geojson"),
                    ("mahalla page", f"/mahalla/{user['mahalla']}/"),
                ):
                    if args.think_ms:
                        time.sleep(args.think_ms / 1000)
                    status, _content, ms = client.request("GET", path)
                    if round_number < args.warm_up:
                        continue  # the first visit of a district builds its cached page data
                    with lock:
                        timings[page].append(ms)
                        if status == 304:
                            not_modified[page] += 1
                        elif status != 200:
                            errors.append(f"{path}: {status}")

        threads = [threading.Thread(target=work, args=pair) for pair in clients]
        load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        cpu_before = server_cpu_seconds(server.pid)
        sent_before = sum(client.sent for client, _user in clients)
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        cpu_used = server_cpu_seconds(server.pid) - cpu_before
        # Counted, not assumed: the start page was once a redirect to the district page (two requests).
        http_requests = sum(client.sent for client, _user in clients) - sent_before
        load_after = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    finally:
        server.terminate()
        server.wait(timeout=30)
    total = sum(len(v) for v in timings.values())
    workers = args.workers if args.workers is not None else f"default ({2 * (os.cpu_count() or 1) + 1})"
    print(
        f"machine: {os.cpu_count()} cores, 24 GiB (shared); server: mahalla serve, {workers} process(es) x "
        f"{args.threads} threads, {args.database}; think time {args.think_ms} ms before each request; "
        f"{args.warm_up} unmeasured warm-up round(s); map data "
        f"{'fetched in full' if args.no_revalidate else 'revalidated with If-None-Match like a browser'}"
    )
    print(
        f"{len(clients)} concurrent users x {args.rounds} rounds x 3 pages = {total} requests in "
        f"{elapsed:.1f} s ({total / elapsed:.0f} requests/s); errors: {len(errors)} {errors[:3]}"
    )
    scenario = (
        "the target's scenario"
        if args.think_ms == 1000 and not args.no_revalidate and args.users == 50
        else "NOT the target's scenario (that is 50 users, --think-ms 1000, revalidating)"
    )
    print(f"scenario: {scenario}")
    print(
        f"server CPU (all processes, warm-up round included): {cpu_used:.1f} s for {http_requests} HTTP "
        f"requests, {cpu_used * 1000 / http_requests:.1f} ms per HTTP request; machine load average (1 min) "
        f"{load_before:.1f} before, {load_after:.1f} after"
    )
    for page, values in timings.items():
        p95 = percentile(values, 0.95)
        print(
            f"  {page:13s} p50 {statistics.median(values):6.0f} ms  p95 {p95:6.0f} ms  "
            f"max {max(values):6.0f} ms  p95 / 300 ms target = {p95 / TARGET_MS:.2f}, "
            f"/ 200 ms budget = {p95 / BUDGET_MS:.2f}"
            + (f"  ({not_modified[page]} answered 304)" if not_modified[page] else "")
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()

"""Time from nothing to a served demo: `mahalla demo` on an empty var/ directory (no cached nation, no
database), until the platform answers HTTP on its port; then a second start (cached nation, data imported).

Machine this was written for: 2 cores, 24 GiB (shared with other work; timings are indicative). The target
(issue 3) is at most 3 minutes from a fresh clone; the package install (`make install`, `uv pip sync` of the
pinned requirements) is not included here because it depends on the network and the local uv cache.

Prints the demo's own step times (generate, migrate, import, accounts, daily analysis) and the total, with the
ratio to the 180 s target; the CPU time (user+sys) of every process of the demo until the server answered
(the forked generator of the round-2 files included), and the load average, since on a shared machine the
wall time says little; then how long after the first answer the queued analysis of the earlier weeks was
complete (the pages say "still being analysed" until then) and its CPU.

Usage::

    .venv/bin/python bench/bench_demo_startup.py [--scale nation] [--port 8765] [--cold-only]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 180.0


def _session_cpu_seconds(session: int) -> float:
    """User+sys CPU seconds of the live processes of a session, with their reaped children's."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command name: state is field 3; session 6; utime..cstime 14-17 (1-based, man proc).
        if int(fields[3]) == session:
            total += sum(int(value) for value in fields[11:15])
    return total / ticks


def _load() -> str:
    return "load average " + " ".join(f"{value:.1f}" for value in os.getloadavg())


def _analysed_dates(var: Path) -> int:
    import sqlite3

    try:
        with sqlite3.connect(f"file:{var / 'mahalla.sqlite3'}?mode=ro", uri=True, timeout=1) as database:
            row = database.execute("SELECT count(DISTINCT date) FROM analytics_dailyrun WHERE status='done'")
            return int(row.fetchone()[0])
    except sqlite3.Error:
        return -1


def start_and_wait(var: Path, scale: str, port: int, label: str, history_dates: int = 9) -> float:
    env = {
        **os.environ,
        "MAHALLA_VAR_DIR": str(var),
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "MAHALLA_SECRET_KEY": os.environ.get("MAHALLA_SECRET_KEY", "bench-only-secret"),
        "PYTHONUNBUFFERED": "1",
        "MAHALLA_LANGUAGE": "en",  # step labels in English whatever the deployment's default language
    }
    command = [sys.executable, "-m", "mahalla.cli", "demo", "--scale", scale, "--port", str(port)]
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    url = f"http://127.0.0.1:{port}/"
    served = None
    try:
        while process.poll() is None and time.perf_counter() - started < 1800:
            try:
                urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own loopback server
                served = time.perf_counter() - started
                break
            except urllib.error.HTTPError:
                served = time.perf_counter() - started  # any HTTP answer (e.g. a redirect to login) is served
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        served_cpu = _session_cpu_seconds(process.pid)
        served_load = _load()
        complete = None
        if served is not None:
            # The earlier weeks are analysed by the task worker after the first answer.
            while process.poll() is None and time.perf_counter() - started < 3600:
                if _analysed_dates(var) >= history_dates:
                    complete = time.perf_counter() - started
                    break
                time.sleep(1.0)
        complete_cpu = _session_cpu_seconds(process.pid)
    finally:
        # Only the process group this script started.
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        reader.join(timeout=5)
    print(f"\n== {label}")
    for line in lines:
        # Step times and the URL; the printed passwords of this throwaway database are left out.
        if (
            line.startswith("  ")
            and " s" in line
            and "demo_" not in line
            or line.startswith(("Ready", "Mahalla"))
        ):
            print("  " + line.strip())
    if served is None:
        print("  the server never answered; last output:")
        for line in lines[-20:]:
            print("    " + line)
        raise SystemExit(1)
    print(
        f"  served after {served:.1f} s  ({served / TARGET_SECONDS:.2f} x the {TARGET_SECONDS:.0f} s target);"
        f" CPU (user+sys, all its processes) {served_cpu:.1f} s; at that moment {served_load}"
    )
    if complete is not None:
        print(
            f"  all {history_dates} analysed dates there after {complete:.1f} s"
            f" ({complete - served:.1f} s after the first answer);"
            f" CPU by then {complete_cpu:.1f} s (the server's warm-up included)"
        )
    else:
        print(f"  the analysed dates were not all there ({_analysed_dates(var)} of {history_dates})")
    return served


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="nation", choices=["tiny", "region", "nation"])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--cold-only", action="store_true", help="only the first start")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores (shared); scale {args.scale}; {_load()} at the start")
    print(f"re-run on a quiet machine: .venv/bin/python bench/bench_demo_startup.py --scale {args.scale}")
    var = Path(tempfile.mkdtemp(prefix="bench-demo-"))
    cold = start_and_wait(var, args.scale, args.port, "first start: empty var/ (generate, migrate, import)")
    if args.cold_only:
        return
    warm = start_and_wait(var, args.scale, args.port, "second start: cached nation, already imported")
    print(f"\ncold {cold:.1f} s, warm {warm:.1f} s, cold / warm {cold / warm:.1f}")


if __name__ == "__main__":
    main()

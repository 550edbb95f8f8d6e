"""Benchmark: start-up of the console script and of a server worker, with and without cached bytecode.

Each figure is a child process measured from its start: wall time, and the CPU time (user + system) of the
child and of its own children (the figure a loaded machine does not inflate much). The reference, measured
in the same run, is a bare Django start-up (`django.setup()` with no project and no apps): the ratio says
how much the platform adds to what any Django program pays. Budget (issues 10 and 16): 2 s.

- "no cached bytecode": every module compiled from source, as on a fresh install (an empty
  PYTHONPYCACHEPREFIX per run, nothing written back);
- "cached bytecode": after one untimed run has written the bytecode (a warm PYTHONPYCACHEPREFIX);
- "after make install": the packages' bytecode as `make install` compiles it (uv --compile-bytecode), the
  project's own modules as they are, nothing written back (PYTHONDONTWRITEBYTECODE).

The server worker is `mahalla serve --workers 1 --no-migrate` on a free port, timed until its first
response to the sign-in page.

--baseline ROOT also times the server worker and `mahalla --help` of another checkout with its own
installed .venv (e.g. main before a change), in the same run, and prints the ratios.

    .venv/bin/python bench/bench_startup.py [--var-dir DIR] [--repeat 3] [--baseline /work/main]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
MAHALLA = str(ROOT / ".venv" / "bin" / "mahalla")
BUDGET_SECONDS = 2.0
BARE_DJANGO = (
    "import django; from django.conf import settings; settings.configure(); django.setup();"
    "from django.core.management import get_commands; get_commands()"
)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_timed(argv: list[str], env: dict[str, str], root: Path = ROOT) -> tuple[float, float]:
    cpu = children_cpu()
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started, children_cpu() - cpu


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_timed(env: dict[str, str], root: Path = ROOT) -> tuple[float, float]:
    """Start one server worker; seconds until it answers, and the CPU it used until then."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/accounts/login/"
    cpu = children_cpu()
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(root / ".venv" / "bin" / "mahalla"), "serve", "--workers", "1", "--threads", "2", "--no-migrate"]
        + ["--port", str(port)],
        env=env,
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while True:
            try:
                with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our own local server
                    if response.status == 200:
                        break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit(f"the server exited with {server.returncode}") from None
                time.sleep(0.02)
        wall = time.perf_counter() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    # The CPU of a child is counted once it has been waited for: the server's, up to its first answer and
    # its shutdown (a few milliseconds).
    return wall, children_cpu() - cpu


def environment(var_dir: str, pycache: str | None, write_bytecode: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        MAHALLA_VAR_DIR=var_dir, DJANGO_SETTINGS_MODULE="config.settings.local", MAHALLA_LOG_LEVEL="WARNING"
    )
    env.pop("PYTHONPYCACHEPREFIX", None)
    if pycache is not None:
        env["PYTHONPYCACHEPREFIX"] = pycache
    if write_bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--var-dir", default="/tmp/mahalla-bench-startup")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another checkout with its .venv, timed alongside")
    args = parser.parse_args()
    Path(args.var_dir).mkdir(parents=True, exist_ok=True)
    warm = tempfile.mkdtemp(prefix="mahalla-pyc-warm-")
    setup_env = environment(args.var_dir, warm, write_bytecode=True)
    subprocess.run([MAHALLA, "migrate", "--verbosity", "0"], env=setup_env, check=True, cwd=ROOT)

    cases = {
        "bare Django (reference)": lambda env: run_timed([PYTHON, "-c", BARE_DJANGO], env),
        "mahalla --help": lambda env: run_timed([MAHALLA, "--help"], env),
        "mahalla analyze --help": lambda env: run_timed([MAHALLA, "analyze", "--help"], env),
        "mahalla import --help": lambda env: run_timed([MAHALLA, "import", "--help"], env),
        "server worker, first answer": serve_timed,
    }
    if args.baseline is not None:
        base = args.baseline.resolve()
        cases["mahalla --help (baseline)"] = lambda env: run_timed(
            [str(base / ".venv" / "bin" / "mahalla"), "--help"], env, base
        )
        cases["server worker (baseline)"] = lambda env: serve_timed(env, base)
    for case in cases.values():  # writes the warm bytecode (untimed)
        case(setup_env)

    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores (shared); load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"budget {BUDGET_SECONDS:.1f} s; reference: a bare Django start-up in the same conditions")
    for mode in ("cached bytecode", "after make install", "no cached bytecode"):
        print(f"== {mode} ({args.repeat} runs each; wall s / CPU s of the process and its children)")
        reference_cpu = None
        medians: dict[str, float] = {}
        for name, case in cases.items():
            walls, cpus = [], []
            for _ in range(args.repeat):
                if mode == "cached bytecode":
                    env = environment(args.var_dir, warm, write_bytecode=True)
                    wall, cpu = case(env)
                elif mode == "after make install":
                    wall, cpu = case(environment(args.var_dir, None, write_bytecode=False))
                else:
                    cold = tempfile.mkdtemp(prefix="mahalla-pyc-cold-")
                    wall, cpu = case(environment(args.var_dir, cold, write_bytecode=False))
                    shutil.rmtree(cold, ignore_errors=True)
                walls.append(wall)
                cpus.append(cpu)
            cpu = statistics.median(cpus)
            medians[name] = cpu
            if reference_cpu is None:
                reference_cpu = cpu
            runs = ", ".join(f"{w:.2f}/{c:.2f}" for w, c in zip(walls, cpus, strict=True))
            print(
                f"  {name:<30} {runs}   median CPU {cpu:.2f} s = {cpu / reference_cpu:.2f} x reference, "
                f"{cpu / BUDGET_SECONDS:.2f} of the budget; median wall {statistics.median(walls):.2f} s"
            )
        if args.baseline is not None:
            for name, base_name in (
                ("server worker, first answer", "server worker (baseline)"),
                ("mahalla --help", "mahalla --help (baseline)"),
            ):
                print(f"  {name}: CPU {medians[name] / medians[base_name]:.2f} x the baseline's")
    load = os.getloadavg()
    print(f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    baseline = f" --baseline {args.baseline}" if args.baseline is not None else " --baseline CHECKOUT_OF_MAIN"
    print(
        "to re-measure on a quiet machine (load average below 1), from this checkout: "
        f".venv/bin/python bench/bench_startup.py --repeat {args.repeat}{baseline}"
    )
    shutil.rmtree(warm, ignore_errors=True)
    sys.stdout.flush()


if __name__ == "__main__":
    main()

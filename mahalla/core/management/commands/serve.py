"""`mahalla serve`: the production-grade WSGI server (waitress) with static files from our own package.

Waitress is one process, and Python runs one thread at a time in a process: on its own it uses one core.
With --workers N above 1 (the default is 2 x cores + 1 where the system can fork) the command binds the
listening socket once and forks N waitress processes that accept on it, so the kernel spreads connections
over them and every core serves pages (docs/decisions/0003-sessions-and-worker-processes.md). The parent
only watches: it restarts a worker that dies and stops them all on SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import io
import os
import signal
import socket
import sys
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy

from mahalla.core.management.base import MahallaCommand

# A worker that dies sooner than this after its start is not restarted at once (a crash loop would spin).
RESTART_PAUSE_SECONDS = 1.0


def default_workers() -> int:
    """2 x cores + 1 (the usual rule for a pre-forking WSGI server), or one process without fork."""
    if not hasattr(os, "fork"):
        return 1
    configured = os.environ.get("MAHALLA_SERVE_WORKERS")
    if configured:
        return int(configured)
    return 2 * (os.cpu_count() or 1) + 1


def _run_all(dotted_paths: list[str]) -> None:
    """Import and call each function (settings.SERVE_WARM_UP)."""
    for dotted in dotted_paths:
        import_string(dotted)()


def warm_up_pages(application: Any, paths: Any) -> list[str]:
    """GET each path once through the WSGI application before the fork: the URL configuration, the views'
    modules, the templates and the translation catalogues are then loaded once for every worker instead of
    on each worker's first request (about 1.5 s of CPU each). Returns the status lines."""
    hosts = [h for h in settings.ALLOWED_HOSTS if h and not h.startswith((".", "*", "["))]
    host = hosts[0] if hosts else "localhost"
    statuses: list[str] = []
    for path in paths:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": host,
            "SERVER_PORT": "80",
            "HTTP_HOST": host,
            "REMOTE_ADDR": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }

        def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
            statuses.append(status)

        result = application(environ, start_response)
        try:
            for _chunk in result:
                pass
        finally:
            if hasattr(result, "close"):
                result.close()
    return statuses


class Command(MahallaCommand):
    help = gettext_lazy(
        "Serve the platform with waitress in one or several processes (static files included, nothing "
        "loaded from outside)."
    )
    # No system checks at start, as no production WSGI server runs them (and `mahalla demo` never did,
    # through call_command): they import every app's checks and DRF's settings, about 0.6 s of CPU with no
    # cached bytecode before the first answer. `mahalla check --deploy` is the deployment's check.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8, help=gettext_lazy("threads per process"))
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help=gettext_lazy("server processes (default: 2 x cores + 1, or MAHALLA_SERVE_WORKERS)"),
        )
        parser.add_argument(
            "--no-migrate", action="store_true", help=gettext_lazy("do not apply pending migrations first")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from config.wsgi import application

        workers = options["workers"] if options["workers"] is not None else default_workers()
        if options["workers"] is None and threading.current_thread() is not threading.main_thread():
            # Signal handlers (to stop the workers) can only be installed from the main thread.
            workers = 1
        if workers < 1:
            raise CommandError(f"--workers must be at least 1; got {workers}.")
        if workers > 1 and not hasattr(os, "fork"):
            raise CommandError("--workers above 1 needs a system with fork(); use --workers 1.")
        if options["threads"] < 1:
            raise CommandError(f"--threads must be at least 1; got {options['threads']}.")
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(
            f"Serving Mahalla on http://{options['host']}:{options['port']}/ "
            f"({workers} process(es) x {options['threads']} threads)"
        )
        self.stdout.flush()
        warm_ups = list(getattr(settings, "SERVE_WARM_UP", ()))
        warm_up_pages(application, getattr(settings, "SERVE_WARM_UP_PATHS", ()))
        if workers == 1:
            # One process shares nothing: it answers first and loads these (the cyber classifier: scikit-learn
            # and scipy, a second or more of CPU) in the background, so that it is ready in a fraction of
            # the time. Before a fork a thread could hold an import lock into the children: not there.
            threading.Thread(target=_run_all, args=(warm_ups,), name="warm-up", daemon=True).start()
            serve(application, host=options["host"], port=options["port"], threads=options["threads"])
            return
        # Each process would otherwise load these (e.g. the cyber classifier) on its first request; loaded
        # here, before the fork, the workers share one copy (settings.SERVE_WARM_UP, dotted paths).
        _run_all(warm_ups)
        family = socket.AF_INET6 if ":" in options["host"] else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((options["host"], options["port"]))
        listener.listen(1024)
        # A forked worker must not share the parent's database connections (migrate opened one).
        connections.close_all()
        self._supervise(serve, application, listener, workers, options["threads"])

    def _supervise(
        self, serve: Any, application: Any, listener: socket.socket, workers: int, threads: int
    ) -> None:
        children: dict[int, float] = {}
        stopping = False

        def start_worker() -> None:
            pid = os.fork()
            if pid == 0:  # the worker
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                code = 0
                try:
                    serve(application, sockets=[listener], threads=threads, _quiet=True)
                except BaseException:  # noqa: BLE001 - a worker reports and exits, the parent restarts it
                    code = 1
                    import traceback

                    traceback.print_exc()
                finally:
                    sys.stdout.flush()
                    sys.stderr.flush()
                    os._exit(code)
            children[pid] = time.monotonic()

        def stop(signum: int, _frame: Any) -> None:
            nonlocal stopping
            stopping = True
            for pid in list(children):
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            for _ in range(workers):
                start_worker()
            while children:
                try:
                    pid, status = os.wait()
                except ChildProcessError:
                    break
                started = children.pop(pid, None)
                if stopping or started is None:
                    continue
                self.stderr.write(f"Server process {pid} ended (status {status}); starting another.")
                if time.monotonic() - started < RESTART_PAUSE_SECONDS:
                    time.sleep(RESTART_PAUSE_SECONDS)
                start_worker()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            listener.close()

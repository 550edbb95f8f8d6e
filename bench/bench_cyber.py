"""Benchmarks of the cyber module (issue 13), each printed with its target and a baseline of the same run.

    .venv/bin/python bench/bench_cyber.py link       # linking 100,000 reports: target <= 60 s
    .venv/bin/python bench/bench_cyber.py classify   # classifying reports: target >= 5,000 a second
    .venv/bin/python bench/bench_cyber.py form       # public form, 50 concurrent users: target p95 <= 200 ms
    .venv/bin/python bench/bench_cyber.py demo       # make demo's cyber step, 58,000 reports: < 60 s CPU

link: the demo generator's nation draws (58,000 reports a year) over 630 days, about 100,000 reports with
their planted campaigns; indicators are extracted once (cached under /tmp, not timed: extraction happens at
intake, one report at a time); then `linking.link` is timed on all of them, with the B-cubed scores against
the planted truth. Baseline: one Python pass grouping the postings by indicator (the least any linker does).

classify: the classifier trained on the shipped data and the generator's texts, then 20,000 report texts
classified in batches of 1,000 (method, calibrated probability and deciding words, as intake, import and the
daily reclassification store them), wall and CPU time; baseline: the former per-report path (one TF-IDF
transform per report for its deciding words). --f1 adds the held-out macro-F1 per language.

form: a SQLite database under /tmp (or --database-url) with the reference territory and 200 mahallas,
`mahalla serve` with its default processes, the active classifier, the per-address limit lifted (every
client is on loopback). 50 users each loop: GET the form (CSRF cookie and token), think --think-ms, POST a
report with a card, a phone and a link (extraction, classification, campaign join, audit), think again.
Each user starts at its own moment within the first think time (--lockstep: all at once, the worst case),
and --warm-up rounds (default 1, as in bench_web_load.py) are not measured. Prints p50/p95/max of GET
and POST, and the server's CPU per round. Baseline: GET of the static Bootstrap
file on the same server.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import pickle
import random
import re
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def machine() -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return f"machine: {os.cpu_count()} cores (shared), load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _planted(days: int, cache: Path) -> tuple[int, list[tuple[int, str]], list[str], list[int]]:
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    from mahalla.cyber.indicators import extract, is_warning
    from mahalla.cyber.text import normalise_for_similarity
    from mahalla.demo.generator.cyber import build_cyber_reports

    rows, truth, _ = build_cyber_reports(
        seed=1,
        scale="nation",
        as_of=dt.date(2026, 1, 1),
        mahalla_codes=[f"M{i}" for i in range(9000)],
        days=days,
    )
    postings = []
    for index, row in enumerate(rows):
        for found in extract(row["narrative"] + "\n" + row["message_text"], card_key=b"bench"):
            if not is_warning(found.kind, found.value):
                postings.append((index, f"{found.kind}:{found.value}"))
    texts = [normalise_for_similarity(row["message_text"]) for row in rows]
    keys: dict[str, int] = {}
    labels = [keys.setdefault(t["campaign"], len(keys)) if t["campaign"] else -1 for t in truth]
    data = (len(rows), postings, texts, labels)
    cache.write_bytes(pickle.dumps(data))
    return data


def bench_link(args: argparse.Namespace) -> None:
    from mahalla.cyber.linking import bcubed, link

    n, postings, texts, truth = _planted(args.days, Path(f"/tmp/mahalla-bench-cyber-{args.days}.pickle"))
    start = time.perf_counter()
    groups: dict[str, list[int]] = {}
    for report, key in postings:
        groups.setdefault(key, []).append(report)
    baseline = time.perf_counter() - start
    start = time.perf_counter()
    result = link(n, postings, texts)
    seconds = time.perf_counter() - start
    precision, recall = bcubed(truth, result.labels)
    print(machine())
    print(f"link: {n} reports, {len(postings)} indicator postings, {int(result.labels.max()) + 1} campaigns")
    print(
        f"  {seconds:.1f} s (target 60 s: ratio {seconds / 60:.2f}); baseline grouping pass {baseline:.2f} s "
        f"(link / baseline {seconds / baseline:.0f}x)"
    )
    print(f"  B-cubed precision {precision:.4f}, recall {recall:.4f} against the planted campaigns")


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def bench_classify(args: argparse.Namespace) -> None:
    from mahalla.cyber.classifier import MethodClassifier, TrainingRow, evaluate, reference_rows
    from mahalla.cyber.management.commands import cyber_train_rows
    from mahalla.demo.generator.cyber import build_cyber_reports

    rows, truth, _ = build_cyber_reports(
        seed=5, scale="region", as_of=dt.date(2026, 1, 1), mahalla_codes=["0"]
    )
    training = reference_rows() + [
        TrainingRow(f"{r['narrative']}\n{r['message_text']}", t["method"], t["language"], "generator")
        for r, t in zip(rows[:3000], truth[:3000], strict=True)
    ]
    model = MethodClassifier().fit([r.text for r in training], [r.method for r in training])
    texts = [f"{r['narrative']}\n{r['message_text']}" for r in rows]
    texts = (texts * (args.reports // len(texts) + 1))[: args.reports]
    print(machine())
    for run in range(args.repeat):
        # Baseline: the path every report took before the batch path (probabilities for the batch, then one
        # TF-IDF transform per report for its deciding words), on a tenth of the texts.
        few = texts[: max(1, len(texts) // 10)]
        wall, cpu = time.perf_counter(), _cpu()
        for offset in range(0, len(few), 1000):
            chunk = few[offset : offset + 1000]
            for text, (method, _p) in zip(chunk, model.predict(chunk), strict=True):
                model.deciding_words(text, method)
        old_wall, old_cpu = time.perf_counter() - wall, _cpu() - cpu
        wall, cpu = time.perf_counter(), _cpu()
        for offset in range(0, len(texts), args.batch):
            model.classify(texts[offset : offset + args.batch])
        new_wall, new_cpu = time.perf_counter() - wall, _cpu() - cpu
        rate_wall, rate_cpu = len(texts) / new_wall, len(texts) / new_cpu
        old_rate_wall, old_rate_cpu = len(few) / old_wall, len(few) / old_cpu
        print(
            f"run {run + 1}: classify (method, probability, deciding words) of {len(texts)} reports in "
            f"batches of {args.batch}: wall {new_wall:.2f} s = {rate_wall:,.0f}/s, CPU {new_cpu:.2f} s = "
            f"{rate_cpu:,.0f}/s (target 5,000: ratio wall {rate_wall / 5000:.2f}, CPU {rate_cpu / 5000:.2f})"
        )
        print(
            f"  baseline per-report path on {len(few)}: wall {old_rate_wall:,.0f}/s, "
            f"CPU {old_rate_cpu:,.0f}/s (batch / baseline: wall {rate_wall / old_rate_wall:.1f}x, "
            f"CPU {rate_cpu / old_rate_cpu:.1f}x)"
        )
        print("  " + machine())
    if args.f1:
        metrics = evaluate(reference_rows() + cyber_train_rows(seed=11, scale="tiny"))
        per_language = {k: v["macro_f1"] for k, v in metrics["by_language"].items()}
        overall = metrics["overall"]["macro_f1"]
        print(f"held-out macro-F1 (cyber-train's data): overall {overall}, by language {per_language}")


class Client:
    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes, float]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        all_headers = dict(headers or {})
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        start = time.perf_counter()
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - start
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        connection.close()
        return response.status, data, elapsed


def _form_run(args: argparse.Namespace, checkout: Path, var_dir: Path, label: str) -> dict[str, float]:
    """One form run against the checkout's own `mahalla serve` (default processes and threads, as deployed)
    and, when the checkout queues the processing, its Huey consumer (`manage.py run_huey`, one worker
    thread); both are children of this process, so their CPU is counted per round."""
    var_dir.mkdir(parents=True, exist_ok=True)
    env = dict(
        os.environ,
        MAHALLA_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="config.settings.local",
        MAHALLA_DEBUG="0",
        MAHALLA_LOG_LEVEL="WARNING",
        MAHALLA_CYBER_PUBLIC_LIMIT_PER_HOUR="100000000",
        MAHALLA_CYBER_PUBLIC_LIMIT_PER_DAY="100000000",
    )
    env.pop("DATABASE_URL", None)
    if args.database_url:  # e.g. the PostgreSQL database of this checkout; SQLite under --var-dir otherwise
        env["DATABASE_URL"] = args.database_url
    python = str(checkout / ".venv/bin/python")
    subprocess.run(
        [python, "manage.py", "migrate", "--no-input", "-v", "0"], env=env, cwd=checkout, check=True
    )
    setup = (
        "from mahalla.territory.models import District, Mahalla\n"
        "from mahalla.cyber.models import ClassifierVersion\n"
        "if not Mahalla.objects.filter(code__startswith='BENCH').exists():\n"
        "    for i, d in enumerate(District.objects.order_by('code')[:200]):\n"
        "        Mahalla.objects.create(\n"
        "            code=f'BENCH{i:04d}', name_uz=f'Bench {i}', district=d, region=d.region)\n"
        "if not ClassifierVersion.objects.filter(active=True).exists():\n"
        "    from django.core.management import call_command\n"
        "    call_command('cyber-train')\n"
        "print(Mahalla.objects.filter(code__startswith='BENCH').count())\n"
    )
    subprocess.run(
        [python, "manage.py", "shell", "-c", setup],
        env=env,
        cwd=checkout,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    queued = (checkout / "mahalla/cyber/tasks.py").read_text().count("cyber_report_process_task") > 0
    count_pending = (
        "from mahalla.cyber.models import CyberReport\n"
        "print(CyberReport.objects.filter(processing='pending').count(), CyberReport.objects.count())\n"
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server = subprocess.Popen(
        [str(checkout / ".venv/bin/mahalla"), "serve", "--no-migrate", "--port", str(port)],
        env=env,
        cwd=checkout,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    consumer = (
        subprocess.Popen(
            [python, "manage.py", "run_huey", "--workers", "1", "--no-periodic"],
            env=env,
            cwd=checkout,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if queued
        else None
    )
    timings: dict[str, list[float]] = {"get": [], "post": [], "static": []}
    failures: list[str] = []
    drain = 0.0
    poll_cpu = 0.0
    try:
        for _ in range(200):
            try:
                Client(port).request("GET", "/static/vendor/bootstrap/bootstrap.min.css")
                break
            except OSError:
                time.sleep(0.3)
        lock = threading.Lock()

        def user(number: int) -> None:
            # A request that raises (a timeout, a reset connection) is a failure of its round, never a thread
            # that dies silently and leaves its rounds out of the figures.
            try:
                user_rounds(number)
            except Exception as error:  # noqa: BLE001 - counted and shown
                with lock:
                    failures.append(f"{type(error).__name__}")

        def user_rounds(number: int) -> None:
            client = Client(port)
            # People do not click in step: each user starts at its own moment within one think time (a fixed
            # draw per user, so runs compare), unless --lockstep asks for the worst case of 50 at once.
            if not args.lockstep:
                time.sleep(random.Random(number).uniform(0, args.think_ms / 1000))
            for round_number in range(args.warm_up + args.rounds):
                measured = round_number >= args.warm_up
                status, body, elapsed = client.request("GET", "/cyber/report/")
                token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
                with lock:
                    if measured:
                        timings["get"].append(elapsed)
                    if status != 200:
                        failures.append(f"GET {status}")
                time.sleep(args.think_ms / 1000)
                form = {
                    "csrfmiddlewaretoken": token.group(1).decode() if token else "",
                    "narrative": (
                        "Telegramda havola keldi, 8600 1234 5678 9012 kartasiga pul ketdi, "
                        f"+998 90 {number:03d} 45 67"
                    ),
                    "message_text": (
                        f"Tabriklaymiz! Siz iPhone yutdingiz, oling: payme-bonus{number % 7}.site/pay"
                    ),
                    "occurred_at": "2026-01-01T10:00",
                    "loss_amount": "1500000",
                    "currency": "UZS",
                    "channel": "telegram",
                    "mahalla": f"BENCH{(number * 7 + round_number) % 200:04d}",
                }
                status, body, elapsed = client.request(
                    "POST",
                    "/cyber/report/",
                    urlencode(form).encode(),
                    {
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Referer": f"http://127.0.0.1:{port}/cyber/report/",
                    },
                )
                with lock:
                    if measured:
                        timings["post"].append(elapsed)
                    if status != 200 or b"report-reference" not in body:
                        failures.append(f"POST {status}")
                _, _, elapsed = client.request("GET", "/static/vendor/bootstrap/bootstrap.min.css")
                with lock:
                    if measured:
                        timings["static"].append(elapsed)
                time.sleep(args.think_ms / 1000)

        load_before = machine()
        threads = [threading.Thread(target=user, args=(i,)) for i in range(args.users)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        if consumer is not None:
            # The queued processing must keep up: the time until every report of the run is processed. The
            # polls are processes of their own: their CPU is taken off the server's below.
            while True:
                before_poll = resource.getrusage(resource.RUSAGE_CHILDREN)
                out = (
                    subprocess.run(
                        [python, "manage.py", "shell", "-c", count_pending],
                        env=env,
                        cwd=checkout,
                        check=True,
                        capture_output=True,
                        text=True,
                    )
                    .stdout.splitlines()[-1]
                    .split()
                )  # the shell prints its auto-imports first
                after_poll = resource.getrusage(resource.RUSAGE_CHILDREN)
                poll_cpu += (after_poll.ru_utime + after_poll.ru_stime) - (
                    before_poll.ru_utime + before_poll.ru_stime
                )
                if int(out[0]) == 0 or time.perf_counter() - started - wall > 600:
                    break
                time.sleep(3)
            drain = time.perf_counter() - started - wall
        print(f"[{label}] checkout {checkout}, {load_before}")
        print(
            f"  form: {args.users} users x {args.rounds} rounds (+{args.warm_up} warm-up), "
            f"think {args.think_ms} ms, "
            f"{'lockstep' if args.lockstep else 'staggered start'}, {wall:.1f} s, "
            f"failures {len(failures)} {failures[:3]}"
        )
        figures: dict[str, float] = {}
        for name, values in timings.items():
            p95 = percentile(values, 0.95) * 1000
            figures[f"{name}_p95"] = p95
            print(
                f"  {name:6s} n={len(values)} p50 {statistics.median(values) * 1000:.0f} ms, "
                f"p95 {p95:.0f} ms, "
                f"max {max(values) * 1000:.0f} ms (target 200 ms: ratio {p95 / 200:.2f})"
            )
        if consumer is not None:
            print(
                f"  queued processing: every report processed {drain:.1f} s after the last user's round "
                f"(pending now {out[0]} of {out[1]})"
            )
        print("  " + machine().replace("machine", "after"))
    finally:
        for process in (server, consumer):
            if process is not None:
                process.terminate()
                process.wait(timeout=60)
    # The server's processes (its workers are its children, waited for by it) and the consumer: CPU per user
    # round, which the load of a shared machine does not inflate as it does the wall times above.
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu = (after.ru_utime + after.ru_stime) - (children_before.ru_utime + children_before.ru_stime)
    server_cpu -= poll_cpu
    rounds = len(timings["post"])
    print(
        f"  server{' + consumer' if consumer else ''} CPU {server_cpu:.1f} s (start-up and model loading "
        f"included) = {1000 * server_cpu / max(1, rounds):.0f} ms per round (GET form + POST report + GET "
        f"static)"
    )
    figures["cpu_per_round_ms"] = 1000 * server_cpu / max(1, rounds)
    return figures


def bench_form(args: argparse.Namespace) -> None:
    """The form on this checkout; with --baseline-checkout, first on that checkout (e.g. main before the
    change) in the same run, and the ratios."""
    runs = []
    if args.baseline_checkout:
        runs.append(("baseline", Path(args.baseline_checkout).resolve(), Path(args.var_dir + "-baseline")))
    runs.append(("this", ROOT, Path(args.var_dir)))
    results = {label: _form_run(args, checkout, var_dir, label) for label, checkout, var_dir in runs}
    if "baseline" in results:
        new, old = results["this"], results["baseline"]
        print(
            "ratios this / baseline: "
            + ", ".join(
                f"{k} {new[k] / old[k]:.2f} ({old[k]:.0f} -> {new[k]:.0f})" for k in new if old.get(k)
            )
        )
    print(machine())


def bench_demo(args: argparse.Namespace) -> None:
    """The demo's cyber step (issue 10): a year of the nation's reports (about 58,000) stored through the bulk
    path `cyber_demo_load` takes (the importer: batch extraction and classification, bulk inserts; then one
    linking pass, `campaigns_rebuild`), on a fresh SQLite database (or --database-url) with 200 mahallas.
    Timed: the import and the linking pass, CPU and wall; then the B-cubed scores of the stored campaigns
    against the planted truth. Not timed: generating the rows, training the classifier."""
    import json

    from django.core.management import call_command

    from mahalla.accounts.models import User
    from mahalla.core.roles import Role
    from mahalla.cyber.classification import classifier_train
    from mahalla.cyber.importing import reports_import
    from mahalla.cyber.linking import bcubed
    from mahalla.cyber.management.commands import cyber_train_rows
    from mahalla.cyber.models import CampaignMember, CyberReport
    from mahalla.cyber.services import campaigns_rebuild
    from mahalla.demo.generator.cyber import build_cyber_reports
    from mahalla.territory.models import District, Mahalla

    call_command("migrate", interactive=False, verbosity=0)
    if CyberReport.objects.exists():
        raise SystemExit(f"{args.var_dir}-demo already holds reports: remove it first")
    for i, district in enumerate(District.objects.order_by("code")[:200]):
        Mahalla.objects.get_or_create(
            code=f"BENCH{i:04d}",
            defaults={"name_uz": f"Bench {i}", "district": district, "region": district.region},
        )
    actor = User.objects.filter(role=Role.ADMINISTRATOR).first() or User.objects.create(
        username="bench-admin", role=Role.ADMINISTRATOR
    )
    codes = list(Mahalla.objects.order_by("code").values_list("code", flat=True))
    rows, truth, _ = build_cyber_reports(
        seed=1, scale="nation", as_of=dt.date(2026, 1, 1), mahalla_codes=codes, days=args.demo_days
    )
    source = Path(f"{args.var_dir}-demo/cyber_reports.jsonl")
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    classifier_train(actor=actor, extra_rows=cyber_train_rows(seed=2), evaluate_first=False)
    print(machine())
    wall, cpu = time.perf_counter(), _cpu()
    reports_import(actor=actor, source=str(source), origin="bank", join_campaigns=False)
    import_wall, import_cpu = time.perf_counter() - wall, _cpu() - cpu
    wall, cpu = time.perf_counter(), _cpu()
    outcome = campaigns_rebuild(actor=actor)
    link_wall, link_cpu = time.perf_counter() - wall, _cpu() - cpu
    members = dict(CampaignMember.objects.values_list("report__external_id", "campaign_id"))
    keys: dict[str, int] = {}
    planted = [keys.setdefault(t["campaign"], len(keys)) if t["campaign"] else -1 for t in truth]
    found = [members.get(t["external_id"], -1) for t in truth]
    precision, recall = bcubed(planted, found)
    print(
        f"demo cyber step: {len(rows)} reports over {args.demo_days} days, {outcome.campaigns} campaigns, "
        f"{outcome.linked_reports} reports linked"
    )
    print(f"  import (extract, classify, store): CPU {import_cpu:.1f} s, wall {import_wall:.1f} s")
    print(f"  one linking pass (campaigns_rebuild): CPU {link_cpu:.1f} s, wall {link_wall:.1f} s")
    total = import_cpu + link_cpu
    print(
        f"  total CPU {total:.1f} s (target well under 60 s: ratio {total / 60:.2f}), wall "
        f"{import_wall + link_wall:.1f} s; {len(rows) / total:,.0f} reports per CPU second"
    )
    print(f"  B-cubed precision {precision:.4f}, recall {recall:.4f} against the planted campaigns (>= 0.9)")
    print("  " + machine().replace("machine", "after"))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("part", choices=["link", "classify", "form", "demo"])
    parser.add_argument(
        "--days", type=int, default=630, help="link: days of the nation's reports (630 ~ 100,000)"
    )
    parser.add_argument("--reports", type=int, default=20_000, help="classify: texts to classify")
    parser.add_argument("--batch", type=int, default=1000, help="classify: reports per batch")
    parser.add_argument("--repeat", type=int, default=3, help="classify: runs")
    parser.add_argument("--f1", action="store_true", help="classify: also the held-out macro-F1 per language")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--think-ms", type=int, default=1000)
    parser.add_argument("--warm-up", type=int, default=1, help="form: unmeasured rounds first (fills caches)")
    parser.add_argument(
        "--lockstep", action="store_true", help="form: every user starts at the same moment (the worst case)"
    )
    parser.add_argument("--var-dir", default="/tmp/mahalla-bench-cyber-form")
    parser.add_argument("--database-url", default="", help="form: serve this database instead of SQLite")
    parser.add_argument(
        "--baseline-checkout",
        default="",
        help="form: also run this checkout first (e.g. /work/main), same run",
    )
    parser.add_argument("--demo-days", type=int, default=365, help="demo: days of the nation's reports")
    args = parser.parse_args()
    if args.part == "demo":  # a fresh database of its own, before Django reads the settings
        Path(f"{args.var_dir}-demo").mkdir(parents=True, exist_ok=True)
        os.environ["MAHALLA_VAR_DIR"] = f"{args.var_dir}-demo"
        os.environ.pop("DATABASE_URL", None)
        if args.database_url:
            os.environ["DATABASE_URL"] = args.database_url
    if args.part != "link":
        import django

        django.setup()
    {"link": bench_link, "classify": bench_classify, "form": bench_form, "demo": bench_demo}[args.part](args)


if __name__ == "__main__":
    main()

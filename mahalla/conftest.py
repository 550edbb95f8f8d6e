"""Project-wide pytest fixtures: the tiny synthetic nation.

`tiny_nation_files` (session scope) generates the `tiny` scale once per test session into a temporary
directory: one district (Mirobod tumani, Toshkent shahri, SOATO 1726273) with 30 mahallas, about 160,000
people, three years of crimes and administrative offences ending on `TINY_AS_OF`, officials, and the ground
truth (planted emerging hot spots, space-time clusters, red episodes and the prevention measure in
`truth.json`; per offence origin in `truth_offences.csv`; per mahalla effects in `truth_mahallas.csv`).

`tiny_nation` (function scope, needs the database) imports those files into the test database through the
real importers (`mahalla import territories ...` then `mahalla import offences ...`) and returns a
`TinyNation` with the directory, the manifest, the parsed truth and the codes. Use it in any test that
needs realistic data end to end:

    def test_district_chief_sees_the_offences_of_his_district(tiny_nation):
        district = District.objects.get(code=tiny_nation.district_code)
        ...

Generation takes about a second once per session; the import about a second per test.

Browser tests (marked `browser`, skipped without Debian's chromium) use `chromium`, `browser_page` (a page on
Django's live server), `sign_in` and `analysed_tiny_nation` from here. Every transactional test (the live
server's included) ends with a flush that lifts the audit triggers for the flush only and reloads the
reference data of every data migration (REFERENCE_LOADERS below), so later tests on the same worker find it.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

TINY_SEED = 2026
TINY_AS_OF = date(2026, 1, 1)


@dataclass(frozen=True)
class TinyNation:
    directory: Path
    manifest: dict[str, Any]
    truth: dict[str, Any]
    as_of: date
    region_code: str
    district_code: str
    mahalla_codes: tuple[str, ...]

    @property
    def offences(self) -> int:
        """Number of offences in the file (crimes and administrative)."""
        return int(self.manifest["counts"]["offences"])

    @property
    def crimes(self) -> int:
        return int(self.manifest["counts"]["crimes"])


@pytest.fixture(scope="session")
def tiny_nation_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated tiny nation (files only, no database): seed TINY_SEED, period ending TINY_AS_OF."""
    from mahalla.demo.generator import generate

    directory = tmp_path_factory.mktemp("tiny_nation")
    generate("tiny", TINY_SEED, TINY_AS_OF, directory)
    return directory


@pytest.fixture
def tiny_nation(tiny_nation_files: Path, db: None) -> TinyNation:
    """The tiny nation imported into the test database through the real importers."""
    from django.core.management import call_command

    call_command(
        "import", "territories", str(tiny_nation_files / "territories.csv"), no_progress=True, verbosity=0
    )
    call_command("import", "offences", str(tiny_nation_files / "offences.csv"), no_progress=True, verbosity=0)
    manifest = json.loads((tiny_nation_files / "manifest.json").read_text(encoding="utf-8"))
    truth = json.loads((tiny_nation_files / "truth.json").read_text(encoding="utf-8"))
    mahalla_codes = []
    district_code = region_code = ""
    with (tiny_nation_files / "territories.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["level"] == "mahalla":
                mahalla_codes.append(row["code"])
            elif row["level"] == "district":
                district_code = row["code"]
            elif row["level"] == "region":
                region_code = row["code"]
    return TinyNation(
        directory=tiny_nation_files,
        manifest=manifest,
        truth=truth,
        as_of=TINY_AS_OF,
        region_code=region_code,
        district_code=district_code,
        mahalla_codes=tuple(mahalla_codes),
    )


# ------------------------------------------------------------------ transactional tests and the live server
#
# A live-server test needs committed data, so it runs as a TransactionTestCase, which ends with a flush of
# every table. Two things go wrong with a plain flush: the audit log's append-only triggers refuse it (by
# design), and it wipes the reference data that data migrations load (regions, districts, categories,
# article rules, causes, the officials' default assignment rules). Every test that runs after it on the same
# worker (browser or not, xdist or not) would then find those tables empty. The one remedy is below:
# TransactionTestCase's teardown is wrapped for the whole session so that the triggers are lifted for the
# flush only and the reference data is loaded again right after it, by the migrations' own loaders.

# Every data migration that loads reference data, as (module, function). A NEW REFERENCE MIGRATION MUST BE
# ADDED HERE; mahalla/tests/test_transactional_flush.py fails for a RunPython migration that is missing.
REFERENCE_LOADERS: tuple[tuple[str, str], ...] = (
    ("mahalla.territory.migrations.0002_reference_regions_districts", "load"),
    ("mahalla.incidents.migrations.0002_reference_categories_articles_causes", "load"),
    ("mahalla.officials.migrations.0002_default_rules", "load"),
    ("mahalla.coordination.migrations.0002_reference_data", "load"),
    ("mahalla.coordination.migrations.0003_casework_oversight_rules", "load"),
    ("mahalla.coordination.migrations.0004_oversight_rule_legal_basis_languages", "load"),
    ("mahalla.cases.migrations.0002_reference_categories_rules", "load"),
    ("mahalla.cyber.migrations.0003_reference_data", "load"),
)
# RunPython migrations that load no data: the audit triggers, handled by _audit_triggers below.
NON_DATA_MIGRATIONS: tuple[tuple[str, str], ...] = (
    ("mahalla.audit.migrations.0002_append_only_triggers", "create_triggers"),
    ("mahalla.audit.migrations.0003_territory_and_hash_chain", "triggers_again"),
)
_AUDIT_TRIGGER_NAMES = ("audit_event_no_update", "audit_event_no_delete", "audit_event_no_truncate")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def reference_data_reload() -> None:
    """Load the reference data of every data migration again (each loader is idempotent)."""
    import importlib

    from django.apps import apps

    for module, function in REFERENCE_LOADERS:
        getattr(importlib.import_module(module), function)(apps, None)


def _audit_triggers(*, present: bool) -> None:
    """Drop the audit log's append-only triggers and, when `present`, create them again with the statements
    of the migration that made them."""
    import importlib

    from django.db import connection

    statements = importlib.import_module("mahalla.audit.migrations.0002_append_only_triggers")
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        on = " ON audit_auditevent" if postgres else ""
        for name in _AUDIT_TRIGGER_NAMES:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on}")
        if present:
            for statement in statements.POSTGRES if postgres else statements.SQLITE:
                cursor.execute(statement)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked `browser` need Debian's chromium: skipped, with the reason, where it is not installed."""
    import os

    if item.get_closest_marker("browser") and not os.path.exists(CHROMIUM):
        pytest.skip(f"Debian's chromium is not installed ({CHROMIUM})")


@pytest.fixture(scope="session", autouse=True)
def _flush_keeps_reference_data_and_audit_triggers() -> Any:
    """Wrap TransactionTestCase's teardown (the flush) for the session: see the comment above."""
    from django.test import TransactionTestCase

    original = TransactionTestCase._fixture_teardown

    def fixture_teardown(self: TransactionTestCase) -> None:
        _audit_triggers(present=False)
        try:
            original(self)
        finally:
            _audit_triggers(present=True)
            reference_data_reload()

    TransactionTestCase._fixture_teardown = fixture_teardown  # type: ignore[method-assign]
    yield
    TransactionTestCase._fixture_teardown = original  # type: ignore[method-assign]


@pytest.fixture
def reference_loaders() -> tuple[tuple[str, str], ...]:
    """The registry above, for the test that checks it names every data migration."""
    return REFERENCE_LOADERS


@pytest.fixture
def non_data_migrations() -> tuple[tuple[str, str], ...]:
    return NON_DATA_MIGRATIONS


@pytest.fixture(scope="session")
def chromium() -> Any:
    """Debian's chromium driven by Playwright, one per test process (tests using it are marked `browser`)."""
    import os

    # Playwright's sync API runs an event loop in this thread; the tests' own ORM calls are still plain
    # synchronous code, so Django's async-safety guard is lifted for the process.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium: Any, live_server: Any, settings: Any, tmp_path: Path) -> Any:
    """A fresh browser context on the live server (English, downloads accepted, media in a temporary
    directory); `page.requested_urls` records every request the page makes."""
    settings.MEDIA_ROOT = tmp_path / "media"
    context = chromium.new_context(base_url=live_server.url, accept_downloads=True, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.requested_urls = []
    page.on("request", lambda request: page.requested_urls.append(request.url))
    yield page
    context.close()


@pytest.fixture
def sign_in() -> Any:
    """`sign_in(page, username, next="/")` signs in through the login form (password of the factories)."""
    from mahalla.accounts.tests.factories import PASSWORD

    def sign(page: Any, username: str, next: str = "/") -> None:
        page.goto(f"/accounts/login/?next={next}")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action='/accounts/login/'] button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "/accounts/login/" not in page.url, page.inner_text("main")

    return sign


@pytest.fixture
def analysed_tiny_nation(tiny_nation: TinyNation, transactional_db: None) -> dict[str, Any]:
    """The tiny nation analysed on its last day (committed, for the live server), with a national analyst
    (`analyst`) and the district's chief (`chief`)."""
    from mahalla.accounts.tests.factories import UserFactory
    from mahalla.analytics.services import analysis_run
    from mahalla.core.roles import Role, ScopeLevel
    from mahalla.territory.models import District

    analysis_run(date=tiny_nation.as_of, parameters={"scan_permutations": 19})
    district = District.objects.get(code=tiny_nation.district_code)
    analyst = UserFactory(username="analyst", role=Role.NATIONAL_ANALYST, scope_level=ScopeLevel.COUNTRY)
    chief = UserFactory(
        username="chief", role=Role.DISTRICT_CHIEF, scope_level=ScopeLevel.DISTRICT, scope_district=district
    )
    return {"tiny": tiny_nation, "district": district, "analyst": analyst, "chief": chief}


@pytest.fixture(autouse=True)
def language_reset_after_each_test():
    """A request through LocaleMiddleware leaves its language active in the thread; the next test in the
    same worker must start from the settings' language, whatever ran before it."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)

"""Writes of the demo: load a generated nation through the real importers and create one demo user per role.

Everything goes through the project's own import services (`mahalla import ...`), never by writing territory
or offence models directly, so the demo exercises the same path as real data.
"""

from __future__ import annotations

import csv
import hashlib
import json
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management import call_command, get_commands
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from mahalla.accounts.models import User
from mahalla.audit.models import AuditAction
from mahalla.audit.services import audit_record
from mahalla.core.errors import ApplicationError
from mahalla.core.roles import Role, ScopeLevel
from mahalla.incidents.models import ImportBatch, Offence
from mahalla.territory.models import District, Mahalla, Region

from .generator import generate

DEMO_USER_PREFIX = "demo_"


def nation_files_ready(directory: Path, *, scale: str, seed: int, as_of: date) -> bool:
    """True when `directory` holds a complete generation for exactly these settings, unaltered."""
    manifest_path = directory / "manifest.json"
    if not manifest_path.is_file():
        return False
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except ValueError:
        return False
    if (manifest.get("scale"), manifest.get("seed"), manifest.get("as_of")) != (
        scale,
        seed,
        as_of.isoformat(),
    ):
        return False
    for name, digest in manifest.get("files", {}).items():
        path = directory / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            return False
    return bool(manifest.get("files"))


def nation_generate_cached(
    *, directory: Path, scale: str, seed: int, as_of: date
) -> tuple[dict[str, Any], bool]:
    """The manifest of the generation in `directory`, generating it first unless already there.

    Returns (manifest, generated_now)."""
    generated = False
    if not nation_files_ready(directory, scale=scale, seed=seed, as_of=as_of):
        round_two_files_remove(directory)
        generate(scale, seed, as_of, directory)
        generated = True
    return json.loads((directory / "manifest.json").read_text(encoding="utf-8")), generated


def cached_as_of(directory: Path, *, scale: str, seed: int) -> date | None:
    """The as-of date of the generation cached in `directory` for this scale and seed, if any."""
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (manifest.get("scale"), manifest.get("seed")) != (scale, seed):
        return None
    try:
        return date.fromisoformat(manifest["as_of"])
    except (KeyError, TypeError, ValueError):
        return None


def analysis_done(day: date) -> bool:
    """True when the daily analysis has a finished run for `day` (False when the analytics app is absent)."""
    if not apps.is_installed("mahalla.analytics"):
        return False
    from mahalla.analytics.services import analysis_done as finished

    return finished(day)


def _already_imported(kind: str, digest: str) -> bool:
    return ImportBatch.objects.filter(kind=kind, file_sha256=digest, status=ImportBatch.Status.DONE).exists()


def nation_import(*, directory: Path, manifest: dict[str, Any], force: bool = False) -> list[str]:
    """Import territories then offences from a generated directory through `mahalla import`.

    A file whose SHA-256 already has a finished import batch is skipped unless `force`. Returns the names
    of the files imported."""
    if (
        not force
        and Offence.objects.exists()
        and not _already_imported("offences", manifest["files"]["offences.csv"])
    ):
        # Another nation (another seed or date) or real data is loaded: adding this one would mix two
        # countries' offences. The demo loads only into an empty database or its own.
        raise ApplicationError(
            _(
                "The database already holds offences that are not this demo nation's (scale %(scale)s, "
                "seed %(seed)s, as of %(as_of)s). Start the demo with an empty var directory "
                "(MAHALLA_VAR_DIR) or the seed and date it was built with."
            )
            % {"scale": manifest["scale"], "seed": manifest["seed"], "as_of": manifest["as_of"]},
            {"offences_file_sha256": manifest["files"]["offences.csv"]},
        )
    imported = []
    for kind, name in (("territories", "territories.csv"), ("offences", "offences.csv")):
        digest = manifest["files"][name]
        if not force and _already_imported(kind, digest):
            continue
        call_command("import", kind, str(directory / name), no_progress=True, verbosity=0)
        imported.append(name)
    # The people of the programme, for the responsible-officials pages (mahalla/officials), when installed.
    if "import-officials" in get_commands() and (imported or not _officials_loaded()):
        call_command("import-officials", str(directory / "officials.csv"), verbosity=0)
        imported.append("officials.csv")
    return imported


def _officials_loaded() -> bool:
    return apps.is_installed("mahalla.officials") and apps.get_model("officials", "Official").objects.exists()


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str
    scope: str


def _demo_scopes() -> dict[str, dict[str, Any]]:
    """Where each demo role works: Tashkent (the tiny district) when loaded, else the first loaded one."""
    mahalla_count = Mahalla.objects.count()
    if mahalla_count == 0:
        raise ApplicationError(_("No mahallas are loaded: import territories before creating demo users."))
    district = (
        District.objects.filter(code="1726273", mahallas__isnull=False).first()
        or District.objects.filter(mahallas__isnull=False).order_by("code").first()
    )
    assert district is not None
    region: Region = district.region
    # Responsible officials are named to the mahallas with the gravest situation: take the three with the
    # most crimes in the district (ties by code), so the demo accounts open on interesting places.
    mahallas = list(
        Mahalla.objects.filter(district=district)
        .annotate(crimes=Count("offences", filter=Q(offences__code_kind="criminal")))
        .order_by("-crimes", "code")[:3]
    )
    country = {"scope_level": ScopeLevel.COUNTRY}
    return {
        Role.NATIONAL_ANALYST: country,
        Role.REGIONAL_CHIEF: {"scope_level": ScopeLevel.REGION, "scope_region": region},
        Role.DISTRICT_CHIEF: {"scope_level": ScopeLevel.DISTRICT, "scope_district": district},
        Role.RESPONSIBLE_OFFICIAL: {"scope_level": ScopeLevel.MAHALLAS, "mahallas": mahallas},
        Role.PREVENTIVE_INSPECTOR: {"scope_level": ScopeLevel.MAHALLAS, "mahallas": mahallas[:1]},
        Role.INVESTIGATOR: {"scope_level": ScopeLevel.DISTRICT, "scope_district": district},
        Role.CYBER_OFFICER: {"scope_level": ScopeLevel.REGION, "scope_region": region},
        Role.NARCOTICS_OFFICER: {"scope_level": ScopeLevel.REGION, "scope_region": region},
        Role.PROSECUTOR: {"scope_level": ScopeLevel.DISTRICT, "scope_district": district},
        Role.MAHALLA_SEVEN: {"scope_level": ScopeLevel.MAHALLAS, "mahallas": mahallas[:1]},
        Role.WOMENS_AFFAIRS_INSPECTOR: {"scope_level": ScopeLevel.DISTRICT, "scope_district": district},
        Role.ADMINISTRATOR: country,
        Role.AGENCY_OFFICER: {"scope_level": ScopeLevel.DISTRICT, "scope_district": district},
    }


def _scope_text(scope: dict[str, Any]) -> str:
    if scope.get("scope_region"):
        return str(scope["scope_region"].name_uz)
    if scope.get("scope_district"):
        return str(scope["scope_district"].name_uz)
    if scope.get("mahallas"):
        return ", ".join(m.name_uz for m in scope["mahallas"])
    return str(_("whole country"))


# Made-up names, so that pages which name the person who acted (a confirmation, a comment, a measure's owner)
# show a name rather than a login.
DEMO_PERSON_NAMES = {
    Role.NATIONAL_ANALYST: ("Dilnoza", "Karimova"),
    Role.REGIONAL_CHIEF: ("Bahodir", "Rahimov"),
    Role.DISTRICT_CHIEF: ("Jamshid", "Tursunov"),
    Role.RESPONSIBLE_OFFICIAL: ("Sardor", "Yusupov"),
    Role.PREVENTIVE_INSPECTOR: ("Otabek", "Nazarov"),
    Role.INVESTIGATOR: ("Nodira", "Saidova"),
    Role.CYBER_OFFICER: ("Javlon", "Ergashev"),
    Role.NARCOTICS_OFFICER: ("Rustam", "Aliyev"),
    Role.PROSECUTOR: ("Gulnora", "Xolmatova"),
    Role.MAHALLA_SEVEN: ("Muhabbat", "Qodirova"),
    Role.WOMENS_AFFAIRS_INSPECTOR: ("Zulfiya", "Ismoilova"),
    Role.ADMINISTRATOR: ("Akmal", "Sobirov"),
    Role.AGENCY_OFFICER: ("Shahnoza", "Mirzayeva"),
}


@transaction.atomic
def demo_users_create() -> list[DemoLogin]:
    """One account per role with a fresh random password (printed once by the caller, stored only hashed).

    Re-running replaces the passwords of the existing demo accounts."""
    scopes = _demo_scopes()
    passwords = {role: secrets.token_urlsafe(12) for role in scopes}
    # PBKDF2 with Django's iteration count takes a good fraction of a second per password; hashlib releases
    # the GIL while it works, so two threads use both cores.
    with ThreadPoolExecutor(max_workers=2) as pool:
        hashes = dict(zip(passwords, pool.map(make_password, passwords.values()), strict=True))
    logins = []
    for role, scope in scopes.items():
        username = f"{DEMO_USER_PREFIX}{role}"
        password = passwords[role]
        user, created = User.objects.get_or_create(username=username, defaults={"role": role})
        user.role = role
        user.scope_level = scope["scope_level"]
        user.scope_region = scope.get("scope_region")
        user.scope_district = scope.get("scope_district")
        user.first_name, user.last_name = DEMO_PERSON_NAMES.get(role, ("", ""))
        user.position = str(Role(role).label)
        user.organisation = "Demo"
        # The administrator also gets Django's admin site; no other demo account does.
        user.is_staff = user.is_superuser = role == Role.ADMINISTRATOR
        user.password = hashes[role]
        user.save()
        user.scope_mahallas.set(scope.get("mahallas", []))
        audit_record(
            actor=None,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            object_type="accounts.user",
            object_id=user.pk,
            object_repr=username,
            purpose="demo account",
            details={"role": role, "scope_level": user.scope_level},
        )
        logins.append(
            DemoLogin(
                role=str(Role(role).label), username=username, password=password, scope=_scope_text(scope)
            )
        )
    return logins


# ---------------------------------------------------------------------------------- casework (issue 12)


def cases_demo_load(*, directory: Path, seed: int, as_of: date) -> dict[str, int] | None:
    """Persons, registers, orders, supervisions and referrals of the demo nation (mahalla/demo/generator/
    cases.py), loaded through the casework importer, then the casework monitoring of the last day. Once:
    None when the registers are already loaded or the casework app is not installed."""
    if not apps.is_installed("mahalla.cases"):
        return None
    from mahalla.cases.importing import cases_import
    from mahalla.cases.models import Person
    from mahalla.cases.services import monitoring_run

    from .generator.cases import generate_cases

    if Person.objects.exists():
        return None
    if not (directory / "cases.json").is_file():
        generate_cases(directory, seed=seed, as_of=as_of)
    importer = User.objects.filter(username=f"{DEMO_USER_PREFIX}{Role.ADMINISTRATOR}").first()
    counts = cases_import(directory / "cases.json", actor=importer)
    monitoring_run(day=as_of)
    return counts


# --- cyber reports (mahalla.cyber, issue 13): a separate step, loaded through the cyber importer ------------

CYBER_ORGANISATIONS = (
    ("kapitalbank", "Kapitalbank", "bank", ["card"], ["UzCard", "Humo"]),
    ("uzumbank", "Uzum Bank", "bank", ["card"], ["Visa", "Mastercard", "UnionPay"]),
    ("telegram", "Telegram", "platform", ["handle"], []),
    ("uzmobile", "Uzmobile", "telecom", ["phone"], []),
    ("cctld-uz", "UZ domain registry", "registrar", ["domain", "url"], []),
)


def cyber_demo_load(*, directory: Path, manifest: dict[str, Any]) -> int:
    """Generate the cyber reports of the demo nation (planted campaigns, truth files next to them), train the
    classifier, import the reports through the cyber importer, link campaigns, send blocking requests for the
    largest ones. Skipped (returns 0) when the cyber app is absent or reports are already loaded."""
    import datetime as dt

    if not apps.is_installed("mahalla.cyber"):
        return 0
    from mahalla.accounts.models import User
    from mahalla.core.roles import Role
    from mahalla.cyber.classification import classifier_train
    from mahalla.cyber.importing import reports_import
    from mahalla.cyber.management.commands import cyber_train_rows
    from mahalla.cyber.models import BlockRequest, Campaign, CyberReport, Organisation
    from mahalla.cyber.services import (
        block_request_status_set,
        block_requests_for_campaign,
        campaign_confirm,
        campaigns_rebuild,
    )
    from mahalla.territory.models import Mahalla

    if CyberReport.objects.exists():
        return 0
    actor = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("pk").first()
    if actor is None:
        return 0
    reports_file = directory / CYBER_REPORTS_FILE
    if not reports_file.is_file():
        codes = list(Mahalla.objects.order_by("code").values_list("code", flat=True))
        cyber_demo_files_write(directory=directory, manifest=manifest, mahalla_codes=codes)
    with reports_file.open(encoding="utf-8") as handle:
        reports = sum(1 for _line in handle)
    classifier_train(
        actor=actor, extra_rows=cyber_train_rows(seed=int(manifest["seed"]) + 1), evaluate_first=False
    )
    reports_import(actor=actor, source=reports_file, origin="bank", join_campaigns=False)
    campaigns_rebuild(actor=actor)
    for code, name, kind, kinds, schemes in CYBER_ORGANISATIONS:
        Organisation.objects.get_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "indicator_kinds": kinds, "card_schemes": schemes},
        )
    for index, campaign in enumerate(Campaign.objects.order_by("-size")[:15]):
        campaign_confirm(actor=actor, campaign=campaign, reason="demo")
        for number, block_request in enumerate(block_requests_for_campaign(actor=actor, campaign=campaign)):
            if (index + number) % 3 == 0:
                hours = 6 + 30 * ((index * 7 + number) % 5)
                at = block_request.first_reported_at + dt.timedelta(hours=hours)
                block_request_status_set(
                    organisation=block_request.organisation,
                    block_request=block_request,
                    status=BlockRequest.Status.BLOCKED,
                    at=at,
                )
    return reports


CYBER_REPORTS_FILE = "cyber_reports.jsonl"


def cyber_demo_files_write(*, directory: Path, manifest: dict[str, Any], mahalla_codes: list[str]) -> int:
    """Generate the demo nation's cyber reports (planted campaigns) into `directory`: the reports to import
    and, next to them, the truth files. The reports file is written last, under its final name only when
    complete, so that its presence means the set is whole. Returns the number of reports."""
    import datetime as dt

    from mahalla.demo.generator.cyber import TRUTH_COLUMNS, build_cyber_reports

    rows, truth, campaigns = build_cyber_reports(
        seed=int(manifest["seed"]),
        scale=str(manifest["scale"]),
        as_of=dt.date.fromisoformat(str(manifest["as_of"])),
        mahalla_codes=mahalla_codes,
    )
    with (directory / "truth_cyber_reports.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=TRUTH_COLUMNS)
        writer.writeheader()
        writer.writerows(truth)
    (directory / "truth_cyber.json").write_text(
        json.dumps(campaigns, indent=1, sort_keys=True), encoding="utf-8"
    )
    partial = directory / (CYBER_REPORTS_FILE + ".partial")
    partial.write_text(
        "".join(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n" for row in rows), encoding="utf-8"
    )
    partial.replace(directory / CYBER_REPORTS_FILE)
    return len(rows)


def links_demo_load(*, directory: Path, seed: int, as_of: date) -> dict[str, Any] | None:
    """The drug-network step of the demo (issue 14): generate the world (mahalla/demo/generator/links.py)
    into ``directory`` unless there, and load it through mahalla.links' services into the demo district's
    mahallas, once (a restart finds it loaded)."""
    from mahalla.links.loading import world_load
    from mahalla.links.models import Entity

    if Entity.objects.exists():
        return None
    if not (directory / "truth_links.json").is_file():
        links_demo_files_write(directory=directory, seed=seed, as_of=as_of)
    district = (
        District.objects.filter(code="1726273", mahallas__isnull=False).first()
        or District.objects.filter(mahallas__isnull=False).order_by("code").first()
    )
    if district is None:
        return None
    mahallas = list(Mahalla.objects.filter(district=district).order_by("code"))
    return world_load(directory=directory, mahallas=mahallas)


# The drug-network world of every demo scale: 60 cameras, two weeks, about 250,000 detections, 12 planted
# convoys and 8 drop shops in the demo district. The region world (3 million detections) cost the nation
# demo about two minutes of CPU for no page that needs it; `bench/bench_links_load.py` and
# `bench/bench_links_*.py` still build and measure the larger worlds on their own.
DEMO_LINKS_SCALE = "tiny"


def links_demo_files_write(*, directory: Path, seed: int, as_of: date) -> None:
    """Generate the demo's drug-network world (mahalla/demo/generator/links.py) into `directory`."""
    import yaml

    from mahalla.links.loading import SLANG_FILE

    from .generator.links import links_build, links_write

    slang = yaml.safe_load(SLANG_FILE.read_text(encoding="utf-8"))
    links_write(links_build(seed, DEMO_LINKS_SCALE, as_of, slang), directory)


# Written by the round-2 generators next to the nation's files (removed when the nation is generated again).
ROUND_TWO_FILES = (
    "cases.json",
    "truth_cases.json",
    CYBER_REPORTS_FILE,
    "truth_cyber_reports.csv",
    "truth_cyber.json",
)


def round_two_files_remove(directory: Path) -> None:
    """Remove the round-2 files generated from an earlier nation in `directory` (another date or seed)."""
    import shutil

    for name in ROUND_TWO_FILES:
        (directory / name).unlink(missing_ok=True)
    shutil.rmtree(directory / "links", ignore_errors=True)


def round_two_files_prepare(*, directory: Path, manifest: dict[str, Any], part: str) -> None:
    """Generate the files of one round-2 load (`part`: "links", "cases" or "cyber") unless they are there,
    from the nation's generated files alone: no database, so that a second process can prepare them while
    the first migrates and imports the nation (`mahalla demo`)."""
    seed = int(manifest["seed"])
    as_of = date.fromisoformat(str(manifest["as_of"]))
    if part == "links" and not (directory / "links" / "truth_links.json").is_file():
        links_demo_files_write(directory=directory / "links", seed=seed, as_of=as_of)
    elif part == "cases" and not (directory / "truth_cases.json").is_file():
        from .generator.cases import generate_cases

        generate_cases(directory, seed=seed, as_of=as_of)
    elif part == "cyber" and not (directory / CYBER_REPORTS_FILE).is_file():
        with (directory / "territories.csv").open(encoding="utf-8", newline="") as handle:
            codes = sorted(row["code"] for row in csv.DictReader(handle) if row["level"] == "mahalla")
        cyber_demo_files_write(directory=directory, manifest=manifest, mahalla_codes=codes)

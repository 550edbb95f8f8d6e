"""Backup and restore of a whole installation: the database, the uploaded evidence files and, for the
embedded demo, its generated secret; the audit chain is verified after a restore.

SQLite is copied with its online backup API (a consistent snapshot while the server keeps writing: a plain
file copy of a live WAL database loses what is still in the log). PostgreSQL is dumped with ``pg_dump
--format=custom`` and restored with ``pg_restore --clean``, both as the owner.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

from mahalla.core.errors import ApplicationError

MANIFEST = "manifest.json"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env(database: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ)
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    args = ["--host", str(database.get("HOST") or "127.0.0.1"), "--port", str(database.get("PORT") or 5432)]
    if database.get("USER"):
        args += ["--username", str(database["USER"])]
    return args, env


def backup_create(destination: Path, *, using: str = "default") -> dict[str, Any]:
    """Write a backup into the new directory ``destination`` (readable by its owner only)."""
    from .chain import chain_verify

    if destination.exists():
        raise ApplicationError(
            f"{destination} exists: a backup goes into a new directory.", {"field": "destination"}
        )
    destination.mkdir(parents=True, mode=0o700)
    database = settings.DATABASES[using]
    vendor = connections[using].vendor
    report = chain_verify(using=using)
    files: dict[str, str] = {}
    if vendor == "sqlite":
        target = destination / "database.sqlite3"
        source = sqlite3.connect(str(database["NAME"]), timeout=60)
        copy = sqlite3.connect(str(target))
        try:
            source.backup(copy, pages=4096)
        finally:
            copy.close()
            source.close()
    elif vendor == "postgresql":
        target = destination / "database.dump"
        args, env = _pg_env(database)
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(target), *args, str(database["NAME"])],
            check=True,
            env=env,
            capture_output=True,
        )
    else:
        raise ApplicationError(f"No backup for the {vendor} database engine.")
    files[target.name] = _sha256(target)
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir():
        shutil.copytree(media, destination / "media")
        for path in sorted((destination / "media").rglob("*")):
            if path.is_file():
                files[str(path.relative_to(destination))] = _sha256(path)
    secret = Path(settings.VAR_DIR) / "secret_key"
    if secret.is_file():
        shutil.copy2(secret, destination / "secret_key")
        (destination / "secret_key").chmod(0o600)
    manifest = {
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "vendor": vendor,
        "audit_chain": {"intact": report.intact, "head_seq": report.head_seq, "head_hash": report.head_hash},
        "files": files,
    }
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    for path in destination.rglob("*"):
        path.chmod(0o700 if path.is_dir() else 0o600)
    return manifest


def backup_restore(source: Path, *, using: str = "default") -> dict[str, Any]:
    """Restore ``source`` (made by backup_create) over the current installation, then verify the audit
    chain against the head the backup recorded. Raises ApplicationError when anything does not match."""
    from .chain import chain_verify

    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise ApplicationError(f"{source} is not a backup (no {MANIFEST}).", {"field": "source"})
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for name, digest in manifest["files"].items():
        if _sha256(source / name) != digest:
            raise ApplicationError(
                f"{name} in the backup does not match its checksum: refused.", {"file": name}
            )
    database = settings.DATABASES[using]
    vendor = connections[using].vendor
    if vendor != manifest["vendor"]:
        raise ApplicationError(f"The backup is of {manifest['vendor']}, this installation runs {vendor}.")
    connections[using].close()
    if vendor == "sqlite":
        backup = sqlite3.connect(str(source / "database.sqlite3"))
        live = sqlite3.connect(str(database["NAME"]), timeout=60)
        try:
            backup.backup(live, pages=4096)
        finally:
            live.close()
            backup.close()
    else:
        args, env = _pg_env(database)
        subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *args,
                "--dbname",
                str(database["NAME"]),
                str(source / "database.dump"),
            ],
            check=True,
            env=env,
            capture_output=True,
        )
    media = Path(settings.MEDIA_ROOT)
    if (source / "media").is_dir():
        if media.exists():
            shutil.rmtree(media)
        shutil.copytree(source / "media", media)
    report = chain_verify(using=using)
    expected = manifest["audit_chain"]
    if not report.intact or (report.head_seq, report.head_hash) != (
        expected["head_seq"],
        expected["head_hash"],
    ):
        raise ApplicationError(
            "The restored audit chain does not verify or does not end where the backup's did: "
            + "; ".join(report.problems[:5] or [f"head {report.head_seq}, expected {expected['head_seq']}"])
        )
    return {"manifest": manifest, "audit_chain_checked": report.checked}

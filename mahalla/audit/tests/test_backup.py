"""Backup and restore round trip (issue 9, item 6): the database, the evidence files and the audit chain
come back as they were when the backup was made; a damaged backup is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from mahalla.audit.chain import chain_verify
from mahalla.audit.models import AuditEvent
from mahalla.audit.services import audit_record
from mahalla.core.roles import Role


def _user(username: str):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create(username=username, role=Role.DISTRICT_CHIEF)


pytestmark = pytest.mark.django_db(transaction=True)


def test_a_backup_restores_the_database_the_evidence_files_and_a_verifying_chain(tmp_path: Path) -> None:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    _user("kept")
    for number in range(5):
        audit_record(actor=None, action="run", object_type="test.thing", object_id=number)
    evidence = Path(settings.MEDIA_ROOT) / "roadmaps" / "evidence" / "photo.jpg"
    evidence.parent.mkdir(parents=True, exist_ok=True)
    evidence.write_bytes(b"\xff\xd8\xff evidence")
    events_before = AuditEvent.objects.count()

    call_command("backup", str(tmp_path / "backup"))
    assert (tmp_path / "backup" / "manifest.json").is_file()
    assert (
        tmp_path / "backup" / "media" / "roadmaps" / "evidence" / "photo.jpg"
    ).read_bytes() == evidence.read_bytes()

    # Life goes on after the backup: a new account, new events, a lost file.
    _user("later")
    audit_record(actor=None, action="run", object_type="test.thing", object_id="later")
    evidence.unlink()

    call_command("restore", str(tmp_path / "backup"))
    assert set(User.objects.values_list("username", flat=True)) == {"kept"}
    assert AuditEvent.objects.count() == events_before
    assert evidence.read_bytes() == b"\xff\xd8\xff evidence"
    assert chain_verify().intact


def test_a_damaged_backup_is_refused(tmp_path: Path) -> None:
    audit_record(actor=None, action="run", object_type="test.thing")
    call_command("backup", str(tmp_path / "backup"))
    name = "database.sqlite3" if (tmp_path / "backup" / "database.sqlite3").exists() else "database.dump"
    with (tmp_path / "backup" / name).open("ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(CommandError, match="checksum"):
        call_command("restore", str(tmp_path / "backup"))

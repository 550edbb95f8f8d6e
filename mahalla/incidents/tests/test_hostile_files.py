"""Hostile and broken files (issue 9, item 4): refused with a clear message naming the file, row or column,
never a server error or a traceback, and every refused import leaves a failed batch, through the API and
the command alike."""

from __future__ import annotations

import csv
import io
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation
from rest_framework.test import APIClient

from mahalla.accounts.tests.factories import UserFactory
from mahalla.core.roles import Role
from mahalla.incidents.models import ImportBatch, Offence

DATA = Path(__file__).parent / "data"
TERRITORIES = Path(__file__).parents[2] / "territory" / "tests" / "data" / "territories.csv"
OFFENCES_URL = "/api/imports/offences/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def territories() -> None:
    call_command("import", "territories", str(TERRITORIES), no_progress=True, verbosity=0)


def _offence_rows() -> list[list[str]]:
    with (DATA / "offences.csv").open(encoding="utf-8") as handle:
        return list(csv.reader(handle))


def _xlsx(rows: list[list[str]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _rewrite(xlsx: bytes, member: str, change) -> bytes:  # type: ignore[no-untyped-def]
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info.filename, change(data) if info.filename == member else data)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def truncated_sheet() -> bytes:
    return _rewrite(_xlsx(_offence_rows()), SHEET, lambda data: data[: len(data) // 2])


def entity_expansion() -> bytes:
    laughs = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n'
    )
    return _rewrite(
        _xlsx(_offence_rows()),
        SHEET,
        lambda data: (
            laughs
            + (data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data).replace(
                b"<sheetData>", b"<sheetData>&lol3;", 1
            )
        ),
    )


def zip_bomb(uncompressed_mb: int = 200) -> bytes:
    """A workbook whose sheet unpacks to `uncompressed_mb` MB of one repeated row (a few hundred KB)."""
    base = zipfile.ZipFile(io.BytesIO(_xlsx(_offence_rows()[:2])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in base.infolist():
            if info.filename != SHEET:
                target.writestr(info.filename, base.read(info.filename))
        row = b'<row><c t="inlineStr"><is><t>' + b"A" * 1000 + b"</t></is></c></row>"
        with target.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData>'
            )
            block = row * 1024
            for _ in range(uncompressed_mb * 1024 * 1024 // len(block)):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


HOSTILE = {
    "a truncated sheet": truncated_sheet,
    "an entity-expansion DTD": entity_expansion,
    "a zip bomb": zip_bomb,
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_a_hostile_workbook_is_refused_through_the_api_with_a_failed_batch(
    kind: str, territories: None
) -> None:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(UserFactory(role=Role.ADMINISTRATOR))
    content = HOSTILE[kind]()
    started = time.perf_counter()
    answer = client.post(
        OFFENCES_URL, {"file": SimpleUploadedFile("offences.xlsx", content)}, format="multipart"
    )
    assert time.perf_counter() - started < 30  # a guard against hanging, not a benchmark (bench/)
    assert answer.status_code == 400, answer.content[:500]
    assert "offences.xlsx" in answer.json()["message"]
    assert Offence.objects.count() == 0
    batch = ImportBatch.objects.get(kind="offences")
    assert batch.status == "failed"


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_a_hostile_workbook_is_refused_by_the_command_with_a_failed_batch(
    kind: str, territories: None, tmp_path: Path
) -> None:
    path = tmp_path / "offences.xlsx"
    path.write_bytes(HOSTILE[kind]())
    with pytest.raises(CommandError, match="offences.xlsx"):
        call_command("import", "offences", str(path), no_progress=True, verbosity=0)
    assert Offence.objects.count() == 0
    assert ImportBatch.objects.get(kind="offences").status == "failed"


def test_a_nul_byte_in_a_field_is_refused_naming_its_row_and_column(
    territories: None, tmp_path: Path
) -> None:
    rows = _offence_rows()
    column = rows[0].index("article")
    rows[2][column] = rows[2][column] + "\x00"
    path = tmp_path / "offences.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(CommandError) as raised:
        call_command("import", "offences", str(path), no_progress=True, verbosity=0)
    message = str(raised.value)
    assert Offence.objects.count() == 0
    batch = ImportBatch.objects.get(kind="offences")
    assert batch.status == "failed"
    assert "row 2, column article" in batch.message and "U+0000" in batch.message, (message, batch.message)


def test_an_unsupported_or_empty_upload_leaves_a_failed_batch_too() -> None:
    client = APIClient()
    client.force_authenticate(UserFactory(role=Role.ADMINISTRATOR))
    answer = client.post(OFFENCES_URL, {"file": SimpleUploadedFile("offences.xlsx", b"")}, format="multipart")
    assert answer.status_code == 400
    assert ImportBatch.objects.filter(status="failed").count() == 1

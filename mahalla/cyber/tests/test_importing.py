"""Bulk import: all-or-nothing, every error named, and no card number in clear anywhere afterwards."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.apps import apps
from django.db import connection

from mahalla.core.tabular import TabularError
from mahalla.cyber.formats import REPORT_COLUMNS
from mahalla.cyber.importing import reports_import
from mahalla.cyber.models import CyberReport, Indicator
from mahalla.cyber.views import block_requests_csv
from mahalla.territory.importing import ImportRejected

from .factories import CARD_HUMO, CARD_UZCARD, CARD_VISA

HEADER = ",".join(REPORT_COLUMNS) + "\n"


def csv_file(world, rows):
    lines = [HEADER]
    for external_id, narrative, loss in rows:
        lines.append(
            f'{external_id},bank:kapitalbank,2026-01-01T10:00,2025-12-31T20:00,{world.mahalla_a1.code},telegram,"{narrative}",,{loss},UZS,30_44\n'
        )
    return io.BytesIO("".join(lines).encode("utf-8"))


def test_a_valid_file_is_imported_with_its_indicators(world):
    file = csv_file(
        world, [("B1", f"Pul {CARD_UZCARD} ga", "100000"), ("B2", f"Pul {CARD_UZCARD} ga yana", "250000.50")]
    )
    outcome = reports_import(actor=world.users["analyst"], source=file, file_name="bank.csv", origin="bank")
    assert outcome.rows_created == 2
    assert CyberReport.objects.filter(source="bank").count() == 2
    assert Indicator.objects.filter(kind="card").count() == 1


def test_one_invalid_row_refuses_the_file_and_names_row_column_value_and_reason(world):
    file = csv_file(world, [("B1", "yaxshi", "100000"), ("B2", "yomon", "ko'p pul")])
    with pytest.raises(ImportRejected) as error:
        reports_import(actor=world.users["analyst"], source=file, file_name="bank.csv")
    message = error.value.message
    assert "row 2" in message and "loss_amount" in message and "ko'p pul" in message
    assert CyberReport.objects.count() == 0


def test_an_unknown_mahalla_and_channel_are_named(world):
    file = io.BytesIO(
        (HEADER + 'B1,,2026-01-01T10:00,2025-12-31T20:00,NOPE,pigeon,"matn",,0,UZS,\n').encode()
    )
    with pytest.raises(ImportRejected) as error:
        reports_import(actor=world.users["analyst"], source=file, file_name="x.csv")
    assert "mahalla_code" in error.value.message and "channel" in error.value.message


def test_a_file_of_another_format_is_refused(world):
    with pytest.raises(TabularError):
        reports_import(actor=world.users["analyst"], source=io.BytesIO(b"\x00\x01"), file_name="x.pdf")


def test_jsonl_import(world):
    line = {
        "external_id": "J1",
        "occurred_at": "2025-12-31T20:00",
        "mahalla_code": world.mahalla_a1.code,
        "channel": "sms",
        "narrative": "Kod so'rashdi",
        "loss_amount": "5",
    }
    outcome = reports_import(
        actor=world.users["analyst"],
        source=io.BytesIO((json.dumps(line) + "\n").encode()),
        file_name="x.jsonl",
    )
    assert outcome.rows_created == 1


def test_no_card_number_is_in_clear_in_the_database_the_logs_or_the_exports_after_an_import(
    world, caplog, settings
):
    from mahalla.cyber import services

    caplog.set_level(logging.DEBUG)
    settings.DEBUG = True  # Django logs every SQL statement with its parameters at DEBUG
    cards = [CARD_UZCARD, CARD_HUMO, CARD_VISA]
    spaced = " ".join(CARD_HUMO[i : i + 4] for i in range(0, 16, 4))
    file = csv_file(
        world,
        [
            ("C1", f"Pul {CARD_UZCARD} kartasiga ketdi", "1"),
            ("C2", f"Karta {spaced} va {CARD_VISA}", "2"),
            ("C3", f"Yana {CARD_UZCARD}-ga", "3"),
        ],
    )
    reports_import(actor=world.users["analyst"], source=file, file_name="cards.csv", origin="bank")
    # A refused file quotes values: masked too.
    with pytest.raises(ImportRejected) as refused:
        reports_import(
            actor=world.users["analyst"],
            source=csv_file(world, [("C4", f"{CARD_VISA}", "x")]),
            file_name="bad.csv",
        )
    campaign_id = CyberReport.objects.get(external_id="C1").campaign_member.campaign
    services.block_requests_for_campaign(actor=world.users["analyst"], campaign=campaign_id)
    from mahalla.cyber.models import BlockRequest

    export = block_requests_csv(
        BlockRequest.objects.select_related("organisation", "indicator", "campaign").annotate(
            evidence_count=__import__("django.db.models", fromlist=["Count"]).Count("evidence")
        )
    )
    texts = [export, refused.value.message, json.dumps(refused.value.extra, default=str), caplog.text]
    # Every text and JSON column of every table of the project.
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if not model.__module__.startswith("mahalla."):
                continue
            columns = [
                f.column
                for f in model._meta.concrete_fields
                if f.get_internal_type() in ("CharField", "TextField", "JSONField")
            ]
            if not columns:
                continue
            cursor.execute(
                "SELECT "  # noqa: S608 - names from the models, not from input
                + ", ".join(connection.ops.quote_name(c) for c in columns)
                + " FROM "
                + connection.ops.quote_name(model._meta.db_table)
            )
            texts.extend(str(value) for row in cursor.fetchall() for value in row)
    haystack = "\n".join(texts)
    digits_only = "".join(ch for ch in haystack if ch.isdigit() or ch == "\n")
    assert "860012******9012" in haystack  # the masked form is there...
    for card in cards:
        assert card not in haystack, card  # ...the number is not, written together
        assert card not in digits_only, card  # nor with spaces or dashes between its digits

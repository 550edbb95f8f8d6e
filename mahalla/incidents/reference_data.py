"""Offence categories, the article -> category rules and the cause taxonomy, shipped as CSV data so that a
renumbered article is a new row with dates, never a code change."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


def _rows(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def reference_categories() -> list[dict[str, Any]]:
    return [
        {**row, "ordering": int(row["ordering"]), "severity": float(row["severity"])}
        for row in _rows("categories.csv")
    ]


def reference_article_rules() -> list[dict[str, Any]]:
    return [
        {
            **row,
            "valid_from": _date(row["valid_from"]),
            "valid_to": _date(row["valid_to"]),
            "verified": row["verified"] == "true",
        }
        for row in _rows("articles.csv")
    ]


def reference_causes() -> list[dict[str, str]]:
    return _rows("causes.csv")

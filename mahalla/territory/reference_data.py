"""The 14 regions and 209 districts with their SOATO codes and names, shipped with the code (see
reference/PROVENANCE.md). Loaded by a data migration so that every database starts with them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


def reference_regions() -> list[dict[str, Any]]:
    rows = json.loads((REFERENCE_DIR / "regions.json").read_text(encoding="utf-8"))
    return [
        {
            "code": str(row["soato_id"]),
            "kind": row["type"],
            "name_uz": row["name_uz"],
            "name_uz_cyrl": row["name_oz"],
            "name_ru": row["name_ru"],
            "source_id": row["id"],
        }
        for row in rows
    ]


def reference_districts() -> list[dict[str, Any]]:
    region_code_by_source_id = {row["source_id"]: row["code"] for row in reference_regions()}
    rows = json.loads((REFERENCE_DIR / "districts.json").read_text(encoding="utf-8"))
    return [
        {
            "code": str(row["soato_id"]),
            "region_code": region_code_by_source_id[row["region_id"]],
            "kind": row["type"],
            "name_uz": row["name_uz"],
            "name_uz_cyrl": row["name_oz"],
            "name_ru": row["name_ru"],
        }
        for row in rows
    ]

"""The cyber module's reference data in the database: the BIN table, the protected brands and the warning
list, loaded from ``reference/*.csv`` by a data migration and edited in the admin by country
administrators. ``reference_sync`` installs the database's tables in the indicator extractor
(``indicators.reference_install``); each server process re-reads them at most every
``MAHALLA_CYBER_REFERENCE_SECONDS`` (settings.CYBER_REFERENCE_SECONDS, default 60), and at once in the
process that saved a change."""

from __future__ import annotations

import csv
import threading
import time
from typing import Any

from django.conf import settings

from . import indicators

_lock = threading.Lock()
_state: dict[str, float] = {"loaded_at": float("-inf")}


def load(apps: Any, schema_editor: Any = None) -> None:
    """Data migration (and REFERENCE_LOADERS): the shipped files into empty tables; rows already there are
    an administrator's and are kept."""
    card_range = apps.get_model("cyber", "CardRange")
    brand = apps.get_model("cyber", "ProtectedBrand")
    warning = apps.get_model("cyber", "WarningListEntry")
    directory = indicators.REFERENCE_DIR
    if not card_range.objects.exists():
        with (directory / "bins.csv").open(encoding="utf-8") as handle:
            card_range.objects.bulk_create(
                card_range(
                    prefix_from=int(row["prefix_from"]),
                    prefix_to=int(row["prefix_to"]),
                    scheme=row["scheme"],
                    country=row["country"],
                    verified=row["verified"] == "yes",
                    note=row["note"],
                )
                for row in csv.DictReader(handle)
            )
    if not brand.objects.exists():
        with (directory / "protected_brands.csv").open(encoding="utf-8") as handle:
            brand.objects.bulk_create(
                brand(brand=row["brand"], domain=row["domain"].lower(), kind=row["kind"])
                for row in csv.DictReader(handle)
            )
    if not warning.objects.exists():
        with (directory / "warning_list.csv").open(encoding="utf-8") as handle:
            warning.objects.bulk_create(
                warning(kind=row["kind"], value=row["value"].lower(), reason=row["reason"])
                for row in csv.DictReader(handle)
            )


def reference_sync(*, force: bool = False) -> None:
    """Install the database's tables in the extractor if this process's copy is older than the interval."""
    interval = float(getattr(settings, "CYBER_REFERENCE_SECONDS", 60))
    with _lock:
        if not force and time.monotonic() - _state["loaded_at"] < interval:
            return
        from .models import CardRange, ProtectedBrand, WarningListEntry

        bins = tuple(
            indicators.BinRange(a, b, scheme)
            for a, b, scheme in CardRange.objects.order_by("prefix_from", "pk").values_list(
                "prefix_from", "prefix_to", "scheme"
            )
        )
        brands = tuple(
            (name, domain.lower())
            for name, domain in ProtectedBrand.objects.order_by("pk").values_list("brand", "domain")
        )
        warnings = frozenset(
            (kind, value.lower()) for kind, value in WarningListEntry.objects.values_list("kind", "value")
        )
        indicators.reference_install(bins=bins, brands=brands, warnings=warnings)
        _state["loaded_at"] = time.monotonic()


def reference_forget() -> None:
    """Back to the shipped files until the next sync (tests that edit the tables call it afterwards)."""
    with _lock:
        indicators.reference_uninstall()
        _state["loaded_at"] = float("-inf")


def warning_flags_update(kind: str, value: str) -> int:
    """After a warning-list entry changed: the stored indicators it concerns get their flag again (a domain
    concerns the bare links on it too), so that the next linking run counts or ignores them."""
    from .models import Indicator

    reference_sync(force=True)
    value = value.lower()
    candidates = Indicator.objects.filter(kind=kind, value=value)
    if kind == indicators.Kind.DOMAIN:
        candidates = candidates | Indicator.objects.filter(kind=indicators.Kind.URL, value__startswith=value)
    changed = []
    for indicator in candidates.only("pk", "kind", "value", "warning"):
        flag = indicators.is_warning(indicator.kind, indicator.value)
        if flag != indicator.warning:
            indicator.warning = flag
            changed.append(indicator)
    Indicator.objects.bulk_update(changed, ["warning"], batch_size=2000)
    return len(changed)

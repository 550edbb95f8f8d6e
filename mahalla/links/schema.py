"""The entity and link types, read from reference/schema.yaml (data, not code per type), and the
normalisation of pivot values (the identifiers that join records into one entity)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from mahalla.core.errors import ApplicationError

SCHEMA_FILE = Path(__file__).parent / "reference" / "schema.yaml"


@dataclass(frozen=True)
class EntityType:
    name: str
    label: str
    properties: dict[str, dict[str, Any]]
    pivot: str | None
    geo: bool
    caption: tuple[str, ...]
    person: bool


@dataclass(frozen=True)
class LinkType:
    name: str
    label: str
    source: frozenset[str]
    target: frozenset[str]


@dataclass(frozen=True)
class Schema:
    entities: dict[str, EntityType]
    links: dict[str, LinkType]

    def entity(self, name: str) -> EntityType:
        if name not in self.entities:
            raise ApplicationError(
                _("Unknown entity type %(name)s.") % {"name": name},
                {"field": "schema", "value": name, "allowed": sorted(self.entities)},
            )
        return self.entities[name]

    def link(self, name: str) -> LinkType:
        if name not in self.links:
            raise ApplicationError(
                _("Unknown link type %(name)s.") % {"name": name},
                {"field": "schema", "value": name, "allowed": sorted(self.links)},
            )
        return self.links[name]


def schema_parse(data: dict[str, Any]) -> Schema:
    entities = {}
    for name, spec in (data.get("entities") or {}).items():
        properties = dict(spec.get("properties") or {})
        pivot = spec.get("pivot")
        if pivot is not None and pivot not in properties:
            raise ValueError(f"schema: {name}.pivot names {pivot}, not one of its properties")
        entities[name] = EntityType(
            name=name,
            label=str(spec.get("label", name)),
            properties=properties,
            pivot=pivot,
            geo=bool(spec.get("geo", False)),
            caption=tuple(spec.get("caption") or ()),
            person=bool(spec.get("person", False)),
        )
    links = {}
    for name, spec in (data.get("links") or {}).items():
        for end in ("source", "target"):
            unknown = set(spec.get(end) or ()) - set(entities)
            if unknown:
                raise ValueError(f"schema: link {name}.{end} names unknown types {sorted(unknown)}")
        links[name] = LinkType(
            name=name,
            label=str(spec.get("label", name)),
            source=frozenset(spec["source"]),
            target=frozenset(spec["target"]),
        )
    return Schema(entities=entities, links=links)


@lru_cache(maxsize=1)
def schema() -> Schema:
    # PyYAML on first use: a server worker loads this module with the URL configuration.
    import yaml

    return schema_parse(yaml.safe_load(SCHEMA_FILE.read_text(encoding="utf-8")))


_PHONE_DIGITS = re.compile(r"\D")
_PLATE = re.compile(r"[^0-9A-Z]")


def pivot_normalise(kind: str, value: str) -> str:
    """One spelling per identifier so that equal values meet: +998 90 123-45-67 and 998901234567 are one
    phone; "01 A 123 BC" and "01a123bc" one plate; handles lower case without "@"."""
    text = str(value).strip()
    if kind == "phone":
        digits = _PHONE_DIGITS.sub("", text)
        if len(digits) == 9:  # national number without the country code
            digits = "998" + digits
        return "+" + digits if digits else ""
    if kind == "plate":
        return _PLATE.sub("", text.upper())
    if kind == "handle":
        return text.lower().removeprefix("https://").removeprefix("t.me/").lstrip("@")
    if kind in ("card_hash", "wallet", "code"):
        return text if kind == "wallet" else text.lower() if kind == "card_hash" else text.upper()
    return text

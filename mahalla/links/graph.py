"""From entities and links to the arrays the engine's network analysis takes (no database here).

Identifiers (phones, cards, wallets, accounts, vehicles) owned by one person are folded into that person:
a call between two phones is a tie between their owners, a payment between two cards a tie between the
card holders. That is the network the analysts mean when they ask who supplies whom. An identifier with no
known owner (or more than one) stays a node of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

IDENTIFIERS = frozenset({"Phone", "Card", "Wallet", "Account", "Vehicle"})
# How much one link of each kind says about a working relation (a payment more than a call).
LINK_WEIGHTS = {"payment": 2.0, "call": 1.0, "message": 1.0, "co_travel": 2.0, "associate": 1.0}


@dataclass(frozen=True)
class PersonGraph:
    nodes: list[int]  # entity id of each node index
    index: dict[int, int]  # entity id (any, identifiers included) -> node index
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    kind: list[str]
    link_ids: list[int]


def person_graph(
    entities: Iterable[tuple[int, str]], links: Iterable[tuple[int, str, int, int, float]]
) -> PersonGraph:
    """``entities``: (id, schema); ``links``: (link id, schema, source id, target id, weight)."""
    schema_of = dict(entities)
    links = list(links)
    owners: dict[int, set[int]] = {}
    for _id, schema, a, b, _w in links:
        if schema == "owns" and schema_of.get(b) in IDENTIFIERS:
            owners.setdefault(b, set()).add(a)
    representative = {entity: next(iter(o)) for entity, o in owners.items() if len(o) == 1}
    nodes: list[int] = []
    index: dict[int, int] = {}
    for entity in schema_of:
        if entity in representative:
            continue
        index[entity] = len(nodes)
        nodes.append(entity)
    for entity, owner in representative.items():
        if owner in index:
            index[entity] = index[owner]
    source, target, weight, kind, link_ids = [], [], [], [], []
    for link_id, schema, a, b, _weight in links:
        if schema == "owns" or a not in index or b not in index:
            continue
        i, j = index[a], index[b]
        if i == j:
            continue
        source.append(i)
        target.append(j)
        weight.append(LINK_WEIGHTS.get(schema, 1.0) * (1.0 if schema != "co_travel" else 1.0))
        kind.append(schema)
        link_ids.append(link_id)
    return PersonGraph(
        nodes=nodes,
        index=index,
        source=np.asarray(source, dtype=np.int64),
        target=np.asarray(target, dtype=np.int64),
        weight=np.asarray(weight, dtype=np.float64),
        kind=kind,
        link_ids=link_ids,
    )


def shop_circle(shop: int, links: Iterable[tuple[int, str, int, int, float]]) -> tuple[set[int], set[int]]:
    """The shop's own people and accounts (seeds: the shop, its operators' accounts, its couriers) and the
    ones never to be ranked as its source (its couriers and operators)."""
    links = list(links)
    seeds = {shop}
    own: set[int] = set()
    for _id, schema, a, b, _w in links:
        if b == shop and schema in ("courier_for", "operates"):
            seeds.add(a)
            own.add(a)
    for _id, schema, a, b, _w in links:  # the people behind the operating accounts
        if schema == "owns" and b in own:
            own.add(a)
            seeds.add(a)
    return seeds, own

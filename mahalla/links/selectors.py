"""Reads of the drug-network workbench, always for an actor: filtered to the actor's role and territory
(fail-closed, access.links_filter_for) and audited for every entity shown (each entity is a person's phone,
card, account or the person), with the purpose of the read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from mahalla.audit.services import audit_record_reads
from mahalla.incidents.models import Offence

from .access import links_filter_for, links_read_allowed
from .models import Camera, DropCluster, Entity, Fact, Link

PURPOSE_DOSSIER = "drug-network dossier"


def entities_visible(actor: Any) -> QuerySet[Entity]:
    return Entity.objects.filter(links_filter_for(actor))


def entity_list(actor: Any, *, schema: str = "", query: str = "") -> QuerySet[Entity]:
    rows = entities_visible(actor)
    if schema:
        rows = rows.filter(schema=schema)
    if query:
        rows = rows.filter(Q(caption__icontains=query) | Q(facts__value__icontains=query)).distinct()
    return rows.order_by("schema", "caption", "pk")


def shop_list(actor: Any) -> QuerySet[Entity]:
    return (
        entities_visible(actor)
        .filter(schema="Shop")
        .annotate(couriers=Count("links_in", filter=Q(links_in__schema="courier_for")))
        .order_by("caption")
    )


def entities_read_audit(actor: Any, entities: list[Entity], *, purpose: str) -> None:
    audit_record_reads(actor=actor, objects=entities, purpose=purpose)


@dataclass(frozen=True)
class FactRow:
    prop: str
    value: str
    source: str
    legal_basis: str
    observed_on: Any
    entered_by: str


def entity_facts(actor: Any, entity: Entity, *, purpose: str) -> list[FactRow]:
    """The entity's facts, each with its source; the read is audited."""
    entities_read_audit(actor, [entity], purpose=purpose)
    rows = (
        Fact.objects.filter(entity=entity)
        .select_related("source", "entered_by")
        .order_by("prop", "created_at")
    )
    return [
        FactRow(
            prop=f.prop,
            value=f.value,
            source=str(f.source),
            legal_basis=f.source.legal_basis,
            observed_on=f.observed_on,
            entered_by=f.entered_by.username if f.entered_by else _("system"),
        )
        for f in rows
    ]


def entity_links(actor: Any, entity: Entity) -> QuerySet[Link]:
    visible = links_filter_for(actor, prefix="source_entity__") & links_filter_for(
        actor, prefix="target_entity__"
    )
    return (
        Link.objects.filter(visible)
        .filter(Q(source_entity=entity) | Q(target_entity=entity))
        .select_related("source", "source_entity", "target_entity", "entered_by")
        .order_by("-date", "-pk")
    )


def _visible_graph(actor: Any) -> tuple[dict[int, Entity], list[tuple[int, str, int, int, float]]]:
    entities = {e.pk: e for e in entities_visible(actor).only("id", "schema", "caption", "lat", "lon")}
    visible = links_filter_for(actor, prefix="source_entity__") & links_filter_for(
        actor, prefix="target_entity__"
    )
    links = list(
        Link.objects.filter(visible).values_list(
            "id", "schema", "source_entity_id", "target_entity_id", "weight"
        )
    )
    return entities, links


@dataclass
class ShopAnalysis:
    shop: Entity
    suppliers: list[dict[str, Any]]
    elements: list[dict[str, Any]]
    key_players: list[dict[str, Any]]
    simulation: dict[str, Any]
    brokers: list[dict[str, Any]]
    communities: int
    timeline: list[Link]
    places: list[dict[str, Any]]
    entities_shown: list[Entity]


def shop_analysis(actor: Any, shop: Entity, *, top: int = 10, key_players: int = 3) -> ShopAnalysis:
    """The dossier of a shop: its probable suppliers with reasons, its neighbourhood as a graph with the
    communities, brokers, key-player set and the removal simulation, the timeline and the places. Every
    entity shown is audited as read."""
    # The network science (igraph, scipy, and numpy through .graph) is imported here, not when the URL
    # configuration loads.
    from mahalla.engine.networks import (
        brokers,
        communities_leiden,
        graph_build,
        key_player_set,
        removal_simulate,
        suppliers_rank,
    )

    from .graph import person_graph, shop_circle

    entities, links = _visible_graph(actor)
    graph = person_graph(((pk, e.schema) for pk, e in entities.items()), links)
    seeds, own = shop_circle(shop.pk, links)
    seed_nodes = sorted({graph.index[s] for s in seeds if s in graph.index})
    own_nodes = sorted({graph.index[o] for o in own if o in graph.index})
    persons = [graph.index[pk] for pk, e in entities.items() if e.schema == "Person" and pk in graph.index]
    ranked = (
        suppliers_rank(
            len(graph.nodes),
            graph.source,
            graph.target,
            graph.weight,
            graph.kind,
            seeds=seed_nodes,
            candidates=persons,
            exclude=own_nodes,
            top=top,
        )
        if graph.source.size and seed_nodes
        else []
    )
    suppliers = [
        {
            "entity": entities[graph.nodes[r.node]],
            "score": r.score,
            "reasons": [
                {"via": entities[graph.nodes[reason.via]], "kinds": list(reason.kinds)}
                for reason in r.reasons
            ],
        }
        for r in ranked
    ]
    # The neighbourhood drawn: the shop's circle, its ranked sources, and everyone tied to the circle.
    circle = set(seed_nodes) | set(own_nodes)
    local = set(circle) | {r.node for r in ranked[:5]}
    for a, b in zip(graph.source.tolist(), graph.target.tolist(), strict=True):
        if a in circle:
            local.add(b)
        elif b in circle:
            local.add(a)
    local_nodes = sorted(local)
    position = {node: i for i, node in enumerate(local_nodes)}
    mask = [
        a in position and b in position
        for a, b in zip(graph.source.tolist(), graph.target.tolist(), strict=True)
    ]
    src = [position[a] for a, keep in zip(graph.source.tolist(), mask, strict=True) if keep]
    dst = [position[b] for b, keep in zip(graph.target.tolist(), mask, strict=True) if keep]
    kinds = [k for k, keep in zip(graph.kind, mask, strict=True) if keep]
    n_local = len(local_nodes)
    key: list[dict[str, Any]] = []
    simulation: dict[str, Any] = {}
    broker_rows: list[dict[str, Any]] = []
    membership = [0] * n_local
    n_communities = 0
    if src:
        small = graph_build(n_local, src, dst)
        communities = communities_leiden(small)
        membership = communities.membership
        n_communities = len(communities.sizes)
        broker_rows = [
            {"entity": entities[graph.nodes[local_nodes[i]]], "score": s}
            for i, s in brokers(small, membership, top=5)
        ]
        players = key_player_set(n_local, src, dst, k=min(key_players, n_local))
        key = [{"entity": entities[graph.nodes[local_nodes[i]]]} for i in players.nodes]
        sim = removal_simulate(n_local, src, dst, players.nodes)
        simulation = {
            "before": sim.fragmentation_before,
            "after_removal": sim.fragmentation_after_removal,
            "after_recovery": sim.fragmentation_after_recovery,
            "largest_before": sim.largest_component_before,
            "largest_after_removal": sim.largest_component_after_removal,
            "largest_after_recovery": sim.largest_component_after_recovery,
            "takeovers": [
                {
                    "removed": entities[graph.nodes[local_nodes[t.removed]]],
                    "successor": entities[graph.nodes[local_nodes[t.successor]]]
                    if t.successor is not None
                    else None,
                    "inherited": len(t.inherited),
                }
                for t in sim.takeovers
            ],
        }
    supplier_ids = {s["entity"].pk for s in suppliers}
    key_ids = {k["entity"].pk for k in key}
    elements: list[dict[str, Any]] = []
    shown: list[Entity] = []
    for i, node in enumerate(local_nodes):
        entity = entities[graph.nodes[node]]
        shown.append(entity)
        role = (
            "shop"
            if entity.pk == shop.pk
            else "supplier"
            if entity.pk in supplier_ids
            else "circle"
            if node in circle
            else "other"
        )
        elements.append(
            {
                "data": {
                    "id": f"n{entity.pk}",
                    "entity": entity.pk,
                    "label": entity.caption[:40],
                    "schema": entity.schema,
                    "role": role,
                    "community": membership[i],
                    "key_player": entity.pk in key_ids,
                }
            }
        )
    for a, b, k in zip(src, dst, kinds, strict=True):
        ea, eb = graph.nodes[local_nodes[a]], graph.nodes[local_nodes[b]]
        elements.append(
            {"data": {"id": f"e{ea}-{eb}-{k}", "source": f"n{ea}", "target": f"n{eb}", "kind": k}}
        )
    # De-duplicate parallel edges of one kind (the graph shows the tie once; the timeline lists each link).
    seen: set[str] = set()
    elements = [e for e in elements if not (e["data"]["id"] in seen or seen.add(e["data"]["id"]))]  # type: ignore[func-returns-value]
    circle_entities = [graph.nodes[n] for n in circle]
    members = set(circle_entities) | {pk for pk, _e in entities.items() if graph.index.get(pk) in circle}
    timeline = list(
        Link.objects.filter(Q(source_entity_id__in=members) | Q(target_entity_id__in=members))
        .filter(source_entity_id__in=entities.keys(), target_entity_id__in=entities.keys())
        .select_related("source", "source_entity", "target_entity", "entered_by")
        .order_by("date", "pk")[:300]
    )
    places = [
        {"lat": e.lat, "lon": e.lon, "caption": e.caption, "schema": e.schema, "id": e.pk}
        for pk, e in entities.items()
        if e.lat is not None and graph.index.get(pk) in set(local_nodes)
    ]
    entities_read_audit(actor, shown, purpose=PURPOSE_DOSSIER)
    return ShopAnalysis(
        shop=shop,
        suppliers=suppliers,
        elements=elements,
        key_players=key,
        simulation=simulation,
        brokers=broker_rows,
        communities=n_communities,
        timeline=timeline,
        places=places,
        entities_shown=shown,
    )


def drop_clusters(actor: Any) -> QuerySet[DropCluster]:
    return DropCluster.objects.filter(links_filter_for(actor)).select_related("mahalla").order_by("-size")


def mahalla_drop_clusters(actor: Any, mahalla: Any) -> list[DropCluster]:
    """The dead-drop clusters of the latest clustering run that lie in this mahalla, largest first, as the
    actor may see them: nothing for a role outside the drug units or a mahalla outside the actor's
    territory (fail-closed)."""
    if not links_read_allowed(actor):
        return []
    visible = DropCluster.objects.filter(links_filter_for(actor))
    latest = visible.order_by("-computed_on").values_list("computed_on", flat=True).first()
    if latest is None:
        return []
    return list(visible.filter(mahalla=mahalla, computed_on=latest).order_by("-size", "pk"))


def mahalla_drop_cluster_signal(actor: Any, mahalla: Any) -> dict[str, int]:
    """The roadmaps signal provider (roadmaps/signals.py): how many drop clusters the actor may see here."""
    return {"drop_cluster": len(mahalla_drop_clusters(actor, mahalla))}


def map_features(actor: Any) -> dict[str, Any]:
    """Drop clusters, drops, schools / colleges / parks and cameras the actor may see, as GeoJSON."""
    features: list[dict[str, Any]] = []
    for cluster in drop_clusters(actor):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [cluster.lon, cluster.lat]},
                "properties": {
                    "layer": "cluster",
                    "id": cluster.pk,
                    "size": cluster.size,
                    "radius": cluster.radius_m,
                    "school_m": cluster.school_m,
                    "label": _("%(n)s drops, %(first)s to %(last)s")
                    % {"n": cluster.size, "first": cluster.first_seen, "last": cluster.last_seen},
                },
            }
        )
    places = (
        entities_visible(actor)
        .filter(schema="Place", lat__isnull=False)
        .annotate(kind=Fact.objects.filter(entity=models_outer_ref(), prop="kind").values("value")[:1])
        .values("id", "lat", "lon", "caption", "kind")
    )
    for place in places:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [place["lon"], place["lat"]]},
                "properties": {
                    "layer": place["kind"] or "place",
                    "id": place["id"],
                    "label": place["caption"],
                },
            }
        )
    for camera in Camera.objects.filter(links_filter_for(actor)).values("code", "lat", "lon", "name"):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [camera["lon"], camera["lat"]]},
                "properties": {"layer": "camera", "label": f"{camera['code']} {camera['name']}"},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def models_outer_ref() -> Any:
    from django.db.models import OuterRef

    return OuterRef("pk")


def mahalla_drug_situation(actor: Any) -> list[dict[str, Any]]:
    """Per mahalla with drop clusters: the clusters and the drug offences recorded there (the mahalla
    analysis's drug crime), so that the two sources are read side by side."""
    clusters = drop_clusters(actor).filter(mahalla__isnull=False)
    by_mahalla: dict[int, dict[str, Any]] = {}
    for cluster in clusters:
        row = by_mahalla.setdefault(
            cluster.mahalla_id,
            {"mahalla": cluster.mahalla, "clusters": 0, "drops": 0, "nearest_school_m": None},
        )
        row["clusters"] += 1
        row["drops"] += cluster.size
        if cluster.school_m is not None and (
            row["nearest_school_m"] is None or cluster.school_m < row["nearest_school_m"]
        ):
            row["nearest_school_m"] = cluster.school_m
    if by_mahalla:
        counts = dict(
            Offence.objects.filter(mahalla_id__in=by_mahalla, category__code="drugs")
            .values_list("mahalla_id")
            .annotate(n=Count("id"))
        )
        for mahalla_id, row in by_mahalla.items():
            row["drug_offences"] = counts.get(mahalla_id, 0)
    return sorted(by_mahalla.values(), key=lambda r: (-r["drops"], r["mahalla"].code))

"""The analyses against the planted truth of the generated world (mahalla/demo/generator/links.py): true
suppliers among the top 10 ranked sources, co-travel precision against background traffic with popular
cameras, rush hours and commuters sharing corridors, drop clusters recovered, posts classified on held-out
data. The numbers printed here are the ones in docs/links.md."""

from __future__ import annotations

import numpy as np

from mahalla.engine.cotravel import cotravel_pairs
from mahalla.engine.drops import drops_cluster
from mahalla.engine.networks import suppliers_rank
from mahalla.engine.posts import PostClassifier, precision_recall
from mahalla.links.graph import person_graph, shop_circle
from mahalla.links.loading import lexicon


def test_the_true_supplier_is_among_the_top_ten_sources_for_at_least_80_percent_of_shops(links_world):
    entities = links_world.entities
    ref = {e["ref"]: i for i, e in enumerate(entities)}
    links = [
        (n, row["schema"], ref[row["source"]], ref[row["target"]], 1.0)
        for n, row in enumerate(links_world.links)
    ]
    graph = person_graph(((i, e["schema"]) for i, e in enumerate(entities)), links)
    name = {i: e.get("name") for i, e in enumerate(entities)}
    persons = [graph.index[i] for i, e in enumerate(entities) if e["schema"] == "Person"]
    hits, ranks = 0, []
    for truth in links_world.truth["shops"]:
        shop = next(
            i for i, e in enumerate(entities) if e["schema"] == "Shop" and e["handle"] == truth["shop"]
        )
        seeds, own = shop_circle(shop, links)
        ranked = suppliers_rank(
            len(graph.nodes),
            graph.source,
            graph.target,
            graph.weight,
            graph.kind,
            seeds=sorted({graph.index[s] for s in seeds}),
            candidates=persons,
            exclude=sorted({graph.index[o] for o in own}),
            top=10,
        )
        names = [name[graph.nodes[r.node]] for r in ranked]
        assert not set(names) & {"Taxi dispatcher", "Phone repair", "Exchange kiosk"} - set(names[3:])
        if truth["suppliers"][0] in names:
            hits += 1
            ranks.append(names.index(truth["suppliers"][0]) + 1)
            reasons = ranked[names.index(truth["suppliers"][0])].reasons
            assert {"payment"} <= {kind for reason in reasons for kind in reason.kinds}
    share = hits / len(links_world.truth["shops"])
    print(f"suppliers in top 10: {share:.2f} of {len(links_world.truth['shops'])} shops, ranks {ranks}")
    assert share >= 0.8


def test_co_travel_finds_the_planted_convoys_with_precision_at_least_0_9(links_world):
    d = links_world.detections
    result = cotravel_pairs(d["vehicle"], d["camera"], d["ts"], window=60, min_cameras=4)
    truth = {tuple(pair) for pair in links_world.truth["convoys"]}
    found = {
        tuple(sorted([links_world.plates[p.vehicle_a], links_world.plates[p.vehicle_b]]))
        for p in result.pairs
    }
    precision = len(found & truth) / max(1, len(found))
    recall = len(found & truth) / len(truth)
    print(
        f"co-travel: {len(d['ts'])} reads, precision {precision:.2f}, recall {recall:.2f}, threshold {result.threshold:.1f}"  # noqa: E501
    )
    assert precision >= 0.9
    assert recall >= 0.8
    # without the rarity-weighted score (distinct cameras alone), the commuters drown the convoys
    loose = cotravel_pairs(d["vehicle"], d["camera"], d["ts"], window=60, min_cameras=4, min_score=0)
    assert len(loose.pairs) > 10 * len(truth)
    best = result.pairs[0]
    assert best.distinct_cameras >= 4 and len(best.evidence) >= 4 and best.score > result.threshold


def test_the_planted_drop_clusters_are_recovered_and_scattered_drops_left_as_noise(links_world):
    drops = links_world.drops
    lat = np.array([d["lat"] for d in drops])
    lon = np.array([d["lon"] for d in drops])
    day = np.array([np.datetime64(d["day"]).astype("datetime64[D]").astype(float) for d in drops])
    clustering = drops_cluster(lat, lon, day - day.min(), eps_metres=150, min_samples=4)
    planted = np.array([d["cluster"] for d in drops])
    recovered = 0
    for truth in links_world.truth["drop_clusters"]:
        members = planted == truth["cluster"]
        labels = clustering.labels[members]
        main = np.bincount(labels[labels >= 0]).argmax() if (labels >= 0).any() else -1
        if (
            main >= 0
            and (labels == main).mean() >= 0.8
            and (clustering.labels == main).sum() <= members.sum() + 1
        ):
            recovered += 1
    noise_in_clusters = int((clustering.labels[planted == -1] >= 0).sum())
    print(
        f"drop clusters recovered {recovered}/{len(links_world.truth['drop_clusters'])}, noise in clusters {noise_in_clusters}"  # noqa: E501
    )
    assert recovered == len(links_world.truth["drop_clusters"])
    assert noise_in_clusters <= 1


def test_the_post_classifier_has_precision_and_recall_above_0_9_on_held_out_posts(links_world):
    train = [p for p in links_world.posts if not p["held_out"]]
    test = [p for p in links_world.posts if p["held_out"]]
    classifier = PostClassifier(lexicon()).fit([p["text"] for p in train], [p["label"] for p in train])
    precision, recall = precision_recall(
        [p["label"] for p in test], classifier.predict([p["text"] for p in test])
    )
    print(f"posts: held-out {len(test)}, precision {precision:.2f}, recall {recall:.2f}")
    assert precision >= 0.9 and recall >= 0.9

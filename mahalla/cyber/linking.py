"""Campaign linking: reports joined through shared indicators and templated texts, big components split.

Framework-free (numpy and python-igraph). The method, in the spirit of the UK NFIB's data matching and MISP's
correlation:

1. Every indicator shared by two or more reports links them, weighted by its rarity, ``log(N / df)`` (the
   inverse document frequency: a card seen in 4 reports says more than a number seen in 300). Values on the
   warning list never reach this function; values in more than ``hub_limit`` reports are treated as hubs and
   left out. An indicator in reports r0..rk adds the star r0-ri (k edges, not k^2).
2. Received messages (normalised: one script, numbers as 0) are compared by MinHash of word 3-shingles with
   locality-sensitive hashing (Broder 1997; Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*,
   ch. 3): ``bands`` bands of ``rows`` rows make pairs with Jaccard similarity above about
   ``(1/bands)^(1/rows)`` candidates; a candidate is kept when its estimated similarity is at least
   ``text_threshold``.
3. Connected components of the weighted graph are the candidate campaigns. A component larger than
   ``split_min_size`` is partitioned with Leiden (Traag, Waltman & van Eck 2019, modularity), and two of its
   communities are put back together when the weight between them is at least ``merge_ratio`` of the smaller
   one's internal weight: a genuine campaign whose reports use several numbers is held together by many
   reports naming two of them, while two campaigns touched by one coincidental value are not.
4. Analysts' decisions are re-applied: a confirmed pair adds a strong edge, a split pair loses its direct
   edges and, if still together after step 3, the later report is taken out.
"""

from __future__ import annotations

import hashlib
import math
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import igraph as ig

_PRIME = (1 << 61) - 1


@dataclass(frozen=True)
class LinkParameters:
    hub_limit: int = 2000
    min_text_tokens: int = 6
    shingle_size: int = 3
    permutations: int = 64
    bands: int = 16
    text_threshold: float = 0.7
    text_weight: float = 3.0
    split_min_size: int = 30
    merge_ratio: float = 0.1
    random_state: int = 0


@dataclass
class LinkResult:
    labels: np.ndarray  # campaign label per report; -1 for a report linked to nothing
    edges: list[tuple[int, int, float, str]]  # (a, b, weight, reason)
    hubs: list[str]  # indicator keys left out as hubs


def shingles(text: str, size: int) -> list[str]:
    tokens = text.split()
    if len(tokens) < size:
        return [" ".join(tokens)] if tokens else []
    return [" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)]


def _hash64(values: Iterable[str]) -> np.ndarray:
    """A stable 32-bit hash of each shingle (CRC-32: the same in every process, unlike Python's hash())."""
    return np.fromiter((zlib.crc32(v.encode("utf-8")) for v in values), dtype=np.uint64)


class MinHasher:
    """MinHash signatures with ``permutations`` hash functions ``(a*x + b) mod p`` (p = 2^61 - 1)."""

    def __init__(self, permutations: int = 64, random_state: int = 0) -> None:
        self.permutations = permutations
        self.random_state = random_state
        rng = np.random.default_rng(random_state)
        # As datasketch does: a, b below p, 32-bit values; the product wraps modulo 2^64 before the reduction
        # modulo p, which keeps the family close to universal (a product that never wrapped would make the
        # hash increasing in x, so every permutation would pick the same minimum).
        self.a_ = rng.integers(1, _PRIME, size=permutations, dtype=np.uint64)
        self.b_ = rng.integers(0, _PRIME, size=permutations, dtype=np.uint64)

    def signature(self, shingle_hashes: np.ndarray) -> np.ndarray:
        x = (shingle_hashes & np.uint64((1 << 32) - 1))[:, None]
        return ((x * self.a_[None, :] + self.b_[None, :]) % np.uint64(_PRIME)).min(axis=0)

    def signatures(self, shingle_hashes: np.ndarray, starts: np.ndarray, chunk: int = 100_000) -> np.ndarray:
        """Signatures of many documents at once: ``shingle_hashes`` of all documents one after the other,
        document i's starting at ``starts[i]`` (every document has at least one shingle)."""
        out = np.empty((len(starts), self.permutations), dtype=np.uint64)
        bounds = list(starts) + [len(shingle_hashes)]
        doc = 0
        while doc < len(starts):
            last = doc
            while last + 1 < len(starts) and bounds[last + 2] - bounds[doc] <= chunk:
                last += 1
            x = (shingle_hashes[bounds[doc] : bounds[last + 1]] & np.uint64((1 << 32) - 1))[:, None]
            values = (x * self.a_[None, :] + self.b_[None, :]) % np.uint64(_PRIME)
            offsets = np.asarray(bounds[doc : last + 1]) - bounds[doc]
            out[doc : last + 1] = np.minimum.reduceat(values, offsets, axis=0)
            doc = last + 1
        return out


def band_keys(signature: np.ndarray, bands: int) -> list[int]:
    """One signed 63-bit key per band (fits a database bigint), the band's number mixed in."""
    rows = len(signature) // bands
    keys = []
    for band in range(bands):
        chunk = signature[band * rows : (band + 1) * rows].tobytes() + bytes([band])
        keys.append(
            int.from_bytes(hashlib.blake2b(chunk, digest_size=8).digest(), "little", signed=True) >> 1
        )
    return keys


def text_signature(normalised_text: str, params: LinkParameters, hasher: MinHasher) -> np.ndarray | None:
    if len(normalised_text.split()) < params.min_text_tokens:
        return None
    return hasher.signature(_hash64(set(shingles(normalised_text, params.shingle_size))))


def link(
    n_reports: int,
    postings: Sequence[tuple[int, str]],
    texts: Sequence[str] | None = None,
    *,
    confirmed: Sequence[tuple[int, int]] = (),
    split: Sequence[tuple[int, int]] = (),
    params: LinkParameters | None = None,
) -> LinkResult:
    """Campaign labels for ``n_reports`` reports.

    Parameters
    ----------
    postings : (report index, indicator key) pairs, warning-list values already removed.
    texts : the normalised received message of each report ("" when none).
    confirmed, split : analysts' decisions as pairs of report indices.
    """
    params = params or LinkParameters()
    by_indicator: dict[str, list[int]] = defaultdict(list)
    for report, key in postings:
        by_indicator[key].append(report)
    edges: dict[tuple[int, int], float] = defaultdict(float)
    reasons: dict[tuple[int, int], str] = {}
    hubs = []
    for key, reports in by_indicator.items():
        members = sorted(set(reports))
        if len(members) < 2:
            continue
        if len(members) > params.hub_limit:
            hubs.append(key)
            continue
        weight = math.log(max(n_reports, 2) / len(members)) + 1.0
        first = members[0]
        for other in members[1:]:
            edges[(first, other)] += weight
            reasons.setdefault((first, other), key)
    if texts is not None:
        _text_edges(texts, params, edges, reasons)
    split_pairs = {(min(a, b), max(a, b)) for a, b in split}
    for pair in split_pairs:
        edges.pop(pair, None)
    strong = 1000.0
    for a, b in confirmed:
        pair = (min(a, b), max(a, b))
        if pair not in split_pairs:
            edges[pair] += strong
            reasons[pair] = "confirmed"
    labels = _partition(n_reports, edges, params)
    for a, b in split_pairs:
        if labels[a] >= 0 and labels[a] == labels[b]:
            labels[max(a, b)] = -1
    labels = _relabel_singletons(labels)
    edge_list = [(a, b, w, reasons.get((a, b), "")) for (a, b), w in edges.items()]
    return LinkResult(labels=labels, edges=edge_list, hubs=hubs)


def _text_edges(
    texts: Sequence[str],
    params: LinkParameters,
    edges: dict[tuple[int, int], float],
    reasons: dict[tuple[int, int], str],
) -> None:
    hasher = MinHasher(params.permutations, params.random_state)
    documents: list[int] = []
    starts: list[int] = []
    hashes: list[np.ndarray] = []
    position = 0
    for index, text in enumerate(texts):
        if not text or len(text.split()) < params.min_text_tokens:
            continue
        shingle_hashes = _hash64(set(shingles(text, params.shingle_size)))
        documents.append(index)
        starts.append(position)
        hashes.append(shingle_hashes)
        position += len(shingle_hashes)
    if len(documents) < 2:
        return
    signatures = hasher.signatures(np.concatenate(hashes), np.asarray(starts))
    doc_array = np.asarray(documents)
    rows = params.permutations // params.bands
    first_list, other_list = [], []
    for band in range(params.bands):
        block = np.ascontiguousarray(signatures[:, band * rows : (band + 1) * rows])
        _, inverse, counts = np.unique(block, axis=0, return_inverse=True, return_counts=True)
        inverse = inverse.ravel()
        shared = counts[inverse] >= 2
        if not shared.any():
            continue
        members = np.flatnonzero(shared)
        order = members[np.argsort(inverse[members], kind="stable")]
        buckets = inverse[order]
        heads = np.r_[True, buckets[1:] != buckets[:-1]]
        head_of = order[np.maximum.accumulate(np.where(heads, np.arange(len(order)), 0))]
        keep = ~heads
        first_list.append(head_of[keep])
        other_list.append(order[keep])
    if not first_list:
        return
    pairs = np.unique(np.stack([np.concatenate(first_list), np.concatenate(other_list)], axis=1), axis=0)
    similarity = (signatures[pairs[:, 0]] == signatures[pairs[:, 1]]).mean(axis=1)
    for (a, b), value in zip(pairs.tolist(), similarity.tolist(), strict=True):
        if value >= params.text_threshold:
            pair = (int(doc_array[a]), int(doc_array[b]))
            pair = (min(pair), max(pair))
            edges[pair] += params.text_weight * value
            reasons.setdefault(pair, "text")


def _partition(n: int, edges: dict[tuple[int, int], float], params: LinkParameters) -> np.ndarray:
    import igraph as ig  # imported when a partition is made, not when the URL configuration loads

    labels = np.full(n, -1, dtype=np.int64)
    if not edges:
        return labels
    pairs = np.array(list(edges.keys()), dtype=np.int64)
    weights = np.fromiter(edges.values(), dtype=np.float64, count=len(edges))
    graph = ig.Graph(n=n, edges=pairs.tolist(), directed=False)
    graph.es["weight"] = weights.tolist()
    components = graph.connected_components()
    membership = np.asarray(components.membership, dtype=np.int64)
    next_label = 0
    for component_index, nodes in enumerate(components):
        if len(nodes) < 2:
            continue
        if len(nodes) <= params.split_min_size:
            labels[nodes] = next_label
            next_label += 1
            continue
        sub = graph.subgraph(nodes)
        parts = sub.community_leiden(
            objective_function="modularity", weights="weight", n_iterations=-1
        ).membership
        merged = _merge_communities(sub, np.asarray(parts), params.merge_ratio)
        node_array = np.asarray(nodes)
        for community in np.unique(merged):
            chosen = node_array[merged == community]
            if len(chosen) >= 2:
                labels[chosen] = next_label
                next_label += 1
        del component_index
    del membership
    return labels


def _merge_communities(graph: ig.Graph, parts: np.ndarray, ratio: float) -> np.ndarray:
    """Union communities whose connecting weight is at least ``ratio`` of the smaller internal weight."""
    internal: dict[int, float] = defaultdict(float)
    between: dict[tuple[int, int], float] = defaultdict(float)
    for edge in graph.es:
        a, b = parts[edge.source], parts[edge.target]
        if a == b:
            internal[a] += edge["weight"]
        else:
            between[(min(a, b), max(a, b))] += edge["weight"]
    parent = {int(c): int(c) for c in np.unique(parts)}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for (a, b), weight in sorted(between.items(), key=lambda item: -item[1]):
        smaller = min(internal.get(a, 0.0), internal.get(b, 0.0))
        if smaller == 0.0 or weight >= ratio * smaller:
            parent[find(int(a))] = find(int(b))
    return np.array([find(int(p)) for p in parts])


def _relabel_singletons(labels: np.ndarray) -> np.ndarray:
    """Campaigns of one report are no campaigns: label -1; the others renumbered 0..k-1."""
    out = np.full_like(labels, -1)
    valid = labels >= 0
    if not valid.any():
        return out
    values, counts = np.unique(labels[valid], return_counts=True)
    keep = values[counts >= 2]
    mapping = {int(v): i for i, v in enumerate(keep)}
    for index in np.flatnonzero(valid):
        label = mapping.get(int(labels[index]))
        if label is not None:
            out[index] = label
    return out


def bcubed(truth: Sequence[int], predicted: Sequence[int]) -> tuple[float, float]:
    """B-cubed precision and recall (Bagga & Baldwin 1998; Amigó et al. 2009) over all items.

    A label below 0 is a singleton cluster of its own in either labelling."""
    truth_array = np.asarray(truth)
    predicted_array = np.asarray(predicted)
    n = len(truth_array)
    truth_ids = np.where(truth_array >= 0, truth_array, -(np.arange(n) + 1) - 10**9)
    predicted_ids = np.where(predicted_array >= 0, predicted_array, -(np.arange(n) + 1) - 10**9)
    pairs: dict[tuple[int, int], int] = defaultdict(int)
    truth_sizes: dict[int, int] = defaultdict(int)
    predicted_sizes: dict[int, int] = defaultdict(int)
    for t, p in zip(truth_ids.tolist(), predicted_ids.tolist(), strict=True):
        pairs[(t, p)] += 1
        truth_sizes[t] += 1
        predicted_sizes[p] += 1
    precision = sum(count * count / predicted_sizes[p] for (t, p), count in pairs.items()) / n
    recall = sum(count * count / truth_sizes[t] for (t, p), count in pairs.items()) / n
    return precision, recall

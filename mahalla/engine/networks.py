"""Network analysis of a drug-distribution network: communities, brokers, key-player sets, a removal
simulation with recovery, and the probable suppliers of a shop.

The graph is given as arrays: ``source``, ``target`` (integer node indices ``0 .. n_nodes - 1``), and a
``weight`` per edge; it is undirected. Nothing here knows about entities or the database.

- **Communities**: Leiden (Traag, Waltman & van Eck 2019) maximising modularity, via python-igraph.
- **Brokers**: nodes whose ties span communities, by the participation coefficient of Guimerà & Amaral
  (2005), ``P_i = 1 - sum_s (k_is / k_i)^2``, times the log of the degree so that a leaf touching two
  groups does not outrank a hub; linear in the edges, so it runs on a million of them. On small graphs the
  betweenness (Freeman 1977) is reported too.
- **Key-player set** (KPP-Neg, Borgatti 2006): the ``k`` nodes whose removal fragments the network most,
  fragmentation ``F = 1 - sum_j s_j (s_j - 1) / (n (n - 1))`` over the components of sizes ``s_j``. Found
  greedily, each step trying a pool of candidates (all nodes on small graphs; the highest-degree and
  broker nodes on large ones) and keeping the one that raises ``F`` most: a set, not a ranking, because
  the second-best node alone is often redundant with the best one.
- **Removal simulation with recovery**: Duijn, Kashirin & Sloot (2014) show that criminal networks recover
  from removals by a surviving contact taking over the removed node's ties. For each removed node the
  surviving neighbour best placed to take over (the most of the removed node's other contacts within two
  steps, then the highest degree) inherits its ties; the fragmentation before, after removal and after
  recovery is reported, with who took over whose contacts.
- **Probable suppliers**: personalised PageRank (Haveliwala 2002) from a shop's own nodes (its accounts,
  couriers, drops) over the weighted graph, divided by the square root of the candidate's degree so that
  hubs do not win by size alone; candidates in the shop's own circle are excluded. Each ranked source
  carries its reasons: the intermediaries through which it reaches the shop and the kinds of those links.

References
----------
Borgatti, S. P. (2006). Identifying sets of key players in a social network. Computational and Mathematical
Organization Theory 12, 21-34.
Duijn, P. A. C., Kashirin, V. & Sloot, P. M. A. (2014). The relative ineffectiveness of criminal network
disruption. Scientific Reports 4, 4238.
Freeman, L. C. (1977). A set of measures of centrality based on betweenness. Sociometry 40, 35-41.
Guimerà, R. & Amaral, L. A. N. (2005). Functional cartography of complex metabolic networks. Nature 433,
895-900.
Haveliwala, T. H. (2002). Topic-sensitive PageRank. Proceedings of WWW 2002, 517-526.
Leskovec, J., Krause, A., Guestrin, C., Faloutsos, C., VanBriesen, J. & Glance, N. (2007). Cost-effective
outbreak detection in networks. Proceedings of KDD 2007, 420-429 (the lazy greedy search, CELF).
Traag, V. A., Waltman, L. & van Eck, N. J. (2019). From Louvain to Leiden: guaranteeing well-connected
communities. Scientific Reports 9, 5233.

Example
-------
>>> import numpy as np
>>> # two triangles joined through node 6
>>> src = np.array([0, 0, 1, 3, 3, 4, 2, 6])
>>> dst = np.array([1, 2, 2, 4, 5, 5, 6, 3])
>>> kp = key_player_set(7, src, dst, k=1)
>>> kp.nodes
[6]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import igraph as ig
import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

SMALL_GRAPH_NODES = 3_000  # up to this many nodes the key-player search tries every node


def _edges(source: npt.ArrayLike, target: npt.ArrayLike, n_nodes: int) -> tuple[IntArray, IntArray]:
    s = np.asarray(source, dtype=np.int64)
    t = np.asarray(target, dtype=np.int64)
    if s.shape != t.shape or s.ndim != 1:
        raise ValueError("source and target must be one-dimensional arrays of one length")
    if s.size and (min(int(s.min()), int(t.min())) < 0 or max(int(s.max()), int(t.max())) >= n_nodes):
        raise ValueError(f"node indices must lie in 0 .. {n_nodes - 1}")
    return s, t


def graph_build(
    n_nodes: int, source: npt.ArrayLike, target: npt.ArrayLike, weight: npt.ArrayLike | None = None
) -> ig.Graph:
    """An undirected igraph Graph with the edges and a ``weight`` attribute (1 when not given)."""
    s, t = _edges(source, target, n_nodes)
    graph = ig.Graph(n=n_nodes, edges=np.column_stack([s, t]).tolist(), directed=False)
    graph.es["weight"] = (
        np.ones(s.size) if weight is None else np.asarray(weight, dtype=np.float64)
    ).tolist()
    return graph


def fragmentation(n_nodes: int, source: IntArray, target: IntArray, removed: npt.ArrayLike = ()) -> float:
    """Borgatti's fragmentation of the graph without the ``removed`` nodes (which count as isolates)."""
    removed_mask = np.zeros(n_nodes, dtype=bool)
    removed_mask[np.asarray(removed, dtype=np.int64)] = True
    s, t = _sorted_edges(np.asarray(source, dtype=np.int64), np.asarray(target, dtype=np.int64))
    return _fragmentation_masked(n_nodes, s, t, removed_mask)


def _fragmentation_masked(
    n_nodes: int, source: IntArray, target: IntArray, removed: npt.NDArray[np.bool_]
) -> float:
    if n_nodes < 2:
        return 0.0
    sizes = _component_sizes(n_nodes, source, target, removed).astype(np.float64)
    return float(1.0 - (sizes * (sizes - 1.0)).sum() / (n_nodes * (n_nodes - 1.0)))


def _component_sizes(
    n_nodes: int, source: IntArray, target: IntArray, removed: npt.NDArray[np.bool_]
) -> npt.NDArray[np.int64]:
    """Sizes of the connected components without the removed nodes' edges (removed nodes are isolates).

    The edges are expected sorted by source (as :func:`_sorted_edges` returns them): a mask keeps that order,
    so the CSR matrix is built without sorting, the cost that dominates a key-player search."""
    keep = ~(removed[source] | removed[target])
    kept_source = source[keep]
    indptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(kept_source, minlength=n_nodes), out=indptr[1:])
    matrix = csr_matrix(
        (np.ones(kept_source.size, dtype=np.int8), target[keep], indptr), shape=(n_nodes, n_nodes)
    )
    _, labels = connected_components(matrix, directed=True, connection="weak")
    return np.bincount(labels).astype(np.int64)


def _sorted_edges(source: IntArray, target: IntArray) -> tuple[IntArray, IntArray]:
    order = np.argsort(source, kind="stable")
    return source[order], target[order]


@dataclass(frozen=True)
class Communities:
    membership: list[int]
    modularity: float
    sizes: list[int]


def communities_leiden(graph: ig.Graph, *, resolution: float = 1.0, random_state: int = 0) -> Communities:
    """Leiden communities maximising modularity (weights used)."""
    ig.set_random_number_generator(_IgraphRandom(random_state))
    partition = graph.community_leiden(
        objective_function="modularity", weights="weight", resolution=resolution, n_iterations=2
    )
    membership = list(partition.membership)
    return Communities(
        membership=membership,
        modularity=float(graph.modularity(membership, weights="weight")),
        sizes=[int(size) for size in np.bincount(np.asarray(membership, dtype=np.int64))],
    )


class _IgraphRandom:
    """A seeded generator in the interface igraph expects (random, randint, gauss)."""

    def __init__(self, seed: int) -> None:
        self._rng = np.random.default_rng(seed)

    def random(self) -> float:
        return float(self._rng.random())

    def randint(self, low: int, high: int) -> int:
        return int(self._rng.integers(low, high + 1))

    def gauss(self, mu: float, sigma: float) -> float:
        return float(self._rng.normal(mu, sigma))

    def getstate(self) -> object:
        return self._rng.bit_generator.state

    def setstate(self, state: object) -> None:
        self._rng.bit_generator.state = state  # type: ignore[assignment]


def brokers(graph: ig.Graph, membership: Sequence[int], *, top: int = 10) -> list[tuple[int, float]]:
    """Nodes ranked by participation coefficient times log(1 + degree), highest first."""
    edges = np.asarray(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    n = graph.vcount()
    member = np.asarray(membership, dtype=np.int64)
    n_comm = int(member.max()) + 1 if n else 0
    if edges.size == 0:
        return []
    ends = np.concatenate([edges[:, 0], edges[:, 1]])
    others = np.concatenate([edges[:, 1], edges[:, 0]])
    degree = np.bincount(ends, minlength=n).astype(np.float64)
    key = ends * n_comm + member[others]
    uniq, counts = np.unique(key, return_counts=True)
    node = uniq // n_comm
    share = counts / degree[node]
    participation = 1.0 - np.bincount(node, weights=share**2, minlength=n)
    participation[degree == 0] = 0.0
    score = participation * np.log1p(degree)
    best = np.argsort(-score, kind="stable")[:top]
    return [(int(i), float(score[i])) for i in best if score[i] > 0]


@dataclass(frozen=True)
class KeyPlayerSet:
    nodes: list[int]
    fragmentation_before: float
    fragmentation_after: float
    gains: list[float] = field(default_factory=list)  # fragmentation after each added node


def key_player_set(
    n_nodes: int,
    source: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    k: int = 10,
    candidates: npt.ArrayLike | None = None,
    pool: int = 15,
) -> KeyPlayerSet:
    """The ``k`` nodes whose removal fragments the network most (greedy KPP-Neg, Borgatti 2006).

    Parameters
    ----------
    n_nodes : int
    source, target : array of int
        The undirected edges.
    k : int
        Size of the set.
    candidates : array of int, optional
        Nodes to try; by default every node on a graph of at most SMALL_GRAPH_NODES nodes, else the ``pool``
        nodes of highest degree among those in the largest components.
    pool : int
        Size of the candidate pool on large graphs.
    """
    s, t = _sorted_edges(*_edges(source, target, n_nodes))
    if k < 1:
        raise ValueError("k must be at least 1")
    if candidates is not None:
        pool_nodes = np.unique(np.asarray(candidates, dtype=np.int64))
    elif n_nodes <= SMALL_GRAPH_NODES:
        pool_nodes = np.arange(n_nodes, dtype=np.int64)
    else:
        degree = np.bincount(np.concatenate([s, t]), minlength=n_nodes)
        pool_nodes = np.argsort(-degree, kind="stable")[:pool].astype(np.int64)
    removed = np.zeros(n_nodes, dtype=bool)
    before = _fragmentation_masked(n_nodes, s, t, removed)
    chosen: list[int] = []
    gains: list[float] = []
    current = before
    # On large graphs the search is lazy (CELF, Leskovec et al. 2007): candidates are tried in the order of
    # the gain they had at the previous step, and the step stops as soon as the best new gain is at least the
    # next candidate's previous gain. Exact when gains only shrink as the set grows, which fragmentation
    # gains do nearly always; on small graphs every candidate is tried at every step.
    lazy = candidates is None and n_nodes > SMALL_GRAPH_NODES
    last_gain: dict[int, float] = {}
    for step in range(min(k, pool_nodes.size)):
        best_node, best_value = -1, -1.0
        if lazy and step > 0:
            order = sorted(((g, n) for n, g in last_gain.items() if not removed[n]), reverse=True)
        else:
            order = [(np.inf, int(n)) for n in pool_nodes if not removed[n]]
        for previous_gain, node in order:
            if lazy and best_node >= 0 and best_value - current >= previous_gain:
                break
            removed[node] = True
            value = _fragmentation_masked(n_nodes, s, t, removed)
            removed[node] = False
            last_gain[node] = value - current
            if value > best_value:
                best_node, best_value = int(node), value
        if best_node < 0:
            break
        removed[best_node] = True
        last_gain.pop(best_node, None)
        chosen.append(best_node)
        gains.append(best_value)
        current = best_value
    return KeyPlayerSet(nodes=chosen, fragmentation_before=before, fragmentation_after=current, gains=gains)


@dataclass(frozen=True)
class Takeover:
    removed: int
    successor: int | None
    inherited: list[int]  # the removed node's surviving contacts now tied to the successor


@dataclass(frozen=True)
class RemovalSimulation:
    removed: list[int]
    fragmentation_before: float
    fragmentation_after_removal: float
    fragmentation_after_recovery: float
    takeovers: list[Takeover]
    largest_component_before: int
    largest_component_after_removal: int
    largest_component_after_recovery: int


def _largest(n_nodes: int, s: IntArray, t: IntArray, removed: npt.NDArray[np.bool_]) -> int:
    """Size of the largest component of the nodes not removed."""
    keep = ~(removed[s] | removed[t])
    kept_source = s[keep]
    indptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(kept_source, minlength=n_nodes), out=indptr[1:])
    matrix = csr_matrix((np.ones(kept_source.size, dtype=np.int8), t[keep], indptr), shape=(n_nodes, n_nodes))
    _, labels = connected_components(matrix, directed=True, connection="weak")
    sizes = np.bincount(labels[~removed]) if (~removed).any() else np.zeros(1, dtype=np.int64)
    return int(sizes.max()) if sizes.size else 0


def removal_simulate(
    n_nodes: int, source: npt.ArrayLike, target: npt.ArrayLike, removed: Sequence[int]
) -> RemovalSimulation:
    """Remove ``removed``, then let the network recover (Duijn, Kashirin & Sloot 2014): for each removed
    node, its surviving neighbour already tied to most of the removed node's other contacts (ties broken by
    degree, then by index) takes over and is tied to all of them."""
    s, t = _sorted_edges(*_edges(source, target, n_nodes))
    mask = np.zeros(n_nodes, dtype=bool)
    mask[np.asarray(list(removed), dtype=np.int64)] = True
    none = np.zeros(n_nodes, dtype=bool)
    before = _fragmentation_masked(n_nodes, s, t, none)
    after = _fragmentation_masked(n_nodes, s, t, mask)

    # Adjacency as CSR for neighbour look-ups.
    ends = np.concatenate([s, t])
    others = np.concatenate([t, s])
    order = np.argsort(ends, kind="stable")
    ends, others = ends[order], others[order]
    offsets = np.searchsorted(ends, np.arange(n_nodes + 1))
    degree = np.diff(offsets)

    def neighbours(node: int) -> IntArray:
        return others[offsets[node] : offsets[node + 1]]

    new_source: list[int] = []
    new_target: list[int] = []
    takeovers: list[Takeover] = []
    for node in removed:
        contacts = np.unique(neighbours(int(node)))
        survivors = contacts[~mask[contacts]]
        if survivors.size == 0:
            takeovers.append(Takeover(removed=int(node), successor=None, inherited=[]))
            continue
        contact_set = set(survivors.tolist())
        # how many of the other contacts each surviving contact is tied to, counted in one pass
        reached = np.concatenate([neighbours(int(x)) for x in survivors])
        reached = reached[np.isin(reached, survivors)]
        ties = np.bincount(reached, minlength=n_nodes)[survivors]
        order_key = np.lexsort((-survivors, degree[survivors], ties))
        best_index = int(order_key[-1])
        best = (int(ties[best_index]), int(degree[survivors[best_index]]), -int(survivors[best_index]))
        successor = -best[2]
        inherited = sorted(contact_set - {successor})
        new_source.extend([successor] * len(inherited))
        new_target.extend(inherited)
        takeovers.append(Takeover(removed=int(node), successor=successor, inherited=inherited))
    s2, t2 = _sorted_edges(
        np.concatenate([s, np.asarray(new_source, dtype=np.int64)]),
        np.concatenate([t, np.asarray(new_target, dtype=np.int64)]),
    )
    recovered = _fragmentation_masked(n_nodes, s2, t2, mask)
    return RemovalSimulation(
        removed=[int(x) for x in removed],
        fragmentation_before=before,
        fragmentation_after_removal=after,
        fragmentation_after_recovery=recovered,
        takeovers=takeovers,
        largest_component_before=_largest(n_nodes, s, t, none),
        largest_component_after_removal=_largest(n_nodes, s, t, mask),
        largest_component_after_recovery=_largest(n_nodes, s2, t2, mask),
    )


@dataclass(frozen=True)
class SupplierReason:
    via: int  # the intermediary node in the shop's circle
    kinds: tuple[str, ...]  # kinds of the links from the intermediary to the candidate


@dataclass(frozen=True)
class RankedSupplier:
    node: int
    score: float
    reasons: list[SupplierReason]


def suppliers_rank(
    n_nodes: int,
    source: npt.ArrayLike,
    target: npt.ArrayLike,
    weight: npt.ArrayLike,
    kind: Sequence[str],
    *,
    seeds: Sequence[int],
    candidates: npt.ArrayLike,
    exclude: Sequence[int] = (),
    top: int = 10,
    damping: float = 0.85,
) -> list[RankedSupplier]:
    """The probable sources of a shop: candidates ranked by personalised PageRank from ``seeds`` (the shop's
    own nodes), divided by the square root of the candidate's weighted degree.

    Parameters
    ----------
    n_nodes : int
    source, target, weight : arrays
        The undirected weighted edges.
    kind : sequence of str
        The kind of each edge (``"payment"``, ``"call"``, ``"co_travel"``...), for the reasons.
    seeds : sequence of int
        The shop's own nodes: its channel, accounts, couriers.
    candidates : array of int
        Nodes that may be ranked (people who are not buyers, for example).
    exclude : sequence of int
        Candidates never ranked for this shop (its own couriers: they are the shop, not its source).
    """
    s, t = _edges(source, target, n_nodes)
    w = np.asarray(weight, dtype=np.float64)
    if w.shape != s.shape or len(kind) != s.size:
        raise ValueError("weight and kind need one value per edge")
    if not seeds:
        raise ValueError("at least one seed node is needed")
    graph = ig.Graph(n=n_nodes, edges=np.column_stack([s, t]).tolist(), directed=False)
    graph.es["weight"] = w.tolist()
    ppr = np.asarray(
        graph.personalized_pagerank(
            damping=damping, reset_vertices=list(seeds), weights="weight", directed=False
        )
    )
    strength = np.bincount(np.concatenate([s, t]), weights=np.concatenate([w, w]), minlength=n_nodes)
    score = ppr / np.sqrt(np.maximum(strength, 1e-12))
    allowed = np.zeros(n_nodes, dtype=bool)
    allowed[np.asarray(candidates, dtype=np.int64)] = True
    allowed[list(seeds)] = False
    allowed[np.asarray(list(exclude), dtype=np.int64)] = False
    score = np.where(allowed, score, -np.inf)
    ranked = [int(i) for i in np.argsort(-score, kind="stable")[:top] if np.isfinite(score[i])]

    circle = set(int(x) for x in seeds) | set(int(x) for x in exclude)
    by_pair: dict[tuple[int, int], set[str]] = {}
    for a, b, k_ in zip(s.tolist(), t.tolist(), kind, strict=True):
        by_pair.setdefault((a, b), set()).add(k_)
        by_pair.setdefault((b, a), set()).add(k_)
    result: list[RankedSupplier] = []
    for node in ranked:
        reasons = [
            SupplierReason(via=int(other), kinds=tuple(sorted(by_pair[(int(other), node)])))
            for other in sorted(set(graph.neighbors(node)) & circle)
        ]
        result.append(RankedSupplier(node=node, score=float(score[node]), reasons=reasons))
    return result

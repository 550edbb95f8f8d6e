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
  greedily, each step choosing the node that raises ``F`` most: a set, not a ranking, because the
  second-best node alone is often redundant with the best one. Every node is tried at every step, exactly:
  one biconnected-components pass gives the fragmentation after removing each node (only articulation
  points split a component; their pieces are subtrees of the block-cut tree, Hopcroft & Tarjan 1973).
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
Hopcroft, J. & Tarjan, R. (1973). Algorithm 447: efficient algorithms for graph manipulation.
Communications of the ACM 16(6), 372-378 (biconnected components, articulation points).
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
from itertools import chain

import igraph as ig
import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order, connected_components, shortest_path

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


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
) -> KeyPlayerSet:
    """The ``k`` nodes whose removal fragments the network most (greedy KPP-Neg, Borgatti 2006).

    Each greedy step needs the fragmentation after removing each node. Only an articulation point's removal
    splits its component, and the pieces it leaves are read off the block-cut tree (Hopcroft & Tarjan
    1973): rooted, each child block subtree of the articulation point is one piece, the rest of the
    component the last one. So one biconnected-components pass (igraph's C routine) gives the exact
    fragmentation after removing *every* node, and the search tries all nodes at every step, on a graph of
    a million edges as on a small one: ``k`` linear passes, no candidate pool and no approximation.

    Parameters
    ----------
    n_nodes : int
    source, target : array of int
        The undirected edges.
    k : int
        Size of the set.
    candidates : array of int, optional
        Only these nodes may be chosen (by default any node).
    """
    s, t = _edges(source, target, n_nodes)
    if k < 1:
        raise ValueError("k must be at least 1")
    allowed = np.ones(n_nodes, dtype=bool)
    if candidates is not None:
        allowed[:] = False
        allowed[np.asarray(candidates, dtype=np.int64)] = True
    keep = s != t
    edge_s, edge_t = s[keep], t[keep]  # kept in step with the graph's edge ids
    graph = ig.Graph(n=n_nodes, edges=np.column_stack([edge_s, edge_t]), directed=False)
    removed = np.zeros(n_nodes, dtype=bool)
    pairs_total = n_nodes * (n_nodes - 1.0)
    before = 1.0 - _connected_pairs(graph) / pairs_total if n_nodes >= 2 else 0.0
    chosen: list[int] = []
    gains: list[float] = []
    current = before
    for _step in range(k):
        open_nodes = allowed & ~removed
        if not open_nodes.any():
            break
        after = _connected_pairs_after_each_removal(graph, edge_s, edge_t)
        after[~open_nodes] = np.iinfo(np.int64).max
        best = int(np.argmin(after))  # the lowest index among equals
        removed[best] = True
        incident = graph.incident(best)
        graph.delete_edges(incident)  # igraph keeps the order of the remaining edges
        kept = np.ones(edge_s.size, dtype=bool)
        kept[np.asarray(incident, dtype=np.int64)] = False
        edge_s, edge_t = edge_s[kept], edge_t[kept]
        current = 1.0 - float(after[best]) / pairs_total if n_nodes >= 2 else 0.0
        chosen.append(best)
        gains.append(current)
    return KeyPlayerSet(nodes=chosen, fragmentation_before=before, fragmentation_after=current, gains=gains)


def _connected_pairs(graph: ig.Graph) -> int:
    """``sum_j s_j (s_j - 1)`` over the components: the ordered pairs of nodes that reach each other."""
    sizes = np.asarray(graph.connected_components().sizes(), dtype=np.int64)
    return int((sizes * (sizes - 1)).sum())


def _connected_pairs_after_each_removal(
    graph: ig.Graph, edge_s: IntArray, edge_t: IntArray
) -> npt.NDArray[np.int64]:
    """For every node ``v``, :func:`_connected_pairs` of the graph without ``v`` (``v`` an isolate), exact.

    A node that is not an articulation point leaves its component of size ``S`` one smaller; an articulation
    point splits it into the pieces of the block-cut tree rooted anywhere in the component: the subtree of
    each child block, and the rest (``S - 1`` minus those)."""
    n = graph.vcount()
    membership = np.asarray(graph.connected_components().membership, dtype=np.int64)
    sizes = np.bincount(membership, minlength=1).astype(np.int64) if n else np.zeros(0, dtype=np.int64)
    total = int((sizes * (sizes - 1)).sum())
    size_of = sizes[membership]
    degree = np.bincount(np.concatenate([edge_s, edge_t]), minlength=n)
    # Default: not an articulation point; an isolate changes nothing.
    result = np.where(degree > 0, total - size_of * (size_of - 1) + (size_of - 1) * (size_of - 2), total)
    # igraph's C routine, without the Python wrapper that turns edge ids into vertex sets one by one: the
    # edge ids of a spanning tree of each block, and the articulation points.
    block_edges, points = ig.GraphBase.biconnected_components(graph, True)
    if not points:
        return result.astype(np.int64)
    points_array = np.asarray(points, dtype=np.int64)
    point_index = np.full(n, -1, dtype=np.int64)
    n_blocks = len(block_edges)
    point_index[points_array] = n_blocks + np.arange(points_array.size)
    lengths = np.fromiter((len(b) for b in block_edges), dtype=np.int64, count=n_blocks)
    edge_ids = np.fromiter(chain.from_iterable(block_edges), dtype=np.int64, count=int(lengths.sum()))
    block_of_edge = np.repeat(np.arange(n_blocks, dtype=np.int64), lengths)
    block_vertex = np.unique(
        np.concatenate([block_of_edge * n + edge_s[edge_ids], block_of_edge * n + edge_t[edge_ids]])
    )
    block_of_member, member = block_vertex // n, block_vertex % n
    is_point = point_index[member] >= 0
    n_tree = n_blocks + points_array.size
    # Tree weight: a block counts its vertices that are no articulation point, a point counts itself.
    weight = np.zeros(n_tree + 1, dtype=np.int64)
    weight[:n_blocks] = np.bincount(block_of_member[~is_point], minlength=n_blocks)
    weight[n_blocks:n_tree] = 1
    tree_a = block_of_member[is_point]
    tree_b = point_index[member[is_point]]
    # A virtual root (index n_tree) tied to one node of each tree, so one breadth-first pass roots them all.
    forest = csr_matrix(
        (np.ones(tree_a.size, dtype=np.int8), (tree_a, tree_b)), shape=(n_tree + 1, n_tree + 1)
    )
    _, tree_label = connected_components(forest[:n_tree, :n_tree], directed=False)
    first_of_tree = np.unique(tree_label, return_index=True)[1]
    roots_a = np.full(first_of_tree.size, n_tree, dtype=np.int64)
    forest = csr_matrix(
        (
            np.ones(tree_a.size + first_of_tree.size, dtype=np.int8),
            (np.concatenate([tree_a, roots_a]), np.concatenate([tree_b, first_of_tree])),
        ),
        shape=(n_tree + 1, n_tree + 1),
    )
    order, parent = breadth_first_order(forest, n_tree, directed=False, return_predecessors=True)
    depth = shortest_path(forest, directed=False, unweighted=True, indices=n_tree).astype(np.int64)
    subtree = weight.copy()
    # Breadth-first order lists level after level: each adds into its parents, the deepest first.
    bounds = np.searchsorted(depth[order], np.arange(int(depth.max()) + 2))
    for level in range(int(depth.max()), 0, -1):
        at_level = order[bounds[level] : bounds[level + 1]]
        np.add.at(subtree, parent[at_level], subtree[at_level])
    # Pieces of each articulation point: its child blocks' subtrees, and the rest of its component.
    children = order[1:]
    children = children[(parent[children] >= n_blocks) & (parent[children] < n_tree)]
    point_of_child = parent[children] - n_blocks
    child_pairs = np.bincount(
        point_of_child, weights=subtree[children] * (subtree[children] - 1), minlength=points_array.size
    )
    child_nodes = np.bincount(point_of_child, weights=subtree[children], minlength=points_array.size)
    size_here = size_of[points_array]
    rest = size_here - 1 - child_nodes.astype(np.int64)
    result[points_array] = (
        total - size_here * (size_here - 1) + child_pairs.astype(np.int64) + rest * (rest - 1)
    )
    return result.astype(np.int64)


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

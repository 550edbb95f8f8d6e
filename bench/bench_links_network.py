"""Network analysis at scale: Leiden communities, brokers, a key-player set of 10 and the removal simulation
on a graph of 1,000,000 edges (issue 14: at most 60 s).

The graph: 200,000 nodes in planted communities of 50-500 (90 % of ties inside), degrees heavy-tailed
(a few hubs per community), 1,000,000 edges. Baseline in the same run: one connected-components pass over
the same edges (scipy), the unit every fragmentation evaluation costs; the key-player search's cost is
reported as a multiple of it. Prints the machine (2 cores, shared) and load average.

Run: `.venv/bin/python bench/bench_links_network.py`
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from scipy.sparse import coo_matrix  # noqa: E402
from scipy.sparse.csgraph import connected_components  # noqa: E402

from mahalla.engine.networks import (  # noqa: E402
    brokers,
    communities_leiden,
    graph_build,
    key_player_set,
    removal_simulate,
)

NODES = 200_000
EDGES = 1_000_000


def planted_graph(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    sizes = rng.integers(50, 500, NODES // 200)
    sizes = sizes[np.cumsum(sizes) <= NODES]
    community = np.repeat(np.arange(sizes.size), sizes)
    n = community.size
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    activity = rng.pareto(1.5, n) + 1.0
    p = activity / activity.sum()
    source = rng.choice(n, size=EDGES, p=p)
    inside = rng.random(EDGES) < 0.9
    c = community[source]
    target_inside = starts[c] + (rng.random(EDGES) * sizes[c]).astype(np.int64)
    target_outside = rng.choice(n, size=EDGES, p=p)
    target = np.where(inside, target_inside, target_outside)
    keep = source != target
    return source[keep].astype(np.int64), target[keep].astype(np.int64)


def main() -> None:
    rng = np.random.default_rng(14)
    source, target = planted_graph(rng)
    n = int(max(source.max(), target.max())) + 1
    print(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; graph {n} nodes, {source.size} edges"  # noqa: E501
    )
    started = time.perf_counter()
    matrix = coo_matrix((np.ones(source.size, dtype=np.int8), (source, target)), shape=(n, n))
    connected_components(matrix, directed=False)
    baseline = time.perf_counter() - started
    print(f"baseline: one connected-components pass {baseline:.2f} s")

    total = time.perf_counter()
    cpu = time.process_time()
    phase_cpu: dict[str, float] = {}

    def timed(name, function, *args, **kwargs):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = function(*args, **kwargs)
        phase_cpu[name] = time.process_time() - cpu_started
        return result, time.perf_counter() - started

    graph, build = timed("build", graph_build, n, source, target)
    communities, leiden = timed("leiden", communities_leiden, graph)
    top, broker_time = timed("brokers", brokers, graph, communities.membership, top=10)
    players, key_time = timed("key players", key_player_set, n, source, target, k=10)
    simulation, sim_time = timed("simulation", removal_simulate, n, source, target, players.nodes)
    elapsed = time.perf_counter() - total
    print(
        f"graph build {build:.1f} s; Leiden {leiden:.1f} s ({len(communities.sizes)} communities, modularity {communities.modularity:.3f})"  # noqa: E501
    )
    print(
        f"brokers {broker_time:.1f} s (top {top[0][0]}); key-player set of 10 {key_time:.1f} s = {key_time / baseline:.0f} x baseline"  # noqa: E501
    )
    print(
        f"removal simulation {sim_time:.1f} s: fragmentation {simulation.fragmentation_before:.4f} -> "
        f"{simulation.fragmentation_after_removal:.4f} -> recovered {simulation.fragmentation_after_recovery:.4f}"  # noqa: E501
    )
    print(
        "process CPU time by phase: "
        + ", ".join(f"{name} {value:.1f} s" for name, value in phase_cpu.items())
    )
    print(f"process CPU time {time.process_time() - cpu:.1f} s (wall time: shared machine)")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"children's CPU time {children.ru_utime + children.ru_stime:.1f} s")
    print(
        f"total {elapsed:.1f} s (target <= 60 s): {'PASS' if elapsed <= 60 else 'FAIL'}; load average now {os.getloadavg()[0]:.1f}"  # noqa: E501
    )


if __name__ == "__main__":
    main()

"""The proposing engine against independent references: scipy's maximum flow for how many demands can be
met at all, and exhaustive enumeration of every feasible assignment on small instances for the priorities."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from mahalla.engine.assignment import (
    ALL_CONFLICTED,
    NO_OFFICIAL,
    WORKLOAD,
    Candidate,
    Demand,
    assign_officials,
    eligible_pairs,
)


def _max_flow_reference(demands, officials, conflicts) -> int:
    """Largest number of demands that can be met: source -> demand (1) -> eligible official (1) -> sink
    (capacity), by scipy's Edmonds-Karp / Dinic, which shares no code with the engine."""
    eligible, _reasons = eligible_pairs(demands, officials, conflicts)
    n, m = len(demands), len(officials)
    source, sink = n + m, n + m + 1
    rows, cols, caps = [], [], []
    for i in range(n):
        rows.append(source), cols.append(i), caps.append(1)
        for j in eligible[i]:
            rows.append(i), cols.append(n + j), caps.append(1)
    for j, official in enumerate(officials):
        rows.append(n + j), cols.append(sink), caps.append(official.capacity)
    graph = csr_matrix((np.array(caps, dtype=np.int32), (rows, cols)), shape=(n + m + 2, n + m + 2))
    return int(maximum_flow(graph, source, sink).flow_value)


def _brute_force_best(demands, officials, conflicts) -> tuple[int, float]:
    """(most demands met, highest total priority among those) over every feasible assignment."""
    eligible, _ = eligible_pairs(demands, officials, conflicts)
    best = (0, 0.0)
    for choice in itertools.product(*[[None, *e] for e in eligible]):
        load = np.zeros(len(officials), dtype=int)
        for j in choice:
            if j is not None:
                load[j] += 1
        if any(load[j] > officials[j].capacity for j in range(len(officials))):
            continue
        met = [i for i, j in enumerate(choice) if j is not None]
        score = (len(met), round(sum(demands[i].priority for i in met), 9))
        best = max(best, score)
    return best


def _random_instance(rng: np.random.Generator):
    positions = ("hokim", "prosecutor", "deputy")
    demands = [
        Demand(
            key=i,
            region=1,
            district=int(rng.integers(1, 3)),
            positions=tuple(rng.choice(positions, size=int(rng.integers(1, 3)), replace=False)),
            priority=float(rng.integers(0, 5)),
            target=100 + i,
        )
        for i in range(int(rng.integers(3, 7)))
    ]
    officials = [
        Candidate(
            key=j,
            position=str(rng.choice(positions)),
            level="district",
            region=1,
            district=int(rng.integers(1, 3)),
            capacity=int(rng.integers(0, 3)),
        )
        for j in range(int(rng.integers(1, 4)))
    ]
    conflicts = {0: frozenset({100})} if rng.random() < 0.5 else {}
    return demands, officials, conflicts


@pytest.mark.parametrize("seed", range(40))
def test_the_engine_meets_as_many_demands_as_maximum_flow_and_the_highest_total_priority(seed):
    demands, officials, conflicts = _random_instance(np.random.default_rng(seed))
    result = assign_officials(demands, officials, conflicts)

    met = sorted(result.assigned)
    assert len(met) == _max_flow_reference(demands, officials, conflicts)
    assert (len(met), round(sum(demands[i].priority for i in met), 9)) == _brute_force_best(
        demands, officials, conflicts
    )
    assert set(result.assigned) | set(result.unassigned) == set(range(len(demands)))
    assert not set(result.assigned) & set(result.unassigned)
    for j, official in enumerate(officials):
        assert list(result.assigned.values()).count(j) == result.load[j] <= official.capacity


def test_a_workload_limit_leaves_the_lower_priority_mahalla_without_an_official():
    demands = [
        Demand("low", 1, 10, ("hokim",), priority=1.0, target=1),
        Demand("high", 1, 10, ("hokim",), priority=3.0, target=2),
        Demand("mid", 1, 10, ("hokim",), priority=2.0, target=3),
    ]
    officials = [Candidate("h", "hokim", "district", 1, 10, capacity=2)]
    result = assign_officials(demands, officials)
    assert result.assigned == {1: 0, 2: 0}
    assert result.unassigned == {0: WORKLOAD}


def test_the_load_is_spread_before_anyone_takes_a_second_mahalla():
    demands = [Demand(i, 1, 10, ("hokim", "prosecutor"), priority=1.0, target=i) for i in range(4)]
    officials = [
        Candidate("h", "hokim", "district", 1, 10, capacity=4),
        Candidate("p", "prosecutor", "district", 1, 10, capacity=4),
    ]
    result = assign_officials(demands, officials)
    assert result.load.tolist() == [2, 2]


def test_the_rules_first_named_position_is_preferred_when_both_are_free():
    demands = [Demand("a", 1, 10, ("prosecutor", "hokim"), priority=1.0, target=1)]
    officials = [
        Candidate("h", "hokim", "district", 1, 10, capacity=1),
        Candidate("p", "prosecutor", "district", 1, 10, capacity=1),
    ]
    assert assign_officials(demands, officials).assigned == {0: 1}


def test_an_official_in_conflict_is_skipped_and_a_sole_conflicted_one_leaves_the_reason():
    demands = [Demand("a", 1, 10, ("hokim",), 1.0, target=7), Demand("b", 1, 10, ("hokim",), 1.0, target=8)]
    officials = [Candidate("h", "hokim", "district", 1, 10, capacity=5)]
    result = assign_officials(demands, officials, {0: frozenset({7})})
    assert result.assigned == {1: 0}
    assert result.unassigned == {0: ALL_CONFLICTED}


def test_officials_answer_only_within_their_own_territory():
    demands = [
        Demand("d10", 1, 10, ("hokim",), 1.0, target=1),
        Demand("d20", 2, 20, ("hokim",), 1.0, target=2),
        Demand("r2", 2, 21, ("guard",), 1.0, target=3),
        Demand("any", 3, 30, ("institute",), 1.0, target=4),
    ]
    officials = [
        Candidate("hokim of district 10", "hokim", "district", 1, 10, capacity=5),
        Candidate("guard of region 1", "guard", "region", 1, None, capacity=5),
        Candidate("institute", "institute", "country", None, None, capacity=5),
    ]
    result = assign_officials(demands, officials)
    assert result.assigned == {0: 0, 3: 2}
    assert result.unassigned == {1: NO_OFFICIAL, 2: NO_OFFICIAL}


def test_one_official_never_answers_twice_for_the_same_mahalla():
    demands = [
        Demand("grave", 1, 10, ("hokim",), 3.0, target=5),
        Demand("other rule", 1, 10, ("hokim",), 1.0, target=5),
    ]
    officials = [Candidate("h", "hokim", "district", 1, 10, capacity=5)]
    result = assign_officials(demands, officials)
    assert result.assigned == {0: 0}
    assert result.unassigned == {1: WORKLOAD}


@pytest.mark.parametrize(
    ("demand", "official", "message"),
    [
        (Demand("x", 1, 1, ("h",), priority=-1.0), Candidate("o", "h", "district", 1, 1, 1), "priority"),
        (
            Demand("x", 1, 1, ("h",), priority=float("nan")),
            Candidate("o", "h", "district", 1, 1, 1),
            "priority",
        ),
        (Demand("x", 1, 1, ()), Candidate("o", "h", "district", 1, 1, 1), "names no position"),
        (Demand("x", 1, 1, ("h",)), Candidate("o", "h", "planet", 1, 1, 1), "level must be one of"),
        (Demand("x", 1, 1, ("h",)), Candidate("o", "h", "district", 1, 1, -1), "capacity"),
        (Demand("x", 1, 1, ("h",)), Candidate("o", "h", "region", None, None, 1), "needs a region"),
    ],
)
def test_bad_input_is_refused_naming_what_was_wrong(demand, official, message):
    with pytest.raises(ValueError, match=message):
        assign_officials([demand], [official])


def test_district_demands_are_solved_as_independent_per_district_components():
    # 209 districts x 3 red mahallas, 8 district leaders each with room for 5: the per-district components.
    rng = np.random.default_rng(1)
    demands = [
        Demand((d, k), d // 15, d, ("hokim", "prosecutor"), float(rng.random()), target=d * 10 + k)
        for d in range(209)
        for k in range(3)
    ]
    officials = [
        Candidate((d, p), p, "district", d // 15, d, capacity=5)
        for d in range(209)
        for p in ("hokim", "prosecutor")
    ]
    result = assign_officials(demands, officials)
    assert len(result.assigned) == len(demands)
    assert result.components == 209

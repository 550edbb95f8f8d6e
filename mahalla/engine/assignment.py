"""Proposing responsible officials for mahallas and districts: a capacitated assignment solved exactly.

The programme names an official for every challenging mahalla (DOMAIN.md section 5). Each *demand* is one
target (a mahalla or a district) that one rule asks an official for, with the positions the rule names and a
priority; each *official* has a position, a territory and a capacity (the workload limit minus what they
already carry). An official may take a demand when

- their position is one the demand's rule names,
- the demand lies in their territory (a district official only in their district, a regional one only in
  their region, a national institution anywhere),
- they have no conflict of interest with the target (they live there or declared a conflict),
- they have capacity left.

The problem is a bipartite b-matching, i.e. a minimum-cost flow from demands to officials with capacities
(Ahuja, Magnanti & Orlin 1993, *Network Flows*, ch. 9-10). With convex per-official costs (each further
mahalla of the same official costs a little more than the previous one) it is solved exactly by expanding
every official into as many *slots* as their capacity and solving the rectangular assignment problem
(Kuhn-Munkres; scipy's ``linear_sum_assignment``, Crouse 2016, *IEEE Trans. Aerospace and Electronic
Systems* 52(4)). Each demand also gets a private "unassigned" column, so the solution may leave a demand
open when nothing eligible remains. The cost of giving demand i the k-th slot (k = 0, 1, ...) of official j:

    cost = -(BASE + PRIORITY_SCALE * priority_i) + LOAD_STEP * k + POSITION_STEP * rank(position_j in rule_i)

and 0 for the unassigned column. BASE dominates everything else, so the solution assigns as many demands
as can be assigned at all; among solutions of that size, higher priorities win scarce capacity; then the
load is spread (an official's second mahalla costs more than somebody's first) and the rule's first-named
positions are preferred (a rule lists, e.g., the hokim before the deputies).

The bipartite graph falls apart into independent components (a district's red mahallas and its officials;
a region's five-year streaks and its leadership; the national institutions and all three-year streaks), so
each component is solved on its own dense matrix; the largest is a few hundred rows at national scale.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

# numpy loads in the functions that compute: the web pages import the officials' services (and through them
# this module's dataclasses and reason codes), and a server worker should not pay for numpy at start-up.

# Territorial levels of an official, from the widest.
LEVELS = ("country", "region", "district", "mahalla")

BASE = 1.0e6
PRIORITY_SCALE = 1.0e3
LOAD_STEP = 1.0
POSITION_STEP = 0.01

# Why a demand stayed open, from the most to the least fundamental.
NO_OFFICIAL = "no_official_in_territory"
ALL_CONFLICTED = "conflict_of_interest"
WORKLOAD = "workload_limit"


@dataclass(frozen=True)
class Demand:
    """One target that one rule asks an official for.

    ``key`` identifies the demand for the caller (e.g. ``("grave_red", mahalla_id)``); ``target`` is the id
    used in conflicts (a mahalla id, or None for a district target, which conflicts with nobody);
    ``region`` and ``district`` locate it; ``positions`` are the position codes the rule names, in order of
    preference; ``priority`` is larger for more urgent demands (non-negative, finite).
    """

    key: object
    region: int
    district: int
    positions: tuple[str, ...]
    priority: float = 0.0
    target: int | None = None


@dataclass(frozen=True)
class Candidate:
    """An official who can take demands: ``level`` one of LEVELS, ``region``/``district`` their territory
    (None where the level has none), ``capacity`` how many more demands they may take."""

    key: object
    position: str
    level: str
    region: int | None
    district: int | None
    capacity: int


@dataclass
class AssignmentResult:
    """``assigned`` maps demand index -> official index; ``unassigned`` maps demand index -> reason (one of
    NO_OFFICIAL, ALL_CONFLICTED, WORKLOAD); ``load`` is the number of demands given to each official."""

    assigned: dict[int, int] = field(default_factory=dict)
    unassigned: dict[int, str] = field(default_factory=dict)
    load: NDArray[np.int64] = field(default_factory=lambda: _no_load())
    components: int = 0


def _no_load() -> NDArray[np.int64]:
    import numpy as np

    return np.zeros(0, dtype=np.int64)


def _validate(demands: Sequence[Demand], officials: Sequence[Candidate]) -> None:
    for i, demand in enumerate(demands):
        if not math.isfinite(demand.priority) or demand.priority < 0:
            raise ValueError(
                f"demand {i} ({demand.key!r}): priority must be finite and >= 0, got {demand.priority}"
            )
        if not demand.positions:
            raise ValueError(f"demand {i} ({demand.key!r}): the rule names no position")
    for j, official in enumerate(officials):
        if official.level not in LEVELS:
            raise ValueError(
                f"official {j} ({official.key!r}): level must be one of {LEVELS}, got {official.level!r}"
            )
        if official.capacity < 0:
            raise ValueError(
                f"official {j} ({official.key!r}): capacity must be >= 0, got {official.capacity}"
            )
        if official.level == "region" and official.region is None:
            raise ValueError(f"official {j} ({official.key!r}): a regional official needs a region")
        if official.level in ("district", "mahalla") and official.district is None:
            raise ValueError(f"official {j} ({official.key!r}): a {official.level} official needs a district")


def _in_territory(official: Candidate, demand: Demand) -> bool:
    if official.level == "country":
        return True
    if official.level == "region":
        return official.region == demand.region
    # District and mahalla officials (the latter rarely named by a rule) answer within their district.
    return official.district == demand.district


def eligible_pairs(
    demands: Sequence[Demand],
    officials: Sequence[Candidate],
    conflicts: Mapping[int, frozenset[int]] | None = None,
) -> tuple[list[list[int]], NDArray[np.int64]]:
    """The officials each demand may take (position, territory, no conflict, capacity > 0), and per demand
    the reason it has none (0 = has some; 1 = nobody of the positions in the territory; 2 = all of those
    are in conflict; 3 = all of those are at their workload limit).

    ``conflicts`` maps an official index to the set of mahalla ids they may not take.
    """
    import numpy as np

    conflicts = conflicts or {}
    # Index officials by position so that a demand only looks at the few of its rule's positions.
    by_position: dict[str, list[int]] = {}
    for j, official in enumerate(officials):
        by_position.setdefault(official.position, []).append(j)
    eligible: list[list[int]] = []
    reasons = np.zeros(len(demands), dtype=np.int64)
    for i, demand in enumerate(demands):
        in_territory = [
            j
            for position in demand.positions
            for j in by_position.get(position, ())
            if _in_territory(officials[j], demand)
        ]
        free_of_conflict = [
            j
            for j in in_territory
            if demand.target is None or demand.target not in conflicts.get(j, frozenset())
        ]
        with_capacity = [j for j in free_of_conflict if officials[j].capacity > 0]
        eligible.append(with_capacity)
        if not in_territory:
            reasons[i] = 1
        elif not free_of_conflict:
            reasons[i] = 2
        elif not with_capacity:
            reasons[i] = 3
    return eligible, reasons


def assign_officials(
    demands: Sequence[Demand],
    officials: Sequence[Candidate],
    conflicts: Mapping[int, frozenset[int]] | None = None,
) -> AssignmentResult:
    """Assign officials to demands: as many as possible, then by priority, then spreading the load.

    Parameters
    ----------
    demands : sequence of Demand
        What the rules ask for.
    officials : sequence of Candidate
        Who may answer, with their remaining capacity.
    conflicts : mapping of official index -> frozenset of mahalla ids, optional
        Targets an official may not take (residence or a declared conflict of interest).

    Returns
    -------
    AssignmentResult
        Every demand is either assigned (to exactly one official) or unassigned with a reason; no official
        gets more demands than their capacity, and none gets the same target twice.

    Notes
    -----
    Minimum-cost b-matching by capacity expansion and the Kuhn-Munkres algorithm (module docstring; Ahuja,
    Magnanti & Orlin 1993; Crouse 2016), solved per connected component of the eligibility graph.

    Examples
    --------
    >>> demands = [Demand("a", 1, 10, ("hokim",), 2.0, 100), Demand("b", 1, 10, ("hokim",), 1.0, 101)]
    >>> officials = [Candidate("h", "hokim", "district", 1, 10, capacity=1)]
    >>> result = assign_officials(demands, officials)
    >>> result.assigned, result.unassigned
    ({0: 0}, {1: 'workload_limit'})
    """
    import numpy as np

    _validate(demands, officials)
    n, m = len(demands), len(officials)
    eligible, reasons = eligible_pairs(demands, officials, conflicts)
    result = AssignmentResult(load=np.zeros(m, dtype=np.int64))
    names = {1: NO_OFFICIAL, 2: ALL_CONFLICTED, 3: WORKLOAD}
    rows = [i for i in range(n) for _ in eligible[i]]
    cols = [j for i in range(n) for j in eligible[i]]
    if not rows:
        result.unassigned = {i: names[int(reasons[i])] for i in range(n)}
        return result
    # Components of the bipartite graph: nodes 0..n-1 are demands, n..n+m-1 officials.
    from scipy.sparse import coo_matrix  # scipy loads when the engine runs, not with the web pages
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(rows)), (rows, [n + j for j in cols])), shape=(n + m, n + m))
    count, labels = connected_components(graph, directed=False)
    demand_groups: dict[int, list[int]] = {}
    for i in range(n):
        if eligible[i]:
            demand_groups.setdefault(int(labels[i]), []).append(i)
        else:
            result.unassigned[i] = names[int(reasons[i])]
    result.components = len(demand_groups)
    for label in sorted(demand_groups):
        group = demand_groups[label]
        members = sorted({j for i in group for j in eligible[i]})
        _solve_component(group, members, demands, officials, eligible, result)
    del count
    return result


def _solve_component(
    group: list[int],
    members: list[int],
    demands: Sequence[Demand],
    officials: Sequence[Candidate],
    eligible: list[list[int]],
    result: AssignmentResult,
) -> None:
    import numpy as np

    # An official never needs more slots than there are demands in the component.
    slots: list[tuple[int, int]] = [
        (j, k) for j in members for k in range(min(officials[j].capacity, len(group)))
    ]
    slot_index: dict[int, list[int]] = {}
    for s, (j, _k) in enumerate(slots):
        slot_index.setdefault(j, []).append(s)
    n_rows, n_slots = len(group), len(slots)
    # Columns: the slots, then one private "unassigned" column per demand (cost 0). Ineligible cells get
    # +BASE, which is never better than the unassigned column, so they are never chosen.
    cost = np.full((n_rows, n_slots + n_rows), BASE, dtype=np.float64)
    cost[np.arange(n_rows), n_slots + np.arange(n_rows)] = 0.0
    for r, i in enumerate(group):
        demand = demands[i]
        gain = BASE + PRIORITY_SCALE * float(demand.priority)
        for j in eligible[i]:
            rank = demand.positions.index(officials[j].position)
            for s in slot_index.get(j, ()):
                cost[r, s] = -gain + LOAD_STEP * slots[s][1] + POSITION_STEP * rank
    from scipy.optimize import linear_sum_assignment

    row_ind, col_ind = linear_sum_assignment(cost)
    for r, c in zip(row_ind.tolist(), col_ind.tolist(), strict=True):
        i = group[r]
        if c < n_slots and cost[r, c] < 0:
            j = slots[c][0]
            result.assigned[i] = j
            result.load[j] += 1
        else:
            result.unassigned[i] = WORKLOAD
    _no_twice(group, demands, result)


def _no_twice(group: list[int], demands: Sequence[Demand], result: AssignmentResult) -> None:
    """Two rules may ask for the same mahalla with overlapping positions; one person answering twice for
    one mahalla adds nobody. The lower-priority duplicate is left open (rare: rules name different
    positions by default)."""
    seen: dict[tuple[int, int], int] = {}
    for i in sorted(group, key=lambda i: (-demands[i].priority, i)):
        j = result.assigned.get(i)
        target = demands[i].target
        if j is None or target is None:
            continue
        if (j, target) in seen:
            del result.assigned[i]
            result.load[j] -= 1
            result.unassigned[i] = WORKLOAD
        else:
            seen[(j, target)] = i

"""Co-travel ("convoy") analysis of plate reads: which pairs of vehicles pass the same cameras together more
often than chance allows, each co-occurrence weighted by how rare company is at that camera and hour.

Two vehicles *co-occur* when both are read by the same camera within ``window`` seconds. A pair is a
candidate when it co-occurs at ``min_cameras`` or more *distinct* cameras: commuters who share a road meet
at the same few cameras every morning, a convoy that drives a different route each trip meets at many.

The chance model (independent traffic). Let ``n[c, h]`` be the number of reads at camera ``c`` in hour of day
``h`` over the ``D`` days observed, ``N`` all reads. If vehicle ``b`` moved independently of ``a`` and spread
its ``n_b`` reads over the camera-hours in proportion to the traffic, the chance that ``b`` is read within
``window`` of one read of ``a`` at ``(c, h)`` is ``q = n_b * (n[c, h] / N) * 2 * window / (D * 3600)``. The
expected number of chance co-occurrences of the pair is then ``E = sum_i q_i`` over the reads of ``a``
(symmetrised over ``a`` and ``b``), so a popular camera at rush hour explains much company and a quiet camera
at night almost none. The observed count of distinct co-occurring cameras ``k`` is compared with
``Poisson(E)``: ``score = -log10 P(X >= k)``. Each co-occurrence of the evidence list carries its own rarity
``-log10(1 - exp(-lambda * 2 * window))``, the chance that *any* vehicle keeps a read company at that camera
and hour (``lambda`` the read rate per second of the cell).

The city's traffic does not explain two commuters on one corridor: they meet at its few cameras every rush
hour. So a second chance model uses the pair's own habits: ``E_own = 2 window / (D 3600) * sum over cells of
(n_a[c, h] - m_a) (n_b[c, h] - m_b)``, each vehicle's own reads in the camera-hour, less the ``m`` reads
where the two met (a convoy, all of whose reads are meetings, does not explain itself away; two commuters
keep their other mornings). The score uses the larger of the two expectations. On the 10-million-read bench
this removes the commuter pairs that the traffic model let through (docs/links.md).

Everything is vectorised over arrays sorted by camera and time: pairs are found by comparing each read with
the next ``j`` reads for ``j = 1, 2, ...`` until no read has a neighbour that close, so the cost is linear in
the number of reads times the largest number of reads inside one window.

References
----------
Spärck Jones, K. (1972). A statistical interpretation of term specificity and its application in retrieval.
Journal of Documentation 28(1), 11-21 (the rarity weight: common company says little, rare company much).
DOMAIN.md section 9: plate-reader co-travel must be weighted by how rare a co-occurrence is at that camera
and hour, across several cameras, or it drowns in false positives. The Poisson null with cell rates is this
module's own, documented above; its precision is measured on planted convoys (docs/links.md).

Example
-------
>>> import numpy as np
>>> vehicle = np.array([1, 2, 1, 2, 1, 2, 3])
>>> camera = np.array([10, 10, 11, 11, 12, 12, 10])
>>> ts = np.array([0, 20, 500, 510, 900, 905, 5000])
>>> result = cotravel_pairs(vehicle, camera, ts, window=60, min_cameras=3, min_score=0)
>>> [(int(p.vehicle_a), int(p.vehicle_b), p.distinct_cameras) for p in result.pairs]
[(1, 2, 3)]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.stats import poisson

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class CoOccurrence:
    """One piece of evidence: both vehicles read by ``camera`` at ``ts_a`` and ``ts_b``."""

    camera: int
    ts_a: int
    ts_b: int
    hour: int
    rarity: float  # -log10 of the chance that any vehicle keeps a read company at this camera and hour


@dataclass(frozen=True)
class CoTravelPair:
    vehicle_a: int
    vehicle_b: int
    distinct_cameras: int
    co_occurrences: int
    expected: float  # expected number of chance co-occurrences under independent traffic
    score: float  # -log10 P(Poisson(expected) >= distinct_cameras)
    weight: float  # sum of the rarity of the best co-occurrence at each distinct camera
    evidence: list[CoOccurrence] = field(default_factory=list)


@dataclass(frozen=True)
class CoTravelResult:
    pairs: list[CoTravelPair]
    reads: int
    days: float
    candidate_pairs: int  # pairs co-occurring at min_cameras or more distinct cameras (before the score)
    threshold: float = 0.0  # the score a pair needed


def cotravel_pairs(
    vehicle: npt.ArrayLike,
    camera: npt.ArrayLike,
    ts: npt.ArrayLike,
    *,
    window: int = 60,
    min_cameras: int = 3,
    min_score: float | None = None,
    alpha: float = 1e-4,
    utc_offset_hours: int = 5,
    max_evidence: int = 50,
) -> CoTravelResult:
    """Pairs of vehicles seen together at ``min_cameras`` or more distinct cameras, scored against chance.

    Parameters
    ----------
    vehicle, camera : array of int
        Integer codes of the vehicle (plate) and the camera of each read.
    ts : array of int
        Unix time of each read, seconds.
    window : int
        Two reads at one camera at most this many seconds apart keep each other company.
    min_cameras : int
        Distinct cameras a pair must share to be reported.
    min_score : float, optional
        Report pairs whose ``-log10`` chance is at least this. By default the Bonferroni bound for all
        pairs of vehicles seen: ``log10(V (V - 1) / 2) - log10(alpha)``, so that over the whole city the
        expected number of pairs reported by chance alone is at most ``alpha``.
    alpha : float
        Family-wise error rate of the default threshold.
    utc_offset_hours : int
        Hours added to UTC for the hour of day of the rarity cells (Tashkent: +5).
    max_evidence : int
        Co-occurrences listed per pair at most (the rarest first).

    Returns
    -------
    CoTravelResult
        Pairs sorted by score, highest first.
    """
    if window <= 0:
        raise ValueError("window must be positive")
    if min_cameras < 1:
        raise ValueError("min_cameras must be at least 1")
    v = np.asarray(vehicle, dtype=np.int64)
    c = np.asarray(camera, dtype=np.int64)
    t = np.asarray(ts, dtype=np.int64)
    if not (v.shape == c.shape == t.shape) or v.ndim != 1:
        raise ValueError("vehicle, camera and ts must be one-dimensional arrays of one length")
    n_reads = int(v.size)
    if n_reads < 2:
        return CoTravelResult(pairs=[], reads=n_reads, days=0.0, candidate_pairs=0)

    days = max(1.0, float(t.max() - t.min()) / SECONDS_PER_DAY)
    n_vehicles_seen = int(np.unique(v).size)
    if min_score is None:
        pairs_possible = max(1.0, n_vehicles_seen * (n_vehicles_seen - 1) / 2.0)
        min_score = float(np.log10(pairs_possible) - np.log10(alpha))
    hour = ((t // 3600 + utc_offset_hours) % 24).astype(np.int64)
    _, camera_index = np.unique(c, return_inverse=True)
    n_cameras = int(camera_index.max()) + 1
    cell = camera_index * 24 + hour
    cell_count = np.bincount(cell, minlength=n_cameras * 24).astype(np.float64)

    order = np.lexsort((t, camera_index))
    v_s, ci_s, t_s, cell_s = v[order], camera_index[order], t[order], cell[order]

    # Pair discovery: compare each read with the read j places later while any is still inside the window.
    n_vehicles_code = int(v.max()) + 1
    keys: list[IntArray] = []
    first_rows: list[IntArray] = []
    second_rows: list[IntArray] = []
    j = 1
    while j < n_reads:
        same = (ci_s[j:] == ci_s[:-j]) & (t_s[j:] - t_s[:-j] <= window)
        if not same.any():
            break
        rows = np.nonzero(same)[0]
        a = v_s[rows]
        b = v_s[rows + j]
        distinct = a != b
        rows, a, b = rows[distinct], a[distinct], b[distinct]
        low = np.minimum(a, b)
        high = np.maximum(a, b)
        keys.append(low * n_vehicles_code + high)
        first_rows.append(rows)
        second_rows.append(rows + j)
        j += 1
    if not keys:
        return CoTravelResult(pairs=[], reads=n_reads, days=days, candidate_pairs=0, threshold=min_score)
    pair_key = np.concatenate(keys)
    row_1 = np.concatenate(first_rows)
    row_2 = np.concatenate(second_rows)

    # Distinct cameras per pair: unique (pair, camera), then count per pair.
    pair_camera = np.unique(pair_key * n_cameras + ci_s[row_1])
    pair_of_camera = pair_camera // n_cameras
    pairs_unique, distinct_counts = np.unique(pair_of_camera, return_counts=True)
    candidates = pairs_unique[distinct_counts >= min_cameras]
    candidate_distinct = distinct_counts[distinct_counts >= min_cameras]
    if candidates.size == 0:
        return CoTravelResult(pairs=[], reads=n_reads, days=days, candidate_pairs=0, threshold=min_score)

    # Expected chance co-occurrences: E_ab = const * (n_b * S_a + n_a * S_b) / 2, S_a = sum of cell counts
    # over a's reads.
    reads_per_vehicle = np.bincount(v, minlength=n_vehicles_code).astype(np.float64)
    cell_sum_per_vehicle = np.bincount(v, weights=cell_count[cell], minlength=n_vehicles_code)
    const = 2.0 * window / (days * 3600.0 * n_reads)
    a_code = candidates // n_vehicles_code
    b_code = candidates % n_vehicles_code
    expected = (
        const
        * (
            reads_per_vehicle[b_code] * cell_sum_per_vehicle[a_code]
            + reads_per_vehicle[a_code] * cell_sum_per_vehicle[b_code]
        )
        / 2.0
    )
    # P(X >= k) = sf(k - 1); logsf keeps precision far in the tail.
    score = -poisson.logsf(candidate_distinct - 1, expected) / np.log(10.0)
    candidates_scored = int(candidates.size)
    keep = score >= min_score
    candidates, candidate_distinct, expected = candidates[keep], candidate_distinct[keep], expected[keep]
    if candidates.size == 0:
        return CoTravelResult(
            pairs=[], reads=n_reads, days=days, candidate_pairs=candidates_scored, threshold=min_score
        )
    # The co-occurrences of the pairs still in the running: one pass over all of them, reused below.
    in_report = np.isin(pair_key, candidates)
    pair_key, row_1, row_2 = pair_key[in_report], row_1[in_report], row_2[in_report]

    # The pair's own habits: two commuters on one corridor meet at its cameras every rush hour, far more
    # often than the city's traffic predicts. Expected co-occurrences if each kept its own camera-hour
    # counts but moved independently of the other, leaving out the reads where they met (else a convoy,
    # all of whose reads are meetings, would explain itself away). The larger of the two chances counts;
    # since it can only lower a score, only the pairs that passed the traffic model need it.
    own = _expected_from_own_habits(
        candidates,
        n_vehicles_code,
        v,
        cell,
        n_cells=n_cameras * 24,
        pair_key=pair_key,
        row_1=row_1,
        row_2=row_2,
        v_s=v_s,
        cell_s=cell_s,
    )
    expected = np.maximum(expected, own * 2.0 * window / (days * 3600.0))
    score = -poisson.logsf(candidate_distinct - 1, expected) / np.log(10.0)
    keep = score >= min_score
    candidates, candidate_distinct, expected, score = (
        candidates[keep],
        candidate_distinct[keep],
        expected[keep],
        score[keep],
    )

    # Evidence for the reported pairs only.
    in_report = np.isin(pair_key, candidates)  # a small array now
    ev_key = pair_key[in_report]
    ev_r1 = row_1[in_report]
    ev_r2 = row_2[in_report]
    rate = cell_count / (days * 3600.0)
    ev_rarity = -np.log10(-np.expm1(-rate[cell_s[ev_r1]] * 2.0 * window))
    ev_order = np.lexsort((-ev_rarity, ev_key))
    ev_key, ev_r1, ev_r2, ev_rarity = ev_key[ev_order], ev_r1[ev_order], ev_r2[ev_order], ev_rarity[ev_order]
    starts = np.searchsorted(ev_key, candidates, side="left")
    ends = np.searchsorted(ev_key, candidates, side="right")

    pairs: list[CoTravelPair] = []
    for index in np.argsort(-score, kind="stable"):
        key = int(candidates[index])
        a_vehicle, b_vehicle = key // n_vehicles_code, key % n_vehicles_code
        evidence: list[CoOccurrence] = []
        best_per_camera: dict[int, float] = {}
        for row in range(int(starts[index]), int(ends[index])):
            r1, r2 = int(ev_r1[row]), int(ev_r2[row])
            camera_code = int(c[order[r1]])
            rarity = float(ev_rarity[row])
            best_per_camera[camera_code] = max(best_per_camera.get(camera_code, 0.0), rarity)
            first_is_a = int(v_s[r1]) == a_vehicle
            if len(evidence) < max_evidence:
                evidence.append(
                    CoOccurrence(
                        camera=camera_code,
                        ts_a=int(t_s[r1] if first_is_a else t_s[r2]),
                        ts_b=int(t_s[r2] if first_is_a else t_s[r1]),
                        hour=int(cell_s[r1] % 24),
                        rarity=rarity,
                    )
                )
        pairs.append(
            CoTravelPair(
                vehicle_a=a_vehicle,
                vehicle_b=b_vehicle,
                distinct_cameras=int(candidate_distinct[index]),
                co_occurrences=int(ends[index] - starts[index]),
                expected=float(expected[index]),
                score=float(score[index]),
                weight=float(sum(best_per_camera.values())),
                evidence=evidence,
            )
        )
    return CoTravelResult(
        pairs=pairs, reads=n_reads, days=days, candidate_pairs=candidates_scored, threshold=min_score
    )


def _expected_from_own_habits(
    candidates: IntArray,
    n_vehicles_code: int,
    v: IntArray,
    cell: IntArray,
    *,
    n_cells: int,
    pair_key: IntArray,
    row_1: IntArray,
    row_2: IntArray,
    v_s: IntArray,
    cell_s: IntArray,
) -> FloatArray:
    """``sum over camera-hour cells of (n_a - m_a) (n_b - m_b)`` for each candidate pair ``(a, b)``: ``n`` a
    vehicle's reads in the cell over the period, ``m`` those of them that met the other vehicle.

    Computed as ``sum n_a n_b`` (a sparse row-wise product of the vehicle x cell count matrix) minus, on the
    few cells where they met, ``n_a n_b - (n_a - m_a)(n_b - m_b)``.
    """
    from scipy import sparse

    counts = sparse.csr_matrix(
        (np.ones(v.size, dtype=np.float64), (v, cell)), shape=(n_vehicles_code, n_cells)
    )
    counts.sum_duplicates()
    a_code = candidates // n_vehicles_code
    b_code = candidates % n_vehicles_code
    total = np.asarray(counts[a_code].multiply(counts[b_code]).sum(axis=1)).ravel()

    # Reads of each side that met the other, once per read, counted per (pair, cell).
    met = np.isin(pair_key, candidates)
    key, r1, r2 = pair_key[met], row_1[met], row_2[met]
    pair_index = np.searchsorted(candidates, key)
    first_is_a = v_s[r1] == candidates[pair_index] // n_vehicles_code
    read_a = np.where(first_is_a, r1, r2)
    read_b = np.where(first_is_a, r2, r1)
    n_reads = np.int64(v_s.size)
    side_counts = []
    for reads in (read_a, read_b):
        unique_reads = np.unique(pair_index * n_reads + reads)
        pair_of = unique_reads // n_reads
        side_counts.append(np.unique(pair_of * n_cells + cell_s[unique_reads % n_reads], return_counts=True))
    (keys_a, m_a_counts), (keys_b, m_b_counts) = side_counts
    pair_cell = np.union1d(keys_a, keys_b)
    m_a = np.zeros(pair_cell.size)
    m_b = np.zeros(pair_cell.size)
    m_a[np.searchsorted(pair_cell, keys_a)] = m_a_counts
    m_b[np.searchsorted(pair_cell, keys_b)] = m_b_counts
    pair_of_cell = pair_cell // n_cells
    cell_of = pair_cell % n_cells
    n_a = np.asarray(counts[a_code[pair_of_cell], cell_of]).ravel()
    n_b = np.asarray(counts[b_code[pair_of_cell], cell_of]).ravel()
    correction = n_a * n_b - np.maximum(n_a - m_a, 0.0) * np.maximum(n_b - m_b, 0.0)
    return np.maximum(total - np.bincount(pair_of_cell, weights=correction, minlength=candidates.size), 0.0)

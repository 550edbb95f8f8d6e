"""Space-time permutation scan statistic (Kulldorff et al. 2005), prospective and retrospective.

The data are case counts per area per day. A *cylinder* is a circle of areas - an area and its k - 1 nearest
neighbours by centroid, k = 1 .. ``max_neighbors`` - times a window of consecutive days. Expected counts come
from the margins only (no population needed): mu_zd = n_z m_d / C, with n_z the cases of area z, m_d the
cases of day d and C all cases, so a cylinder A has mu_A = N_circle M_window / C and observed c_A. Its
log-likelihood ratio is

    LLR(A) = c_A log(c_A / mu_A) + (C - c_A) log((C - c_A) / (C - mu_A))   if c_A > mu_A, else 0,

and the scan statistic is the largest LLR over all cylinders. Inference permutes the days among the cases with
the areas fixed; both margins stay fixed, so every mu_A is unchanged and only the c_A move.

Performance. The maximum LLR, overall and per circle, is attained on a *tight* cylinder, one whose earliest
day (prospective) or first and last days (retrospective) hold a case of the circle: shrinking a window over
days with no case of the circle keeps c_A and lowers mu_A, which never lowers the LLR once c_A > mu_A. So a
replicate enumerates, for each of its cases in the scanned window, the circles that contain the case's area
(about max_neighbors ** 2 / 2 per case) and counts cases per circle day by day; as the LLR rises with c and
falls with mu, it is then evaluated once per distinct count, at the smallest expectation with that count.
The cost is proportional to the cases in the window times the circles per area, not to areas x neighbours x
days. The data's own statistic is computed densely over every prospective cylinder (areas x K x max_days
cells, once) and, retrospectively, with the same tight enumeration as the replicates.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

__all__ = ["SpaceTimeCluster", "SpaceTimeScanResult", "space_time_permutation_scan"]

# One lag of the retrospective enumeration: c, window end and start indices, expected counts.
_Windows = tuple[int, NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]

# Replicates whose maximum equals the observed one up to rounding count as ties (>=), the conservative side.
_TIE_TOLERANCE = 1e-10


@dataclass(frozen=True)
class SpaceTimeCluster:
    """One reported cylinder of a space-time permutation scan.

    Attributes
    ----------
    areas : ndarray of int
        Indices (rows of ``counts``) of the areas in the circle, the centre first, then by distance.
    start_day, end_day : int
        First and last day (columns of ``counts``, inclusive) of the time window.
    observed : int
        Cases inside the cylinder.
    expected : float
        Expected cases mu_A under no space-time interaction.
    llr : float
        Log-likelihood ratio of the cylinder.
    p_value : float
        (1 + #{replicate maxima >= llr}) / (1 + R); for secondary clusters this compares against the
        distribution of the *maximum*, so it is conservative, as in SaTScan.
    recurrence_interval_days : float
        Prospective mode only: scan_frequency_days / p_value, the mean time between false alarms this strong
        if the analysis is repeated every scan_frequency_days with no clustering; NaN in retrospective mode.
    """

    areas: NDArray[np.intp]
    start_day: int
    end_day: int
    observed: int
    expected: float
    llr: float
    p_value: float
    recurrence_interval_days: float

    @property
    def center(self) -> int:
        """Index of the area at the centre of the circle."""
        return int(self.areas[0])

    @property
    def observed_over_expected(self) -> float:
        """Observed / expected cases in the cylinder (SaTScan's "Obs/Exp")."""
        return self.observed / self.expected


@dataclass(frozen=True)
class SpaceTimeScanResult:
    """Result of :func:`space_time_permutation_scan`.

    Attributes
    ----------
    clusters : tuple of SpaceTimeCluster
        The most likely cluster first, then non-overlapping secondary clusters by decreasing LLR.
    max_llr_null : ndarray of float, shape (permutations,)
        The scan statistic (maximum LLR) of each permutation replicate.
    observed_max_llr : float
        The scan statistic of the data (0 when no cylinder has more cases than expected).
    total_cases, permutations, max_neighbors, max_days : int
        C and the parameters of the scan.
    prospective : bool
        True when only windows ending on the last day were scanned.
    scan_frequency_days : float
        How often the prospective analysis is repeated, used for the recurrence interval.
    """

    clusters: tuple[SpaceTimeCluster, ...]
    max_llr_null: NDArray[np.float64]
    observed_max_llr: float
    total_cases: int
    permutations: int
    max_neighbors: int
    max_days: int
    prospective: bool
    scan_frequency_days: float


def _llr(cases: NDArray[np.float64], expected: NDArray[np.float64], total: float) -> NDArray[np.float64]:
    """Unconditional Poisson/multinomial LLR of Kulldorff (2005); callers keep only cases > expected.

    Written once and used for both the data and the replicates so that equal (c, mu) give bit-equal LLRs.
    """
    outside = total - cases
    # (C - c) log((C - c) / (C - mu)) is 0 when every case is inside the cylinder (0 log 0 = 0).
    with np.errstate(divide="ignore", invalid="ignore"):
        outside_term = np.where(outside > 0, outside * np.log(outside / (total - expected)), 0.0)
        return np.asarray(cases * np.log(cases / expected) + outside_term, dtype=np.float64)


def _nearest_areas(coords: NDArray[np.float64], k: int) -> NDArray[np.intp]:
    """Rows z: area z itself, then its k - 1 nearest areas by centroid distance, ties broken by area index.

    A KD-tree returns 2k candidates (its own tie order is unspecified) which are re-sorted by
    (distance, index) so that the circles do not depend on tree internals.
    """
    n_areas = coords.shape[0]
    n_candidates = min(n_areas, 2 * k)
    distances, indices = cKDTree(coords).query(coords, k=n_candidates)
    distances = np.asarray(distances, dtype=np.float64).reshape(n_areas, n_candidates)
    indices = np.asarray(indices, dtype=np.intp).reshape(n_areas, n_candidates)
    own = np.arange(n_areas)[:, None]
    # The centre always comes first, even when other areas share its centroid.
    missing_self = ~np.any(indices == own, axis=1)
    indices[missing_self, -1] = np.flatnonzero(missing_self)
    distances = np.where(indices == own, -1.0, distances)
    order = np.lexsort((indices, distances), axis=1)
    return np.take_along_axis(indices, order, axis=1)[:, :k]


def _validate(
    counts: ArrayLike, coords: ArrayLike, max_neighbors: int, max_days: int, permutations: int
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    count_array = np.asarray(counts)
    if count_array.ndim != 2 or count_array.shape[0] == 0 or count_array.shape[1] == 0:
        raise ValueError(
            f"counts must be a non-empty 2-D array (areas x days), got shape {count_array.shape}"
        )
    if not (np.issubdtype(count_array.dtype, np.integer) or np.issubdtype(count_array.dtype, np.floating)):
        raise ValueError(f"counts must be numeric, got dtype {count_array.dtype}")
    if np.issubdtype(count_array.dtype, np.floating):
        bad = ~np.isfinite(count_array) | (count_array != np.round(count_array))
        if np.any(bad):
            area, day = np.argwhere(bad)[0]
            raise ValueError(
                f"counts must be whole numbers of cases, got {count_array[area, day]} "
                f"at area {area}, day {day}"
            )
    if np.any(count_array < 0):
        area, day = np.argwhere(count_array < 0)[0]
        raise ValueError(f"counts must be >= 0, got {count_array[area, day]} at area {area}, day {day}")
    coord_array = np.asarray(coords, dtype=np.float64)
    n_areas, n_days = count_array.shape
    if coord_array.shape != (n_areas, 2):
        raise ValueError(f"coords must have shape (areas, 2) = ({n_areas}, 2), got {coord_array.shape}")
    if not np.all(np.isfinite(coord_array)):
        raise ValueError(f"coords must be finite; area {np.argwhere(~np.isfinite(coord_array))[0, 0]} is not")
    for name, value, upper, what in (
        ("max_neighbors", max_neighbors, n_areas, "areas"),
        ("max_days", max_days, n_days, "days"),
    ):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= upper:
            raise ValueError(
                f"{name} must be an integer in [1, {upper}] (the number of {what}), got {value!r}"
            )
    if isinstance(permutations, bool) or not isinstance(permutations, (int, np.integer)) or permutations < 1:
        raise ValueError(f"permutations must be a positive integer, got {permutations!r}")
    return count_array.astype(np.int64, copy=False), coord_array


def _containing_circles(neighbors: NDArray[np.intp]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """For every area, the flat ids (z * K + k) of the circles that contain it, as CSR (pointer, ids).

    Area neighbors[z, j] belongs to the circles (z, k) for k = j .. K - 1.
    """
    n_areas, k_max = neighbors.shape
    member_pos, circle_k = np.triu_indices(k_max)
    members = neighbors[:, member_pos].ravel()
    circles = (np.arange(n_areas)[:, None] * k_max + circle_k[None, :]).ravel()
    order = np.argsort(members, kind="stable")
    pointer = np.zeros(n_areas + 1, dtype=np.int64)
    np.cumsum(np.bincount(members, minlength=n_areas), out=pointer[1:])
    return pointer, circles[order].astype(np.int64)


def _expand_to_circles(
    case_areas: NDArray[np.int64], pointer: NDArray[np.int64], circle_ids: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Circle ids containing each case, case after case, and how many belong to each case.

    No Python loop over cases: each incidence's position in ``circle_ids`` is its area's block start plus its
    rank within the case's run.
    """
    lengths = pointer[case_areas + 1] - pointer[case_areas]
    ends = np.cumsum(lengths)
    total = int(ends[-1]) if ends.size else 0
    index = np.repeat(pointer[case_areas] - (ends - lengths), lengths)
    index += np.arange(total)
    return circle_ids[index], lengths


def _max_llr_by_count(inside: NDArray[np.int64], expected: NDArray[np.float64], total: float) -> float:
    """max LLR(c, mu) over pairs with c > mu, evaluated once per distinct c.

    The LLR rises with c and falls with mu where c > mu, so for each count only the smallest expectation
    can give the maximum.
    """
    if inside.size == 0:
        return 0.0
    smallest = np.full(int(inside.max()) + 1, np.inf)
    np.minimum.at(smallest, inside, expected)
    count = np.arange(smallest.size, dtype=np.float64)
    excess = count > smallest
    if not np.any(excess):
        return 0.0
    return float(_llr(count[excess], smallest[excess], total).max())


class _Scanner:
    """Fixed quantities of one scan (circles, margins) and the statistic on data or on a replicate.

    Expected counts are always formed as (N_circle / C) x M_window, in that order, for the data and for the
    replicates alike, so that equal cylinders get bit-equal expectations and LLRs.
    """

    def __init__(self, counts: NDArray[np.int64], neighbors: NDArray[np.intp], max_days: int) -> None:
        self.counts = counts
        self.neighbors = neighbors
        self.n_areas, self.n_days = counts.shape
        self.k_max = neighbors.shape[1]
        self.max_days = max_days
        self.area_totals = counts.sum(axis=1)
        self.day_totals = counts.sum(axis=0)
        self.total = float(self.area_totals.sum())
        # N_circle / C for circle (z, k): share of all cases in the k + 1 nearest areas of z.
        self.circle_share = np.cumsum(self.area_totals[neighbors], axis=1) / self.total
        self.circle_share_flat = self.circle_share.ravel()
        self.day_cumulative = np.concatenate(([0], np.cumsum(self.day_totals)))
        self.pointer, self.circle_ids = _containing_circles(neighbors)
        # Prospective: the cases of the last max_days days, the last day first; offset o = o days before the
        # end, window length o + 1.
        self.recent_day_totals = self.day_totals[::-1][:max_days]
        self.recent_case_bounds = np.concatenate(([0], np.cumsum(self.recent_day_totals)))
        self.recent_window_totals = np.cumsum(self.recent_day_totals).astype(np.float64)

    def _circle_sums(self, area_values: NDArray[np.int64]) -> NDArray[np.int64]:
        """Sum over the circle (z, k) of a per-area quantity; shape (areas, K, ...)."""
        return np.cumsum(area_values[self.neighbors], axis=1)

    def prospective_all(self) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.float64]]:
        """LLR, c and mu of every prospective cylinder, each of shape (areas, K, max_days)."""
        recent = np.cumsum(self.counts[:, ::-1][:, : self.max_days], axis=1)
        observed = self._circle_sums(recent)
        expected = self.circle_share[:, :, None] * self.recent_window_totals[None, None, :]
        llr = np.zeros(observed.shape)
        excess = observed > expected
        llr[excess] = _llr(observed[excess].astype(np.float64), expected[excess], self.total)
        return llr, observed, expected

    def prospective_max(self, recent_areas: NDArray[np.int64]) -> float:
        """Largest LLR over prospective cylinders for the areas of the recent cases, last day's cases first.

        Only cylinders whose earliest day holds a case of the circle are evaluated (the maximum is always
        among them). The cases come ordered by offset, so a running count per circle, updated one day at a
        time, gives each incidence the exact c of the cylinder (circle, offset + 1) without sorting.
        """
        if recent_areas.size == 0:
            return 0.0
        circles, lengths = _expand_to_circles(recent_areas, self.pointer, self.circle_ids)
        bounds = np.concatenate(([0], np.cumsum(lengths)))[self.recent_case_bounds]
        running = np.zeros(self.n_areas * self.k_max, dtype=np.int64)
        inside = np.empty(circles.size, dtype=np.int64)
        for offset in range(self.max_days):
            first, last = bounds[offset], bounds[offset + 1]
            if first == last:
                continue
            segment = circles[first:last]
            np.add.at(running, segment, 1)
            inside[first:last] = running[segment]
        window_totals = np.repeat(self.recent_window_totals, np.diff(bounds))
        expected = self.circle_share_flat[circles] * window_totals
        return _max_llr_by_count(inside, expected, self.total)

    def _retrospective_windows(
        self, case_areas: NDArray[np.int64], case_days: NDArray[np.int64]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], Iterator[_Windows]]:
        """Tight retrospective cylinders, enumerated lag by lag.

        Every (circle, day) incidence of a case is sorted; the window from the incidence ``lag`` places
        earlier in the same circle to this one holds c = lag + 1 cases - an undercount only for copies of
        the same day, whose full count is produced too. Once a pair leaves the circle or the max_days span,
        every larger lag does too, so window ends drop out as the lag grows.

        Returns the circle and day of every sorted incidence and an iterator of (c, end indices, start
        indices, expected counts), one item per lag.
        """
        circles, lengths = _expand_to_circles(case_areas, self.pointer, self.circle_ids)
        # With a stride above n_days + max_days, keys of different circles lie more than max_days apart,
        # so one difference of keys tests "same circle and within max_days" at once.
        stride = self.n_days + self.max_days
        keys = np.sort(circles * stride + np.repeat(case_days, lengths))
        circle = keys // stride
        day = keys - circle * stride
        share = self.circle_share_flat[circle]
        cases_before = self.day_cumulative[day]
        cases_through = self.day_cumulative[day + 1]

        def windows() -> Iterator[_Windows]:
            ends = np.arange(keys.size)
            lag = 0
            while ends.size:
                ends = ends[np.searchsorted(ends, lag) :]
                starts = ends - lag
                keep = keys[ends] - keys[starts] < self.max_days
                ends, starts = ends[keep], starts[keep]
                if ends.size == 0:
                    return
                window_totals = (cases_through[ends] - cases_before[starts]).astype(np.float64)
                yield lag + 1, ends, starts, share[ends] * window_totals
                lag += 1

        return circle, day, windows()

    def retrospective_best_per_circle(
        self,
    ) -> tuple[
        NDArray[np.float64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]
    ]:
        """For each circle: best LLR, its start and end day, c and mu; arrays of shape (areas, K).

        A circle's best window is tight too, so the same enumeration as for the replicates finds it.
        """
        n_circles = self.n_areas * self.k_max
        best = np.zeros(n_circles)
        best_start = np.zeros(n_circles, dtype=np.int64)
        best_end = np.zeros(n_circles, dtype=np.int64)
        best_cases = np.zeros(n_circles, dtype=np.int64)
        best_expected = np.zeros(n_circles)
        # The actual cases, each with its own area and day.
        areas, days = np.nonzero(self.counts)
        multiplicity = self.counts[areas, days]
        case_areas = np.repeat(areas.astype(np.int64), multiplicity)
        case_days = np.repeat(days.astype(np.int64), multiplicity)
        circle, day, windows = self._retrospective_windows(case_areas, case_days)
        for inside, ends, starts, expected in windows:
            excess = inside > expected
            if not np.any(excess):
                continue
            ends, starts, expected = ends[excess], starts[excess], expected[excess]
            llr = _llr(np.full(ends.size, float(inside)), expected, self.total)
            owner = circle[ends]
            previous = best[owner]
            np.maximum.at(best, owner, llr)
            wins = np.flatnonzero((llr > previous) & (llr == best[owner]))
            if wins.size == 0:
                continue
            # Equal LLRs in one circle at one lag are equal (c, mu): keep the earliest window.
            winners, first = np.unique(owner[wins], return_index=True)
            chosen = wins[first]
            best_start[winners] = day[starts[chosen]]
            best_end[winners] = day[ends[chosen]]
            best_cases[winners] = inside
            best_expected[winners] = expected[chosen]
        shape = (self.n_areas, self.k_max)
        return (
            best.reshape(shape),
            best_start.reshape(shape),
            best_end.reshape(shape),
            best_cases.reshape(shape),
            best_expected.reshape(shape),
        )

    def retrospective_max(self, case_areas: NDArray[np.int64], case_days: NDArray[np.int64]) -> float:
        """Largest LLR over retrospective cylinders whose first and last day hold a case of the circle."""
        best = 0.0
        for inside, _, _, expected in self._retrospective_windows(case_areas, case_days)[2]:
            # Every window at one lag has the same c, so only the smallest expectation matters.
            smallest = float(expected.min())
            if inside > smallest:
                best = max(best, float(_llr(np.array([float(inside)]), np.array([smallest]), self.total)[0]))
        return best


def space_time_permutation_scan(
    counts: ArrayLike,
    coords: ArrayLike,
    *,
    max_neighbors: int,
    max_days: int,
    permutations: int = 999,
    random_state: int | np.random.Generator | None = None,
    prospective: bool = True,
    max_clusters: int = 10,
    p_value_limit: float = 1.0,
    scan_frequency_days: float = 1.0,
) -> SpaceTimeScanResult:
    """Space-time permutation scan statistic of Kulldorff et al. (2005) with Monte Carlo inference.

    Parameters
    ----------
    counts : array_like of int, shape (areas, days)
        Cases per area per day; day ``days - 1`` is the most recent.
    coords : array_like of float, shape (areas, 2)
        Area centroids in a projected (metric) coordinate system; circles are the k nearest by Euclidean
        distance, ties broken by area index.
    max_neighbors : int
        Largest circle: the centre plus ``max_neighbors - 1`` nearest areas.
    max_days : int
        Longest time window in days.
    permutations : int
        Monte Carlo replicates R; p-values are multiples of 1 / (R + 1).
    random_state : int, numpy Generator or None
        Seed or generator for the permutations.
    prospective : bool
        True (surveillance, the default): only windows ending on the last day. False: every window of up to
        ``max_days`` days inside the period (retrospective). The retrospective replicates touch every case,
        not only the recent ones, so they cost roughly days / max_days times more.
    max_clusters : int
        Report at most this many clusters (the most likely and its secondary clusters).
    p_value_limit : float
        Stop reporting clusters once their p-value exceeds this; 1 reports the top ``max_clusters``.
    scan_frequency_days : float
        How often the prospective analysis is run; the recurrence interval is scan_frequency_days / p, i.e.
        (R + 1) / rank analysis periods (Kulldorff 2001).

    Returns
    -------
    SpaceTimeScanResult
        Clusters strongest first (no two share an area) and the null distribution of the maximum LLR.

    Notes
    -----
    mu_zd = n_z m_d / C. A cylinder's LLR is c log(c / mu) + (C - c) log((C - c) / (C - mu)) when c > mu and
    0 otherwise. Each replicate randomly re-assigns the days among the cases, keeping each case's area: in
    prospective mode only the cases that land in the last ``max_days`` days matter, so a replicate draws,
    without replacement, the areas of the m_d cases of each of those days from all C cases. The p-value of a
    cluster is (1 + #{replicate maxima >= its LLR}) / (1 + R).

    References
    ----------
    Kulldorff, M., Heffernan, R., Hartman, J., Assuncao, R. & Mostashari, F. (2005). A space-time permutation
    scan statistic for disease outbreak detection. PLoS Medicine 2(3), e59.
    Kulldorff, M. (2001). Prospective time periodic geographical disease surveillance using a scan statistic.
    JRSS A 164(1), 61-72.
    Kulldorff, M. SaTScan User Guide (v10): the space-time permutation model; secondary clusters.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> counts = rng.poisson(0.2, size=(25, 30))
    >>> counts[:3, -2:] += 4
    >>> coords = np.column_stack([np.arange(25) % 5, np.arange(25) // 5]).astype(float)
    >>> result = space_time_permutation_scan(counts, coords, max_neighbors=4, max_days=5, permutations=99,
    ...                                      random_state=0)
    >>> top = result.clusters[0]
    >>> int(top.end_day), bool(top.p_value <= 0.05)
    (29, True)
    """
    count_array, coord_array = _validate(counts, coords, max_neighbors, max_days, permutations)
    if isinstance(max_clusters, bool) or not isinstance(max_clusters, (int, np.integer)) or max_clusters < 1:
        raise ValueError(f"max_clusters must be a positive integer, got {max_clusters!r}")
    if not 0 < p_value_limit <= 1:
        raise ValueError(f"p_value_limit must be in (0, 1], got {p_value_limit}")
    if not (np.isfinite(scan_frequency_days) and scan_frequency_days > 0):
        raise ValueError(f"scan_frequency_days must be a positive number, got {scan_frequency_days}")
    rng = np.random.default_rng(random_state)
    neighbors = _nearest_areas(coord_array, int(max_neighbors))
    n_areas, n_days = count_array.shape
    if not np.any(count_array):
        # No cases: no cylinder can exceed its expectation, and every replicate is the same empty data.
        return SpaceTimeScanResult(
            clusters=(),
            max_llr_null=np.zeros(int(permutations)),
            observed_max_llr=0.0,
            total_cases=0,
            permutations=int(permutations),
            max_neighbors=int(max_neighbors),
            max_days=int(max_days),
            prospective=prospective,
            scan_frequency_days=float(scan_frequency_days),
        )

    scanner = _Scanner(count_array, neighbors, int(max_days))

    # The observed statistic and, per circle, its best window.
    if prospective:
        llr_all, observed_all, expected_all = scanner.prospective_all()
        best_offset = np.argmax(llr_all, axis=2)
        pick = best_offset[:, :, None]
        best_llr = np.take_along_axis(llr_all, pick, axis=2)[:, :, 0]
        best_cases = np.take_along_axis(observed_all, pick, axis=2)[:, :, 0]
        best_expected = np.take_along_axis(expected_all, pick, axis=2)[:, :, 0]
        best_end = np.full(best_llr.shape, n_days - 1, dtype=np.int64)
        best_start = n_days - 1 - best_offset
    else:
        best_llr, best_start, best_end, best_cases, best_expected = scanner.retrospective_best_per_circle()
    observed_max = float(best_llr.max())

    # The null distribution of the maximum.
    null_max = np.zeros(int(permutations))
    case_areas = np.repeat(np.arange(n_areas, dtype=np.int64), scanner.area_totals)
    if prospective:
        n_recent = int(scanner.recent_case_bounds[-1])
        for replicate in range(int(permutations)):
            # A uniform random re-assignment of days to cases restricted to the recent days: the areas of the
            # recent cases are a random draw without replacement from all cases, in random order.
            drawn = rng.choice(case_areas, size=n_recent, replace=False)
            null_max[replicate] = scanner.prospective_max(drawn)
    else:
        case_days = np.repeat(np.arange(n_days, dtype=np.int64), scanner.day_totals)
        for replicate in range(int(permutations)):
            null_max[replicate] = scanner.retrospective_max(rng.permutation(case_areas), case_days)

    clusters = _secondary_clusters(
        neighbors,
        best_llr,
        best_start,
        best_end,
        best_cases,
        best_expected,
        null_max,
        prospective=prospective,
        max_clusters=int(max_clusters),
        p_value_limit=p_value_limit,
        scan_frequency_days=scan_frequency_days,
    )
    return SpaceTimeScanResult(
        clusters=clusters,
        max_llr_null=null_max,
        observed_max_llr=observed_max,
        total_cases=int(scanner.total),
        permutations=int(permutations),
        max_neighbors=int(max_neighbors),
        max_days=int(max_days),
        prospective=prospective,
        scan_frequency_days=float(scan_frequency_days),
    )


def _secondary_clusters(
    neighbors: NDArray[np.intp],
    best_llr: NDArray[np.float64],
    best_start: NDArray[np.int64],
    best_end: NDArray[np.int64],
    best_cases: NDArray[np.int64],
    best_expected: NDArray[np.float64],
    null_max: NDArray[np.float64],
    *,
    prospective: bool,
    max_clusters: int,
    p_value_limit: float,
    scan_frequency_days: float,
) -> tuple[SpaceTimeCluster, ...]:
    """Greedy: the best remaining circle, then drop every circle sharing an area with it (SaTScan's default
    "no geographical overlap" criterion)."""
    k_max = neighbors.shape[1]
    flat_llr = best_llr.ravel()
    available = flat_llr > 0
    taken_areas = np.zeros(neighbors.shape[0], dtype=bool)
    clusters: list[SpaceTimeCluster] = []
    while len(clusters) < max_clusters and np.any(available):
        flat = int(np.argmax(np.where(available, flat_llr, -np.inf)))
        centre, k = divmod(flat, k_max)
        llr = float(flat_llr[flat])
        exceed = int(np.count_nonzero(null_max >= llr - _TIE_TOLERANCE * max(1.0, abs(llr))))
        p_value = (1 + exceed) / (1 + null_max.size)
        if p_value > p_value_limit:
            break
        areas = neighbors[centre, : k + 1].copy()
        clusters.append(
            SpaceTimeCluster(
                areas=areas,
                start_day=int(best_start[centre, k]),
                end_day=int(best_end[centre, k]),
                observed=int(best_cases[centre, k]),
                expected=float(best_expected[centre, k]),
                llr=llr,
                p_value=p_value,
                recurrence_interval_days=scan_frequency_days / p_value if prospective else float("nan"),
            )
        )
        taken_areas[areas] = True
        overlaps = np.logical_or.accumulate(taken_areas[neighbors], axis=1)
        available &= ~overlaps.ravel()
    return tuple(clusters)

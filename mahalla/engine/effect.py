"""Effect of prevention measures: matched difference-in-differences with placebo (permutation) inference.

Question: did offences in the mahallas where a measure was taken (a safe street, a patrol plan, a roadmap)
fall more than they would have without it? The counterfactual comes from control mahallas that looked like
the treated ones before the measure:

1. **Matching**: each treated mahalla gets its ``n_controls`` nearest untreated mahallas by its pre-period
   path: the means of ``match_blocks`` consecutive blocks of the pre-period (so level, trend and a recent
   jump all count), on one common scale; with a population everything (matching, estimate, interval) is in
   rates per 100,000 residents, otherwise in counts.
   Measures go where crime was high or rising, and such mahallas regress toward the mean afterwards; controls
   with the same observed path share that regression, so it cancels instead of passing for an effect.
   Mahallas named in ``exclude`` (e.g. neighbours of treated ones, where displacement or diffusion of
   benefits would contaminate the comparison) are never controls.
2. **Estimate**: ``effect = mean_i [(post_i - pre_i) - mean_{j in C(i)} (post_j - pre_j)]``, offences per
   mahalla per period (pre and post are per-period means). The treated mahallas are usually the most extreme
   ones, so their nearest controls are less extreme; the bias-corrected matching estimator (Abadie & Imbens
   2011) moves each control's change by ``(x_i - x_j) . beta``, where ``beta`` is the least-squares slope of
   the change on the pre-period path among untreated mahallas. The counterfactual post level is
   ``pre_i + mean_{j in C(i)} (post_j - pre_j)`` averaged over the treated; the relative effect is
   ``effect / counterfactual``.
3. **Placebo inference**: the whole procedure (matching included) is repeated with the treatment reassigned to
   untreated mahallas, each treated one replaced by a random one of its ``placebo_neighbours`` nearest in
   pre-period path (so placebo sets are as unusual as the treated set and their estimates vary as much),
   which gives the estimator's distribution when nothing happened.
   The statistic is studentised, ``t = effect / se`` with ``se`` the standard error of the per-treated
   differences, because a set of high-crime mahallas varies more than placebo sets would (studentised
   permutation tests stay valid under such heterogeneity: Chung & Romano 2013).
   ``p = (1 + #{|t_placebo| >= |t|}) / (1 + R)``, two-sided. The confidence interval inverts that
   distribution under a constant additive effect: ``[effect - q_(1 - a/2) se, effect - q_(a/2) se]`` with
   ``q`` the placebo t quantiles (the relative interval divides it by the counterfactual). With a single
   treated mahalla there is no ``se`` and the raw placebo effects are used instead.

There is **no claim of an effect** unless ``p <= alpha``: the result's ``significant`` is False and its
``summary()`` says "no significant change".

A *placebo date* check (a fake start inside the pre-period, with ``post_end`` before the real start) should
find nothing; the tests do exactly that.

References
----------
Abadie, A. (2005). Semiparametric difference-in-differences estimators. Review of Economic Studies 72(1).
Abadie, A. & Imbens, G. W. (2011). Bias-corrected matching estimators for average treatment effects.
Journal of Business & Economic Statistics 29(1), 1-11.
Heckman, J., Ichimura, H. & Todd, P. (1997). Matching as an econometric evaluation estimator. Review of
Economic Studies 64(4), 605-654 (matching on pre-treatment outcomes).
Abadie, A., Diamond, A. & Hainmueller, J. (2010). Synthetic control methods for comparative case studies.
JASA 105(490), 493-505 (placebo reassignment for inference).
Chung, E. & Romano, J. P. (2013). Exact and asymptotically robust permutation tests. Annals of Statistics
41(2), 484-507.
Bertrand, M., Duflo, E. & Mullainathan, S. (2004). How much should we trust differences-in-differences
estimates? QJE 119(1), 249-275 (serial correlation: why placebo inference rather than naive standard errors).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from mahalla.engine.comparisons import check_counts


@dataclass(frozen=True)
class EffectResult:
    """Outcome of ``difference_in_differences``, in ``unit`` (offences per mahalla per period, or per 100,000
    residents per period when a population was given)."""

    effect: float
    relative_effect: float
    counterfactual: float
    treated_pre: float
    treated_post: float
    control_change: float
    p_value: float
    ci_low: float
    ci_high: float
    relative_ci_low: float
    relative_ci_high: float
    alpha: float
    significant: bool
    n_treated: int
    n_controls: int
    permutations: int
    controls: dict[Hashable, list[Hashable]] = field(repr=False)
    placebo_effects: NDArray[np.float64] = field(repr=False)
    unit: str = "offences per mahalla per period"

    def summary(self) -> str:
        """One sentence for a report; never claims an effect that is not significant."""
        level = round(100 * (1 - self.alpha))
        interval = (
            f"{self.effect:+.2f} {self.unit} ({100 * self.relative_effect:+.1f} %), "
            f"{level} % CI {self.ci_low:+.2f} to {self.ci_high:+.2f}, p={self.p_value:.3f}"
        )
        if not self.significant:
            return f"no significant change: estimate {interval}"
        direction = "fewer" if self.effect < 0 else "more"
        return f"significant: {direction} offences than matched controls, {interval}"


def _match(
    features: NDArray[np.float64], treated: NDArray[np.int64], pool: NDArray[np.int64], k: int
) -> NDArray[np.int64]:
    """Indices (into the full set) of the k nearest pool members of each treated unit."""
    distance = ((features[treated][:, None, :] - features[pool][None, :, :]) ** 2).sum(axis=2)
    nearest = (
        np.argpartition(distance, k - 1, axis=1)[:, :k] if k < pool.size else np.argsort(distance, axis=1)
    )
    return np.asarray(pool[nearest], dtype=np.int64)


def _did(
    change: NDArray[np.float64],
    features: NDArray[np.float64],
    slope: NDArray[np.float64],
    treated: NDArray[np.int64],
    matched: NDArray[np.int64],
) -> tuple[float, float]:
    """Matched DiD (controls moved to their treated unit's features, Abadie-Imbens) and its standard error
    from the spread of the per-treated differences."""
    gap = features[treated][:, None, :] - features[matched]
    adjusted = change[matched] + gap @ slope
    differences = change[treated] - adjusted.mean(axis=1)
    n = differences.size
    se = float(differences.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    return float(differences.mean()), se


def difference_in_differences(
    counts: pd.DataFrame,
    treated: Iterable[Hashable],
    treatment_start: Hashable,
    *,
    post_end: Hashable | None = None,
    pre_periods: int | None = None,
    population: pd.Series | None = None,
    exclude: Iterable[Hashable] = (),
    n_controls: int = 5,
    match_blocks: int = 4,
    placebo_neighbours: int = 20,
    bias_correction: bool = True,
    permutations: int = 999,
    alpha: float = 0.05,
    random_state: int | np.random.Generator | None = None,
) -> EffectResult:
    """Matched difference-in-differences of offence counts with a placebo permutation test.

    Parameters
    ----------
    counts : DataFrame
        Offences per mahalla (rows) and period (columns, in time order: e.g. months or weeks).
    treated : iterable
        Mahallas where the measure was taken.
    treatment_start : label
        Column of the first period under the measure.
    post_end : label, optional
        Last column of the post-period (default the last column).
    pre_periods : int, optional
        Number of periods before ``treatment_start`` used (default all, at least 2 for a trend).
    population : Series, optional
        Residents per mahalla: matching and the estimate are then in rates per 100,000 residents. On very
        sparse data (~0.3 offences a mahalla a month) small mahallas make rates so uneven that the test was
        somewhat liberal in simulation (8 % false positives at 5 % over 150 null runs, against 5 % on
        counts); prefer counts there.
    exclude : iterable
        Mahallas never used as controls (e.g. spillover neighbours of the treated).
    n_controls : int
        Controls matched to each treated mahalla (with replacement across treated). Default 5.
    match_blocks : int
        The pre-period is cut into this many consecutive blocks; their means form the pre-period path that
        matching compares (default 4: level, trend and a recent jump all count).
    placebo_neighbours : int
        Each placebo draw replaces every treated mahalla by one of its this many nearest untreated mahallas
        (default 20), so placebo sets resemble the treated set.
    bias_correction : bool
        Adjust each control's change for the gap between its pre-period path and its treated mahalla's, by
        the least-squares slope of change on path among untreated mahallas (default True).
    permutations : int
        Placebo reassignments R. Default 999.
    alpha : float
        Significance level of the test and 1 - level of the interval.
    random_state : int or Generator, optional
        Seed of the placebo draws.

    Returns
    -------
    EffectResult
        See the module docstring for the definitions.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> level = rng.gamma(4.0, 1.0, 200)
    >>> counts = pd.DataFrame(rng.poisson(np.repeat(level[:, None], 24, axis=1)), columns=range(24))
    >>> counts.iloc[:10, 12:] = rng.poisson(np.repeat(0.5 * level[:10, None], 12, axis=1))  # halved
    >>> result = difference_in_differences(counts, range(10), 12, permutations=199, random_state=1)
    >>> result.significant, round(result.relative_effect, 2)
    (True, -0.46)
    """
    if not isinstance(counts, pd.DataFrame) or counts.empty:
        raise ValueError("counts must be a non-empty DataFrame of mahallas x periods")
    if counts.index.has_duplicates:
        raise ValueError("counts lists a mahalla more than once")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    if isinstance(n_controls, bool) or not isinstance(n_controls, (int, np.integer)) or n_controls < 1:
        raise ValueError(f"n_controls must be a positive whole number, got {n_controls!r}")
    if isinstance(match_blocks, bool) or not isinstance(match_blocks, (int, np.integer)) or match_blocks < 1:
        raise ValueError(f"match_blocks must be a positive whole number, got {match_blocks!r}")
    if isinstance(permutations, bool) or not isinstance(permutations, (int, np.integer)) or permutations < 19:
        raise ValueError(f"permutations must be a whole number >= 19, got {permutations!r}")
    columns = list(counts.columns)
    if treatment_start not in columns:
        raise ValueError(f"treatment_start {treatment_start!r} is not a period (column) of counts")
    start = columns.index(treatment_start)
    end = len(columns) if post_end is None else _column_position(columns, post_end, "post_end") + 1
    if end <= start:
        raise ValueError(f"post_end {post_end!r} comes before treatment_start {treatment_start!r}")
    first = 0 if pre_periods is None else start - int(pre_periods)
    if start - first < 2 or first < 0:
        raise ValueError(f"need at least 2 and at most {start} pre-periods before {treatment_start!r}")
    values = counts.to_numpy(dtype=float)
    check_counts(values, counts.index, counts.columns)

    ids = counts.index
    treated_ids = list(dict.fromkeys(treated))
    unknown = [t for t in treated_ids if t not in ids]
    if unknown:
        raise ValueError(f"treated mahallas not in counts: {unknown[:5]}")
    if not treated_ids:
        raise ValueError("no treated mahallas given")
    treated_index = np.asarray(ids.get_indexer(pd.Index(treated_ids)), dtype=np.int64)
    excluded = set(exclude)
    treated_set = set(treated_index.tolist())
    eligible = np.array(
        [i for i, name in enumerate(ids) if name not in excluded and i not in treated_set], dtype=np.int64
    )
    if eligible.size < n_controls + treated_index.size:
        raise ValueError(
            f"only {eligible.size} mahallas can be controls; need more than "
            f"{n_controls + treated_index.size} for matching and placebo draws"
        )

    scale = np.ones(len(values))
    unit = "offences per mahalla per period"
    if population is not None:
        missing = ids.difference(population.index)
        if len(missing):
            raise ValueError(f"population is missing mahallas {list(missing[:5])}")
        pop = population.reindex(ids).to_numpy(dtype=float)
        if not np.all(pop > 0):
            raise ValueError("population must be positive for every mahalla")
        scale = 1e5 / pop
        unit = "offences per 100,000 residents per period"
    # Matching, outcome and inference all on one scale: with a population, rates per 100,000 (matching on
    # rates while differencing counts pairs mahallas whose counts vary on very different scales).
    pre = values[:, first:start] * scale[:, None]
    post = values[:, start:end] * scale[:, None]
    blocks = min(int(match_blocks), pre.shape[1])
    path = np.column_stack([block.mean(axis=1) for block in np.array_split(pre, blocks, axis=1)])
    # One common scale keeps the shape of the path (level, trend and recent jumps) in the distance.
    spread = float(path[eligible].std())
    features = path / (spread if spread > 0 else 1.0)
    change = post.mean(axis=1) - pre.mean(axis=1)

    matched = _match(features, treated_index, eligible, n_controls)
    # Bias correction for inexact matches (Abadie & Imbens 2011): how the change depends on the pre-period
    # path among untreated mahallas (regression to the mean shows up here), fitted once by least squares.
    design = np.column_stack([np.ones(eligible.size), features[eligible]])
    slope = (
        np.linalg.lstsq(design, change[eligible], rcond=None)[0][1:]
        if bias_correction
        else np.zeros(features.shape[1])
    )
    effect, se = _did(change, features, slope, treated_index, matched)
    treated_pre = float(pre[treated_index].mean())
    treated_post = float(post[treated_index].mean())
    # The (bias-corrected) change of the controls, so that treated_post = counterfactual + effect exactly.
    control_change = treated_post - treated_pre - effect
    counterfactual = treated_pre + control_change

    rng = np.random.default_rng(random_state)
    # Placebo mahallas are drawn from each treated mahalla's own neighbourhood in pre-period space: measures
    # go to unusual (high, rising) mahallas, whose counts vary more than a random mahalla's, so the null
    # distribution must come from mahallas like them or it would be too narrow.
    width = min(max(placebo_neighbours, 2), eligible.size - n_controls)
    candidates = _match(features, treated_index, eligible, width)
    placebo = np.empty(permutations)
    placebo_t = np.empty(permutations)
    for r in range(permutations):
        pseudo = _draw_placebo(candidates, eligible, rng)
        pool = np.setdiff1d(eligible, pseudo, assume_unique=True)
        placebo[r], placebo_se = _did(
            change, features, slope, pseudo, _match(features, pseudo, pool, n_controls)
        )
        placebo_t[r] = placebo[r] / placebo_se if placebo_se > 0 else 0.0
    if treated_index.size >= 2 and se > 0:
        # Studentised: the treated set's own spread scales the statistic, so a set of high-crime mahallas
        # (whose counts vary more) is not judged against the narrower spread of the placebo sets.
        t_stat = effect / se
        p_value = float((1 + np.sum(np.abs(placebo_t) >= abs(t_stat) - 1e-12)) / (1 + permutations))
        low_q, high_q = np.quantile(placebo_t, [alpha / 2, 1 - alpha / 2])
        ci_low, ci_high = effect - high_q * se, effect - low_q * se
    else:
        p_value = float((1 + np.sum(np.abs(placebo) >= abs(effect) - 1e-12)) / (1 + permutations))
        low_q, high_q = np.quantile(placebo, [alpha / 2, 1 - alpha / 2])
        ci_low, ci_high = effect - high_q, effect - low_q
    relative = effect / counterfactual if counterfactual > 0 else np.nan
    rel_low = ci_low / counterfactual if counterfactual > 0 else np.nan
    rel_high = ci_high / counterfactual if counterfactual > 0 else np.nan
    return EffectResult(
        effect=effect,
        relative_effect=float(relative),
        counterfactual=float(counterfactual),
        treated_pre=treated_pre,
        treated_post=treated_post,
        control_change=control_change,
        p_value=p_value,
        ci_low=float(ci_low),
        ci_high=float(ci_high),
        relative_ci_low=float(rel_low),
        relative_ci_high=float(rel_high),
        alpha=alpha,
        significant=p_value <= alpha,
        n_treated=int(treated_index.size),
        n_controls=int(np.unique(matched).size),
        permutations=int(permutations),
        controls={ids[t]: [ids[c] for c in row] for t, row in zip(treated_index, matched, strict=True)},
        placebo_effects=placebo,
        unit=unit,
    )


def _draw_placebo(
    candidates: NDArray[np.int64], eligible: NDArray[np.int64], rng: np.random.Generator
) -> NDArray[np.int64]:
    """One placebo unit per treated unit from its candidate row, all distinct (greedy in random order)."""
    chosen: list[int] = []
    taken: set[int] = set()
    for row in rng.permutation(candidates.shape[0]):
        options = [int(c) for c in rng.permutation(candidates[row]) if int(c) not in taken]
        if not options:
            # Every neighbour is taken (heavily overlapping neighbourhoods): fall back to any unused mahalla.
            options = [int(c) for c in rng.permutation(eligible) if int(c) not in taken]
        chosen.append(options[0])
        taken.add(options[0])
    return np.asarray(chosen, dtype=np.int64)


def _column_position(columns: Sequence[Hashable], label: Hashable, name: str) -> int:
    if label not in columns:
        raise ValueError(f"{name} {label!r} is not a period (column) of counts")
    return list(columns).index(label)

"""Spike detection: is today's (or this week's) count in a mahalla and category unusually high?

For every series (mahalla x category) the expected count of each day is

    mu_st = level_s x dow_g(weekday of t) x season_g(month of t),

a Poisson log-linear model with main effects, where the day-of-week and seasonal factors are shared by all
series of the same category ``g`` (a single mahalla has far too few offences to estimate its own weekly and
yearly cycle). It is fitted by maximum likelihood on the history *before* the test window only, by iterative
proportional fitting of the model's sufficient margins (series totals, category x weekday totals, category x
month totals), which converges to the Poisson GLM maximum likelihood estimate (Bishop, Fienberg & Holland
1975, ch. 3; the tests compare it with scikit-learn's Poisson GLM).

Two sources of extra variation are allowed for:

- **level uncertainty**: most series have only a handful of past offences, so ``level_s`` is given a Gamma
  prior across the series of its category (Marshall's method of moments), and the test uses the Gamma-Poisson
  posterior predictive distribution of the window count, a negative binomial;
- **overdispersion within a series** (several offences from one incident, reporting batches): a negative
  binomial size per category estimated by moments from the fitted history,
  ``1 / k = sum((y - mu)^2 - mu) / sum(mu^2)`` (clipped at 0, i.e. Poisson).

The window count is then tested against a negative binomial matched to the predictive mean and variance; the
upper-tail p-value ``P(X >= observed)`` is exact for that distribution (``scipy.stats.nbinom.sf``, or
``poisson.sf`` when there is no extra variation). The Benjamini-Hochberg procedure controls the false
discovery rate across every series tested at once.

Crime levels drift; ``half_life`` discounts old history exponentially (a weighted Poisson likelihood, whose
effective history is then shorter, so the predictive distribution is honestly wider).

Weekly detection sums days into 7-day blocks that end on the as-of date, so a daily run always tests the
latest complete 7 days; the weekday factor then drops out and the month of a block's last day is its season.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from mahalla.engine.comparisons import check_counts
from mahalla.engine.distributions import nbinom_sf, poisson_sf
from mahalla.engine.multiple_testing import benjamini_hochberg

_FREQUENCIES = ("D", "W")
_DISPERSIONS = ("estimate", "poisson")
_SEASONS = ("month", "week", "none")


@dataclass(frozen=True)
class SeasonalBaseline:
    """Fitted cyclic factors of each group and the level of each series (see ``fit_seasonal_baseline``)."""

    level: NDArray[np.float64]
    factors: tuple[NDArray[np.float64], ...]

    def profile(self, positions: Sequence[NDArray[np.int64]]) -> NDArray[np.float64]:
        """Product of the cyclic factors at ``positions`` (one array per factor), shape (groups, periods)."""
        if len(positions) != len(self.factors):
            raise ValueError(f"expected {len(self.factors)} position arrays, got {len(positions)}")
        n_groups = self.factors[0].shape[0] if self.factors else 1
        n_periods = len(positions[0]) if positions else 0
        out = np.ones((n_groups, n_periods))
        for factor, position in zip(self.factors, positions, strict=True):
            out *= factor[:, position]
        return out


def fit_seasonal_baseline(
    group_counts: NDArray[np.float64],
    positions: Sequence[NDArray[np.int64]],
    *,
    series_totals: NDArray[np.float64] | None = None,
    groups: NDArray[np.int64] | None = None,
    period_weights: NDArray[np.float64] | None = None,
    max_iterations: int = 500,
    tolerance: float = 1e-10,
) -> SeasonalBaseline:
    """Poisson maximum likelihood of ``mu_st = level_s x prod_c factor_c[g(s), position_c(t)]``.

    The sufficient statistics of this log-linear model are the series totals and, per group, the totals at
    each cycle position; so the cyclic factors are fitted on the group sums ``group_counts`` alone by
    iterative proportional fitting, and each series' level is its total over the group's summed profile.

    Parameters
    ----------
    group_counts : ndarray, shape (groups, periods)
        Past counts summed over the series of each group (category).
    positions : sequence of ndarray of int, each shape (periods,)
        Cycle position of each period for every cyclic factor (e.g. weekday 0..6, month 0..11).
    series_totals : ndarray, shape (series,), optional
        Past total of each series; with ``groups`` it gives the levels (otherwise each group is one series).
    groups : ndarray of int, shape (series,), optional
        Group of each series, coded 0..G-1.
    period_weights : ndarray, shape (periods,), optional
        Weight of each period in the (then weighted) Poisson likelihood, e.g. an exponential discount of old
        periods; ``series_totals`` must be weighted the same way. Default all 1.
    max_iterations, tolerance : int, float
        Iterative proportional fitting stops when no factor changes by more than ``tolerance`` (relative).

    Returns
    -------
    SeasonalBaseline
        Levels (expected count per period at the average cycle position) and factors, each normalised to
        mean 1 over its positions.

    References
    ----------
    Bishop, Y. M. M., Fienberg, S. E. & Holland, P. W. (1975). Discrete Multivariate Analysis, ch. 3
    (iterative proportional fitting converges to the maximum likelihood estimates of log-linear models).
    """
    n_groups, n_periods = np.shape(group_counts)
    weight = np.ones(n_periods) if period_weights is None else np.asarray(period_weights, dtype=float)
    if weight.shape != (n_periods,) or not np.all(weight > 0):
        raise ValueError(f"period_weights must be {n_periods} positive numbers")
    # The weighted likelihood's score equations are the unweighted ones with y and exposure times the weight.
    y = np.asarray(group_counts, dtype=float) * weight[None, :]
    one_hots = []
    observed = []
    for position in positions:
        if position.shape != (n_periods,) or position.min() < 0:
            raise ValueError("each position array must give a non-negative cycle position per period")
        one_hot = np.zeros((n_periods, int(position.max()) + 1))
        one_hot[np.arange(n_periods), position] = 1.0
        one_hots.append(one_hot)
        observed.append(y @ one_hot)
    factors = [np.ones_like(margin) for margin in observed]
    totals = y.sum(axis=1)
    for _ in range(max_iterations):
        change = 0.0
        for i, one_hot in enumerate(one_hots):
            others = np.tile(weight, (n_groups, 1))
            for j, (factor, position) in enumerate(zip(factors, positions, strict=True)):
                if j != i:
                    others *= factor[:, position]
            exposure = others @ one_hot  # days at each position, weighted by the other factors
            current = factors[i][:, positions[i]] * others
            group_level = totals / np.maximum(current.sum(axis=1), 1e-300)
            fitted = group_level[:, None] * exposure
            updated = np.divide(observed[i], fitted, out=np.zeros_like(fitted), where=fitted > 0)
            # A position never seen in the history keeps factor 1 (no information either way).
            updated[exposure == 0] = 1.0
            change = max(change, float(np.max(np.abs(updated - factors[i]) / np.maximum(factors[i], 1e-12))))
            factors[i] = updated
        if change < tolerance:
            break
    for i, factor in enumerate(factors):
        scale = factor.mean(axis=1, keepdims=True)
        factors[i] = factor / np.where(scale > 0, scale, 1.0)
    baseline = SeasonalBaseline(level=np.zeros(0), factors=tuple(factors))
    shape = baseline.profile(list(positions)) if positions else np.ones((n_groups, n_periods))
    profile_sum = (shape * weight[None, :]).sum(axis=1)
    if series_totals is None or groups is None:
        level = totals / np.maximum(profile_sum, 1e-300)
    else:
        level = np.asarray(series_totals, dtype=float) / np.maximum(profile_sum[groups], 1e-300)
    return SeasonalBaseline(level=level, factors=tuple(factors))


def _validated_days(counts: pd.DataFrame) -> pd.DatetimeIndex:
    if not isinstance(counts, pd.DataFrame) or not isinstance(counts.columns, pd.DatetimeIndex):
        raise ValueError("counts must be a DataFrame of series x days with a DatetimeIndex as columns")
    days = counts.columns
    if len(days) < 2 or days.has_duplicates or not days.is_monotonic_increasing:
        raise ValueError("the day columns of counts must be increasing, unique and at least two")
    if not (np.diff(days.to_numpy()) == np.timedelta64(1, "D")).all():
        raise ValueError("the day columns of counts must be contiguous calendar days")
    return days


def _periods(block: NDArray[np.float64], period_days: int) -> NDArray[np.float64]:
    """Sum days into consecutive periods (the block starts on a period boundary)."""
    if period_days == 1:
        return np.asarray(block, dtype=np.float64)
    n = block.shape[1] // period_days
    return np.asarray(block[:, : n * period_days].reshape(block.shape[0], n, period_days).sum(axis=2))


def detect_spikes(
    counts: pd.DataFrame,
    as_of: dt.date | str | pd.Timestamp,
    *,
    frequency: str = "D",
    window: int = 1,
    history: int | None = None,
    alpha: float = 0.05,
    dispersion: str = "estimate",
    level_uncertainty: bool = True,
    season: str = "month",
    category_level: str | int | None = "category",
    half_life: float | None = None,
    chunk_rows: int = 8192,
) -> pd.DataFrame:
    """Test every series for a spike in its latest window and control the FDR across all of them.

    Parameters
    ----------
    counts : DataFrame
        Daily counts, one row per series (e.g. a MultiIndex of mahalla x category), contiguous daily
        ``DatetimeIndex`` columns. Days after ``as_of`` are ignored. A small integer dtype keeps a nation's
        three years (63,000 series x 1,096 days) in memory; rows are processed in chunks.
    as_of : date
        Last day of the test window.
    frequency : {"D", "W"}
        Test days, or 7-day blocks ending on ``as_of``.
    window : int
        Number of periods (days or weeks) in the test window. Default 1.
    history : int, optional
        Number of periods before the window used to fit the baseline; default all available, at most 730 days
        or 104 weeks (older history mostly adds drift).
    alpha : float
        False discovery rate (Benjamini-Hochberg across all series).
    dispersion : {"estimate", "poisson"}
        Estimate a negative binomial size per category from the history, or assume Poisson days.
    level_uncertainty : bool
        Use the Gamma-Poisson posterior predictive for each series' level (default) or its point estimate.
    season : {"month", "week", "none"}
        Seasonal factor: month of the year (default), ISO week of the year (53 factors per category: needs
        a long, busy history), or none.
    category_level : str or int or None
        Index level naming the category whose series share cyclic factors; None (or an absent level) pools
        all series.
    half_life : float, optional
        Discount the history exponentially with this half-life in periods (e.g. 180 days), so the baseline
        follows a drifting level; the Gamma prior and the dispersion then use the discounted counts, which
        also widens the predictive distribution (less effective history). Default None: all history alike.
    chunk_rows : int
        Rows converted to floating point at a time.

    Returns
    -------
    DataFrame
        Index = the series, with ``window_start``, ``window_end``, ``observed``, ``expected``, ``nb_size``
        (inf = Poisson), ``ratio``, ``p_value`` (exact upper tail of that distribution), ``q_value`` and
        ``spike`` (q <= alpha).

    References
    ----------
    Farrington, C. P., Andrews, N. J., Beale, A. D. & Catchpole, M. A. (1996). A statistical algorithm for
    the early detection of outbreaks of infectious disease. JRSS A 159(3), 547-563 (baseline from past
    periods excluding the current one, upper-tail exceedance).
    Noufaily, A. et al. (2013). An improved algorithm for outbreak detection in multiple surveillance systems.
    Statistics in Medicine 32(7), 1206-1222 (negative binomial baseline with estimated dispersion).
    Benjamini, Y. & Hochberg, Y. (1995). JRSS B 57(1), 289-300.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> days = pd.date_range("2024-01-01", "2025-06-30")
    >>> ids = [f"m{i}" for i in range(20)]
    >>> counts = pd.DataFrame(rng.poisson(2.0, (20, days.size)), index=ids, columns=days)
    >>> counts.iloc[3, -1] = 15
    >>> result = detect_spikes(counts, "2025-06-30")
    >>> result.index[result["spike"]].tolist()
    ['m3']
    """
    if frequency not in _FREQUENCIES:
        raise ValueError(f"frequency must be one of {_FREQUENCIES}, got {frequency!r}")
    if dispersion not in _DISPERSIONS:
        raise ValueError(f"dispersion must be one of {_DISPERSIONS}, got {dispersion!r}")
    if season not in _SEASONS:
        raise ValueError(f"season must be one of {_SEASONS}, got {season!r}")
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 1:
        raise ValueError(f"window must be a positive whole number of periods, got {window!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    if len(counts) == 0:
        raise ValueError("counts has no series")
    if half_life is not None and not (np.isfinite(half_life) and half_life > 0):
        raise ValueError(f"half_life must be a positive number of periods, got {half_life!r}")
    days = _validated_days(counts)
    try:
        end = pd.Timestamp(as_of).normalize()
    except (TypeError, ValueError) as error:
        raise ValueError(f"as_of must be a date, got {as_of!r}") from error
    if not days[0] <= end <= days[-1]:
        raise ValueError(
            f"as_of {end.date()} lies outside the days of counts {days[0].date()}..{days[-1].date()}"
        )
    last = int(days.searchsorted(end)) + 1

    period_days = 7 if frequency == "W" else 1
    n_periods = last // period_days
    cap = 730 if frequency == "D" else 104
    available = n_periods - window
    if available < 2:
        raise ValueError(f"counts must cover more than the test window ({window} periods) to fit a baseline")
    n_history = min(available, cap) if history is None else int(history)
    if not 2 <= n_history <= available:
        raise ValueError(f"history must be between 2 and {available} periods, got {history!r}")
    first_day = last - (n_history + window) * period_days  # column of the first day used
    period_end = days[first_day + period_days - 1 : last : period_days]
    train = slice(0, n_history)
    test = slice(n_history, n_history + window)
    age = np.arange(n_history - 1, -1, -1, dtype=float)
    weight = np.ones(n_history) if half_life is None else 0.5 ** (age / float(half_life))

    if isinstance(category_level, str) and category_level in (counts.index.names or []):
        labels = counts.index.get_level_values(category_level)
    elif isinstance(category_level, int) and counts.index.nlevels > category_level:
        labels = counts.index.get_level_values(category_level)
    else:
        labels = pd.Index(np.zeros(len(counts), dtype=np.int64))
    groups = np.asarray(pd.factorize(labels)[0], dtype=np.int64)
    n_groups = int(groups.max()) + 1

    raw = counts.to_numpy()
    n_series = raw.shape[0]
    group_counts = np.zeros((n_groups, n_history))
    totals = np.empty(n_series)
    observed = np.empty(n_series)
    for start in range(0, n_series, chunk_rows):
        rows = slice(start, min(start + chunk_rows, n_series))
        daily = np.asarray(raw[rows, first_day:last], dtype=float)
        check_counts(daily, counts.index, counts.columns[first_day:last], row_offset=start)
        block = _periods(daily, period_days)
        # Per category, the sum of its rows (np.add.at over rows took half the step at nation scale); counts
        # are whole numbers (the platform's always are), so the sums are exact in any order; fractional counts
        # may differ from the row-by-row sums in the last bit.
        trained = block[:, train]
        chunk_groups = groups[rows]
        for group in np.unique(chunk_groups):
            group_counts[group] += trained[chunk_groups == group].sum(axis=0)
        totals[rows] = block[:, train] @ weight
        observed[rows] = block[:, test].sum(axis=1)

    positions: list[NDArray[np.int64]] = []
    if period_days == 1:
        positions.append(np.asarray(period_end.day_of_week, dtype=np.int64))
    if season == "month":
        positions.append(np.asarray(period_end.month - 1, dtype=np.int64))
    elif season == "week":
        positions.append(np.asarray(period_end.isocalendar().week.to_numpy() - 1, dtype=np.int64))
    train_positions = [p[train] for p in positions]
    baseline = fit_seasonal_baseline(
        group_counts, train_positions, series_totals=totals, groups=groups, period_weights=weight
    )
    if positions:
        # Positions of the test window unseen in the history (e.g. a month) get factor 1.
        full = SeasonalBaseline(
            level=baseline.level,
            factors=tuple(
                np.pad(f, ((0, 0), (0, max(0, int(p.max()) + 1 - f.shape[1]))), constant_values=1.0)
                for f, p in zip(baseline.factors, positions, strict=True)
            ),
        )
        profile = full.profile(positions)
    else:
        profile = np.ones((n_groups, n_history + window))
    level = baseline.level
    exposure = (profile[:, train] * weight[None, :]).sum(axis=1)[groups]

    # Gamma prior on the levels of each category (Marshall's moments with the history as exposure).
    shape = np.full(n_series, np.inf)
    posterior_level = level.copy()
    if level_uncertainty:
        for g in range(n_groups):
            members = groups == g
            mean = totals[members].sum() / exposure[members].sum()
            variance = (exposure[members] * (level[members] - mean) ** 2).sum() / exposure[members].sum()
            variance -= mean / exposure[members].mean()
            if mean > 0 and variance > 0:
                shape[members] = mean**2 / variance + totals[members]
                posterior_level[members] = shape[members] / (mean / variance + exposure[members])
            else:
                # No spread of levels beyond Poisson noise: every series of the category has the mean level.
                posterior_level[members] = mean

    inverse_size = np.zeros(n_groups)
    if dispersion == "estimate":
        # sum (y - mu)^2 - mu over the history, expanded so no series x period matrix of mu is built.
        squares = np.zeros(n_groups)
        cross = np.zeros(n_groups)
        for start in range(0, n_series, chunk_rows):
            rows = slice(start, min(start + chunk_rows, n_series))
            block = _periods(np.asarray(raw[rows, first_day:last], dtype=float), period_days)[:, train]
            chunk_groups = groups[rows]
            np.add.at(squares, chunk_groups, block**2 @ weight)
            np.add.at(
                cross,
                chunk_groups,
                level[rows] * np.einsum("ij,ij->i", block * weight[None, :], profile[chunk_groups][:, train]),
            )
        mu_squares = np.bincount(groups, weights=level**2, minlength=n_groups) * (
            profile[:, train] ** 2 * weight[None, :]
        ).sum(axis=1)
        mu_sum = np.bincount(groups, weights=totals, minlength=n_groups)
        numerator = squares - 2.0 * cross + mu_squares - mu_sum
        inverse_size = np.where(
            mu_squares > 0, np.maximum(numerator, 0.0) / np.maximum(mu_squares, 1e-300), 0.0
        )

    window_profile = profile[:, test]
    expected = posterior_level * window_profile.sum(axis=1)[groups]
    variance = expected.copy()
    finite = np.isfinite(shape)
    variance[finite] += expected[finite] ** 2 / shape[finite]
    variance += inverse_size[groups] * posterior_level**2 * (window_profile**2).sum(axis=1)[groups]
    extra = variance - expected
    with np.errstate(divide="ignore", invalid="ignore"):
        nb_size = np.where(extra > 1e-12 * np.maximum(expected, 1.0), expected**2 / extra, np.inf)
    p_value = tail_p_values(observed, expected, nb_size)
    spike, q_value = benjamini_hochberg(p_value, alpha=alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected > 0, observed / expected, np.where(observed > 0, np.inf, np.nan))
    window_start = (period_end[test.start] - pd.Timedelta(days=period_days - 1)).date()
    return pd.DataFrame(
        {
            "window_start": window_start,
            "window_end": period_end[-1].date(),
            "observed": observed.astype(np.int64),
            "expected": expected,
            "nb_size": nb_size,
            "ratio": ratio,
            "p_value": p_value,
            "q_value": q_value,
            "spike": spike,
        },
        index=counts.index,
    )


def tail_p_values(
    observed: NDArray[np.float64], expected: NDArray[np.float64], nb_size: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Exact ``P(X >= observed)`` for Poisson (``nb_size`` inf) or negative binomial(mean, size) counts."""
    observed = np.asarray(observed, dtype=float)
    expected = np.asarray(expected, dtype=float)
    nb_size = np.asarray(nb_size, dtype=float)
    p = np.ones_like(expected)
    positive = expected > 0
    poisson = positive & ~np.isfinite(nb_size)
    negative_binomial = positive & np.isfinite(nb_size)
    p[poisson] = poisson_sf(observed[poisson] - 1, expected[poisson])
    size = nb_size[negative_binomial]
    p[negative_binomial] = nbinom_sf(
        observed[negative_binomial] - 1, size, size / (size + expected[negative_binomial])
    )
    # With nothing expected, any event is infinitely surprising and no event is no evidence.
    p[~positive] = np.where(observed[~positive] > 0, 0.0, 1.0)
    return p

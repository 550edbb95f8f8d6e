import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.linear_model import PoissonRegressor

from mahalla.engine.spikes import detect_spikes, fit_seasonal_baseline, tail_p_values

CATEGORIES = ["theft", "drugs", "violent"]
# Weekday (Monday first) and month profiles that differ by category, as real offences do.
WEEKDAY = np.array(
    [
        [1.0, 1.0, 1.0, 1.1, 1.3, 1.4, 0.9],
        [1.0, 1.0, 1.0, 1.0, 1.2, 1.5, 1.2],
        [0.8, 0.9, 1.0, 1.0, 1.2, 1.5, 1.6],
    ]
)
MONTH = 1 + 0.3 * np.sin(2 * np.pi * (np.arange(12) - 3) / 12)[None, :] * np.array([[1.0], [0.5], [1.2]])


def simulate(rng, *, areas=100, days=800, size=None, end="2025-06-30"):
    """Daily counts per mahalla x category: level x weekday x month, Poisson or gamma-mixed (NB) days."""
    index = pd.MultiIndex.from_product(
        [[f"M{i}" for i in range(areas)], CATEGORIES], names=["mahalla", "category"]
    )
    dates = pd.date_range(end=end, periods=days, freq="D")
    group = np.tile(np.arange(len(CATEGORIES)), areas)
    level = rng.gamma(2.0, 0.5, len(index))
    mu = level[:, None] * WEEKDAY[group][:, dates.day_of_week] * MONTH[group][:, dates.month - 1]
    if size is not None:
        mu = mu * rng.gamma(size, 1 / size, mu.shape)
    return pd.DataFrame(rng.poisson(mu).astype(np.int16), index=index, columns=dates), mu


def test_baseline_is_the_poisson_glm_maximum_likelihood_fit_of_scikit_learn():
    rng = np.random.default_rng(1)
    counts, _ = simulate(rng, areas=2, days=400)
    theft = counts.xs("theft", level="category").to_numpy(dtype=float)  # 2 series, one category
    dates = counts.columns
    weekday, month = np.asarray(dates.day_of_week), np.asarray(dates.month - 1)
    baseline = fit_seasonal_baseline(
        theft.sum(axis=0, keepdims=True),
        [weekday, month],
        series_totals=theft.sum(axis=1),
        groups=np.zeros(2, dtype=np.int64),
    )
    ours = baseline.level[:, None] * baseline.profile([weekday, month])[0][None, :]
    # The same log-linear model as a GLM: series dummies + weekday and month dummies (first level dropped).
    series = np.repeat(np.arange(2), len(dates))
    design = np.hstack(
        [
            np.eye(2)[series],
            np.eye(7)[np.tile(weekday, 2)][:, 1:],
            np.eye(12)[np.tile(month, 2)][:, 1:],
        ]
    )
    glm = PoissonRegressor(alpha=0.0, fit_intercept=False, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    glm.fit(design, theft.reshape(-1))
    np.testing.assert_allclose(ours.reshape(-1), glm.predict(design), rtol=1e-6)


def test_discounted_baseline_is_scikit_learns_weighted_poisson_glm():
    rng = np.random.default_rng(13)
    counts, _ = simulate(rng, areas=2, days=400)  # every month present, so the GLM design has full rank
    theft = counts.xs("theft", level="category").to_numpy(dtype=float)
    dates = counts.columns
    weekday, month = np.asarray(dates.day_of_week), np.asarray(dates.month - 1)
    weight = 0.5 ** (np.arange(len(dates))[::-1] / 60.0)
    baseline = fit_seasonal_baseline(
        theft.sum(axis=0, keepdims=True),
        [weekday, month],
        series_totals=theft @ weight,
        groups=np.zeros(2, dtype=np.int64),
        period_weights=weight,
    )
    ours = baseline.level[:, None] * baseline.profile([weekday, month])[0][None, :]
    series = np.repeat(np.arange(2), len(dates))
    design = np.hstack(
        [np.eye(2)[series], np.eye(7)[np.tile(weekday, 2)][:, 1:], np.eye(12)[np.tile(month, 2)][:, 1:]]
    )
    glm = PoissonRegressor(alpha=0.0, fit_intercept=False, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    glm.fit(design, theft.reshape(-1), sample_weight=np.tile(weight, 2))
    np.testing.assert_allclose(ours.reshape(-1), glm.predict(design), rtol=1e-6)


def test_a_discounted_history_keeps_up_with_a_rising_level_and_finds_more_planted_spikes():
    # Offences double every year; 20 mahallas get 14 extra offences in the last week. The flat two-year
    # baseline expects too little and, having to explain the trend as noise, too much variance: it misses
    # most spikes. A half-life of 8 weeks follows the level.
    rng = np.random.default_rng(14)
    dates = pd.date_range("2023-07-01", "2025-06-29", freq="D")
    growth = 2.0 ** (np.arange(dates.size) / 365)
    values = rng.poisson(rng.gamma(4.0, 0.25, 300)[:, None] * growth[None, :])
    planted = rng.choice(300, size=20, replace=False)
    quiet_week = values[:, -7:].sum()
    values[planted, -7:] += 2
    counts = pd.DataFrame(values, index=[f"M{i}" for i in range(300)], columns=dates)
    truth = np.zeros(300, dtype=bool)
    truth[planted] = True
    flat = detect_spikes(counts, dates[-1], frequency="W")["spike"].to_numpy()
    discounted = detect_spikes(counts, dates[-1], frequency="W", half_life=8)
    found = discounted["spike"].to_numpy()
    assert (found & truth).sum() >= 2 * max((flat & truth).sum(), 1)
    assert (found & ~truth).sum() <= 3
    assert discounted["expected"].sum() == pytest.approx(quiet_week, rel=0.1)


def test_categories_get_their_own_cycles():
    rng = np.random.default_rng(2)
    counts, _ = simulate(rng, areas=150, days=730)
    dates = counts.columns
    group = pd.factorize(counts.index.get_level_values("category"))[0]
    values = counts.to_numpy(dtype=float)
    sums = np.vstack([values[group == g].sum(axis=0) for g in range(3)])
    baseline = fit_seasonal_baseline(sums, [np.asarray(dates.day_of_week), np.asarray(dates.month - 1)])
    weekday = baseline.factors[0]
    truth = WEEKDAY / WEEKDAY.mean(axis=1, keepdims=True)
    np.testing.assert_allclose(weekday, truth, atol=0.05)


def test_a_planted_spike_is_found_and_quiet_series_are_not():
    rng = np.random.default_rng(3)
    counts, mu = simulate(rng)
    target = ("M17", "drugs")
    row = counts.index.get_loc(target)
    counts.iloc[row, -1] = int(mu[row, -1]) + 12
    result = detect_spikes(counts, counts.columns[-1])
    assert bool(result.loc[target, "spike"])
    assert result["spike"].sum() <= 2
    assert result.loc[target, "window_start"] == counts.columns[-1].date()


def test_a_planted_week_long_rise_is_found_by_the_weekly_test():
    rng = np.random.default_rng(4)
    counts, mu = simulate(rng)
    target = ("M5", "theft")
    row = counts.index.get_loc(target)
    counts.iloc[row, -7:] += 3  # +21 over the week, about 3 a day on top of ~1
    weekly = detect_spikes(counts, counts.columns[-1], frequency="W")
    assert bool(weekly.loc[target, "spike"])
    assert weekly.loc[target, "window_start"] == counts.columns[-7].date()
    assert weekly["spike"].sum() <= 2


def test_a_week_of_year_season_follows_a_holiday_peak_that_months_smooth_over():
    # One busy ISO week a year (a holiday): the week-of-year baseline expects it, the monthly one does not.
    rng = np.random.default_rng(12)
    dates = pd.date_range("2022-07-04", "2025-06-29", freq="D")
    busy = np.asarray(dates.isocalendar().week == 26)
    mu = np.where(busy, 6.0, 1.0)[None, :] * rng.gamma(4.0, 0.5, 60)[:, None]
    counts = pd.DataFrame(rng.poisson(mu), index=[f"M{i}" for i in range(60)], columns=dates)
    weekly_season = detect_spikes(counts, dates[-1], frequency="W", season="week")
    monthly_season = detect_spikes(counts, dates[-1], frequency="W", season="month")
    assert weekly_season["spike"].sum() <= 3
    assert monthly_season["spike"].sum() > 30
    assert weekly_season["expected"].mean() > 3 * monthly_season["expected"].mean()


def test_days_after_the_as_of_date_are_never_used():
    rng = np.random.default_rng(5)
    counts, _ = simulate(rng, areas=20)
    as_of = counts.columns[-10]
    before = detect_spikes(counts, as_of)
    counts.iloc[:, -9:] = 50  # a flood after as_of must change nothing
    after = detect_spikes(counts, as_of)
    pd.testing.assert_frame_equal(before, after)


def test_p_values_are_exact_poisson_and_negative_binomial_upper_tails():
    rng = np.random.default_rng(6)
    counts, _ = simulate(rng, areas=30, size=3.0)
    result = detect_spikes(counts, counts.columns[-1], window=3)
    size = result["nb_size"].to_numpy()
    assert np.isfinite(size).all()
    expected = stats.nbinom.sf(result["observed"] - 1, size, size / (size + result["expected"]))
    np.testing.assert_allclose(result["p_value"], expected, rtol=1e-10)
    plain = detect_spikes(counts, counts.columns[-1], dispersion="poisson", level_uncertainty=False)
    assert np.isinf(plain["nb_size"]).all()
    np.testing.assert_allclose(
        plain["p_value"], stats.poisson.sf(plain["observed"] - 1, plain["expected"]), rtol=1e-10
    )


def test_tail_p_value_of_an_event_where_nothing_was_expected_is_zero():
    p = tail_p_values(
        np.array([0.0, 2.0, 3.0]), np.array([0.0, 0.0, 1.5]), np.array([np.inf, np.inf, np.inf])
    )
    assert p[0] == 1.0 and p[1] == 0.0
    assert p[2] == pytest.approx(1 - stats.poisson.cdf(2, 1.5))


def test_without_spikes_discoveries_are_rare_when_dispersion_is_estimated():
    # Family-wise: with no true spike, BH at 5 % gives a discovery in about 5 % of runs if p-values are valid.
    # On overdispersed days, assuming Poisson instead breaks that badly: the check has teeth.
    rng = np.random.default_rng(7)
    runs = 60
    estimated = plain = 0
    for _ in range(runs):
        counts, _ = simulate(rng, size=3.0)
        estimated += bool(detect_spikes(counts, counts.columns[-1])["spike"].any())
        plain += bool(
            detect_spikes(counts, counts.columns[-1], dispersion="poisson", level_uncertainty=False)[
                "spike"
            ].any()
        )
    assert estimated / runs <= 0.12  # nominal 0.05; binomial slack for 60 runs
    assert plain / runs >= 0.2


def test_false_discovery_proportion_stays_near_alpha_with_true_spikes_present():
    rng = np.random.default_rng(8)
    proportions, found = [], []
    for _ in range(40):
        counts, mu = simulate(rng, size=3.0)
        planted = rng.choice(len(counts), size=15, replace=False)
        values = counts.to_numpy().copy()
        values[planted, -1] += rng.integers(8, 15, size=15).astype(np.int16)
        counts = pd.DataFrame(values, index=counts.index, columns=counts.columns)
        spike = detect_spikes(counts, counts.columns[-1])["spike"].to_numpy()
        truth = np.zeros(len(counts), dtype=bool)
        truth[planted] = True
        proportions.append((spike & ~truth).sum() / max(spike.sum(), 1))
        found.append((spike & truth).sum() / truth.sum())
    # BH controls the expected false discovery proportion at alpha * m0 / m <= 0.05.
    assert np.mean(proportions) <= 0.07
    assert np.mean(found) > 0.7


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"frequency": "M"}, "frequency must be one of"),
        ({"window": 0}, "window must be a positive whole number"),
        ({"alpha": 2.0}, "alpha must be in"),
        ({"history": 5000}, "history must be between"),
    ],
)
def test_bad_settings_are_refused_by_name(kwargs, message):
    counts, _ = simulate(np.random.default_rng(9), areas=3, days=60)
    with pytest.raises(ValueError, match=message):
        detect_spikes(counts, counts.columns[-1], **kwargs)


def test_an_as_of_date_outside_the_data_is_refused():
    counts, _ = simulate(np.random.default_rng(10), areas=3, days=60)
    with pytest.raises(ValueError, match="lies outside the days"):
        detect_spikes(counts, "2030-01-01")


def test_a_negative_count_is_refused_naming_its_series_and_day():
    counts, _ = simulate(np.random.default_rng(11), areas=3, days=60)
    counts.iloc[4, 10] = -2
    with pytest.raises(ValueError, match=r"row \('M1', 'drugs'\), column Timestamp\('2025-05-12"):
        detect_spikes(counts, counts.columns[-1])

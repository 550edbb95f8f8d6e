import numpy as np
import pandas as pd
import pytest

from mahalla.engine.effect import difference_in_differences

MONTHS = pd.period_range("2024-01", periods=24, freq="M")
START = pd.Period("2025-01", freq="M")


def simulate(rng, *, areas=300, treated=20, reduction=0.0):
    """Monthly offences: area level x common seasonality x an area trend; treated areas lose ``reduction``
    of their offences from 2025-01 on. Returns counts, treated ids and the true absolute effect."""
    ids = [f"M{i:03d}" for i in range(areas)]
    level = rng.gamma(3.0, 1.0, areas)
    trend = rng.normal(0.0, 0.01, areas)
    season = 1 + 0.2 * np.sin(2 * np.pi * np.arange(24) / 12)
    mu = level[:, None] * season[None, :] * np.exp(trend[:, None] * np.arange(24)[None, :])
    chosen = rng.choice(areas, size=treated, replace=False)
    post = np.arange(24) >= 12
    true_effect = -reduction * mu[np.ix_(chosen, post)].mean()
    mu[np.ix_(chosen, post)] *= 1 - reduction
    counts = pd.DataFrame(rng.poisson(mu), index=ids, columns=MONTHS)
    return counts, [ids[i] for i in chosen], true_effect


def test_a_planted_reduction_is_recovered_within_its_confidence_interval():
    rng = np.random.default_rng(1)
    counts, treated, true_effect = simulate(rng, reduction=0.3)
    result = difference_in_differences(counts, treated, START, permutations=499, random_state=2)
    assert result.significant and result.p_value < 0.01
    assert result.ci_low <= true_effect <= result.ci_high
    assert result.relative_ci_low <= -0.3 <= result.relative_ci_high
    assert result.effect < 0
    assert result.counterfactual + result.effect == pytest.approx(result.treated_post)
    assert result.relative_effect == pytest.approx(result.effect / result.counterfactual)
    assert result.summary().startswith("significant: fewer offences")


def test_confidence_intervals_cover_a_planted_effect_at_their_nominal_rate():
    rng = np.random.default_rng(20)
    absolute, relative = [], []
    for run in range(80):
        counts, treated, true_effect = simulate(rng, areas=200, treated=15, reduction=0.3)
        result = difference_in_differences(counts, treated, START, permutations=199, random_state=run)
        absolute.append(result.ci_low <= true_effect <= result.ci_high)
        relative.append(result.relative_ci_low <= -0.3 <= result.relative_ci_high)
    # Nominal 95 %; Binomial(80, 0.95) falls below 0.87 with probability under 0.1 %.
    assert np.mean(absolute) >= 0.87
    assert np.mean(relative) >= 0.87


def test_a_placebo_date_before_the_measure_shows_no_effect():
    rng = np.random.default_rng(3)
    counts, treated, _ = simulate(rng, reduction=0.3)
    fake = pd.Period("2024-07", freq="M")
    result = difference_in_differences(
        counts, treated, fake, post_end=pd.Period("2024-12", freq="M"), permutations=499, random_state=4
    )
    assert not result.significant
    assert result.ci_low <= 0 <= result.ci_high
    assert result.summary().startswith("no significant change")


def test_p_values_are_uniform_on_null_data_so_false_positives_stay_at_the_nominal_rate():
    rng = np.random.default_rng(5)
    p_values = np.array(
        [
            difference_in_differences(
                *simulate(rng, areas=150, treated=10)[:2], START, permutations=99, random_state=r
            ).p_value
            for r in range(150)
        ]
    )
    false_positive_rate = np.mean(p_values <= 0.05)
    # Binomial(150, 0.05): 99 % of runs fall within 2-14 false positives.
    assert 0.01 <= false_positive_rate <= 0.1
    assert abs(np.mean(p_values) - 0.5) < 0.06
    # Kolmogorov-Smirnov distance to the uniform law (critical value ~0.13 at 150 draws and 1 %).
    grid = np.sort(p_values)
    assert np.max(np.abs(grid - np.arange(1, grid.size + 1) / grid.size)) < 0.13


def test_measures_sent_where_last_quarter_was_worst_are_not_credited_with_regression_to_the_mean():
    # Measures go to the mahallas with the most offences last quarter; with no effect at all, those counts
    # fall back anyway. A before/after look (post vs last quarter) "finds" a large fall every time; the
    # matched, studentised DiD claims an effect at about its nominal 5 % rate only.
    rng = np.random.default_rng(6)
    runs, claimed, before_after = 50, 0, []
    for run in range(runs):
        ids = [f"M{i:03d}" for i in range(200)]
        level = rng.gamma(4.0, 1.0, 200)
        mu = level[:, None] * np.exp(rng.normal(0.0, 0.25, (200, 24)))  # month-to-month area shocks
        counts = pd.DataFrame(rng.poisson(mu), index=ids, columns=MONTHS)
        worst = np.argsort(counts.iloc[:, 9:12].sum(axis=1).to_numpy())[-10:]
        treated = [ids[i] for i in worst]
        result = difference_in_differences(counts, treated, START, permutations=99, random_state=run)
        claimed += result.significant
        chosen = counts.loc[treated].to_numpy(dtype=float)
        before_after.append(chosen[:, 12:].mean() - chosen[:, 9:12].mean())
    assert claimed / runs <= 0.14  # nominal 0.05; binomial slack for 50 runs
    assert np.mean(before_after) < -1.0  # the naive fall, about -2 offences a month per mahalla


def test_spillover_neighbours_are_never_controls():
    rng = np.random.default_rng(8)
    counts, treated, _ = simulate(rng)
    neighbours = [name for name in counts.index if name not in treated][:100]
    result = difference_in_differences(
        counts, treated, START, exclude=neighbours, permutations=49, random_state=1
    )
    used = {c for controls in result.controls.values() for c in controls}
    assert used.isdisjoint(neighbours) and used.isdisjoint(treated)
    assert all(len(controls) == 5 for controls in result.controls.values())


def test_with_a_population_controls_are_matched_on_rates_not_counts():
    # Treated: 2,000 residents, ~10 offences a month (500 per 100,000). Group "same_count" has the same
    # counts but 10,000 residents (100 per 100,000); group "same_rate" has 10,000 residents and ~50 a month.
    rng = np.random.default_rng(13)
    rows = {"treated": (2000, 10.0)}
    rows |= {f"same_count{i}": (10_000, 10.0) for i in range(30)}
    rows |= {f"same_rate{i}": (10_000, 50.0) for i in range(30)}
    counts = pd.DataFrame({name: rng.poisson(level, 24) for name, (_, level) in rows.items()}, index=MONTHS).T
    population = pd.Series({name: float(pop) for name, (pop, _) in rows.items()})
    by_rate = difference_in_differences(
        counts, ["treated"], START, population=population, permutations=19, random_state=1
    )
    by_count = difference_in_differences(counts, ["treated"], START, permutations=19, random_state=1)
    assert all(name.startswith("same_rate") for name in by_rate.controls["treated"])
    assert all(name.startswith("same_count") for name in by_count.controls["treated"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"treated": ["nowhere"]}, r"treated mahallas not in counts: \['nowhere'\]"),
        ({"treatment_start": pd.Period("2030-01", freq="M")}, "treatment_start .* is not a period"),
        ({"treatment_start": MONTHS[1]}, "at least 2"),
        ({"permutations": 5}, "permutations must be"),
        ({"n_controls": 0}, "n_controls must be"),
        ({"exclude": [f"M{i:03d}" for i in range(300)]}, "can be controls"),
    ],
)
def test_bad_inputs_are_refused_by_name(kwargs, message):
    counts, treated, _ = simulate(np.random.default_rng(10))
    arguments = {"treated": treated, "treatment_start": START, **kwargs}
    with pytest.raises(ValueError, match=message):
        difference_in_differences(
            counts, arguments.pop("treated"), arguments.pop("treatment_start"), **arguments
        )


def test_a_single_treated_mahalla_with_a_large_fall_is_found_without_a_standard_error():
    rng = np.random.default_rng(11)
    counts, _, _ = simulate(rng, treated=1)
    target = counts.index[0]
    counts.loc[target] = rng.poisson(np.r_[np.full(12, 20.0), np.full(12, 2.0)])
    result = difference_in_differences(counts, [target], START, permutations=199, random_state=3)
    assert result.significant and result.p_value == pytest.approx(1 / 200)
    assert result.ci_low < result.effect < result.ci_high < 0


def test_a_missing_count_is_refused_naming_the_mahalla_and_period():
    counts, treated, _ = simulate(np.random.default_rng(12))
    counts = counts.astype(float)
    counts.iloc[7, 3] = np.nan
    with pytest.raises(ValueError, match=r"row 'M007', column Period\('2024-04', 'M'\) has nan"):
        difference_in_differences(counts, treated, START, permutations=19)

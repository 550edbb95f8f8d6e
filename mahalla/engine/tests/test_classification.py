import numpy as np
import pandas as pd
import pytest
from esda.smoothing import Empirical_Bayes, Spatial_Empirical_Bayes
from libpysal.weights import block_weights
from scipy import stats

from mahalla.engine.classification import (
    ClassificationConfig,
    classification_summary,
    classify_mahallas,
    red_streaks,
    upper_tail_p_values,
)

# 2025 category mix: IT / cyber ~44 % of registered crime (DOMAIN.md section 8); the rest split by us.
CATEGORY_MIX = {
    "cyber": 0.44,
    "theft": 0.19,
    "fraud": 0.11,
    "drugs": 0.07,
    "violent": 0.06,
    "domestic_violence": 0.06,
    "hooliganism": 0.07,
}


def simulate_nation(seed: int, n: int = 9008, districts: int = 209, years: int = 2):
    """A nation like the real one: 9,008 mahallas, 1,000-12,000 residents (~37 M in all), 99.2 crimes per
    100,000 a year (~4.1 a mahalla), negative binomial counts (Gamma area effects: a district effect of
    shape 4 times a persistent mahalla effect of shape 0.38, plus 25 % year-to-year noise, which together
    give ~45 % of mahallas without crime), and a mahalla-specific category mix around the national one."""
    rng = np.random.default_rng(seed)
    ids = pd.Index([f"M{i:05d}" for i in range(n)])
    population = np.round(1000 + 11_000 * rng.beta(1.2, 3.05, n))
    district = rng.integers(0, districts, n)
    area_effect = rng.gamma(4.0, 1 / 4.0, districts)[district] * rng.gamma(0.38, 1 / 0.38, n)
    mix = rng.dirichlet(np.array(list(CATEGORY_MIX.values())) * 30, n)
    frames = []
    for _ in range(years):
        yearly = area_effect * np.exp(rng.normal(-(0.25**2) / 2, 0.25, n))
        total = rng.poisson(population * 99.2e-5 * yearly)
        counts = np.array([rng.multinomial(t, p) for t, p in zip(total, mix, strict=True)])
        frames.append(pd.DataFrame(counts, index=ids, columns=list(CATEGORY_MIX)))
    return (
        frames,
        pd.Series(population, index=ids),
        pd.Series(district, index=ids),
        pd.Series(area_effect, ids),
    )


@pytest.fixture(scope="module")
def nation():
    return simulate_nation(seed=2025)


def test_default_rule_reproduces_the_published_2025_split_on_a_simulated_nation(nation):
    (previous, current), population, district, _ = nation
    summary = classification_summary(
        classify_mahallas(current, population, district=district, previous_counts=previous)
    )
    # Published 2025: 44.8 % no crime, 7.4 % red, 47.9 % yellow, green ~= no crime.
    assert summary["mahallas"] == 9008
    assert summary["no_crime_share"] == pytest.approx(0.448, abs=0.02)
    assert summary["red_share"] == pytest.approx(0.074, abs=0.02)
    assert summary["yellow_share"] == pytest.approx(0.479, abs=0.02)
    assert summary["green"] == summary["no_crime"]


def test_red_mahallas_are_the_ones_whose_true_rate_is_high(nation):
    # The rule should find real high-risk areas, not noise: most reds have a true area effect of 1.5x or more,
    # whereas only a minority of all mahallas with crime do.
    (previous, current), population, district, effect = nation
    result = classify_mahallas(current, population, district=district, previous_counts=previous)
    red = result["class"] == "red"
    with_crime = ~result["no_crime"]
    assert np.mean(effect[red] >= 1.5) > 0.85
    assert np.mean(effect[with_crime] >= 1.5) < 0.45


def _background(n: int = 400, seed: int = 11) -> tuple[pd.DataFrame, pd.Series]:
    """Mahallas of 5,000 residents with Poisson counts at the national mix and ~100 per 100,000 a year."""
    rng = np.random.default_rng(seed)
    ids = [f"B{i:03d}" for i in range(n)]
    effect = rng.gamma(2.0, 0.5, n)
    counts = np.array(
        [rng.poisson(5.0 * effect[i] * np.array(list(CATEGORY_MIX.values()))) for i in range(n)]
    )
    return pd.DataFrame(counts, index=ids, columns=list(CATEGORY_MIX)), pd.Series(5000.0, index=ids)


def _with(rows: dict[str, dict[str, int]], populations: dict[str, float]):
    counts, population = _background()
    extra = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=counts.columns, fill_value=0)
    return (
        pd.concat([counts, extra.fillna(0).astype(int)]),
        pd.concat([population, pd.Series(populations, dtype=float)]),
    )


def test_a_mahalla_without_crime_is_green_and_counted_as_no_crime():
    counts, population = _with({"quiet": {}}, {"quiet": 3000})
    row = classify_mahallas(counts, population).loc["quiet"]
    assert row["class"] == "green" and bool(row["no_crime"])
    assert row["explanation"] == "no crime recorded"


def test_a_clear_excess_of_grave_offences_is_red_and_the_explanation_gives_the_numbers():
    counts, population = _with({"hot": {"violent": 10, "drugs": 8, "theft": 12}}, {"hot": 6000})
    result = classify_mahallas(counts, population)
    row = result.loc["hot"]
    assert row["class"] == "red"
    assert bool(row["excess"]) and bool(row["severity"]) and bool(row["high_rate"])
    assert row["weighted_score"] == pytest.approx(10 * 4 + 8 * 3 + 12 * 1.5)
    assert "red: high rate with excess, severity" in row["explanation"]
    assert (
        f"{row['smoothed_rate_per_100k']:.0f}/100k, {row['rate_ratio']:.1f}x national" in row["explanation"]
    )
    assert "30 place-based offences vs" in row["explanation"]


def test_two_offences_in_a_tiny_mahalla_are_not_enough_for_red():
    # Crude rate 200 per 100,000 is twice the national level, but two events are well within chance.
    counts, population = _with({"tiny": {"theft": 2}}, {"tiny": 1000})
    row = classify_mahallas(counts, population).loc["tiny"]
    assert row["crude_rate_per_100k"] == pytest.approx(200.0)
    assert row["smoothed_rate_per_100k"] < row["crude_rate_per_100k"]
    assert row["class"] == "yellow" and not bool(row["excess"])


def test_a_significant_but_small_excess_in_a_large_mahalla_stays_yellow():
    # A very large mahalla at ~1.4x the reference: statistically detectable, but below the 2x red threshold.
    counts, population = _with({"big": {"theft": 100, "fraud": 35}}, {"big": 150_000})
    row = classify_mahallas(counts, population).loc["big"]
    assert 1.2 < row["rate_ratio"] < 1.7
    assert bool(row["excess"]) and not bool(row["high_rate"])
    assert row["class"] == "yellow"
    assert "rate not high enough for red" in row["explanation"]


def test_cyber_crime_located_at_victims_homes_does_not_make_a_mahalla_red():
    counts, population = _with({"online": {"cyber": 40}}, {"online": 4000})
    row = classify_mahallas(counts, population).loc["online"]
    assert row["place_count"] == 0 and row["weighted_score"] == pytest.approx(40.0)
    assert row["class"] == "yellow" and not bool(row["high_rate"])


def test_a_sharp_rise_against_last_year_counts_as_evidence_for_red():
    counts, population = _with({"rising": {"hooliganism": 6, "theft": 5}}, {"rising": 3500})
    previous = counts.copy()
    previous.loc["rising"] = 0
    config = ClassificationConfig(fdr_alpha=0.0001, red_min_weighted_score=1000)  # only the trend can fire
    without = classify_mahallas(counts, population, config=config).loc["rising"]
    with_trend = classify_mahallas(counts, population, previous_counts=previous, config=config).loc["rising"]
    assert without["class"] == "yellow"
    assert with_trend["trend_z"] == pytest.approx(2 * np.sqrt(11))
    assert with_trend["class"] == "red" and bool(with_trend["rising"])


def test_a_mahalla_as_bad_as_its_high_crime_district_is_not_singled_out_under_the_max_reference():
    rng = np.random.default_rng(5)
    ids = [f"M{i}" for i in range(300)]
    district = pd.Series(["calm"] * 250 + ["rough"] * 50, index=ids)
    level = np.where(district == "rough", 15.0, 4.0)  # the rough district is ~3x the country
    counts = pd.DataFrame({"theft": rng.poisson(level)}, index=ids)
    counts.loc["M299", "theft"] = 16
    population = pd.Series(4000.0, index=ids)
    under_max = classify_mahallas(counts, population, district=district).loc["M299"]
    national = classify_mahallas(
        counts, population, district=district, config=ClassificationConfig(reference="national")
    ).loc["M299"]
    assert under_max["reference_rate_per_100k"] == pytest.approx(under_max["district_rate_per_100k"])
    assert under_max["class"] == "yellow"
    assert "x district" in under_max["explanation"]
    assert national["class"] == "red"


def test_p_values_are_the_exact_upper_tails_of_scipys_poisson_and_negative_binomial():
    observed = np.array([0.0, 1.0, 5.0, 12.0, 30.0])
    expected = np.array([0.5, 2.0, 4.1, 4.1, 10.0])
    np.testing.assert_allclose(
        upper_tail_p_values(observed, expected), 1 - stats.poisson.cdf(observed - 1, expected), rtol=1e-9
    )
    size = 2.5
    nb = stats.nbinom(size, size / (size + expected))
    np.testing.assert_allclose(nb.mean(), expected)
    np.testing.assert_allclose(
        upper_tail_p_values(observed, expected, test="negative_binomial", nb_size=size),
        1 - nb.cdf(observed - 1),
        rtol=1e-9,
    )


def test_q_values_and_smoothed_rates_match_scipy_and_esda(nation):
    (_, current), population, _, _ = nation
    result = classify_mahallas(current, population)
    place = current.drop(columns="cyber").sum(axis=1).to_numpy(dtype=float)
    np.testing.assert_allclose(
        result["q_value"], stats.false_discovery_control(result["p_value"]), rtol=1e-10
    )
    expected = Empirical_Bayes(place, population.to_numpy()).r.reshape(-1) * 1e5
    np.testing.assert_allclose(result["smoothed_rate_per_100k"], expected, rtol=1e-10)


def test_district_smoothing_is_esdas_local_estimator_with_the_district_as_neighbourhood(nation):
    (_, current), population, district, _ = nation
    keep = district < 12  # ~500 mahallas in 12 districts keep esda's per-area loop quick
    current, population, district = current[keep], population[keep], district[keep]
    config = ClassificationConfig(smoothing="district")
    result = classify_mahallas(current, population, district=district, config=config)
    place = current.drop(columns="cyber").sum(axis=1).to_numpy(dtype=float)
    order = list(range(len(district)))
    w = block_weights(district.to_numpy(), ids=order, silence_warnings=True)
    w.id_order = order
    expected = Spatial_Empirical_Bayes(place, population.to_numpy(), w).r.reshape(-1) * 1e5
    np.testing.assert_allclose(result["smoothed_rate_per_100k"], expected, rtol=1e-9)
    with pytest.raises(ValueError, match="needs the district"):
        classify_mahallas(current, population, config=config)


def test_raising_the_green_threshold_lets_a_single_low_weight_offence_stay_green():
    counts, population = _with({"one": {"cyber": 1}}, {"one": 2000})
    row = classify_mahallas(
        counts, population, config=ClassificationConfig(green_max_weighted_score=1.0)
    ).loc["one"]
    assert row["class"] == "green" and not bool(row["no_crime"])


def test_configuration_round_trips_through_a_plain_mapping():
    config = ClassificationConfig(min_rate_ratio=1.8, category_weights={"theft": 1.0, "cyber": 0.5})
    again = ClassificationConfig.from_dict(config.to_dict())
    assert again == config
    assert dict(again.category_weights) == {"theft": 1.0, "cyber": 0.5}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"fdr_alpha": 1.5}, "fdr_alpha must be in"),
        ({"min_rate_ratio": -1}, "min_rate_ratio must be a finite number >= 0"),
        ({"category_weights": {"theft": -2.0, "cyber": 1.0}}, r"category_weights\['theft'\]"),
        ({"reference": "region"}, "reference must be one of"),
        ({"red_threshold": 3}, r"unknown classification settings \['red_threshold'\]"),
        ({"residence_located_categories": ["phishing"]}, "unknown categories"),
    ],
)
def test_invalid_settings_are_refused_by_name(values, message):
    with pytest.raises(ValueError, match=message):
        ClassificationConfig.from_dict(values)


def test_counts_with_an_unknown_category_or_a_negative_count_are_refused_by_name():
    population = pd.Series({"a": 1000.0})
    with pytest.raises(ValueError, match=r"without a severity weight: \['arson'\]"):
        classify_mahallas(pd.DataFrame({"arson": [1]}, index=["a"]), population)
    with pytest.raises(ValueError, match="mahalla 'a', category 'theft' has -1"):
        classify_mahallas(pd.DataFrame({"theft": [-1]}, index=["a"]), population)
    with pytest.raises(ValueError, match="population is missing mahallas"):
        classify_mahallas(pd.DataFrame({"theft": [1]}, index=["b"]), population)


def test_red_streaks_count_consecutive_red_years_back_from_the_latest():
    history = pd.DataFrame(
        {
            2021: ["red", "red", "red", None, "red"],
            2022: ["red", "red", "yellow", "red", "red"],
            2023: ["red", "red", "red", "red", "red"],
            2024: ["red", "red", "red", "red", "green"],
            2025: ["red", "yellow", "red", "red", "red"],
        },
        index=list("abcde"),
    )
    streak = red_streaks(history[[2025, 2021, 2023, 2022, 2024]])  # column order must not matter
    assert streak.to_dict() == {"a": 5, "b": 0, "c": 3, "d": 4, "e": 1}
    assert (streak >= 5).sum() == 1 and (streak >= 3).sum() == 3

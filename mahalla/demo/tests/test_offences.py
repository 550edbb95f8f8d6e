"""Calibration of the offences to the published figures, their time and space patterns, the planted truth."""

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
import shapely
from scipy import optimize, stats

from mahalla.demo.generator.offences import solve_gamma_shape
from mahalla.incidents.reference_data import reference_article_rules, reference_causes

CYBER_ARTICLES_WITHOUT_CARD = ("278-1", "278-2", "278-3", "278-4", "278-5", "278-6")
PLACE_BASED_ARTICLES_CYBER = ("168", "169")
METRES_PER_DEGREE = 111_195.0


def is_cyber(frame: pd.DataFrame) -> pd.Series:
    """IT crime as the article table defines it: 278-x, or 168/169 by computer means or with a bank card."""
    card_or_computer = (frame["computer_means"] == "1") | (frame["bank_card"] == "1")
    return frame["article"].isin(CYBER_ARTICLES_WITHOUT_CARD) | (
        frame["article"].isin(PLACE_BASED_ARTICLES_CYBER) & card_or_computer
    )


def category_of(frame: pd.DataFrame) -> pd.Series:
    rules = {
        (r["code_kind"], r["article"]): r["category"] for r in reference_article_rules() if not r["condition"]
    }
    category = pd.Series(
        [rules[(kind, article)] for kind, article in zip(frame["code_kind"], frame["article"], strict=True)],
        index=frame.index,
    )
    return category.where(~is_cyber(frame), "cyber")


def yearly_counts(nation, year: int) -> pd.DataFrame:
    """Crimes per mahalla x category in year `year` (0..2, 365-day blocks ending at as_of)."""
    as_of = pd.Timestamp(nation.truth["as_of"])
    low = as_of - pd.Timedelta(days=365 * (3 - year))
    high = as_of - pd.Timedelta(days=365 * (2 - year))
    crimes = nation.crimes
    crimes = crimes[(crimes["occurred"] >= low) & (crimes["occurred"] < high)]
    counts = crimes.groupby([crimes["mahalla_code"], category_of(crimes)]).size().unstack(fill_value=0)
    return counts.reindex(nation.mahallas.index, fill_value=0)


def haversine_m(lon1, lat1, lon2, lat2):
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_008.8 * np.arcsin(np.sqrt(a))


# ---------------------------------------------------------------------------------------- the model pieces


def test_gamma_shape_solution_matches_a_monte_carlo_of_the_poisson_gamma_mixture():
    rng = np.random.default_rng(0)
    expected = rng.uniform(1, 8, 4000)
    k = solve_gamma_shape(expected, 0.448)
    # Independent check: draw the mixture and count zeros (wobble included as in the generator).
    draws = rng.poisson(
        expected[:, None] * rng.gamma(k, 1 / k, (4000, 50)) * rng.gamma(25, 1 / 25, (4000, 50))
    )
    assert np.mean(draws == 0) == pytest.approx(0.448, abs=0.01)


def test_an_impossible_zero_share_is_refused_with_the_numbers():
    with pytest.raises(ValueError, match="no Gamma shape gives a no-crime share of 0.999"):
        solve_gamma_shape(np.full(10, 4.0), 0.999)


# ---------------------------------------------------------------------------------------- tiny, fast checks


def test_every_article_maps_to_a_category_on_its_date_and_every_cause_is_known(tiny):
    rules = reference_article_rules()
    known_causes = {row["code"] for row in reference_causes()}
    for (kind, article), group in tiny.offences.groupby(["code_kind", "article"]):
        matching = [r for r in rules if r["code_kind"] == kind and r["article"] == article]
        assert matching, (kind, article)
        first = group["occurred"].min().date()
        assert any(r["valid_from"] is None or r["valid_from"] <= first for r in matching), (kind, article)
    causes = {code for value in tiny.offences["causes"] for code in value.split(";") if code}
    assert causes <= known_causes


def test_registration_never_precedes_the_offence_and_numbers_are_unique(tiny):
    offences = tiny.offences
    assert (pd.to_datetime(offences["registered_at"]) >= offences["occurred"]).all()
    assert not offences.duplicated(["source_system", "registration_number"]).any()
    assert set(offences["source_system"]) == {"EJR", "E-MAMURIY"}
    assert (offences.loc[offences["code_kind"] == "criminal", "source_system"] == "EJR").all()


def test_located_offences_lie_in_their_mahalla_and_cyber_ones_carry_no_point(tiny):
    shapes = tiny.shapes(tiny.mahallas)
    offences = tiny.offences
    cyber = is_cyber(offences) & (offences["code_kind"] == "criminal")
    assert (offences.loc[cyber, "latitude"] == "").all()
    assert (offences.loc[cyber, "place_type"] == "online").all()
    located = offences[offences["latitude"] != ""]
    assert len(located) > 0.4 * len(offences)
    for code, group in located.groupby("mahalla_code"):
        lon = group["longitude"].astype(float).to_numpy()
        lat = group["latitude"].astype(float).to_numpy()
        assert shapely.contains_xy(shapes[code], lon, lat).all(), code


def test_the_period_is_the_three_years_before_as_of(tiny):
    as_of = pd.Timestamp(tiny.truth["as_of"])
    assert tiny.offences["occurred"].max() < as_of
    assert tiny.offences["occurred"].min() >= as_of - pd.DateOffset(years=3)


def test_spacetime_clusters_are_where_and_when_the_truth_file_says(tiny):
    clusters = tiny.truth["planted"]["spacetime_clusters"]
    assert len(clusters) == 2
    # The first is alive in the last week, where a daily prospective scan looks.
    assert clusters[0]["end_date"] == tiny.truth["as_of"]
    assert pd.Timestamp(clusters[0]["end_date"]) - pd.Timestamp(clusters[0]["start_date"]) == pd.Timedelta(
        days=7
    )
    offences = tiny.offences.merge(tiny.offence_truth, on="registration_number")
    theft = offences[(offences["article"] == "169") & (offences["latitude"] != "")]
    for cluster in clusters:
        lon = theft["longitude"].astype(float).to_numpy()
        lat = theft["latitude"].astype(float).to_numpy()
        near = haversine_m(lon, lat, cluster["centre_lon"], cluster["centre_lat"]) <= cluster["radius_m"] + 1
        start = pd.Timestamp(cluster["start_date"])
        end = pd.Timestamp(cluster["end_date"])  # exclusive
        during = ((theft["occurred"] >= start) & (theft["occurred"] < end)).to_numpy()
        observed = int((near & during).sum())
        # Reading only the offences file: the disc and the window hold at least the planted events ...
        assert observed >= cluster["events"]
        # ... far more than the same disc holds in an average window of that length in the rest of the period.
        background = int((near & ~during).sum())
        windows = (tiny.offences["occurred"].max() - tiny.offences["occurred"].min()) / (end - start) - 1
        assert stats.poisson.sf(observed - 1, max(background / windows, 0.05)) < 1e-6
        planted = offences[offences["planted_id"] == cluster["id"]]
        assert len(planted) == cluster["events"]
        assert (planted["mahalla_code"] == cluster["mahalla_code"]).all()


def test_emerging_hotspots_start_when_the_truth_file_says(tiny):
    place_based = tiny.crimes[~is_cyber(tiny.crimes)]
    as_of = pd.Timestamp(tiny.truth["as_of"])
    first = place_based["occurred"].min()
    hotspots = tiny.truth["planted"]["emerging_hotspots"]
    assert len(hotspots) == 2
    for hotspot in hotspots:
        start = pd.Timestamp(hotspot["start_date"])
        assert pd.Timedelta(weeks=4) <= as_of - start <= pd.Timedelta(weeks=10)
        assert hotspot["mahalla_code"] in hotspot["mahalla_codes"] and len(hotspot["mahalla_codes"]) == 4
        mine = place_based[place_based["mahalla_code"].isin(hotspot["mahalla_codes"])]
        before = int((mine["occurred"] < start).sum())
        after = int((mine["occurred"] >= start).sum())
        days_before = (start - first).days
        days_after = (as_of - start).days
        # Poisson test of a rate rise at the stated date (conditional binomial test of two rates).
        p = stats.binomtest(after, before + after, days_after / (days_before + days_after), "greater").pvalue
        assert p < 1e-6, hotspot
        assert after / days_after > 3 * max(before, 1) / days_before


def test_the_prevention_measure_is_recorded_with_its_effect(tiny):
    measure = tiny.truth["planted"]["intervention"]
    assert measure["district_code"] == "1726273"
    assert measure["reduction"] == 0.3
    assert measure["offences_prevented"] > 0
    # Each affected offence was kept with probability 0.7, so the prevented share is binomial around 0.3.
    share = measure["offences_prevented"] / measure["affected_offences_without_measure"]
    assert (
        stats.binomtest(
            measure["offences_prevented"], measure["affected_offences_without_measure"], 0.3
        ).pvalue
        > 1e-3
    )
    assert 0.1 < share < 0.5


def test_domestic_violence_repeats_against_known_victims(tiny):
    domestic = tiny.offences[tiny.offences["victim_ref"] != ""].sort_values("occurred")
    repeated = domestic["victim_ref"].duplicated()
    assert 0.15 < repeated.mean() < 0.5
    assert (domestic.groupby("victim_ref")["mahalla_code"].nunique() == 1).all()


# ---------------------------------------------------------------------------------------- nation calibration


@pytest.mark.slow
def test_crime_rate_and_cyber_shares_match_the_published_figures(nation):
    crimes = nation.crimes
    population = nation.mahallas["population"].astype(int).sum()
    per_100k_year = len(crimes) / 3 / population * 100_000
    assert per_100k_year == pytest.approx(99.2, rel=0.04)  # DOMAIN.md 4: 99.2 per 100,000 in 2025
    cyber = crimes[is_cyber(crimes)]
    assert len(cyber) / len(crimes) == pytest.approx(0.44, abs=0.01)  # DOMAIN.md 8: 44.4 % in 2024
    assert (cyber["bank_card"] == "1").mean() == pytest.approx(0.98, abs=0.005)
    methods = cyber["cyber_method"].value_counts(normalize=True)
    published = {
        "malicious_link": 0.60,
        "sms_code": 0.16,
        "marketplace": 0.11,
        "investment": 0.09,
        "loan": 0.04,
    }
    for method, share in published.items():
        assert methods[method] == pytest.approx(share, abs=0.01), method


@pytest.mark.slow
def test_about_45_percent_of_mahallas_record_no_crime_each_year(nation):
    for year in range(3):
        totals = yearly_counts(nation, year).sum(axis=1)
        assert (totals == 0).mean() == pytest.approx(0.448, abs=0.015), year
        assert totals.mean() == pytest.approx(4.1, abs=0.25), year


@pytest.mark.slow
def test_counts_are_overdispersed_like_a_negative_binomial_with_persistent_mahalla_effects(nation):
    totals = yearly_counts(nation, 2).sum(axis=1).to_numpy()
    # Maximum-likelihood negative binomial size (scipy's nbinom as the reference distribution).
    mean = totals.mean()

    def negative_log_likelihood(log_size):
        size = np.exp(log_size)
        return -stats.nbinom.logpmf(totals, size, size / (size + mean)).sum()

    size = float(
        np.exp(optimize.minimize_scalar(negative_log_likelihood, bounds=(-5, 3), method="bounded").x)
    )
    assert 0.2 <= size <= 0.45
    assert totals.var() / mean > 10
    # Most mahallas quiet, a few persistently bad: the worst 5 % of one year are mostly among the worst 10 %
    # the year before, and the counts of consecutive years correlate strongly.
    previous = yearly_counts(nation, 1).sum(axis=1).to_numpy()
    assert stats.spearmanr(previous, totals).statistic > 0.5
    worst = totals >= np.quantile(totals, 0.95)
    assert np.mean(previous[worst] >= np.quantile(previous, 0.90)) > 0.5


@pytest.mark.slow
def test_the_default_classification_gives_the_published_2025_split(nation):
    classification = pytest.importorskip(
        "mahalla.engine.classification", reason="the classification module is not in this tree yet"
    )
    population = nation.mahallas["population"].astype(int)
    district = nation.mahallas["parent_code"]
    result = classification.classify_mahallas(
        yearly_counts(nation, 2), population, district=district, previous_counts=yearly_counts(nation, 1)
    )
    summary = classification.classification_summary(result)
    # Published 2025 (DOMAIN.md 4): 44.8 % no crime, 7.4 % red, 47.9 % yellow.
    assert summary["no_crime_share"] == pytest.approx(0.448, abs=0.02)
    assert summary["red_share"] == pytest.approx(0.074, abs=0.02)
    assert summary["yellow_share"] == pytest.approx(0.479, abs=0.02)
    # The planted one-year red episodes are red in their year under that rule.
    previous_year = classification.classify_mahallas(
        yearly_counts(nation, 1), population, district=district, previous_counts=yearly_counts(nation, 0)
    )
    episodes = [e["mahalla_code"] for e in nation.truth["planted"]["red_episodes"]]
    assert (previous_year.loc[episodes, "class"] == "red").mean() >= 0.75


@pytest.mark.slow
def test_red_episodes_turn_red_for_one_year_and_recover(nation):
    counts = [yearly_counts(nation, year).drop(columns="cyber").sum(axis=1) for year in range(3)]
    for episode in nation.truth["planted"]["red_episodes"]:
        code = episode["mahalla_code"]
        assert counts[1][code] > 3 * max(counts[0][code], counts[2][code], 1), episode


@pytest.mark.slow
def test_time_patterns_season_weekday_and_hour(nation):
    crimes = nation.crimes
    category = category_of(crimes)
    disorder = crimes[category.isin(["violent", "hooliganism"])]
    month = disorder["occurred"].dt.month
    assert month.isin([6, 7, 8]).sum() > 1.2 * month.isin([12, 1, 2]).sum()
    weekend = disorder["occurred"].dt.day_of_week >= 5
    assert weekend.mean() > 2 / 7 * 1.1
    hour = disorder["occurred"].dt.hour
    assert ((hour >= 18) | (hour < 2)).mean() > 0.5
    burglary = crimes[(crimes["article"] == "169") & (crimes["place_type"] == "home")]
    assert burglary["occurred"].dt.day_of_week.lt(5).mean() > 5 / 7


@pytest.mark.slow
def test_burglaries_show_near_repeats_in_a_knox_test(nation):
    knox = pytest.importorskip(
        "mahalla.engine.near_repeat", reason="the near-repeat module is not in this tree"
    )
    crimes = nation.crimes
    burglary = crimes[(crimes["article"] == "169") & (crimes["place_type"] == "home")]
    burglary = burglary[burglary["mahalla_code"].str.startswith("1726")]  # Tashkent city, dense enough
    lon = burglary["longitude"].astype(float).to_numpy()
    lat = burglary["latitude"].astype(float).to_numpy()
    xy = np.column_stack([lon * METRES_PER_DEGREE * np.cos(np.radians(41.3)), lat * METRES_PER_DEGREE])
    days = (burglary["occurred"] - burglary["occurred"].min()).dt.total_seconds().to_numpy() / 86400
    result = knox.knox(xy, days, [0, 200, 1000], [0, 7, 14], permutations=99, random_state=1)
    # Close in space and time (< 200 m, < 7 days): far more pairs than shuffling the dates gives.
    assert result.ratio[0, 0] > 2.0
    assert result.p_value[0, 0] <= 0.01


@pytest.mark.slow
def test_the_prevention_measure_cuts_place_based_crime_by_the_stated_share(nation):
    measure = nation.truth["planted"]["intervention"]
    crimes = nation.crimes[~is_cyber(nation.crimes)]
    start = pd.Timestamp(measure["start_date"])
    year = timedelta(days=365)
    treated = crimes["mahalla_code"].str.startswith(measure["district_code"])
    before = (crimes["occurred"] >= start - year) & (crimes["occurred"] < start)
    after = (crimes["occurred"] >= start) & (crimes["occurred"] < start + year)
    # Difference in differences against the rest of the country, which shares the seasons.
    ratio_treated = (treated & after).sum() / (treated & before).sum()
    ratio_control = (~treated & after).sum() / (~treated & before).sum()
    assert 1 - ratio_treated / ratio_control == pytest.approx(measure["reduction"], abs=0.1)


@pytest.mark.slow
def test_planted_emerging_hotspots_are_found_by_an_emerging_hot_spot_analysis(nation):
    emerging = pytest.importorskip("mahalla.engine.emerging", reason="the emerging hot spot module is absent")
    weights = pytest.importorskip("mahalla.engine.weights", reason="the spatial weights module is absent")
    mahallas = nation.mahallas
    as_of = pd.Timestamp(nation.truth["as_of"])
    weeks = 12
    crimes = nation.crimes[nation.crimes["occurred"] >= as_of - pd.Timedelta(weeks=weeks)]
    week = ((crimes["occurred"] - (as_of - pd.Timedelta(weeks=weeks))).dt.days // 7).to_numpy()
    row = mahallas.index.get_indexer(crimes["mahalla_code"])
    cube = np.zeros((len(mahallas), weeks))
    np.add.at(cube, (row, week), 1)
    lat = mahallas["centroid_lat"].astype(float).to_numpy()
    lon = mahallas["centroid_lon"].astype(float).to_numpy()
    xy = np.column_stack([lon * METRES_PER_DEGREE * np.cos(np.radians(lat)), lat * METRES_PER_DEGREE])
    w = weights.knn_weights(xy, 6)
    w = w.maximum(w.T)
    result = emerging.emerging_hot_spots(cube, w)
    category = pd.Series(np.asarray(result.category).astype(str), index=mahallas.index)
    found = [category[h["mahalla_code"]] for h in nation.truth["planted"]["emerging_hotspots"]]
    # Esri's patterns of a hot spot that appeared in the last weeks and was not there before.
    emerging_patterns = {"new hot spot", "consecutive hot spot", "intensifying hot spot"}
    assert np.mean([pattern in emerging_patterns for pattern in found]) >= 5 / 6, (
        found,
        [h["start_date"] for h in nation.truth["planted"]["emerging_hotspots"]],
    )


@pytest.mark.slow
def test_the_mahalla_truth_file_predicts_the_counts(nation):
    truth = pd.read_csv(nation.directory / "truth_mahallas.csv", dtype={"mahalla_code": str}).set_index(
        "mahalla_code"
    )
    counts = yearly_counts(nation, 0).sum(axis=1)
    expected = truth["expected_crimes_year1"].reindex(counts.index)
    # Poisson around the stated expectation: totals agree, and the expectation explains the ranking.
    assert counts.sum() == pytest.approx(expected.sum(), rel=0.03)
    assert stats.spearmanr(expected, counts).statistic > 0.6
    high = expected > 10
    assert (counts[high] / expected[high]).median() == pytest.approx(1.0, abs=0.1)

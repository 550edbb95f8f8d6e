"""Green / yellow / red classification of mahallas, with "no crime recorded" counted separately.

The official rule behind the colours is not public (DOMAIN.md section 4), so the platform's rule is explicit,
configurable and explained per mahalla. The default rule, for one year of offences:

1. **No crime recorded** (a headline figure) is a flag of its own: the mahalla recorded no offence of any
   category.
2. **Green**: the severity-weighted score is at most ``green_max_weighted_score`` (default 0, so green is
   exactly "no crime recorded", as in the published 2025 split where green (~4,034) ~= no crime (44.8 %)).
3. **Red**: the mahalla's empirical-Bayes smoothed rate is at least ``min_rate_ratio`` times the reference
   rate, *and* at least one piece of evidence fires:

   - ``excess``: its count is significantly above the reference expectation (one-sided Poisson or negative
     binomial test; Benjamini-Hochberg FDR across all mahallas at ``fdr_alpha``);
   - ``severity``: its severity-weighted score is at least ``red_min_weighted_score`` (grave offences weigh
     more than petty ones);
   - ``rising``: its count rose significantly against the previous year (Wheeler z >= ``rising_z``; between
     two single-year counts z has variance ~2, so the default 3 is about 2.1 standard deviations, one-sided
     p ~0.017 per mahalla, which is why it only counts together with a high rate).

   Requiring a high smoothed rate keeps a large mahalla with a small but "significant" excess, or a small one
   with two unlucky offences, out of red; requiring evidence keeps a high crude rate built on noise out.
4. **Yellow**: everything else (some crime, no red evidence).

Statistical choices:

- **Rates** count the *place-based* categories only. IT / cyber crime (about 44 % of all crime) is recorded
  at the victim's residence, not where the offender acted, so it says little about the safety of the
  mahalla's streets and would otherwise dominate; it still counts in the severity score with a low weight.
- **Smoothing**: Marshall's empirical Bayes (Gamma-Poisson posterior mean with the moment-matched national
  prior), because with ~4 crimes a mahalla a year, crude rates of small mahallas are mostly noise;
  ``smoothing="district"`` shrinks toward the mahalla's own district instead (Marshall's local estimator).
- **Reference**: the expectation is the mahalla's population times the reference rate, by default the larger
  of its district's rate and the national rate, so a mahalla in a high-crime district must stand out in its
  district and one in a quiet district must still exceed the country's level.
- **Test**: Poisson by default (is the true rate above the reference?). Counts are overdispersed *between*
  mahallas (size ~0.3); that heterogeneity is what the classification is meant to find, so it must not be
  absorbed into the null. ``test="negative_binomial"`` with ``nb_size`` allows for extra variation *within* a
  mahalla (e.g. several offences from one incident).
- **Severity weights** are data: the defaults are the platform's category table (``categories.csv``:
  violent 4, drugs 3, domestic violence 3, hooliganism 2, theft 1.5, fraud 1.5, other 1, cyber 1), in the
  spirit of crime harm indices (Sherman, Neyroud & Neyroud 2016) which weigh offences by their seriousness
  rather than counting them equally.

The default thresholds were calibrated on a simulated nation like the real one (9,008 mahallas,
populations 1,000-12,000 summing ~37 M, 99.2 crimes per 100,000 a year, negative binomial counts with size
~0.3 and persistent area effects, the 2025 category mix): it lands near 45 % no crime, 7 % red, 48 % yellow,
the published 2025 split (tests/test_classification.py; with its seed 44.6 / 7.0 / 48.4 %, and 93 % of the red
mahallas have a true area effect of at least 1.5x, against 35 % of all mahallas with crime).

References
----------
Marshall, R. J. (1991). Mapping disease and mortality rates using empirical Bayes estimators. JRSS C 40(2).
Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. JRSS B 57(1), 289-300.
Wheeler, A. P. (2016). Tables and graphs for monitoring temporal crime trends. IJPSM 18(3), 159-172.
Sherman, L., Neyroud, P. W. & Neyroud, E. (2016). The Cambridge Crime Harm Index: measuring total harm from
crime based on sentencing guidelines. Policing 10(3), 171-183.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from mahalla.engine.comparisons import wheeler_z
from mahalla.engine.distributions import nbinom_sf, poisson_sf
from mahalla.engine.multiple_testing import benjamini_hochberg
from mahalla.engine.smoothing import (
    GammaPrior,
    gamma_poisson_posterior,
    global_prior_moments,
    spatial_empirical_bayes_rates,
)

GREEN, YELLOW, RED = "green", "yellow", "red"
CLASSES: tuple[str, ...] = (GREEN, YELLOW, RED)

DEFAULT_CATEGORY_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "cyber": 1.0,
        "fraud": 1.5,
        "theft": 1.5,
        "drugs": 3.0,
        "domestic_violence": 3.0,
        "violent": 4.0,
        "hooliganism": 2.0,
        "other": 1.0,
    }
)
_REFERENCES = ("max", "district", "national")
_TESTS = ("poisson", "negative_binomial")
_SMOOTHINGS = ("national", "district")


@dataclass(frozen=True)
class ClassificationConfig:
    """Every threshold of the mahalla classification, with documented defaults.

    Attributes
    ----------
    category_weights : mapping of str to float
        Severity weight of each offence category (all categories in the data must be listed; weights >= 0).
    residence_located_categories : tuple of str
        Categories recorded at the victim's residence rather than the place of the offence: left out of the
        rates and the significance test, kept in the severity score. Default ``("cyber",)``.
    green_max_weighted_score : float
        Green when the severity-weighted score is at most this. Default 0: green = no crime recorded.
    min_rate_ratio : float
        Red needs the smoothed rate to be at least this multiple of the reference rate. Default 2.
    fdr_alpha : float
        False discovery rate for the ``excess`` test across all mahallas. Default 0.05.
    red_min_weighted_score : float
        ``severity`` fires at or above this severity-weighted score. Default 25.
    rising_z : float
        ``rising`` fires when the Wheeler z against the previous year is at least this. Default 3.
    reference : {"max", "district", "national"}
        Which expectation the mahalla is compared with. Default ``"max"`` (the larger of the two).
    test : {"poisson", "negative_binomial"}
        Distribution of the count under the null. Default ``"poisson"``.
    nb_size : float
        Size (shape) of the negative binomial when ``test="negative_binomial"`` (variance mu + mu^2 / size).
    smoothing : {"national", "district"}
        Empirical-Bayes prior: the whole country (Marshall's global estimator, default) or the mahalla's own
        district (Marshall's local estimator with the district as the neighbourhood; needs ``district``).
    """

    category_weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_CATEGORY_WEIGHTS))
    residence_located_categories: tuple[str, ...] = ("cyber",)
    green_max_weighted_score: float = 0.0
    min_rate_ratio: float = 2.0
    fdr_alpha: float = 0.05
    red_min_weighted_score: float = 25.0
    rising_z: float = 3.0
    reference: str = "max"
    test: str = "poisson"
    nb_size: float = 10.0
    smoothing: str = "national"

    def __post_init__(self) -> None:
        weights = dict(self.category_weights)
        if not weights:
            raise ValueError("category_weights must name at least one category")
        for name, weight in weights.items():
            if not isinstance(name, str) or not name:
                raise ValueError(f"category_weights: category names must be non-empty strings, got {name!r}")
            if not (isinstance(weight, (int, float)) and math.isfinite(weight) and weight >= 0):
                raise ValueError(f"category_weights[{name!r}] = {weight!r} must be a finite number >= 0")
        object.__setattr__(
            self, "category_weights", MappingProxyType({k: float(v) for k, v in weights.items()})
        )
        located = tuple(self.residence_located_categories)
        unknown = [name for name in located if name not in weights]
        if unknown:
            raise ValueError(f"residence_located_categories names unknown categories {unknown}")
        if len(located) == len(weights):
            raise ValueError("residence_located_categories leaves no place-based category to rate")
        object.__setattr__(self, "residence_located_categories", located)
        _check_number("green_max_weighted_score", self.green_max_weighted_score, low=0.0)
        _check_number("min_rate_ratio", self.min_rate_ratio, low=0.0)
        _check_number("red_min_weighted_score", self.red_min_weighted_score, low=0.0)
        _check_number("rising_z", self.rising_z, low=0.0)
        _check_number("nb_size", self.nb_size, low=0.0, strict=True)
        if not (isinstance(self.fdr_alpha, (int, float)) and 0 < self.fdr_alpha < 1):
            raise ValueError(f"fdr_alpha must be in (0, 1), got {self.fdr_alpha!r}")
        if self.reference not in _REFERENCES:
            raise ValueError(f"reference must be one of {_REFERENCES}, got {self.reference!r}")
        if self.smoothing not in _SMOOTHINGS:
            raise ValueError(f"smoothing must be one of {_SMOOTHINGS}, got {self.smoothing!r}")
        if self.test not in _TESTS:
            raise ValueError(f"test must be one of {_TESTS}, got {self.test!r}")

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> ClassificationConfig:
        """Configuration from a plain mapping (e.g. parsed YAML); unknown keys are refused by name."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown classification settings {unknown}; known are {sorted(known)}")
        converted = dict(values)
        if "residence_located_categories" in converted:
            converted["residence_located_categories"] = tuple(converted["residence_located_categories"])
        return cls(**converted)

    def to_dict(self) -> dict[str, Any]:
        """Plain mapping that ``from_dict`` reads back (for storing the rule used with each result)."""
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        values["category_weights"] = dict(self.category_weights)
        values["residence_located_categories"] = list(self.residence_located_categories)
        return values


def _check_number(name: str, value: object, *, low: float, strict: bool = False) -> None:
    ok = False
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        ok = value > low if strict else value >= low
    if not ok:
        relation = ">" if strict else ">="
        raise ValueError(f"{name} must be a finite number {relation} {low}, got {value!r}")


def _count_frame(counts: pd.DataFrame, config: ClassificationConfig, what: str) -> pd.DataFrame:
    if not isinstance(counts, pd.DataFrame):
        raise ValueError(f"{what} must be a DataFrame of mahallas x categories")
    unknown = [str(c) for c in counts.columns if c not in config.category_weights]
    if unknown:
        raise ValueError(
            f"{what} has categories without a severity weight: {unknown}; "
            f"known categories are {sorted(config.category_weights)}"
        )
    if counts.index.has_duplicates:
        raise ValueError(
            f"{what} lists a mahalla more than once: {list(counts.index[counts.index.duplicated()][:5])}"
        )
    values = counts.to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
    if bad.any():
        row, column = np.argwhere(bad)[0]
        raise ValueError(
            f"{what}: mahalla {counts.index[row]!r}, category {counts.columns[column]!r} has "
            f"{values[row, column]:g}, not a non-negative whole count"
        )
    return counts.reindex(columns=list(config.category_weights), fill_value=0).astype(float)


def upper_tail_p_values(
    observed: NDArray[np.float64],
    expected: NDArray[np.float64],
    *,
    test: str = "poisson",
    nb_size: float = 10.0,
) -> NDArray[np.float64]:
    """P(X >= observed) under Poisson(expected) or a negative binomial with that mean and ``nb_size``."""
    if test == "poisson":
        return np.asarray(poisson_sf(observed - 1, expected), dtype=np.float64)
    if test == "negative_binomial":
        # scipy's nbinom(n, p) has mean n (1 - p) / p; p = n / (n + mu) gives mean mu, variance mu + mu^2 / n.
        return np.asarray(nbinom_sf(observed - 1, nb_size, nb_size / (nb_size + expected)), dtype=np.float64)
    raise ValueError(f"test must be one of {_TESTS}, got {test!r}")


def classify_mahallas(
    counts: pd.DataFrame,
    population: pd.Series,
    *,
    district: pd.Series | None = None,
    previous_counts: pd.DataFrame | None = None,
    config: ClassificationConfig | None = None,
) -> pd.DataFrame:
    """Classify every mahalla green / yellow / red for one year and explain why.

    Parameters
    ----------
    counts : DataFrame
        Offences of the year, index = mahalla ids, columns = offence categories (whole counts).
    population : Series
        Residents per mahalla (index = mahalla ids; all positive).
    district : Series, optional
        District of each mahalla; without it the reference is the national rate.
    previous_counts : DataFrame, optional
        Offences of the previous year in the same layout (mahallas missing there count as not compared).
    config : ClassificationConfig, optional
        The rule; default ``ClassificationConfig()``.

    Returns
    -------
    DataFrame
        Index = mahalla ids, with ``class``, ``no_crime``, ``total``, ``place_count``, ``weighted_score``,
        ``crude_rate_per_100k``, ``smoothed_rate_per_100k``, ``district_rate_per_100k``,
        ``national_rate_per_100k``, ``reference_rate_per_100k``, ``expected``, ``rate_ratio``, ``p_value``,
        ``q_value``, ``trend_z`` and the four factor flags ``excess``, ``high_rate``, ``severity``,
        ``rising``, and ``explanation`` (a sentence with the numbers behind the class).

    See the module docstring for the rule and its references.

    Examples
    --------
    >>> offences = {"theft": [0, 2, 30], "violent": [0, 1, 6], "cyber": [0, 3, 2]}
    >>> counts = pd.DataFrame(offences, index=list("abc"))
    >>> result = classify_mahallas(counts, pd.Series([3000, 5000, 6000], index=list("abc")))
    >>> result["class"].tolist()
    ['green', 'yellow', 'red']
    >>> result.loc["c", "explanation"].split(";")[0]
    'red: high rate with excess, severity'
    """
    config = config or ClassificationConfig()
    frame = _count_frame(counts, config, "counts")
    if len(frame) == 0:
        raise ValueError("counts has no mahallas")
    if not isinstance(population, pd.Series):
        raise ValueError("population must be a Series indexed by mahalla id")
    missing = frame.index.difference(population.index)
    if len(missing):
        raise ValueError(f"population is missing mahallas {list(missing[:5])}")
    pop = population.reindex(frame.index).to_numpy(dtype=float)
    if not np.all(np.isfinite(pop) & (pop > 0)):
        bad = frame.index[~(np.isfinite(pop) & (pop > 0))][0]
        raise ValueError(f"population of mahalla {bad!r} must be positive, got {population[bad]!r}")

    weights = np.array([config.category_weights[c] for c in frame.columns])
    place_columns = [c for c in frame.columns if c not in config.residence_located_categories]
    total = frame.to_numpy().sum(axis=1)
    place = frame[place_columns].to_numpy().sum(axis=1)
    score = frame.to_numpy() @ weights

    national_rate = place.sum() / pop.sum()
    if district is not None:
        if not isinstance(district, pd.Series):
            raise ValueError("district must be a Series indexed by mahalla id")
        missing = frame.index.difference(district.index)
        if len(missing):
            raise ValueError(f"district is missing mahallas {list(missing[:5])}")
        groups = district.reindex(frame.index).to_numpy()
        if pd.isna(groups).any():
            raise ValueError(f"district of mahalla {frame.index[pd.isna(groups)][0]!r} is missing")
        by_district = pd.DataFrame({"d": groups, "place": place, "pop": pop}).groupby("d", sort=False)
        district_rate = (
            by_district["place"].transform("sum") / by_district["pop"].transform("sum")
        ).to_numpy()
    else:
        district_rate = np.full(len(frame), national_rate)
    if config.reference == "max":
        reference_rate = np.maximum(district_rate, national_rate)
    elif config.reference == "district":
        reference_rate = district_rate
    else:
        reference_rate = np.full(len(frame), national_rate)

    # Marshall's moments give the national Gamma prior; without spread beyond Poisson noise every mahalla
    # gets the national rate (Marshall's rule of a zero prior variance).
    prior_mean, prior_variance = global_prior_moments(place, pop)
    if config.smoothing == "district":
        if district is None:
            raise ValueError('smoothing="district" needs the district of every mahalla')
        member = sp.csr_matrix((np.ones(len(frame)), (np.arange(len(frame)), pd.factorize(groups)[0])))
        smoothed = spatial_empirical_bayes_rates(place, pop, member @ member.T)
    elif prior_mean > 0 and prior_variance > 0:
        smoothed = gamma_poisson_posterior(
            place, pop, GammaPrior.from_moments(prior_mean, prior_variance)
        ).mean
    else:
        smoothed = np.full(len(frame), prior_mean)

    expected = pop * reference_rate
    with np.errstate(divide="ignore", invalid="ignore"):
        rate_ratio = np.where(
            reference_rate > 0, smoothed / reference_rate, np.where(smoothed > 0, np.inf, 0.0)
        )
    p_value = np.where(
        expected > 0,
        upper_tail_p_values(place, expected, test=config.test, nb_size=config.nb_size),
        np.where(place > 0, 0.0, 1.0),
    )
    _, q_value = benjamini_hochberg(p_value, alpha=config.fdr_alpha)

    trend_z = np.full(len(frame), np.nan)
    if previous_counts is not None:
        previous = _count_frame(previous_counts, config, "previous_counts")
        previous_place = previous[place_columns].sum(axis=1).reindex(frame.index)
        known = previous_place.notna().to_numpy()
        trend_z[known] = wheeler_z(place[known], previous_place.to_numpy()[known])

    no_crime = total == 0
    excess = q_value <= config.fdr_alpha
    high_rate = rate_ratio >= config.min_rate_ratio
    severity = score >= config.red_min_weighted_score
    rising = np.nan_to_num(trend_z, nan=-np.inf) >= config.rising_z
    green = score <= config.green_max_weighted_score
    red = ~green & high_rate & (excess | severity | rising)
    labels = np.where(green, GREEN, np.where(red, RED, YELLOW))

    result = pd.DataFrame(
        {
            "class": labels,
            "no_crime": no_crime,
            "total": total.astype(np.int64),
            "place_count": place.astype(np.int64),
            "weighted_score": score,
            "crude_rate_per_100k": place / pop * 1e5,
            "smoothed_rate_per_100k": smoothed * 1e5,
            "district_rate_per_100k": district_rate * 1e5,
            "national_rate_per_100k": national_rate * 1e5,
            "reference_rate_per_100k": reference_rate * 1e5,
            "expected": expected,
            "rate_ratio": rate_ratio,
            "p_value": p_value,
            "q_value": q_value,
            "trend_z": trend_z,
            "excess": excess,
            "high_rate": high_rate,
            "severity": severity,
            "rising": rising,
        },
        index=frame.index,
    )
    result["explanation"] = [_explain(row, config) for row in result.to_dict(orient="records")]
    return result


def _explain(row: Mapping[Any, Any], config: ClassificationConfig) -> str:
    """One sentence with the numbers behind the class, for the UI's "why red"."""
    if row["no_crime"]:
        return "no crime recorded"
    score_part = f"severity-weighted score {row['weighted_score']:.1f}"
    if row["class"] == GREEN:
        return f"green: {score_part} <= {config.green_max_weighted_score:g}"
    if config.reference == "max":
        which = "district" if row["district_rate_per_100k"] > row["national_rate_per_100k"] else "national"
    else:
        which = config.reference
    parts = [
        f"smoothed rate {row['smoothed_rate_per_100k']:.0f}/100k, {row['rate_ratio']:.1f}x {which} "
        f"{row['reference_rate_per_100k']:.0f}/100k ({'' if row['high_rate'] else 'not '}"
        f">= {config.min_rate_ratio:g}x)",
        f"{row['place_count']} place-based offences vs {row['expected']:.1f} expected, "
        f"p={row['p_value']:.2g} (q={row['q_value']:.2g}; {'' if row['excess'] else 'not '}significant "
        f"at FDR {config.fdr_alpha:g})",
        f"{score_part} {'>=' if row['severity'] else '<'} {config.red_min_weighted_score:g}",
    ]
    if not math.isnan(row["trend_z"]):
        relation = ">=" if row["rising"] else "<"
        parts.append(f"trend z={row['trend_z']:+.1f} vs previous year ({relation} {config.rising_z:g})")
    fired = [name for name in ("excess", "severity", "rising") if row[name]]
    if row["class"] == RED:
        reason = f"red: high rate with {', '.join(fired)}"
    elif not row["high_rate"]:
        reason = "yellow: rate not high enough for red"
    else:
        reason = "yellow: high rate but no significant excess, severity or rise"
    return f"{reason}; " + "; ".join(parts)


def classification_summary(classes: pd.DataFrame) -> pd.Series:
    """Headline counts: mahallas with no crime, green, yellow and red, and their shares of all mahallas."""
    n = len(classes)
    if n == 0:
        raise ValueError("no mahallas to summarise")
    counts = {
        "mahallas": n,
        "no_crime": int(classes["no_crime"].sum()),
        **{name: int((classes["class"] == name).sum()) for name in CLASSES},
    }
    shares = {f"{k}_share": v / n for k, v in counts.items() if k != "mahallas"}
    return pd.Series({**counts, **shares})


def red_streaks(
    history: pd.DataFrame | Sequence[Sequence[str]], *, red: str = RED
) -> pd.Series | NDArray[np.int64]:
    """Years in a row each mahalla has been red, counted back from the latest year.

    Parameters
    ----------
    history : DataFrame or sequence of sequences
        Yearly classes, one row per mahalla and one column per year in increasing order (a DataFrame's
        columns are sorted first). Missing values (NaN / None) break a streak.
    red : str
        The label that counts.

    Returns
    -------
    Series or ndarray of int
        The current streak: 0 when the latest year is not red. Use ``>= 3`` and ``>= 5`` for the 3- and 5-year
        assignment rules (DOMAIN.md section 5).

    Examples
    --------
    >>> red_streaks([["red", "red", "red"], ["red", "yellow", "red"], ["red", "red", "green"]]).tolist()
    [3, 1, 0]
    """
    if isinstance(history, pd.DataFrame):
        ordered = history.reindex(columns=sorted(history.columns))
        is_red = (ordered == red).to_numpy()
        streak = _trailing_true(is_red)
        return pd.Series(streak, index=history.index, name="red_streak")
    rows = [list(r) for r in history]
    if rows and len({len(r) for r in rows}) != 1:
        raise ValueError("every mahalla's history must cover the same years")
    is_red = np.array([[value == red for value in r] for r in rows], dtype=bool).reshape(len(rows), -1)
    return _trailing_true(is_red)


def _trailing_true(matrix: NDArray[np.bool_]) -> NDArray[np.int64]:
    if matrix.shape[1] == 0:
        return np.zeros(matrix.shape[0], dtype=np.int64)
    # Position of the last non-red year from the right; everything after it is the current streak.
    reversed_ = matrix[:, ::-1]
    first_break = np.where(reversed_.all(axis=1), matrix.shape[1], np.argmin(reversed_, axis=1))
    return np.asarray(first_break, dtype=np.int64)

"""Offences over three years: crimes calibrated to the published figures and administrative offences that feed
social prevention, with the planted truth of the truth file.

The model, for mahalla m in district d, offence kind c and year y (365-day blocks ending at ``as_of``):

    N[m, c, y] ~ Poisson(rate * pop[m] * city[m] * w[d] * u[m] * v[m, y] * share[c] * season[c, y])

with a district effect w ~ Gamma(4, 1/4), a persistent mahalla effect u ~ Gamma(k, 1/k) (both mean 1) and a
small yearly wobble v ~ Gamma(25, 1/25). Mixing a Poisson over Gamma effects gives negative binomial counts
(Greenwood & Yule 1920); k is solved so that the expected share of mahallas with no crime in a year is the
published 44.8 % (DOMAIN.md section 4). With ~4.1 crimes per mahalla-year that gives counts whose fitted
negative binomial size is about 0.3, and under the platform's default classification (which compares a
mahalla with its district) about 7 % red and 48 % yellow, as published. Residential burglaries are a
self-exciting (Hawkes) process: each is followed, with branching ratio 0.3, by others nearby within days
(Mohler et al. 2011, JASA 106(493)); the background is thinned by (1 - 0.3) so the mean is unchanged.

Planted truth (all recorded in the truth file): emerging hot spots from known dates, space-time clusters,
mahallas that turn red for one year and recover, and a district where a prevention measure removes a known
share of place-based crime from a known date (each offence there is kept with probability 1 - reduction,
which is an exact thinning of the Poisson process).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import shapely
from scipy import optimize, stats
from scipy.special import gammaln

from mahalla.incidents.reference_data import reference_article_rules, reference_causes

from . import kinds as K
from .calendar import PROFILES, day_weights, hour_weights, period_start
from .territory import MahallaUnit, Territory

YEARS = 3
CRIME_RATE_PER_100K = 99.2  # crimes located in mahallas per 100,000 people a year, 2025 (DOMAIN.md section 4)
TARGET_NO_CRIME_SHARE = 0.448  # mahallas with no crime recorded in 2025 (DOMAIN.md section 4)
URBAN_RATE_FACTOR = 1.3  # crime per person is higher in cities; the national rate is kept by normalising
YEAR_WOBBLE_SHAPE = 25.0
# Districts differ too (some are worse as a whole): a district effect Gamma(4, 1/4), CV 0.5. Without it, all
# variation would sit between neighbouring mahallas, which is neither realistic nor what a classification
# that compares a mahalla with its district expects.
DISTRICT_EFFECT_SHAPE = 4.0
ADMIN_EFFECT_POWER = 0.6  # administrative offences follow the mahalla effect, less steeply than crime

# Planted truth: how many of each, by scale.
PLANTED_COUNTS = {
    "tiny": {"emerging_hotspots": 2, "spacetime_clusters": 2, "red_episodes": 2},
    "region": {"emerging_hotspots": 3, "spacetime_clusters": 3, "red_episodes": 4},
    "nation": {"emerging_hotspots": 6, "spacetime_clusters": 6, "red_episodes": 8},
}
HOTSPOT_KINDS = ("theft", "burglary", "hooliganism", "violent", "drugs")
HOTSPOT_MULTIPLIER = 5.0
HOTSPOT_MIN_RATE = 100.0  # place-based crimes a year in each affected mahalla after the start, at least
HOTSPOT_NEIGHBOURS = 3  # nearest mahallas that heat up with the focal one
HOTSPOT_WEEKS_BEFORE = (4, 10)  # the start lies this many weeks before as_of
RED_EPISODE_MULTIPLIER = 6.0
RED_EPISODE_MIN_RATE = 40.0
CLUSTER_EVENTS = 15
CLUSTER_RADIUS_M = 400.0
CLUSTER_DAYS = 14
RECENT_CLUSTER_DAYS = 7
INTERVENTION_REDUCTION = 0.30

METRES_PER_DEGREE = 111_195.0

# Origins of events in the truth file.
BACKGROUND, NEAR_REPEAT, HOTSPOT, CLUSTER, RED_EPISODE = 0, 1, 2, 3, 4
ORIGIN_NAMES = ("background", "near_repeat", "emerging_hotspot", "spacetime_cluster", "red_episode")


@dataclass
class Events:
    """Offences as parallel columns; one row per offence."""

    kind: list[np.ndarray] = field(default_factory=list)
    mahalla: list[np.ndarray] = field(default_factory=list)
    minute: list[np.ndarray] = field(default_factory=list)  # minutes since the period start
    origin: list[np.ndarray] = field(default_factory=list)
    planted: list[np.ndarray] = field(default_factory=list)  # index into the planted list, -1 for none
    lon: list[np.ndarray] = field(default_factory=list)
    lat: list[np.ndarray] = field(default_factory=list)
    parent: list[np.ndarray] = field(default_factory=list)

    def add(
        self,
        kind: Any,
        mahalla: Any,
        minute: Any,
        origin: int,
        planted: Any = -1,
        lon: Any = None,
        lat: Any = None,
        parent: Any = -1,
    ) -> None:
        n = len(np.atleast_1d(minute))
        self.kind.append(np.broadcast_to(np.asarray(kind, dtype=np.int64), n).copy())
        self.mahalla.append(np.broadcast_to(np.asarray(mahalla, dtype=np.int64), n).copy())
        self.minute.append(np.asarray(minute, dtype=np.int64).reshape(n))
        self.origin.append(np.full(n, origin, dtype=np.int64))
        self.planted.append(np.broadcast_to(np.asarray(planted, dtype=np.int64), n).copy())
        self.lon.append(np.full(n, np.nan) if lon is None else np.asarray(lon, dtype=float).reshape(n))
        self.lat.append(np.full(n, np.nan) if lat is None else np.asarray(lat, dtype=float).reshape(n))
        self.parent.append(np.broadcast_to(np.asarray(parent, dtype=np.int64), n).copy())

    def columns(self) -> dict[str, np.ndarray]:
        names = ("kind", "mahalla", "minute", "origin", "planted", "lon", "lat", "parent")
        return {
            name: np.concatenate(getattr(self, name)) if getattr(self, name) else np.array([])
            for name in names
        }


@dataclass
class OffenceSet:
    rows: list[dict[str, str]]
    event_truth: list[dict[str, str]]
    planted: dict[str, Any]
    parameters: dict[str, Any]
    mahalla_truth: list[dict[str, str]]


def solve_gamma_shape(expected: np.ndarray, target_zero_share: float) -> float:
    """The Gamma shape k whose Poisson-Gamma mixture gives `target_zero_share` zero counts on average.

    For a mahalla with expected count a, P(N = 0) = E[exp(-a u)] = (1 + a / k) ** -k when u ~ Gamma(k, 1/k)
    (the negative binomial zero probability); the yearly wobble v is integrated over a grid of its quantiles.
    """
    wobble = stats.gamma.ppf((np.arange(16) + 0.5) / 16, YEAR_WOBBLE_SHAPE, scale=1 / YEAR_WOBBLE_SHAPE)
    a = np.outer(expected, wobble)

    def zero_share(k: float) -> float:
        return float(np.mean((1.0 + a / k) ** -k)) - target_zero_share

    if zero_share(1e-3) < 0 or zero_share(1e3) > 0:
        raise ValueError(
            f"no Gamma shape gives a no-crime share of {target_zero_share:.3f} for a mean of "
            f"{expected.mean():.2f} crimes per mahalla-year"
        )
    return float(optimize.brentq(zero_share, 1e-3, 1e3, xtol=1e-10))


class OffenceGenerator:
    """Draws every offence of the period for a territory (one instance per generation run)."""

    def __init__(self, territory: Territory, seed: int, as_of: date, scale: str) -> None:
        self.territory = territory
        self.mahallas: list[MahallaUnit] = territory.mahallas
        self.rng = np.random.default_rng([seed, 3])
        self.as_of = as_of
        self.scale = scale
        self.start = period_start(as_of, YEARS)
        self.days = (as_of - self.start).days
        day = np.arange(self.days)
        # Year 2 is the last 365 days before as_of; a leap day at the start joins year 0.
        self.year_of_day = np.clip(YEARS - 1 - (self.days - 1 - day) // 365, 0, YEARS - 1)
        self.crime_kinds = K.CRIME_KINDS
        self.admin_kinds = K.ADMIN_KINDS
        self.all_kinds = self.crime_kinds + self.admin_kinds
        self.kind_index = {k.name: i for i, k in enumerate(self.all_kinds)}
        self.day_weights = {
            k.name: day_weights(PROFILES[k.profile], self.start, self.days) for k in self.all_kinds
        }
        self.population = np.array([m.population for m in self.mahallas], dtype=float)
        urban = np.array([m.urban for m in self.mahallas])
        city = np.where(urban, URBAN_RATE_FACTOR, 1.0)
        city /= np.average(city, weights=self.population)
        self.base_rate = CRIME_RATE_PER_100K / 100_000 * self.population * city  # crimes a year, u = 1
        self.admin_base_rate = K.ADMIN_RATE_PER_100K / 100_000 * self.population * city
        district_codes = sorted({m.district_code for m in self.mahallas})
        district_effect = dict(
            zip(
                district_codes,
                self.rng.gamma(DISTRICT_EFFECT_SHAPE, 1.0 / DISTRICT_EFFECT_SHAPE, size=len(district_codes)),
                strict=True,
            )
        )
        self.district_effect = np.array([district_effect[m.district_code] for m in self.mahallas])
        # Rescale to a population-weighted mean of 1: the national rate is a published figure, not a draw.
        self.district_effect /= np.average(self.district_effect, weights=self.base_rate)
        # The mahalla effect's shape is solved given the district effects actually drawn, so the expected
        # no-crime share is the target whatever the districts came out as.
        self.gamma_shape = solve_gamma_shape(self.base_rate * self.district_effect, TARGET_NO_CRIME_SHARE)
        self.mahalla_effect = self.rng.gamma(
            self.gamma_shape, 1.0 / self.gamma_shape, size=len(self.mahallas)
        )
        # Likewise for the mahalla effects drawn (their mean wanders by ~2 % over 9,000 draws of shape ~0.4).
        self.mahalla_effect /= np.average(self.mahalla_effect, weights=self.base_rate * self.district_effect)
        self.effect = self.district_effect * self.mahalla_effect
        self.wobble = self.rng.gamma(
            YEAR_WOBBLE_SHAPE, 1.0 / YEAR_WOBBLE_SHAPE, size=(len(self.mahallas), YEARS)
        )
        self.boundaries = [m.boundary for m in self.mahallas]
        for boundary in self.boundaries:
            shapely.prepare(boundary)
        self.events = Events()
        self.planted: list[dict[str, Any]] = []
        self.district_index: dict[str, list[int]] = {}
        for i, m in enumerate(self.mahallas):
            self.district_index.setdefault(m.district_code, []).append(i)

    # ----------------------------------------------------------------------------------------------- times
    def _year_days(self, year: int) -> np.ndarray:
        return np.flatnonzero(self.year_of_day == year)

    def _season_factor(self, kind: str, year: int) -> float:
        """Expected offences in year `year` relative to a flat 365-day year (leap-day blocks are longer)."""
        return float(self.day_weights[kind][self._year_days(year)].sum() / 365.0)

    def _draw_minutes(self, kind: K.KindSpec, days: np.ndarray) -> np.ndarray:
        hours = self.rng.choice(24, size=len(days), p=hour_weights(PROFILES[kind.profile]))
        return days * 1440 + hours * 60 + self.rng.integers(0, 60, size=len(days))

    def _draw_days(self, kind: K.KindSpec, first_day: int, last_day: int, count: int) -> np.ndarray:
        """`count` days in [first_day, last_day) following the kind's seasonal and weekly profile."""
        weights = self.day_weights[kind.name][first_day:last_day]
        return first_day + self.rng.choice(len(weights), size=count, p=weights / weights.sum())

    # ------------------------------------------------------------------------------------------ background
    def _background(self) -> None:
        for kind in self.crime_kinds:
            share = kind.share * ((1 - K.NEAR_REPEAT_BRANCHING) if kind.name == "burglary" else 1.0)
            for year in range(YEARS):
                days = self._year_days(year)
                expected = (
                    self.base_rate
                    * self.effect
                    * self.wobble[:, year]
                    * share
                    * self._season_factor(kind.name, year)
                )
                self._add_counts(
                    kind, self.rng.poisson(expected), int(days[0]), int(days[-1]) + 1, BACKGROUND
                )
        # E[u ** p] of a Gamma(k, 1/k) variable, so that the administrative mean stays at its stated rate.
        k = self.gamma_shape
        mean_power = float(
            np.exp(gammaln(k + ADMIN_EFFECT_POWER) - gammaln(k) - ADMIN_EFFECT_POWER * np.log(k))
        )
        admin_effect = self.district_effect * self.mahalla_effect**ADMIN_EFFECT_POWER / mean_power
        for kind in self.admin_kinds:
            for year in range(YEARS):
                days = self._year_days(year)
                expected = (
                    self.admin_base_rate
                    * admin_effect
                    * self.wobble[:, year]
                    * kind.share
                    * self._season_factor(kind.name, year)
                )
                self._add_counts(
                    kind, self.rng.poisson(expected), int(days[0]), int(days[-1]) + 1, BACKGROUND
                )

    def _add_counts(
        self,
        kind: K.KindSpec,
        counts: np.ndarray,
        first: int,
        last: int,
        origin: int,
        planted: int = -1,
        mahallas: np.ndarray | None = None,
    ) -> None:
        """Add counts[i] offences of `kind` in mahalla mahallas[i] (default: i) on days in [first, last)."""
        total = int(counts.sum())
        if total == 0:
            return
        targets = np.arange(len(counts)) if mahallas is None else mahallas
        mahalla = np.repeat(targets, counts)
        days = self._draw_days(kind, first, last, total)
        self.events.add(self.kind_index[kind.name], mahalla, self._draw_minutes(kind, days), origin, planted)

    # -------------------------------------------------------------------------------------------- planted
    def _choose_planted(self) -> None:
        counts = PLANTED_COUNTS[self.scale]
        n = len(self.mahallas)
        district_codes = sorted(self.district_index)
        # The intervention district: the one with most mahallas (ties by code), so the effect is measurable.
        # At tiny scale it is the only district.
        sizes = [(len(self.district_index[c]), c) for c in district_codes]
        intervention_district = max(sizes, key=lambda s: (s[0], s[1]))[1]
        intervention_day = self.days - 365 - int(self.rng.integers(30, 120))
        self.intervention: dict[str, Any] = {
            "district_code": intervention_district,
            "start_date": (self.start + timedelta(days=intervention_day)).isoformat(),
            "start_day": intervention_day,
            "reduction": INTERVENTION_REDUCTION,
            "categories": sorted({k.category for k in self.crime_kinds if k.category != "cyber"}),
        }
        outside = [i for i in range(n) if self.mahallas[i].district_code != intervention_district]
        candidates = outside if len(outside) >= 10 else list(range(n))
        # Planted mahallas are ordinary ones (middling effect) so the signal is the planted change.
        middling = [i for i in candidates if 0.3 < self.effect[i] < 2.0] or candidates
        chosen = self.rng.permutation(middling)
        total = counts["emerging_hotspots"] + counts["spacetime_clusters"] + counts["red_episodes"]
        if len(chosen) < total:
            chosen = self.rng.permutation(n)
        position = 0

        def take(count: int) -> list[int]:
            nonlocal position
            picked = [int(i) for i in chosen[position : position + count]]
            position += count
            return picked

        self.hotspot_mahallas = take(counts["emerging_hotspots"])
        self.cluster_mahallas = take(counts["spacetime_clusters"])
        self.red_mahallas = take(counts["red_episodes"])

    def _place_based_rate(self, m: int) -> float:
        """Expected place-based (non-cyber) crimes a year of mahalla m before any planted change."""
        share = sum(k.share for k in self.crime_kinds if k.category != "cyber")
        return float(self.base_rate[m] * self.effect[m] * share)

    def _hotspots(self) -> None:
        """Emerging hot spots: a mahalla and its nearest neighbours in the district, where place-based crime
        jumps from a date 4-10 weeks before as_of (recent enough for a 12-week emerging hot spot analysis to
        see it emerge, and spread over a neighbourhood as hot spot statistics like Gi* look for)."""
        kinds = [k for k in self.crime_kinds if k.name in HOTSPOT_KINDS]
        kind_share = np.array([k.share for k in kinds]) / sum(k.share for k in kinds)
        centres = np.array([[p.x, p.y] for p in shapely.point_on_surface(self.boundaries)])
        for number, m in enumerate(self.hotspot_mahallas, start=1):
            start_day = self.days - int(
                self.rng.integers(HOTSPOT_WEEKS_BEFORE[0] * 7, HOTSPOT_WEEKS_BEFORE[1] * 7)
            )
            # Nearest by distance, across district borders too: a hot spot does not stop at a boundary.
            distance = np.hypot(
                (centres[:, 0] - centres[m, 0]) * np.cos(np.radians(centres[m, 1])),
                centres[:, 1] - centres[m, 1],
            )
            group = [int(i) for i in np.argsort(distance, kind="stable")[: HOTSPOT_NEIGHBOURS + 1]]
            planted = len(self.planted)
            rates = []
            for member in group:
                base = self._place_based_rate(member)
                extra_per_year = max(HOTSPOT_MULTIPLIER * base, HOTSPOT_MIN_RATE) - base
                rates.append((base, base + extra_per_year))
                for kind, share in zip(kinds, kind_share, strict=True):
                    expected = extra_per_year * share * (self.days - start_day) / 365.0
                    count = np.array([self.rng.poisson(expected)])
                    self._add_counts(kind, count, start_day, self.days, HOTSPOT, planted, np.array([member]))
            self.planted.append(
                {
                    "type": "emerging_hotspot",
                    "id": f"EHS-{number}",
                    "mahalla_code": self.mahallas[m].code,
                    "mahalla_codes": [self.mahallas[i].code for i in group],
                    "district_code": self.mahallas[m].district_code,
                    "start_date": (self.start + timedelta(days=start_day)).isoformat(),
                    "kinds": list(HOTSPOT_KINDS),
                    "baseline_per_year": [round(r[0], 3) for r in rates],
                    "rate_after_start_per_year": [round(r[1], 3) for r in rates],
                }
            )

    def _red_episodes(self) -> None:
        kinds = [k for k in self.crime_kinds if k.category != "cyber"]
        kind_share = np.array([k.share for k in kinds]) / sum(k.share for k in kinds)
        days = self._year_days(1)
        first, last = int(days[0]), int(days[-1]) + 1
        for number, m in enumerate(self.red_mahallas, start=1):
            base = self._place_based_rate(m)
            extra = max(RED_EPISODE_MULTIPLIER * base, RED_EPISODE_MIN_RATE) - base
            planted = len(self.planted)
            self.planted.append(
                {
                    "type": "red_episode",
                    "id": f"RED-{number}",
                    "mahalla_code": self.mahallas[m].code,
                    "district_code": self.mahallas[m].district_code,
                    "start_date": (self.start + timedelta(days=first)).isoformat(),
                    "end_date": (self.start + timedelta(days=last)).isoformat(),
                    "baseline_per_year": round(base, 3),
                    "rate_during_episode_per_year": round(base + extra, 3),
                }
            )
            for kind, share in zip(kinds, kind_share, strict=True):
                count = np.array([self.rng.poisson(extra * share)])
                self._add_counts(kind, count, first, last, RED_EPISODE, planted, np.array([m]))

    def _clusters(self) -> None:
        kind = next(k for k in self.crime_kinds if k.name == "theft")
        for number, m in enumerate(self.cluster_mahallas, start=1):
            centre_lon, centre_lat = self._points_in(m, 1)
            if number == 1:
                # The first is alive on the last day, for a daily prospective scan (which looks back a week).
                duration = RECENT_CLUSTER_DAYS
                start_day = self.days - duration
            else:
                duration = CLUSTER_DAYS
                start_day = int(self.rng.integers(30, self.days - 30 - CLUSTER_DAYS))
            lon, lat = self._points_in_disc(
                m, float(centre_lon[0]), float(centre_lat[0]), CLUSTER_RADIUS_M, CLUSTER_EVENTS
            )
            days = start_day + self.rng.integers(0, duration, size=CLUSTER_EVENTS)
            planted = len(self.planted)
            self.planted.append(
                {
                    "type": "spacetime_cluster",
                    "id": f"STC-{number}",
                    "mahalla_code": self.mahallas[m].code,
                    "district_code": self.mahallas[m].district_code,
                    "category": kind.category,
                    "centre_lon": round(float(centre_lon[0]), 6),
                    "centre_lat": round(float(centre_lat[0]), 6),
                    "radius_m": CLUSTER_RADIUS_M,
                    "start_date": (self.start + timedelta(days=start_day)).isoformat(),
                    "end_date": (self.start + timedelta(days=start_day + duration)).isoformat(),
                    "events": CLUSTER_EVENTS,
                }
            )
            self.events.add(
                self.kind_index[kind.name], m, self._draw_minutes(kind, days), CLUSTER, planted, lon, lat
            )

    # ----------------------------------------------------------------------------------------- locations
    def _points_in(self, m: int, count: int) -> tuple[np.ndarray, np.ndarray]:
        """`count` points uniform in mahalla m, on the 1e-6 grid and strictly inside its boundary."""
        boundary = self.boundaries[m]
        minx, miny, maxx, maxy = boundary.bounds
        lon_out: list[np.ndarray] = []
        lat_out: list[np.ndarray] = []
        needed = count
        while needed > 0:
            batch = 2 * needed + 8
            lon = np.round(self.rng.uniform(minx, maxx, batch), 6)
            lat = np.round(self.rng.uniform(miny, maxy, batch), 6)
            inside = shapely.contains_xy(boundary, lon, lat)
            lon_out.append(lon[inside][:needed])
            lat_out.append(lat[inside][:needed])
            needed -= len(lon_out[-1])
        return np.concatenate(lon_out), np.concatenate(lat_out)

    def _points_in_disc(
        self,
        m: int,
        lon0: float,
        lat0: float,
        radius: float,
        count: int,
    ) -> tuple[np.ndarray, np.ndarray]:
        """`count` points uniform in the disc of `radius` metres around (lon0, lat0) and inside mahalla m."""
        boundary = self.boundaries[m]
        lon_out: list[np.ndarray] = []
        lat_out: list[np.ndarray] = []
        needed = count
        for _ in range(200):
            batch = 4 * needed + 8
            r = radius * np.sqrt(self.rng.random(batch))
            angle = self.rng.uniform(0, 2 * np.pi, batch)
            lon = np.round(lon0 + r * np.cos(angle) / (METRES_PER_DEGREE * np.cos(np.radians(lat0))), 6)
            lat = np.round(lat0 + r * np.sin(angle) / METRES_PER_DEGREE, 6)
            inside = shapely.contains_xy(boundary, lon, lat)
            lon_out.append(lon[inside][:needed])
            lat_out.append(lat[inside][:needed])
            needed -= len(lon_out[-1])
            if needed == 0:
                break
        if needed:
            raise RuntimeError(f"could not place points near ({lon0}, {lat0}) inside {self.mahallas[m].code}")
        return np.concatenate(lon_out), np.concatenate(lat_out)

    def _locate(self, columns: dict[str, np.ndarray]) -> None:
        located_kinds = np.array([k.located for k in self.all_kinds])
        need = located_kinds[columns["kind"]] & np.isnan(columns["lon"])
        index = np.flatnonzero(need)
        order = index[np.argsort(columns["mahalla"][index], kind="stable")]
        mahalla_sorted = columns["mahalla"][order]
        bounds = np.flatnonzero(np.diff(mahalla_sorted)) + 1
        for group in np.split(order, bounds):
            if group.size == 0:
                continue
            lon, lat = self._points_in(int(columns["mahalla"][group[0]]), group.size)
            columns["lon"][group] = lon
            columns["lat"][group] = lat

    # --------------------------------------------------------------------------------------- near repeats
    def _near_repeats(self, columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Follow-on burglaries: each burglary (background or follow-on) begets Poisson(0.3) more."""
        burglary = self.kind_index["burglary"]
        end_minute = self.days * 1440
        parents = np.flatnonzero((columns["kind"] == burglary) & (columns["origin"] == BACKGROUND))
        offset = len(columns["kind"])
        new: dict[str, list[np.ndarray]] = {name: [] for name in columns}
        generation = {name: columns[name][parents] for name in columns}
        generation_index = parents
        while generation_index.size:
            children = self.rng.poisson(K.NEAR_REPEAT_BRANCHING, size=generation_index.size)
            parent_rows = np.repeat(np.arange(generation_index.size), children)
            if parent_rows.size == 0:
                break
            delay = np.maximum(1, np.round(self.rng.exponential(K.NEAR_REPEAT_DAYS * 1440, parent_rows.size)))
            minute = generation["minute"][parent_rows] + delay.astype(np.int64)
            keep = minute < end_minute
            parent_rows, minute = parent_rows[keep], minute[keep]
            mahalla = generation["mahalla"][parent_rows]
            lon = np.empty(parent_rows.size)
            lat = np.empty(parent_rows.size)
            for j, row in enumerate(parent_rows):
                lon[j], lat[j] = self._near_point(
                    int(mahalla[j]), generation["lon"][row], generation["lat"][row]
                )
            child = {
                "kind": np.full(parent_rows.size, burglary, dtype=np.int64),
                "mahalla": mahalla,
                "minute": minute,
                "origin": np.full(parent_rows.size, NEAR_REPEAT, dtype=np.int64),
                "planted": np.full(parent_rows.size, -1, dtype=np.int64),
                "lon": lon,
                "lat": lat,
                "parent": generation_index[parent_rows],
            }
            child_index = offset + np.arange(parent_rows.size)
            offset += parent_rows.size
            for name in columns:
                new[name].append(child[name])
            generation, generation_index = child, child_index
        if not new["kind"]:
            return columns
        return {name: np.concatenate([columns[name], *new[name]]) for name in columns}

    def _near_point(self, m: int, lon0: float, lat0: float) -> tuple[float, float]:
        boundary = self.boundaries[m]
        scale_lon = METRES_PER_DEGREE * np.cos(np.radians(lat0))
        for _ in range(8):
            dx, dy = self.rng.normal(0, K.NEAR_REPEAT_METRES, 2)
            lon = round(lon0 + dx / scale_lon, 6)
            lat = round(lat0 + dy / METRES_PER_DEGREE, 6)
            if shapely.contains_xy(boundary, lon, lat):
                return lon, lat
        return lon0, lat0

    # ------------------------------------------------------------------------------------- intervention
    def _intervene(self, columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        district = self.intervention["district_code"]
        in_district = np.zeros(len(self.mahallas), dtype=bool)
        in_district[self.district_index[district]] = True
        place_based = np.array([k.code_kind == K.CRIMINAL and k.category != "cyber" for k in self.all_kinds])[
            columns["kind"]
        ]
        # Planted patterns are left whole, so they are exactly as the truth file records them (at tiny scale
        # they share the one district with the measure).
        unplanted = (columns["origin"] == BACKGROUND) | (columns["origin"] == NEAR_REPEAT)
        affected = (
            in_district[columns["mahalla"]]
            & place_based
            & unplanted
            & (columns["minute"] >= self.intervention["start_day"] * 1440)
        )
        removed = affected & (self.rng.random(len(affected)) < INTERVENTION_REDUCTION)
        self.intervention["affected_offences_without_measure"] = int(affected.sum())
        self.intervention["offences_prevented"] = int(removed.sum())
        keep = ~removed
        # Parents that were prevented take their follow-ons' parent links with them.
        new_index = np.cumsum(keep) - 1
        parent = columns["parent"]
        parent_kept = np.where(parent >= 0, keep[np.maximum(parent, 0)], False)
        columns["parent"] = np.where(parent_kept, new_index[np.maximum(parent, 0)], -1)
        return {name: values[keep] for name, values in columns.items()}

    # ------------------------------------------------------------------------------------------- run
    def run(self) -> dict[str, np.ndarray]:
        self._choose_planted()
        self._background()
        self._hotspots()
        self._red_episodes()
        self._clusters()
        columns = self.events.columns()
        self._locate(columns)
        columns = self._near_repeats(columns)
        return self._intervene(columns)


def _weighted_choice(
    rng: np.random.Generator, options: tuple[tuple[str, float], ...], size: int
) -> np.ndarray:
    values = np.array([o[0] for o in options], dtype=object)
    weights = np.array([o[1] for o in options], dtype=float)
    return values[rng.choice(len(values), size=size, p=weights / weights.sum())]


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    logit: np.ndarray = np.log(p / (1 - p))
    return logit


class ArticleTable:
    """Which (code kind, article) pairs map to a category on a date, from the shipped reference table."""

    def __init__(self) -> None:
        self.rules = reference_article_rules()

    def valid(self, code_kind: str, article: str, on: date) -> bool:
        return any(
            r["code_kind"] == code_kind
            and r["article"] == article
            and (r["valid_from"] is None or r["valid_from"] <= on)
            and (r["valid_to"] is None or on < r["valid_to"])
            for r in self.rules
        )

    def valid_from(self, code_kind: str, article: str) -> date | None:
        starts = [
            r["valid_from"] for r in self.rules if r["code_kind"] == code_kind and r["article"] == article
        ]
        return min((s for s in starts if s is not None), default=None)


def build_offences(territory: Territory, seed: int, as_of: date, scale: str) -> OffenceSet:
    """Every offence of the three years before `as_of`, as import rows, with the truth about each."""
    generator = OffenceGenerator(territory, seed, as_of, scale)
    columns = generator.run()
    rng = np.random.default_rng([seed, 4])
    kinds = generator.all_kinds
    mahallas = generator.mahallas
    n = len(columns["kind"])
    known_causes = {row["code"] for row in reference_causes()}
    articles = ArticleTable()

    # Order by time, then mahalla and kind; a random key breaks the remaining ties reproducibly.
    tiebreak = rng.permutation(n)
    order = np.lexsort((tiebreak, columns["kind"], columns["mahalla"], columns["minute"]))
    old_to_new = np.empty(n, dtype=np.int64)
    old_to_new[order] = np.arange(n)
    columns = {name: values[order] for name, values in columns.items()}
    columns["parent"] = np.where(columns["parent"] >= 0, old_to_new[np.maximum(columns["parent"], 0)], -1)

    kind_of = columns["kind"]
    # Per-mahalla leanings for a few flags (DOMAIN.md section 5: mahallas with most women's crime, alcohol,
    # conflict-ridden families).
    leaning = {
        flag: rng.normal(0, spread, size=len(mahallas))
        for flag, spread in sorted(K.FLAG_MAHALLA_SPREAD.items())
    }
    flags: dict[str, np.ndarray] = {}
    for flag in ("minor", "youth", "woman", "family", "alcohol", "drugs", "repeat"):
        p = np.array([k.flags.get(flag, 0.0) for k in kinds])[kind_of]
        if flag in leaning:
            shifted = 1 / (1 + np.exp(-(_logit(p) + leaning[flag][columns["mahalla"]])))
            p = np.where((p > 0) & (p < 1), shifted, p)
        flags[flag] = rng.random(n) < p
    # A minor is not also "youth (18-30)".
    flags["youth"] &= ~flags["minor"]

    article = np.empty(n, dtype=object)
    place = np.empty(n, dtype=object)
    method = np.full(n, "", dtype=object)
    bank_card = np.zeros(n, dtype=bool)
    computer = np.zeros(n, dtype=bool)
    for index, kind in enumerate(kinds):
        rows = np.flatnonzero(kind_of == index)
        if rows.size == 0:
            continue
        place[rows] = _weighted_choice(rng, kind.places, rows.size)
        if kind.name == "cyber":
            card = rng.random(rows.size) < K.CYBER_BANK_CARD
            bank_card[rows] = card
            computer[rows] = True
            method[rows] = _weighted_choice(rng, K.CYBER_METHODS, rows.size)
            article[rows] = np.where(
                card,
                _weighted_choice(rng, K.CYBER_CARD_ARTICLES, rows.size),
                _weighted_choice(rng, K.CYBER_OTHER_ARTICLES, rows.size),
            )
        else:
            article[rows] = _weighted_choice(rng, kind.articles, rows.size)

    start = generator.start
    start_dt = datetime(start.year, start.month, start.day)
    occurred = [start_dt + timedelta(minutes=int(m)) for m in columns["minute"]]
    # Domestic violence became a crime (126-1) on 2023-04-11; earlier incidents were charged as bodily injury.
    dv_from = articles.valid_from(K.CRIMINAL, "126-1")
    dv_kind = generator.kind_index["domestic_violence"]
    if dv_from is not None:
        early = np.flatnonzero((kind_of == dv_kind) & (columns["minute"] < (dv_from - start).days * 1440))
        article[early] = "109"
    for kind_index_value, kind in enumerate(kinds):
        rows = np.flatnonzero(kind_of == kind_index_value)
        for candidate in sorted(set(article[rows])):
            first = rows[article[rows] == candidate][0]
            last = rows[article[rows] == candidate][-1]
            for row in (first, last):
                if not articles.valid(kind.code_kind, candidate, occurred[row].date()):
                    raise ValueError(
                        f"article {candidate} ({kind.code_kind}) has no category rule on "
                        f"{occurred[row].date()}"
                    )

    # Repeat victimisation in domestic violence: an incident is against a victim already known in the
    # mahalla with probability DOMESTIC_REPEAT_VICTIM (most recent victims more likely).
    victim_ref = np.full(n, "", dtype=object)
    offender_ref = np.full(n, "", dtype=object)
    repeat_victim = np.zeros(n, dtype=bool)
    domestic = np.array([k.category == "domestic_violence" for k in kinds])[kind_of]
    known_victims: dict[int, list[tuple[str, str]]] = {}
    person_serial = 0
    for row in np.flatnonzero(domestic):
        m = int(columns["mahalla"][row])
        pool = known_victims.setdefault(m, [])
        if pool and rng.random() < K.DOMESTIC_REPEAT_VICTIM:
            weights = np.arange(1, len(pool) + 1, dtype=float)
            victim, offender = pool[int(rng.choice(len(pool), p=weights / weights.sum()))]
            repeat_victim[row] = True
        else:
            person_serial += 1
            victim = f"V{seed % 1000:03d}{person_serial:07d}"
            offender = f"P{seed % 1000:03d}{person_serial:07d}"
            pool.append((victim, offender))
        victim_ref[row], offender_ref[row] = victim, offender

    # Causes: the kind's typical causes, plus ones that follow from the flags.
    cause_lists: list[str] = []
    cause_draw = rng.random((n, 8))
    kind_causes = [kind.causes for kind in kinds]
    for row in range(n):
        kind = kinds[kind_of[row]]
        chosen: list[str] = []
        for position, (code, probability) in enumerate(kind_causes[kind_of[row]][:6]):
            if cause_draw[row, position] < probability:
                chosen.append(code)
        if kind.name == "cyber":
            chosen.insert(0, K.CYBER_METHOD_CAUSE[method[row]])
        if flags["alcohol"][row]:
            chosen.append("BEHAVIOUR.ALCOHOL")
        if flags["drugs"][row] and kind.category != "drugs":
            chosen.append("BEHAVIOUR.DRUGS")
        if flags["minor"][row] and cause_draw[row, 6] < 0.5:
            chosen.append("SOCIAL.NEGLECT_OF_MINORS")
        if flags["repeat"][row] and cause_draw[row, 7] < 0.4:
            chosen.append("SOCIAL.NO_REINTEGRATION")
        if repeat_victim[row]:
            chosen.append("VICTIM.REPEAT_VICTIM")
        if columns["origin"][row] == NEAR_REPEAT:
            chosen.append("PREVENTION.NO_FOLLOW_UP")
        unique = list(dict.fromkeys(chosen))
        unknown = [c for c in unique if c not in known_causes]
        if unknown:
            raise ValueError(f"cause codes {unknown} are not in the cause taxonomy")
        cause_lists.append(";".join(unique))

    # Registration: minutes to days later (IT crime is reported late), never after the end of the period.
    delay_hours = np.where(
        np.array([k.name == "cyber" for k in kinds])[kind_of],
        rng.exponential(30.0, n),
        rng.exponential(3.0, n),
    )
    end_minute = generator.days * 1440 - 1
    registered_minute = np.minimum(
        columns["minute"] + np.round(delay_hours * 60).astype(np.int64), end_minute
    )
    registered_minute = np.maximum(registered_minute, columns["minute"])
    solved = rng.random(n) < np.array([k.solved for k in kinds])[kind_of]
    age_days = generator.days - columns["minute"] // 1440

    serial: dict[tuple[str, str, int], int] = {}
    rows_out: list[dict[str, str]] = []
    truth_out: list[dict[str, str]] = []
    registration = np.empty(n, dtype=object)
    for row in range(n):
        kind = kinds[kind_of[row]]
        mahalla = mahallas[int(columns["mahalla"][row])]
        when = occurred[row]
        source = "EJR" if kind.code_kind == K.CRIMINAL else "E-MAMURIY"
        key = (source, mahalla.district_code, when.year)
        serial[key] = serial.get(key, 0) + 1
        prefix = "EJR" if source == "EJR" else "EM"
        registration[row] = f"{prefix}-{mahalla.district_code}-{when.year}-{serial[key]:06d}"
        if kind.code_kind == K.ADMINISTRATIVE:
            status = "closed"
        elif solved[row]:
            status = "closed" if age_days[row] > 240 else "court" if age_days[row] > 90 else "investigation"
        else:
            status = (
                "suspended"
                if age_days[row] > 180
                else "registered"
                if age_days[row] < 10
                else "investigation"
            )
        located = not np.isnan(columns["lon"][row])
        rows_out.append(
            {
                "source_system": source,
                "registration_number": registration[row],
                "code_kind": kind.code_kind,
                "article": str(article[row]),
                "article_part": "",
                "occurred_at": when.isoformat(timespec="minutes"),
                "registered_at": (start_dt + timedelta(minutes=int(registered_minute[row]))).isoformat(
                    timespec="minutes"
                ),
                "mahalla_code": mahalla.code,
                "latitude": f"{columns['lat'][row]:.6f}" if located else "",
                "longitude": f"{columns['lon'][row]:.6f}" if located else "",
                "place_type": str(place[row]),
                "computer_means": "1" if computer[row] else "0",
                "bank_card": "1" if bank_card[row] else "0",
                "cyber_method": str(method[row]),
                "involves_minor": "1" if flags["minor"][row] else "0",
                "involves_youth": "1" if flags["youth"][row] else "0",
                "involves_woman": "1" if flags["woman"][row] else "0",
                "family_relation": "1" if flags["family"][row] else "0",
                "under_alcohol": "1" if flags["alcohol"][row] else "0",
                "under_drugs": "1" if flags["drugs"][row] else "0",
                "repeat_offender": "1" if flags["repeat"][row] else "0",
                "victim_ref": str(victim_ref[row]),
                "offender_ref": str(offender_ref[row]),
                "causes": cause_lists[row],
                "status": status,
                "solved": "1" if solved[row] or kind.code_kind == K.ADMINISTRATIVE else "0",
            }
        )
        planted_index = int(columns["planted"][row])
        truth_out.append(
            {
                "registration_number": registration[row],
                "origin": ORIGIN_NAMES[int(columns["origin"][row])],
                "planted_id": generator.planted[planted_index]["id"] if planted_index >= 0 else "",
                "parent_registration_number": "",
                "kind": kind.name,
            }
        )
    for row in np.flatnonzero(columns["parent"] >= 0):
        truth_out[row]["parent_registration_number"] = registration[int(columns["parent"][row])]

    planted = {
        "emerging_hotspots": [p for p in generator.planted if p["type"] == "emerging_hotspot"],
        "spacetime_clusters": [p for p in generator.planted if p["type"] == "spacetime_cluster"],
        "red_episodes": [p for p in generator.planted if p["type"] == "red_episode"],
        "intervention": {k: v for k, v in generator.intervention.items() if k != "start_day"},
        "near_repeat": {
            "kind": "burglary (theft at home)",
            "branching_ratio": K.NEAR_REPEAT_BRANCHING,
            "mean_delay_days": K.NEAR_REPEAT_DAYS,
            "distance_sd_m": K.NEAR_REPEAT_METRES,
            "follow_on_offences": int(np.sum(columns["origin"] == NEAR_REPEAT)),
        },
        "domestic_repeat_victimisation": {
            "probability": K.DOMESTIC_REPEAT_VICTIM,
            "repeat_incidents": int(repeat_victim.sum()),
        },
    }
    parameters = {
        "years": YEARS,
        "period_start": generator.start.isoformat(),
        "period_end": as_of.isoformat(),
        "crime_rate_per_100k": CRIME_RATE_PER_100K,
        "admin_rate_per_100k": K.ADMIN_RATE_PER_100K,
        "target_no_crime_share": TARGET_NO_CRIME_SHARE,
        "gamma_shape": round(generator.gamma_shape, 6),
        "district_effect_shape": DISTRICT_EFFECT_SHAPE,
        "year_wobble_shape": YEAR_WOBBLE_SHAPE,
        "urban_rate_factor": URBAN_RATE_FACTOR,
        "crime_kind_shares": {k.name: k.share for k in generator.crime_kinds},
        "admin_kind_shares": {k.name: k.share for k in generator.admin_kinds},
        "cyber_bank_card_share": K.CYBER_BANK_CARD,
        "cyber_method_shares": dict(K.CYBER_METHODS),
    }
    expected = generator.base_rate[:, None] * generator.effect[:, None] * generator.wobble
    mahalla_truth = []
    for i, unit in enumerate(mahallas):
        mahalla_truth.append(
            {
                "mahalla_code": unit.code,
                "population": str(unit.population),
                "district_effect": f"{generator.district_effect[i]:.6f}",
                "mahalla_effect": f"{generator.mahalla_effect[i]:.6f}",
                **{f"expected_crimes_year{y + 1}": f"{expected[i, y]:.4f}" for y in range(YEARS)},
            }
        )
    return OffenceSet(rows_out, truth_out, planted, parameters, mahalla_truth)

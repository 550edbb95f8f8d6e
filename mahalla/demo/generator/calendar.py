"""Time patterns of offences: seasonality, day of the week and hour of the day, per kind of offence.

The shapes follow what criminology reports almost everywhere (Felson & Boba, *Crime and Everyday Life*, 2010;
Cohn & Rotton on temperature and assault): violence and disorder peak on summer evenings and weekends,
burglary of homes in working hours on weekdays, domestic violence in the evening and at weekends, online fraud
in waking hours. The amplitudes are assumptions of this synthetic nation, recorded in the truth file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np


@dataclass(frozen=True)
class TimeProfile:
    """Seasonal amplitude and peak day of year, weights for Monday..Sunday and hour-of-day bumps."""

    season_amplitude: float
    season_peak_day: int
    weekday: tuple[float, float, float, float, float, float, float]
    hour_peaks: tuple[tuple[float, float, float], ...]  # (peak hour, weight, concentration)
    hour_floor: float = 0.15


PROFILES: dict[str, TimeProfile] = {
    "cyber": TimeProfile(
        0.08, 350, (1.05, 1.05, 1.05, 1.05, 1.05, 0.9, 0.85), ((14.0, 1.0, 1.2), (21.0, 0.6, 2.0))
    ),
    "theft": TimeProfile(0.10, 260, (1.0, 1.0, 1.0, 1.0, 1.05, 1.0, 0.95), ((13.0, 1.0, 1.0),)),
    "burglary": TimeProfile(
        0.12, 290, (1.1, 1.1, 1.1, 1.1, 1.05, 0.8, 0.75), ((11.0, 1.0, 1.5), (2.0, 0.5, 2.0))
    ),
    "fraud": TimeProfile(0.05, 120, (1.05, 1.05, 1.05, 1.05, 1.05, 0.9, 0.85), ((12.0, 1.0, 1.2),)),
    "drugs": TimeProfile(0.15, 220, (0.95, 0.95, 1.0, 1.0, 1.05, 1.05, 1.0), ((17.0, 1.0, 1.0),)),
    "domestic_violence": TimeProfile(0.10, 15, (0.9, 0.9, 0.9, 0.9, 1.0, 1.2, 1.2), ((21.0, 1.0, 2.0),)),
    "violent": TimeProfile(
        0.20, 196, (0.85, 0.85, 0.9, 0.9, 1.1, 1.3, 1.2), ((22.0, 1.0, 1.5), (1.0, 0.5, 2.0))
    ),
    "hooliganism": TimeProfile(0.22, 196, (0.8, 0.8, 0.85, 0.9, 1.15, 1.35, 1.15), ((22.0, 1.0, 1.5),)),
    "other": TimeProfile(0.0, 180, (1.05, 1.05, 1.05, 1.05, 1.05, 0.9, 0.85), ((12.0, 1.0, 0.8),)),
    "admin_disorder": TimeProfile(0.20, 196, (0.8, 0.8, 0.85, 0.9, 1.15, 1.35, 1.15), ((21.0, 1.0, 1.5),)),
    "admin_family": TimeProfile(0.10, 15, (0.9, 0.9, 0.9, 0.9, 1.0, 1.2, 1.2), ((20.0, 1.0, 2.0),)),
    "admin_other": TimeProfile(0.05, 180, (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0), ((15.0, 1.0, 1.0),)),
}


def period_start(as_of: date, years: int) -> date:
    """The day `years` years before `as_of` (29 February falls back to the 28th)."""
    try:
        return as_of.replace(year=as_of.year - years)
    except ValueError:
        return as_of.replace(year=as_of.year - years, day=28)


def day_weights(profile: TimeProfile, start: date, days: int) -> np.ndarray:
    """Relative intensity of each day from `start` (season x day of week), mean 1 over the period."""
    dates = [start + timedelta(days=i) for i in range(days)]
    day_of_year = np.array([d.timetuple().tm_yday for d in dates], dtype=float)
    weekday = np.array([d.weekday() for d in dates])
    season = 1.0 + profile.season_amplitude * np.cos(
        2 * np.pi * (day_of_year - profile.season_peak_day) / 365.25
    )
    weights = season * np.asarray(profile.weekday)[weekday]
    normalised: np.ndarray = weights / weights.mean()
    return normalised


def hour_weights(profile: TimeProfile) -> np.ndarray:
    """Probability of each hour 0..23: a floor plus von Mises bumps around the peak hours."""
    hours = np.arange(24, dtype=float)
    weights = np.full(24, profile.hour_floor)
    for peak, weight, concentration in profile.hour_peaks:
        weights += weight * np.exp(concentration * (np.cos(2 * np.pi * (hours - peak) / 24) - 1))
    probabilities: np.ndarray = weights / weights.sum()
    return probabilities

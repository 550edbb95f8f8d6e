"""The count panel behind the effect of a measure: offences per mahalla per month or week, cut at the
intervention date, ready for the engine's matched difference-in-differences
(`mahalla.engine.effect.difference_in_differences`).

Kept free of the database so that the same function builds the panel from offence rows read through the
ORM (services.roadmap_effect_estimate) and from a generated nation's offences file (the tests that find the
demo's planted prevention effect).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import pandas as pd
from django.utils.translation import gettext as _

from mahalla.core.errors import ApplicationError

PERIODS = {"month": "M", "week": "W-SUN"}  # weeks run Monday to Sunday


@dataclass(frozen=True)
class CountPanel:
    counts: pd.DataFrame  # mahallas x periods (columns: first day of each period, in order)
    treatment_start: dt.date  # the first period wholly under the measure
    dropped_partial: dt.date | None  # the period cut by the intervention date, left out of both sides


def count_panel(
    days: pd.Series,
    mahallas: pd.Series,
    units: Sequence[Hashable],
    *,
    period: str,
    intervention: dt.date,
    first_day: dt.date,
    last_day: dt.date,
) -> CountPanel:
    """Offences per unit and whole period in [first_day, last_day].

    Parameters
    ----------
    days, mahallas : Series
        The local (Tashkent) date and the mahalla of each offence, aligned.
    units : sequence
        Every mahalla of the panel, also those without any offence (they count as zeros).
    period : {"month", "week"}
    intervention : date
        Periods starting on or after it are the post-period. The period that contains it but starts before
        it is partly treated: it is dropped rather than diluting either side.
    first_day, last_day : date
        Only whole periods inside this range are kept (a half month at either end would look like a drop).
    """
    if period not in PERIODS:
        raise ApplicationError(
            f"period must be one of {', '.join(PERIODS)}, got {period!r}", {"period": period}
        )
    if not first_day < intervention <= last_day:
        raise ApplicationError(
            f"the intervention date {intervention} must fall after {first_day} and by {last_day}",
            {"intervention": str(intervention)},
        )
    freq = PERIODS[period]
    all_periods = pd.period_range(first_day, last_day, freq=freq)
    whole = [p for p in all_periods if p.start_time.date() >= first_day and p.end_time.date() <= last_day]
    cut = pd.Period(intervention, freq=freq)
    dropped = cut.start_time.date() if cut.start_time.date() < intervention else None
    kept = [p for p in whole if p != cut or dropped is None]
    post = [p for p in kept if p.start_time.date() >= intervention]
    if not post:
        raise ApplicationError(
            _("No whole %(period)s after the intervention on %(date)s up to %(last)s: wait for more data.")
            % {"period": period, "date": intervention, "last": last_day},
            {"intervention": str(intervention), "last_day": str(last_day)},
        )
    frame = pd.DataFrame({"mahalla": mahallas.to_numpy(), "period": pd.PeriodIndex(days, freq=freq)})
    frame = frame[frame["period"].isin(kept) & frame["mahalla"].isin(list(units))]
    counts = (
        frame.groupby(["mahalla", "period"])
        .size()
        .unstack(fill_value=0)
        .reindex(index=list(units), columns=kept, fill_value=0)
        .fillna(0)
        .astype(int)
    )
    counts.columns = [p.start_time.date() for p in kept]
    return CountPanel(counts=counts, treatment_start=post[0].start_time.date(), dropped_partial=dropped)


def shocked_units(
    counts: pd.DataFrame,
    treatment_start: Hashable,
    *,
    skip: Sequence[Hashable] = (),
    alpha: float = 0.05,
) -> list[Hashable]:
    """Units whose own post-period level departs from their pre-period level more than chance allows, after
    the common change of all units: they are left out of the control pool.

    A control must show what would have happened without the measure; a mahalla hit by its own large shock in
    the study period (a new hot spot, a one-year red episode, a burst of thefts) shows something else, and
    matched on its pre-period it can pass for an ordinary control. Synthetic-control practice leaves such
    units out of the donor pool (Abadie 2021, section 4). The test is conditional on each unit's total:
    post ~ Binomial(pre + post, q) with q = T g / (P + T g), P and T the numbers of pre and post periods and
    g the pooled post/pre rate ratio of the units tested; two-sided exact binomial p-values (scipy), with a
    Bonferroni bound `alpha / number of units tested`, so an ordinary pool loses no unit by chance in 95 %
    of analyses.

    References
    ----------
    Abadie, A. (2021). Using synthetic controls: feasibility, data requirements, and methodological aspects.
    Journal of Economic Literature 59(2), 391-425.
    """
    from scipy.stats import binomtest

    columns = list(counts.columns)
    start = columns.index(treatment_start)
    candidates = counts.drop(index=[s for s in skip if s in counts.index])
    pre = candidates.iloc[:, :start].sum(axis=1)
    post = candidates.iloc[:, start:].sum(axis=1)
    n_pre, n_post = start, len(columns) - start
    if n_pre == 0 or n_post == 0 or pre.sum() == 0:
        return []
    ratio = (post.sum() / n_post) / (pre.sum() / n_pre)
    share = n_post * ratio / (n_pre + n_post * ratio)
    bound = alpha / len(candidates)
    shocked = []
    for unit, before, after in zip(candidates.index, pre.to_numpy(), post.to_numpy(), strict=True):
        total = int(before + after)
        if total and binomtest(int(after), total, share).pvalue < bound:
            shocked.append(unit)
    return shocked

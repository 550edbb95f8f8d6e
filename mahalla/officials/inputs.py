"""What the assignment rules look at, read from the stored daily analysis and the offences of a year.

The *class of a year* is a mahalla's class on the last analysed date of that year (the classification
covers the 12 months up to the date, so the last date of December is the year's verdict; during the year it
is the latest verdict so far). A year without any analysed date breaks a red streak: the platform does not
guess a class it never computed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from mahalla.analytics.days import local_day_bounds
from mahalla.analytics.models import CrimeClass, DailyRun, MahallaDayResult
from mahalla.core.errors import ApplicationError
from mahalla.incidents.models import CodeKind, Offence
from mahalla.territory.models import Mahalla

if TYPE_CHECKING:
    # pandas and the engine load where they are used: this module is imported when the apps load (the
    # roadmaps' accountability hooks), and every command and server worker would pay their 4-5 s.
    import pandas as pd

CLASS_WINDOW_DAYS = 365

# Offence flags a share rule may count (docs/import-formats.md, offences).
SHARE_FLAGS = frozenset(
    {
        "involves_woman",
        "involves_minor",
        "involves_youth",
        "family_relation",
        "under_alcohol",
        "under_drugs",
        "repeat_offender",
    }
)


@dataclass
class YearInputs:
    """Per mahalla (index: mahalla id): region, district, code, name, class of the year, the rate ratio of the
    classification, the red streak in years; `date` is the analysed date the year's class comes from."""

    year: int
    date: dt.date
    mahallas: pd.DataFrame
    years_analysed: list[int]


def year_dates(year: int) -> dict[int, dt.date]:
    """The last analysed date (finished run) of every year up to `year`."""
    dates = (
        DailyRun.objects.filter(status=DailyRun.Status.DONE, date__lte=dt.date(year, 12, 31))
        .values_list("date", flat=True)
        .distinct()
    )
    last: dict[int, dt.date] = {}
    for day in dates:
        if day > last.get(day.year, dt.date.min):
            last[day.year] = day
    return last


def year_inputs(year: int) -> YearInputs:
    """The classes, rate ratios and red streaks of every mahalla for `year`; ApplicationError when the year
    has no finished daily analysis."""
    dates = year_dates(year)
    if year not in dates:
        raise ApplicationError(
            _("No finished daily analysis in %(year)s: run `mahalla analyze` for a date of that year first.")
            % {"year": year},
            {"field": "year", "value": year},
        )
    import pandas as pd

    from mahalla.engine.classification import red_streaks

    mahallas = pd.DataFrame.from_records(
        list(Mahalla.objects.values_list("pk", "region_id", "district_id", "code", "name_uz")),
        columns=["id", "region", "district", "code", "name"],
    ).set_index("id")
    rows = MahallaDayResult.objects.filter(date__in=sorted(dates.values())).values_list(
        "mahalla_id", "date", "crime_class"
    )
    history = pd.DataFrame.from_records(list(rows), columns=["mahalla", "date", "class"])
    history["year"] = [d.year for d in history["date"]]
    table = history.pivot(index="mahalla", columns="year", values="class").reindex(index=mahallas.index)
    # Years between the first analysed one and `year` that were never analysed are columns of missing values.
    first = min(dates)
    table = table.reindex(columns=list(range(first, year + 1)))
    current = dates[year]
    ratios = dict(
        MahallaDayResult.objects.filter(date=current).values_list("mahalla_id", "explanation__rate_ratio")
    )
    mahallas["class"] = table[year].fillna("")
    mahallas["rate_ratio"] = pd.Series(ratios, dtype="float64").reindex(mahallas.index).fillna(0.0)
    mahallas["streak"] = red_streaks(table.astype(object), red=CrimeClass.RED).astype(int)
    return YearInputs(year=year, date=current, mahallas=mahallas, years_analysed=sorted(dates))


def offence_shares(date: dt.date, flag_sets: dict[str, list[str]]) -> pd.DataFrame:
    """Per mahalla, crimes in the 365 days up to `date` (index: mahalla id; column `total`) and, for each
    named flag set, the number of crimes with any of its flags (column named by the set's key)."""
    for key, flags in flag_sets.items():
        unknown = sorted(set(flags) - SHARE_FLAGS)
        if unknown or not flags:
            raise ApplicationError(
                _("Assignment rule %(rule)s counts unknown offence flags: %(flags)s")
                % {"rule": key, "flags": ", ".join(unknown) or "-"},
                {"rule": key, "flags": unknown},
            )
    # The classification's window: 365 Tashkent days ending on the date.
    start, end = local_day_bounds(date - dt.timedelta(days=CLASS_WINDOW_DAYS - 1), date)
    annotations = {}
    for key, flags in flag_sets.items():
        condition = Q()
        for flag in flags:
            condition |= Q(**{flag: True})
        annotations[key] = Count("id", filter=condition)
    rows = (
        Offence.objects.filter(code_kind=CodeKind.CRIMINAL, occurred_at__gte=start, occurred_at__lt=end)
        .values("mahalla_id")
        .annotate(total=Count("id"), **annotations)
    )
    import pandas as pd

    frame = pd.DataFrame.from_records(list(rows), columns=["mahalla_id", "total", *flag_sets])
    return frame.set_index("mahalla_id")

"""The daily run on the tiny synthetic nation finds what the generator planted (truth.json): red episodes,
a space-time cluster and emerging hot spots. The truth is read from the generated files, never restated."""

from __future__ import annotations

import datetime as dt

import pytest

from mahalla.analytics.models import ClusterResult, MahallaDayResult
from mahalla.analytics.services import analysis_run

pytestmark = pytest.mark.django_db


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def test_a_planted_red_episode_makes_its_mahalla_red_at_the_end_of_the_episode(tiny_nation):
    episodes = tiny_nation.truth["planted"]["red_episodes"]
    day = min(_date(e["end_date"]) for e in episodes) - dt.timedelta(days=1)
    analysis_run(date=day, parameters={"scan_permutations": 9})
    red = set(
        MahallaDayResult.objects.filter(date=day, crime_class="red").values_list("mahalla__code", flat=True)
    )

    assert {e["mahalla_code"] for e in episodes if _date(e["end_date"]) > day} <= red
    # Red stays the exception: the planted episodes plus a few others, not the district.
    assert len(red) <= len(tiny_nation.mahalla_codes) // 3


def test_the_scan_finds_the_planted_space_time_cluster_on_its_last_day(tiny_nation):
    planted = max(tiny_nation.truth["planted"]["spacetime_clusters"], key=lambda c: c["end_date"])
    day = min(_date(planted["end_date"]), tiny_nation.as_of) - dt.timedelta(days=1)
    analysis_run(date=day, parameters={"scan_permutations": 99})
    top = ClusterResult.objects.get(date=day, rank=1)

    assert planted["mahalla_code"] in top.mahalla_codes
    assert top.significant and top.p_value <= 0.05
    assert top.observed > top.expected


def test_the_planted_emerging_hot_spots_are_hot_spots_at_the_end_of_the_period(tiny_nation):
    day = tiny_nation.as_of - dt.timedelta(days=1)
    planted = {
        code for spot in tiny_nation.truth["planted"]["emerging_hotspots"] for code in spot["mahalla_codes"]
    }
    assert all(_date(spot["start_date"]) < day for spot in tiny_nation.truth["planted"]["emerging_hotspots"])
    analysis_run(date=day, parameters={"scan_permutations": 9})
    classes = dict(MahallaDayResult.objects.filter(date=day).values_list("mahalla__code", "hotspot_class"))

    assert all(classes[code].endswith("hot spot") for code in planted), {c: classes[c] for c in planted}

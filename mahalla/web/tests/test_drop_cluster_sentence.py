"""The mahalla page's sentence on the drug-network analysis's dead-drop clusters (the clusters themselves,
and who may see them: links/tests/test_mahalla_signals.py)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from mahalla.web.presentation import drop_cluster_sentence


def test_the_sentence_names_each_cluster_its_size_span_and_nearest_place_for_the_young():
    cluster = SimpleNamespace(
        size=7,
        radius_m=120.4,
        first_seen=dt.date(2026, 10, 2),
        last_seen=dt.date(2026, 11, 20),
        school_m=340.0,
        college_m=None,
        park_m=95.0,
    )
    sentence = drop_cluster_sentence([cluster])
    assert "dead-drop clusters" in sentence
    assert "7 drops within 120 m, 2026-10-02 to 2026-11-20" in sentence
    assert "nearest park 95 m" in sentence and "school" not in sentence


def test_no_cluster_no_sentence():
    assert drop_cluster_sentence([]) == ""

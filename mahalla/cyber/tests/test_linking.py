"""Campaign linking: B-cubed against hand-computed values; recovery of the generator's planted campaigns."""

from __future__ import annotations

import datetime as dt

import pytest

from mahalla.cyber.indicators import extract, is_warning
from mahalla.cyber.linking import bcubed, link
from mahalla.cyber.text import normalise_for_similarity
from mahalla.demo.generator.cyber import HUB_VALUES, build_cyber_reports


def test_bcubed_matches_the_hand_computed_example():
    # Truth {a,b,c} {d,e}; predicted {a,b} {c,d,e}.
    # Precision: a,b 1; c 1/3; d,e 2/3 -> (1+1+1/3+2/3+2/3)/5 = 11/15.
    # Recall: a,b 2/3; c 1/3; d,e 1 -> (2/3+2/3+1/3+1+1)/5 = 11/15.
    precision, recall = bcubed([0, 0, 0, 1, 1], [0, 0, 1, 1, 1])
    assert precision == pytest.approx(11 / 15)
    assert recall == pytest.approx(11 / 15)


def test_bcubed_singletons_of_both_labellings_are_their_own_clusters():
    assert bcubed([-1, -1, 0, 0], [-1, -1, 0, 0]) == (1.0, 1.0)
    precision, recall = bcubed([-1, -1], [0, 0])  # two unrelated reports merged
    assert precision == pytest.approx(0.5)
    assert recall == 1.0


def test_a_shared_rare_indicator_links_and_a_split_decision_separates():
    postings = [(0, "card:x"), (1, "card:x"), (2, "phone:y"), (3, "phone:y"), (1, "phone:y")]
    labels = link(5, postings).labels
    assert labels[0] == labels[1] == labels[2] == labels[3] >= 0
    assert labels[4] == -1
    split = link(5, postings, split=[(1, 2), (1, 3)]).labels
    assert split[2] == split[3]
    assert split[1] != split[2]


def test_templated_texts_without_shared_values_are_linked_by_similarity():
    template = (
        "Tabriklaymiz siz Chevrolet Tracker yutib oldingiz sovg'ani olish uchun saytga kiring muddat 24 soat"
    )
    texts = [normalise_for_similarity(template + f" kod {i}") for i in range(4)]
    texts.append(
        normalise_for_similarity("Kredit tasdiqlandi pasport ma'lumotlarini ilovaga kiriting bugun tez")
    )
    labels = link(5, [], texts).labels
    assert len({labels[0], labels[1], labels[2], labels[3]}) == 1 and labels[0] >= 0
    assert labels[4] == -1


def _planted(scale: str, seed: int):
    rows, truth, campaigns = build_cyber_reports(
        seed=seed, scale=scale, as_of=dt.date(2026, 1, 1), mahalla_codes=[f"M{i:03d}" for i in range(40)]
    )
    postings, warned = [], []
    for index, row in enumerate(rows):
        for found in extract(row["narrative"] + "\n" + row["message_text"], card_key=b"k"):
            key = f"{found.kind}:{found.value}"
            if is_warning(found.kind, found.value):
                warned.append((index, key))
            else:
                postings.append((index, key))
    texts = [normalise_for_similarity(row["message_text"]) for row in rows]
    keys: dict[str, int] = {}
    truth_labels = [keys.setdefault(t["campaign"], len(keys)) if t["campaign"] else -1 for t in truth]
    return rows, truth_labels, postings, warned, texts


@pytest.mark.parametrize("seed", [1, 7])
def test_planted_campaigns_are_recovered_with_bcubed_precision_and_recall_above_0_9(seed):
    rows, truth_labels, postings, warned, texts = _planted("tiny", seed)
    labels = link(len(rows), postings, texts).labels
    precision, recall = bcubed(truth_labels, labels)
    assert precision >= 0.9, precision
    assert recall >= 0.9, recall


def test_warning_list_values_are_planted_across_campaigns_and_merge_none():
    rows, truth_labels, postings, warned, texts = _planted("tiny", 3)
    # The hub values really are in reports of many different campaigns...
    campaigns_per_hub: dict[str, set[int]] = {}
    for index, key in warned:
        if truth_labels[index] >= 0:
            campaigns_per_hub.setdefault(key, set()).add(truth_labels[index])
    assert len(campaigns_per_hub) >= len(HUB_VALUES) - 1
    assert max(len(c) for c in campaigns_per_hub.values()) >= 10
    # ...and had they linked, they would have merged campaigns: with them left out, no two planted campaigns
    # share a predicted campaign through one of them.
    labels = link(len(rows), postings, texts).labels
    with_hubs = link(
        len(rows),
        postings + warned,
        texts,
    ).labels
    merged_through_hubs = set()
    for predicted in set(with_hubs.tolist()) - {-1}:
        members = {truth_labels[i] for i in range(len(rows)) if with_hubs[i] == predicted} - {-1}
        if len(members) > 1:
            merged_through_hubs.add(predicted)
    assert merged_through_hubs, "the hub values would merge campaigns if they were not on the warning list"
    for predicted in set(labels.tolist()) - {-1}:
        members = [i for i in range(len(rows)) if labels[i] == predicted]
        planted = {truth_labels[i] for i in members} - {-1}
        if len(planted) > 1:
            shared = {k for i, k in warned if i in members}
            assert not shared, f"campaigns {planted} merged while sharing warning-list values {shared}"

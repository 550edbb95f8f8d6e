"""The drug-network science against values computed by hand or published: Borgatti's fragmentation, the
key-player set of a bridge graph, the recovery of a star, great-circle metres, the Luhn check, the Poisson
tail of the co-travel score."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import poisson

from mahalla.engine.cotravel import cotravel_pairs
from mahalla.engine.drops import drops_cluster, nearest_distance_m
from mahalla.engine.networks import fragmentation, key_player_set, removal_simulate
from mahalla.engine.posts import Lexicon, extract, luhn_valid


def test_fragmentation_is_borgattis_formula():
    # path 0-1-2-3 and an isolate 4: F = 1 - (4*3)/(5*4) = 0.4; removing 1 leaves {0},{2,3},{4}: 1 - 2/20
    src, dst = np.array([0, 1, 2]), np.array([1, 2, 3])
    assert fragmentation(5, src, dst) == pytest.approx(0.4)
    assert fragmentation(5, src, dst, removed=[1]) == pytest.approx(1 - 2 / 20)


def test_the_key_player_set_takes_the_two_bridges_not_the_two_biggest_hubs():
    # two stars (hubs 0 and 10) joined through 20 and 21 in series: removing the bridges cuts the network
    src, dst = [], []
    for hub in (0, 10):
        for leaf in range(hub + 1, hub + 8):
            src.append(hub)
            dst.append(leaf)
    src += [0, 20, 21]
    dst += [20, 21, 10]
    kp = key_player_set(22, np.array(src), np.array(dst), k=2)
    assert set(kp.nodes) == {0, 10}  # removing both hubs isolates everyone
    assert kp.fragmentation_after > kp.fragmentation_before


def test_after_removing_a_star_centre_the_best_placed_leaf_takes_over_and_the_network_recovers():
    src = np.array([0, 0, 0, 0, 1])
    dst = np.array([1, 2, 3, 4, 2])  # leaf 1 already knows leaf 2
    sim = removal_simulate(5, src, dst, [0])
    assert sim.takeovers[0].successor == 1 and sim.takeovers[0].inherited == [2, 3, 4]
    assert sim.fragmentation_after_removal > sim.fragmentation_before
    assert sim.largest_component_after_recovery == 4


def test_distances_are_great_circle_metres():
    # one degree of latitude on the IUGG mean sphere: pi / 180 * 6,371,008.8 m
    distance, index = nearest_distance_m([41.0], [69.0], [42.0, 50.0], [69.0, 69.0])
    assert distance[0] == pytest.approx(111_195.08, abs=0.1) and index[0] == 0


def test_dbscan_eps_is_in_metres():
    lat0 = 41.3
    metres_per_degree = 111_195.08
    lat = np.array([lat0, lat0 + 100 / metres_per_degree, lat0 + 200 / metres_per_degree])
    lon = np.full(3, 69.2)
    assert drops_cluster(lat, lon, eps_metres=110, min_samples=3).labels.tolist() == [0, 0, 0]
    assert drops_cluster(lat, lon, eps_metres=90, min_samples=3).labels.tolist() == [-1, -1, -1]


def test_luhn_and_card_extraction():
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    words = Lexicon(drug=["shishka"], drop=["klad"], payment=[], contact=[])
    found = extract("karta 4111 1111 1111 1111, boshqa 4111 1111 1111 1112. Klad 41.3111, 69.2797", words)
    assert [c.mask for c in found.cards] == ["411111******1111"]
    assert found.coordinates == [(41.3111, 69.2797)]
    assert found.drop_descriptions == ["Klad 41.3111, 69.2797"]


def test_the_score_is_the_poisson_tail_of_the_distinct_cameras():
    vehicle = np.array([1, 2, 1, 2, 1, 2, 3, 4])
    camera = np.array([10, 10, 11, 11, 12, 12, 10, 13])
    ts = np.array([0, 20, 500, 510, 900, 905, 86_400 * 2, 86_400 * 2 + 50])
    pair = cotravel_pairs(vehicle, camera, ts, window=60, min_cameras=3, min_score=0).pairs[0]
    assert pair.score == pytest.approx(-np.log10(poisson.sf(2, pair.expected)), rel=1e-9)

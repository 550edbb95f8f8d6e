"""The learned monthly model: its features, its fitting on past windows only, and what it learns."""

import numpy as np
import pytest

from mahalla.engine.forecast import Grid, LearnedCountForecaster, NaiveForecaster
from mahalla.engine.forecast.learned import FEATURE_NAMES, count_features

# Small enough to fit on a few hundred rows in well under a second.
SMALL = {"min_samples_leaf": 5, "max_iter": 60, "learning_rate": 0.1}


def _cells(grid, cells):
    """Centres (x, y) of flat cells."""
    row, col = np.divmod(np.asarray(cells), grid.shape[1])
    return (col + 0.5) * grid.cell_size + grid.x_min, (row + 0.5) * grid.cell_size + grid.y_min


def _stream(rng, cells, rate_per_day, start, stop):
    """Poisson events at ``rate_per_day`` in each cell, uniformly in [start, stop) days."""
    chosen, times = [], []
    for cell in cells:
        n = rng.poisson(rate_per_day * (stop - start))
        chosen.extend([cell] * n)
        times.extend(rng.uniform(start, stop, n))
    return np.array(chosen, dtype=int), np.array(times)


def test_count_features_are_the_windowed_counts_of_the_cell_and_its_rings():
    grid = Grid.from_extent(0, 0, 499, 499, cell_size=100)  # 5 x 5
    centre, neighbour, ring2 = 12, 13, 14  # (2,2), (2,3), (2,4)
    cell = np.array([centre, centre, neighbour, ring2, centre])
    t = np.array([95.0, 50.0, 80.0, 10.0, 100.5])  # the last is after the origin: not counted
    features = count_features(cell, t, grid, origin=100.0, history_start=0.0)
    row = dict(zip(FEATURE_NAMES, features[centre], strict=True))
    years = 100.0 / 365.25
    assert (row["cell_7d"], row["cell_30d"], row["cell_91d"], row["cell_365d"]) == (1, 1, 2, 2)
    assert row["cell_all_per_year"] == pytest.approx(2 / years)
    assert (row["ring1_91d"], row["ring1_365d"]) == (1, 1)
    assert row["ring1_all_per_year"] == pytest.approx(1 / years)
    assert row["ring2_365d"] == 1
    assert row["ring2_all_per_year"] == pytest.approx(1 / years)
    assert row["days_since_last"] == pytest.approx(5.0)
    assert row["city_30d"] == 2  # the events at 95 and 80 of the four before the origin
    assert features[0, FEATURE_NAMES.index("days_since_last")] == pytest.approx(100.0)  # never: the span


def test_it_learns_that_a_hot_spot_gone_cold_is_cold_where_the_all_history_count_does_not():
    """Three kinds of cells: steady, hot in the first year then silent, and active in the last year only.

    The all-history count ranks the silent ones first; a model that learned from the past windows that
    recent counts carry the future ranks them last. A model that ignored recency would fail this test.
    """
    rng = np.random.default_rng(7)
    grid = Grid.from_extent(0, 0, 1999, 1999, cell_size=100)  # 20 x 20
    steady, gone_cold, new = np.arange(0, 8), np.arange(100, 108), np.arange(200, 208)
    background = rng.choice(np.arange(300, 400), 40, replace=False)
    parts = [
        _stream(rng, steady, 0.05, 0, 1000),
        _stream(rng, gone_cold, 0.3, 0, 365),
        _stream(rng, new, 0.05, 640, 1000),
        _stream(rng, background, 0.004, 0, 1000),
    ]
    cells = np.concatenate([part[0] for part in parts])
    t = np.concatenate([part[1] for part in parts])
    x, y = _cells(grid, cells)
    model = LearnedCountForecaster(**SMALL).fit(x, y, t, grid, end=1000.0)
    risk = model.predict(30.0).ravel()
    all_history = NaiveForecaster(period=None).fit(x, y, t, grid, end=1000.0).predict(30.0).ravel()
    assert all_history[gone_cold].min() > all_history[steady].max()  # the trap the count falls into
    assert risk[gone_cold].max() < risk[steady].min()
    assert risk[gone_cold].max() < risk[new].min()
    assert risk[background].mean() < risk[steady].mean()
    # Calibrated: about the steady and new cells' 16 x 0.05 x 30 = 24 events a month, plus the background.
    assert 15 < risk.sum() < 40
    assert model.training_rows_ > 0


def test_it_is_deterministic_and_scales_to_the_horizon():
    rng = np.random.default_rng(3)
    grid = Grid.from_extent(0, 0, 999, 999, cell_size=100)
    cells, t = _stream(rng, np.arange(0, 100, 3), 0.02, 0, 800)
    x, y = _cells(grid, cells)
    first = LearnedCountForecaster(**SMALL).fit(x, y, t, grid, end=800.0)
    second = LearnedCountForecaster(**SMALL).fit(x, y, t, grid, end=800.0)
    np.testing.assert_array_equal(first.predict(30.0), second.predict(30.0))
    np.testing.assert_allclose(first.predict(15.0), first.predict(30.0) / 2)
    # Cells with no past event cannot be ranked by a history they lack.
    assert first.predict(30.0).ravel()[1] == 0.0


def test_it_refuses_an_event_after_the_origin():
    grid = Grid.from_extent(0, 0, 999, 999, cell_size=100)
    with pytest.raises(ValueError, match="past events"):
        LearnedCountForecaster(**SMALL).fit([50.0, 50.0], [50.0, 50.0], [10.0, 500.0], grid, end=400.0)


def test_it_says_when_the_history_is_too_short_to_learn_from():
    grid = Grid.from_extent(0, 0, 999, 999, cell_size=100)
    with pytest.raises(ValueError, match="min_history"):
        LearnedCountForecaster(**SMALL).fit([50.0, 150.0], [50.0, 50.0], [1.0, 100.0], grid, end=150.0)


@pytest.mark.parametrize(
    ("name", "value"),
    [("window", 0), ("training_windows", 0), ("max_iter", 2.5), ("max_leaf_nodes", 1), ("min_history", -1)],
)
def test_it_refuses_a_bad_parameter_by_name(name, value):
    grid = Grid.from_extent(0, 0, 999, 999, cell_size=100)
    with pytest.raises((ValueError, TypeError), match=name):
        LearnedCountForecaster(**{**SMALL, name: value}).fit([50.0], [50.0], [1.0], grid, end=900.0)

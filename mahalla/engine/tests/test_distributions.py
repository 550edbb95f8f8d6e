"""The tail probabilities without scipy.stats: the definitions' values, scipy.stats' own results to the last
bit, its edge cases, and the daily run's engine modules loading without scipy.stats."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from mahalla.engine.distributions import nbinom_sf, norm_sf, poisson_sf


def poisson_tail_by_definition(k: int, mu: float) -> float:
    return 1.0 - sum(math.exp(-mu) * mu**j / math.factorial(j) for j in range(k + 1))


def test_the_poisson_tail_is_one_minus_the_sum_of_the_probabilities_up_to_k():
    for k, mu in [(0, 0.5), (2, 1.0), (4, 2.0), (9, 3.7)]:
        assert float(poisson_sf(k, mu)) == pytest.approx(poisson_tail_by_definition(k, mu), rel=1e-12)
    assert float(poisson_sf(2, 1.0)) == pytest.approx(0.0803013970713942, abs=1e-15)


def test_the_negative_binomial_tail_of_one_success_is_the_geometric_tail():
    # One success of probability p: P(X > k) = (1 - p)^(k + 1) failures before it.
    for k, p in [(0, 0.5), (3, 0.2), (10, 0.9)]:
        assert float(nbinom_sf(k, 1, p)) == pytest.approx((1 - p) ** (k + 1), rel=1e-12)


def test_the_normal_tail_gives_the_textbook_quantiles():
    assert float(norm_sf(0.0)) == 0.5
    assert float(norm_sf(1.959963984540054)) == pytest.approx(0.025, abs=1e-15)
    assert float(norm_sf(1.6448536269514722)) == pytest.approx(0.05, abs=1e-15)
    assert float(norm_sf(-1.6448536269514722)) == pytest.approx(0.95, abs=1e-15)


def test_every_tail_equals_scipy_stats_to_the_last_bit_edges_included():
    rng = np.random.default_rng(16)
    k = np.concatenate([rng.integers(-2, 80, 5000).astype(float), [np.nan, np.inf, -np.inf, -3.0, 0.5, 2.7]])
    mu = np.concatenate([rng.gamma(1.0, 6.0, 5000), np.ones(6)])
    mu[:20] = 0.0
    mu[20:25] = -1.0  # invalid: NaN
    size = np.concatenate([rng.gamma(1.0, 5.0, 5000), np.ones(6)])
    size[25:30] = 0.0  # invalid: NaN
    p = size / (size + mu)
    p[30:35] = 0.0  # invalid: NaN
    assert np.array_equal(poisson_sf(k, mu), stats.poisson.sf(k, mu), equal_nan=True)
    assert np.array_equal(nbinom_sf(k, size, p), stats.nbinom.sf(k, size, p), equal_nan=True)
    z = np.concatenate([rng.normal(0.0, 4.0, 5000), [np.nan, np.inf, -np.inf, 0.0, -0.0]])
    assert np.array_equal(norm_sf(z), stats.norm.sf(z), equal_nan=True)


def test_below_the_support_the_tail_is_one_and_at_infinity_zero():
    assert poisson_sf([-1, np.inf], 2.0).tolist() == [1.0, 0.0]
    assert nbinom_sf([-1, np.inf], 3.0, 0.4).tolist() == [1.0, 0.0]


def test_the_daily_runs_engine_modules_load_without_scipy_stats():
    # scipy.stats costs about a second of every daily run's start under load; it must not come back unnoticed.
    modules = [
        "classification",
        "comparisons",
        "emerging",
        "scan",
        "smoothing",
        "spikes",
        "trend",
        "weights",
        "backtest",
        "forecast",
    ]
    code = (
        "import sys\n"
        + "".join(f"import mahalla.engine.{name}\n" for name in modules)
        + "print([m for m in sys.modules if m == 'scipy.stats' or m.startswith('scipy.stats.')])"
    )
    loaded = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert loaded.stdout.strip() == "[]"

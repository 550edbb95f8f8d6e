"""Mann-Kendall trend test against pymannkendall's published example and its implementation."""

from __future__ import annotations

import numpy as np
import pytest

from mahalla.engine.trend import mann_kendall

pymannkendall = pytest.importorskip("pymannkendall")


def test_published_example_gives_s_41_var_125_z_3_5777_p_0_000347():
    result = mann_kendall([1, 2, 3, 5, 4, 6, 7, 9, 8, 10])
    assert result.S == 41
    assert result.var_s == 125
    assert result.z == pytest.approx(3.5777, abs=5e-5)
    assert result.p == pytest.approx(0.000347, abs=5e-7)
    assert result.trend == "increasing"


def test_matrix_of_series_with_many_ties_equals_pymannkendall_series_by_series():
    rng = np.random.default_rng(7)
    # Small Poisson counts tie heavily, which exercises the variance correction.
    drift = rng.normal(0, 0.08, size=(60, 1)) * np.arange(30)
    series = rng.poisson(2, size=(60, 30)) + np.round(drift)
    result = mann_kendall(series)
    for i, row in enumerate(series):
        ref = pymannkendall.original_test(row)
        assert result.S[i] == ref.s
        assert result.var_s[i] == pytest.approx(ref.var_s, rel=1e-12)
        assert result.z[i] == pytest.approx(ref.z, abs=1e-12)
        assert result.p[i] == pytest.approx(ref.p, abs=1e-12)
        assert result.tau[i] == pytest.approx(ref.Tau, abs=1e-12)
        assert result.slope[i] == pytest.approx(ref.slope, abs=1e-12)
        assert result.intercept[i] == pytest.approx(ref.intercept, abs=1e-12)
        assert result.trend[i] == ref.trend
    assert {"increasing", "decreasing", "no trend"} <= set(result.trend.tolist())


def test_a_falling_series_is_a_decreasing_trend_with_negative_sen_slope():
    result = mann_kendall([9.0, 8.5, 8.0, 6.0, 6.5, 5.0, 3.0, 2.0])
    assert result.trend == "decreasing"
    assert result.slope < 0 and result.S < 0


def test_a_constant_series_has_no_trend_rather_than_a_division_by_zero():
    result = mann_kendall(np.full(12, 3.0))
    assert result.S == 0 and result.var_s == 0
    assert result.z == 0 and result.p == 1
    assert result.trend == "no trend"


def test_alpha_decides_the_trend_label():
    series = [1, 2, 1, 3, 2, 4, 3, 2, 4, 5]
    p = float(mann_kendall(series).p)
    assert 0.01 < p < 0.10
    assert mann_kendall(series, alpha=0.10).trend == "increasing"
    assert mann_kendall(series, alpha=0.01).trend == "no trend"


def test_one_series_gives_scalars_and_a_matrix_gives_one_value_per_row():
    assert mann_kendall(np.arange(5.0)).z.shape == ()
    assert mann_kendall(np.ones((4, 6)) + np.arange(6)).z.shape == (4,)


def test_sen_slope_can_be_skipped_for_speed():
    result = mann_kendall(np.arange(10.0), sen_slope=False)
    assert np.isnan(result.slope) and np.isnan(result.intercept)
    assert result.trend == "increasing"


def test_bad_series_name_the_problem():
    with pytest.raises(ValueError, match="series 1 at time step 2"):
        mann_kendall([[1, 2, 3, 4], [1, 2, np.nan, 4]])
    with pytest.raises(ValueError, match="at least 3 time steps"):
        mann_kendall([1, 2])
    with pytest.raises(ValueError, match="one series"):
        mann_kendall(np.ones((2, 2, 5)))
    with pytest.raises(ValueError, match="alpha"):
        mann_kendall([1, 2, 3], alpha=1.5)

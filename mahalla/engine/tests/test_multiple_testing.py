import numpy as np
import pytest
from scipy.stats import false_discovery_control

from mahalla.engine.multiple_testing import benjamini_hochberg


def test_q_values_match_scipys_reference_implementation():
    rng = np.random.default_rng(7)
    p = np.concatenate([rng.uniform(size=500), rng.uniform(0, 1e-3, size=20)])
    _, q = benjamini_hochberg(p)
    np.testing.assert_allclose(q, false_discovery_control(p, method="bh"))


def test_rejections_are_the_step_up_set():
    rejected, _ = benjamini_hochberg([0.01, 0.04, 0.03, 0.20], alpha=0.05)
    # 0.01 <= 0.0125 passes; 0.03 > 0.025 and 0.04 > 0.0375 fail: only the first is a discovery.
    assert rejected.tolist() == [True, False, False, False]


def test_untested_entries_are_never_rejected():
    rejected, q = benjamini_hochberg([np.nan, 0.001])
    assert rejected.tolist() == [False, True]
    assert np.isnan(q[0])


def test_p_values_outside_the_unit_interval_are_refused():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        benjamini_hochberg([0.5, 1.2])

"""The latency estimator the gate uses, checked against scipy and hand-computed cases."""

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from mlgate.compare import stats


def _segments(ratios: list[float], per_segment: int = 5, base_ms: float = 10.0):
    """Pairs whose per-segment median ratio is exactly `ratios[s]`."""
    base, head, segment = [], [], []
    for index, ratio in enumerate(ratios):
        values = base_ms * (1 + 0.01 * np.arange(per_segment))
        base.extend(values)
        head.extend(values * ratio)
        segment.extend([index] * per_segment)
    return np.array(base), np.array(head), np.array(segment)


def test_interval_is_scipys_one_sample_t_interval_of_the_segment_log_ratios():
    ratios = [1.10, 1.14, 1.08, 1.12]
    base, head, segment = _segments(ratios)
    (found,) = stats.session_ratios(base, head, segment, (0.5,), 0.95)
    logs = np.log(ratios)
    reference = scipy_stats.ttest_1samp(logs, 0.0)
    low, high = reference.confidence_interval(0.95)
    assert found.estimate.ratio == pytest.approx(math.exp(np.mean(logs)))
    assert found.estimate.low == pytest.approx(math.exp(low))
    assert found.estimate.high == pytest.approx(math.exp(high))
    assert found.p_value == pytest.approx(reference.pvalue)
    assert found.estimate.clusters == 4
    assert found.estimate.df == 3
    np.testing.assert_allclose(found.log_ratios, logs)


def test_three_segments_hand_computed():
    # logs of 2, 2 and 2: no spread, so the interval collapses onto the ratio
    base, head, segment = _segments([2.0, 2.0, 2.0], per_segment=2)
    (found,) = stats.session_ratios(base, head, segment, (0.5,))
    assert found.estimate.ratio == pytest.approx(2.0)
    assert found.estimate.low == pytest.approx(2.0)
    assert found.p_value == 0.0
    # logs 0.1, 0.2, 0.3: mean 0.2, sd 0.1, sem 0.1/sqrt(3), t(2, 0.975) = 4.302653
    base, head, segment = _segments([math.exp(0.1), math.exp(0.2), math.exp(0.3)])
    (found,) = stats.session_ratios(base, head, segment, (0.5,))
    half = 4.302653 * 0.1 / math.sqrt(3)
    assert found.estimate.low == pytest.approx(math.exp(0.2 - half), rel=1e-6)
    assert found.estimate.high == pytest.approx(math.exp(0.2 + half), rel=1e-6)


def test_a_decisive_change_is_decided_from_three_segments_of_two_calls():
    rng = np.random.default_rng(3)
    base = 0.372 * np.exp(rng.normal(0, 0.02, 6))
    head = base * 4.5 * np.exp(rng.normal(0, 0.02, 6))
    (found,) = stats.session_ratios(base, head, np.repeat([0, 1, 2], 2), (0.5,))
    assert found.estimate.low > 4.0
    assert found.p_value < 0.01


def test_pooled_quantiles_are_reported_for_display():
    base, head, segment = _segments([1.5, 1.5], per_segment=4)
    (found,) = stats.session_ratios(base, head, segment, (0.9,))
    assert found.estimate.base == pytest.approx(np.quantile(base, 0.9))
    assert found.estimate.head == pytest.approx(np.quantile(head, 0.9))


def test_needs_two_segments_and_matching_ids():
    with pytest.raises(ValueError, match="two segments"):
        stats.session_ratios(np.ones(4), np.ones(4), np.zeros(4, int))
    with pytest.raises(ValueError, match="segment id"):
        stats.session_ratios(np.ones(4), np.ones(4), np.zeros(3, int))


def test_min_detectable_change_uses_t_quantiles_for_a_t_interval():
    base, head, segment = _segments([1.0, 1.02, 0.98, 1.01])
    (found,) = stats.session_ratios(base, head, segment, (0.5,))
    est = found.estimate
    t = scipy_stats.t(est.df)
    expected = est.half_width / t.ppf(0.975) * (t.ppf(0.975) + t.ppf(0.8))
    assert est.min_detectable_change() == pytest.approx(expected)

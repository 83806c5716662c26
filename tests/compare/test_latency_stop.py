"""The latency stop rule (go on, decided, decisive) and the estimate of how much more
sampling would decide an undecided quantile."""

from __future__ import annotations

import pytest

from mlgate.compare.latency_stop import latency_stop_rule, seconds_needed
from mlgate.compare.thresholds import parse_threshold
from mlgate.results.measurements import DECISIVE, Measured
from mlgate.results.schema import MetricResult
from tests.compare.latency_samples import measured, samples

P50 = {"latency.p50": parse_threshold("+10%")}


def test_nothing_gated_is_decided_at_once():
    rule = latency_stop_rule({}, 0.95)
    assert rule(*samples(10, 1, 1.0)) == 1


def test_too_few_segments_go_on():
    assert latency_stop_rule(P50, 0.95)(*samples(200, 2, 2.0)) == 0


def test_a_clear_slowdown_beyond_the_threshold_is_decisive():
    assert latency_stop_rule(P50, 0.95)(*samples(200, 8, 1.5)) == DECISIVE


def test_no_change_is_decided_but_not_decisive():
    assert latency_stop_rule(P50, 0.95)(*samples(400, 8, 1.0)) == 1


def test_a_percentile_without_enough_calls_keeps_sampling():
    rule = latency_stop_rule({"latency.p99": parse_threshold("+10%")}, 0.95)
    assert rule(*samples(100, 8, 1.0)) == 0


def test_a_bound_threshold_is_not_a_stop_condition():
    rule = latency_stop_rule({"latency.p50": parse_threshold("<= 0.5")}, 0.95)
    assert rule(*samples(10, 1, 3.0)) == 1


def _metric(name: str, change: float | None, ci: tuple[float, float] | None) -> MetricResult:
    return MetricResult(name, "s", False, 1e-3, 1e-3, change, None, "+10%", "inconclusive", ci=ci)


def test_seconds_needed_for_the_missing_calls():
    m = measured(100, 4, 1.0, latency_seconds_per_segment=2.0)  # 25 pairs a segment
    needed = seconds_needed(_metric("latency.p99", None, None), m, 0.95)
    assert needed == pytest.approx((12 - 4) * 2.0)  # p99 needs 299 calls: 12 segments


def test_seconds_needed_for_the_interval_to_shrink_past_the_threshold():
    m = measured(400, 8, 1.0, latency_seconds_per_segment=1.0)
    metric = _metric("latency.p50", 0.08, (0.04, 0.12))  # half-width 0.04, room 0.02
    needed = seconds_needed(metric, m, 0.95, parse_threshold("+10%"))
    assert needed == pytest.approx(8 * 4 - 8)


def test_no_time_per_segment_no_estimate():
    m = Measured(size=(1, 1), params=(1, 1))
    assert seconds_needed(_metric("latency.p50", None, None), m, 0.95) is None

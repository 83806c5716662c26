"""Latency observations: each quantile's clustered ratio with the per-segment rank test,
why one cannot be decided yet, throughput, and whether a target's latency changed."""

from __future__ import annotations

import dataclasses

import pytest

from mlgate.compare.latency import (
    LATENCY_QUANTILES,
    latency_changed,
    latency_observations,
    latency_undecided,
    quantile_estimates,
)
from mlgate.compare.stats import MIN_SESSIONS, min_samples_for
from mlgate.results.measurements import Measured
from tests.compare.latency_samples import measured, samples
from tests.render.sample import sample_results


def test_a_quantile_needs_enough_calls_then_enough_segments():
    needed = min_samples_for(0.99, 0.95)
    assert latency_undecided(needed - 1, 10, 0.99, 0.95) == (
        f"too few calls ({needed - 1}; this percentile needs {needed})"
    )
    assert "session segment(s)" in latency_undecided(needed, MIN_SESSIONS - 1, 0.99, 0.95)
    assert latency_undecided(needed, MIN_SESSIONS, 0.99, 0.95) == ""


def test_quantile_estimates_find_the_shift_and_test_only_with_enough_segments():
    base, head, segment = samples(400, 8, 1.2)
    estimates, p_value = quantile_estimates(base, head, segment, 0.95, 200)
    assert [e.quantile for e in estimates] == list(LATENCY_QUANTILES.values())
    for estimate in estimates:
        assert estimate.ratio == pytest.approx(1.2, rel=0.02)
        assert estimate.low <= estimate.ratio <= estimate.high
    assert p_value is not None
    assert p_value < 0.05
    _, too_few = quantile_estimates(*samples(400, 3, 1.2), 0.95, 200)
    assert too_few is None


def test_observations_are_every_quantile_then_throughput():
    found = latency_observations(measured(200, 8, 1.25, examples_per_run=4), 0.95)
    names = [o.spec.name for o in found]
    assert names == [*LATENCY_QUANTILES, "throughput"]
    p50, p90, p99, throughput = found
    assert p50.undecided == p90.undecided == ""
    assert p99.undecided.startswith("too few calls (200")
    assert p50.source.startswith("200 interleaved pairs in 8 fresh session segments")
    assert throughput.head is not None
    assert throughput.base is not None
    assert throughput.base / throughput.head == pytest.approx(1.25, rel=0.02)
    assert throughput.base == pytest.approx(4 / 1e-3, rel=0.05)


def test_no_latency_samples_no_observations():
    assert latency_observations(Measured(size=(1, 1), params=(1, 1)), 0.95) == []


def test_samples_without_segments_count_as_one_segment():
    one = dataclasses.replace(measured(100, 5, 1.0), latency_segment=None)
    p50 = latency_observations(one, 0.95)[0]
    assert "only 1 session segment(s)" in p50.undecided


def test_latency_changed_only_when_a_quantile_failed_or_improved():
    failing = sample_results(fail=True).targets[0]
    passing = sample_results(fail=False, undecided=False).targets[0]
    assert latency_changed(failing) is True
    assert latency_changed(passing) is False

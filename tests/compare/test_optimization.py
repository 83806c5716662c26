"""Optimization drift as a gated quantity: off, a note (warn) or a failing metric (fail)."""

from __future__ import annotations

import dataclasses

import pytest

from mlgate.compare.optimization import DRIFT_METRIC, apply_optimization
from mlgate.results.schema import OptimizationDrift, TargetResult
from tests.render.sample import sample_optimization, sample_results


def _passing_target() -> TargetResult:
    return sample_results(fail=False, undecided=False).targets[0]


def test_warn_attaches_the_search_and_notes_the_lost_fusion():
    info = sample_optimization()
    result = apply_optimization(_passing_target(), info, "warn")
    assert result.optimization is info
    assert result.verdict == "pass"
    assert result.notes[-1].startswith("⚠️ optimization drift: FusedConv: 12 in base")
    assert DRIFT_METRIC not in {m.name for m in result.metrics}


def test_fail_adds_a_failing_metric_that_fails_the_target():
    result = apply_optimization(_passing_target(), sample_optimization(), "fail")
    metric = next(m for m in result.metrics if m.name == DRIFT_METRIC)
    assert (metric.base, metric.head, metric.delta) == (13.0, 1.0, -12.0)
    assert metric.change == pytest.approx(1 / 13 - 1)
    assert metric.verdict == "fail"
    assert metric.notes[0].startswith("FusedConv")
    assert result.verdict == "fail"


def test_fail_with_no_fusion_in_base_has_no_relative_change():
    drift = OptimizationDrift("ort-extended", {}, {"FusedGemm": 1}, 3, 4, lost=["placement"])
    info = dataclasses.replace(sample_optimization(), drift=drift)
    metric = apply_optimization(_passing_target(), info, "fail").metrics[-1]
    assert metric.name == DRIFT_METRIC
    assert metric.change is None
    assert metric.delta == 1.0


@pytest.mark.parametrize("mode", ["warn", "fail"])
def test_nothing_lost_changes_nothing_but_the_attached_search(mode):
    drift = OptimizationDrift("ort-extended", {"FusedGemm": 1}, {"FusedGemm": 1}, 3, 3)
    info = dataclasses.replace(sample_optimization(), drift=drift)
    target = _passing_target()
    result = apply_optimization(target, info, mode)
    assert result.optimization is info
    assert (result.metrics, result.notes, result.verdict) == (
        target.metrics,
        target.notes,
        target.verdict,
    )


@pytest.mark.parametrize("drift", [True, False])
def test_off_or_no_drift_only_attaches(drift):
    info = sample_optimization()
    if not drift:
        info = dataclasses.replace(info, drift=None)
    target = _passing_target()
    result = apply_optimization(target, info, "off" if drift else "fail")
    assert result == dataclasses.replace(target, optimization=info)

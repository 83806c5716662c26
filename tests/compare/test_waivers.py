"""Waivers, pure: a live waiver turns a matching failure into `waived`; the latest expiry
wins; an expired one stops applying and says so; other verdicts are left alone."""

from __future__ import annotations

import dataclasses
import datetime as dt

from mlgate.compare.waivers import Waiver, apply_waivers
from mlgate.results.schema import MetricResult, TargetResult

TODAY = dt.date(2026, 12, 1)


def _metric(name: str, verdict: str) -> MetricResult:
    return MetricResult(name, "s", False, 1.0, 1.2, 0.2, 0.2, "+5%", verdict)  # type: ignore[arg-type]


def _target(*metrics: MetricResult, verdict: str = "fail") -> TargetResult:
    return TargetResult("cpu", ["CPUExecutionProvider"], 1, verdict, list(metrics))  # type: ignore[arg-type]


def _waiver(metric: str = "latency.*", expires: dt.date = TODAY, reason: str = "r") -> Waiver:
    return Waiver("models/*.onnx", "cpu", metric, reason, expires)


def test_the_latest_live_waiver_is_named_and_the_target_passes():
    target = _target(_metric("latency.p50", "fail"), _metric("size", "pass"))
    waivers = [
        _waiver(reason="old", expires=TODAY),
        _waiver(reason="new", expires=TODAY.replace(year=2027)),
    ]
    result = apply_waivers(target, "models/a.onnx", waivers, TODAY)
    waived, size = result.metrics
    assert waived.verdict == "waived"
    assert waived.notes == ("waived until 2027-12-01: new",)
    assert size.verdict == "pass"
    assert result.verdict == "pass"
    assert result.notes == []


def test_an_expired_waiver_no_longer_applies_and_says_so():
    target = _target(_metric("latency.p50", "fail"))
    expired = _waiver(expires=TODAY - dt.timedelta(days=1), reason="launch")
    result = apply_waivers(target, "models/a.onnx", [expired], TODAY)
    assert result.verdict == "fail"
    assert result.metrics[0].verdict == "fail"
    (note,) = result.notes
    assert note.startswith("the waiver for latency.p50 expired on 2026-11-30")
    assert "(launch)" in note


def test_a_waiver_for_another_model_target_or_metric_does_not_match():
    target = _target(_metric("latency.p50", "fail"))
    for waiver in (
        dataclasses.replace(_waiver(), model="other/*.onnx"),
        dataclasses.replace(_waiver(), target="gpu"),
        _waiver(metric="memory.*"),
    ):
        result = apply_waivers(target, "models/a.onnx", [waiver], TODAY)
        assert result.verdict == "fail"
        assert result.notes == []


def test_an_errored_or_undecided_target_keeps_its_verdict():
    target = _target(_metric("latency.p50", "fail"), verdict="error")
    result = apply_waivers(target, "models/a.onnx", [_waiver()], TODAY)
    assert result.metrics[0].verdict == "waived"
    assert result.verdict == "error"

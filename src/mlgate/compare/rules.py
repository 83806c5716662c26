"""Rules: one observed metric + its threshold -> a verdict. Pure; unit-tested on literals.

A sampled metric fails only when the slowdown is statistically clear (interval above 1 and
the rank test agrees) *and* its point estimate is past the threshold; when the interval still
straddles the threshold the verdict is `inconclusive`, with the smallest detectable change.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlgate.compare.metrics import MetricSpec
from mlgate.compare.stats import RatioEstimate
from mlgate.compare.thresholds import Threshold
from mlgate.results.schema import MetricResult, Verdict


@dataclass(frozen=True)
class Observation:
    """What was measured for one metric, before any rule is applied."""

    spec: MetricSpec
    base: float | None
    head: float | None
    higher_is_better: bool | None = None  # overrides the spec (error metrics: lower is better)
    estimate: RatioEstimate | None = None  # sampled metrics: the paired ratio with its CI
    p_value: float | None = None
    not_gated: str = ""  # why a sampled metric is shown but not gated (too few samples, ...)
    method: str = "measured"
    note: str = ""
    source: str = ""

    @property
    def better_up(self) -> bool:
        return (
            self.spec.higher_is_better if self.higher_is_better is None else self.higher_is_better
        )


def _relative(base: float | None, head: float | None) -> float | None:
    if base is None or head is None or base == 0:
        return None
    return head / base - 1.0


def _judge_bound(obs: Observation, threshold: Threshold) -> tuple[Verdict, str]:
    assert threshold.op is not None
    if obs.head is None:
        return "skipped", "not measured"
    ok = obs.head >= threshold.value if threshold.op == ">=" else obs.head <= threshold.value
    return ("pass", "") if ok else ("fail", f"{obs.head:.6g} violates {threshold.text}")


def _threshold_as_relative(obs: Observation, threshold: Threshold) -> float | None:
    """The threshold expressed as a relative change of the base value."""
    if threshold.kind == "relative":
        return threshold.value
    if not obs.base:
        return None
    return threshold.value / abs(obs.base)


def _judge_deterministic(obs: Observation, threshold: Threshold) -> tuple[Verdict, str]:
    if obs.base is None or obs.head is None:
        return "skipped", "not measured on both models"
    worse_by = (obs.base - obs.head) if obs.better_up else (obs.head - obs.base)
    if threshold.kind == "relative":
        if obs.base == 0:
            return "skipped", "base is zero: a relative threshold cannot apply"
        limit = threshold.value * abs(obs.base)
    else:
        limit = threshold.value
    if abs(worse_by) <= obs.spec.noise_floor:
        return "pass", ""
    if worse_by > limit:
        return "fail", ""
    if -worse_by > limit:
        return "improved", ""
    return "pass", ""


def _judge_sampled(obs: Observation, threshold: Threshold, alpha: float) -> tuple[Verdict, str]:
    est = obs.estimate
    if est is None:
        return "skipped", "not measured"
    if obs.not_gated:
        return "skipped", f"shown, not gated: {obs.not_gated}"
    limit = _threshold_as_relative(obs, threshold)
    if limit is None:
        return "skipped", "base is zero: a relative threshold cannot apply"
    significant = obs.p_value is None or obs.p_value < alpha
    # Lower is better for every sampled metric gated today (latencies).
    if est.low > 1.0 and significant and est.ratio > 1.0 + limit:
        return "fail", ""
    if est.high < 1.0 and significant and est.ratio < 1.0 - limit:
        return "improved", ""
    if est.high <= 1.0 + limit:
        return "pass", ""
    mde = est.min_detectable_change()
    return "inconclusive", f"interval too wide to decide; this run could detect changes ≥{mde:.1%}"


def judge(obs: Observation, threshold: Threshold | None, alpha: float = 0.05) -> MetricResult:
    """Apply `threshold` to `obs`; no threshold means shown but not gated (`skipped`)."""
    est = obs.estimate
    change = est.change if est is not None else _relative(obs.base, obs.head)
    delta = None if obs.base is None or obs.head is None else obs.head - obs.base
    if threshold is None:
        verdict, note = "skipped", "not gated"
    elif threshold.kind == "bound":
        verdict, note = _judge_bound(obs, threshold)
    elif obs.spec.sampled:
        verdict, note = _judge_sampled(obs, threshold, alpha)
    else:
        verdict, note = _judge_deterministic(obs, threshold)
    return MetricResult(
        name=obs.spec.name,
        unit=obs.spec.unit,
        higher_is_better=obs.better_up,
        base=obs.base,
        head=obs.head,
        change=change,
        delta=delta,
        threshold=threshold.text if threshold is not None else None,
        verdict=verdict,
        method=obs.method,
        ci=(est.low - 1.0, est.high - 1.0) if est is not None else None,
        p_value=obs.p_value,
        min_detectable_change=est.min_detectable_change() if est is not None else None,
        note="; ".join(part for part in (obs.note, note) if part),
        source=obs.source,
    )

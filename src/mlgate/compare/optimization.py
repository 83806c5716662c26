"""Optimization drift as a gated quantity. Pure.

`optimize.drift: warn` (the default) notes a lost fusion or placement; `fail` fails the
target on it (a waiver can accept it, metric `optimization.drift`)."""

from __future__ import annotations

import dataclasses
from typing import Literal

from mlgate.results.schema import MetricResult, OptimizationInfo, TargetResult
from mlgate.results.verdicts import target_verdict

DRIFT_METRIC = "optimization.drift"
PORTABILITY_METRIC = "optimization.portability"
Mode = Literal["warn", "fail", "off"]


def apply_optimization(
    result: TargetResult, info: OptimizationInfo, mode: Mode, portability: Mode = "warn"
) -> TargetResult:
    """Attach the search to the target; with a drift, a note (warn) or a failing metric;
    with a head that breaks the base's deployment, the same (`optimize.portability`)."""
    result = _apply_drift(dataclasses.replace(result, optimization=info), info, mode)
    return apply_portability(result, info, portability)


def apply_portability(result: TargetResult, info: OptimizationInfo, mode: Mode) -> TargetResult:
    """`warn`: a note; `fail`: a failing metric when broken, an undecided one when the
    speedup under the base's deployment could not be confirmed."""
    found = info.portability
    if found is None or mode == "off" or found.status == "portable":
        return result
    summary = "; ".join(found.problems) or found.note
    unmeasured = found.status == "undecided" and found.speedup is None
    if mode == "warn" or unmeasured:  # nothing measured is never a verdict
        icon = "⚠️" if found.status == "broken" else "❔"
        line = f"{icon} portability ({found.status}) of the base's deployment: {summary}"
        return dataclasses.replace(result, notes=[*result.notes, line])
    metric = MetricResult(
        name=PORTABILITY_METRIC,
        unit="x",
        higher_is_better=True,
        base=found.deployment.speedup,
        head=found.speedup,
        change=None,
        delta=None,
        threshold="the head runs under the base's deployment",
        verdict="fail" if found.status == "broken" else "inconclusive",
        method="sampled",
        ci=found.speedup_ci,
        notes=tuple(found.problems) or ((found.note,) if found.note else ()),
    )
    metrics = [*result.metrics, metric]
    return dataclasses.replace(result, metrics=metrics, verdict=target_verdict(metrics))


def _apply_drift(result: TargetResult, info: OptimizationInfo, mode: Mode) -> TargetResult:
    drift = info.drift
    if drift is None or mode == "off":
        return result
    base_total, head_total = sum(drift.base_fused.values()), sum(drift.head_fused.values())
    if not drift.lost:
        return result
    summary = "; ".join(drift.lost)
    if mode == "warn":
        return dataclasses.replace(
            result, notes=[*result.notes, f"⚠️ optimization drift: {summary}"]
        )
    metric = MetricResult(
        name=DRIFT_METRIC,
        unit="count",
        higher_is_better=True,
        base=float(base_total),
        head=float(head_total),
        change=(head_total / base_total - 1) if base_total else None,
        delta=float(head_total - base_total),
        threshold="no lost fusion",
        verdict="fail",
        method="static",
        notes=tuple(drift.lost),
    )
    metrics = [*result.metrics, metric]
    return dataclasses.replace(result, metrics=metrics, verdict=target_verdict(metrics))

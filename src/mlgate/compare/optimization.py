"""Optimization drift as a gated quantity. Pure.

`optimize.drift: warn` (the default) notes a lost fusion or placement; `fail` fails the
target on it (a waiver can accept it, metric `optimization.drift`)."""

from __future__ import annotations

import dataclasses
from typing import Literal

from mlgate.results.schema import MetricResult, OptimizationInfo, TargetResult
from mlgate.results.verdicts import target_verdict

DRIFT_METRIC = "optimization.drift"


def apply_optimization(
    result: TargetResult, info: OptimizationInfo, mode: Literal["warn", "fail", "off"]
) -> TargetResult:
    """Attach the search to the target; with a drift, a note (warn) or a failing metric."""
    drift = info.drift
    result = dataclasses.replace(result, optimization=info)
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

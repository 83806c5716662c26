"""From measured numbers to verdicts: observations per metric, a verdict per target, one
overall verdict. Pure: no I/O, no clocks; the bench layer fills `Measured`.

The observations themselves come from latency.py, quality.py and resources.py."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from mlgate.compare.latency import LATENCY_QUANTILES, latency_observations
from mlgate.compare.latency_stop import seconds_needed
from mlgate.compare.metrics import METRICS
from mlgate.compare.quality import quality_observations
from mlgate.compare.resources import (
    cost_observations,
    energy_observation,
    memory_observations,
    static_observations,
)
from mlgate.compare.rules import Observation, judge
from mlgate.compare.thresholds import Threshold
from mlgate.results.measurements import Measured
from mlgate.results.schema import MetricResult, TargetResult
from mlgate.results.verdicts import target_verdict


def observations(m: Measured, confidence: float) -> list[Observation]:
    return [
        *quality_observations(m, confidence),
        *latency_observations(m, confidence),
        *energy_observation(m, confidence),
        *memory_observations(m),
        Observation(METRICS["size"], m.size[0], m.size[1], method="static"),
        Observation(METRICS["params"], m.params[0], m.params[1], method="static"),
        *static_observations(m),
        *cost_observations(m),
    ]


def evaluate_target(
    name: str,
    providers: list[str],
    threads: int,
    measured: Measured,
    thresholds: Mapping[str, Threshold],
    confidence: float = 0.95,
) -> TargetResult:
    alpha = 1.0 - confidence
    found = observations(measured, confidence)
    metrics = []
    for obs in found:
        threshold = _first_look(thresholds, obs)
        metric = judge(obs, threshold, alpha)
        metrics.append(_with_time_needed(metric, measured, confidence, threshold))
    metrics = _fidelity_backstop(found, metrics, thresholds, alpha)
    return TargetResult(
        name=name,
        providers=providers,
        threads=threads,
        verdict=target_verdict(metrics),
        metrics=metrics,
        notes=list(measured.notes),
    )


def _fidelity_backstop(
    found: list[Observation],
    metrics: list[MetricResult],
    thresholds: Mapping[str, Threshold],
    alpha: float,
) -> list[MetricResult]:
    """With labels, accuracy decides and fidelity is shown; but when the eval set is too
    small for accuracy to decide, agreement with the base is judged instead (at the
    unlabelled defaults), so outputs that changed beyond them still fail."""
    accuracy = next((m for m in metrics if m.name == "accuracy"), None)
    if accuracy is None or accuracy.verdict != "inconclusive":
        return metrics
    judged = []
    for obs, metric in zip(found, metrics, strict=True):
        threshold = thresholds.get(metric.name)
        if threshold is not None and threshold.backstop:
            metric = judge(obs, threshold, alpha)
            note = "accuracy could not be decided on this eval set: agreement with the base decides"
            metric = dataclasses.replace(metric, notes=(*metric.notes, note))
        judged.append(metric)
    return judged


def _first_look(thresholds: Mapping[str, Threshold], obs: Observation) -> Threshold | None:
    """The threshold a metric is judged by, a backstop left aside until it is needed."""
    threshold = thresholds.get(obs.spec.name)
    return None if threshold is not None and threshold.backstop else threshold


def _with_time_needed(
    metric: MetricResult, m: Measured, confidence: float, threshold: Threshold | None
) -> MetricResult:
    if metric.verdict != "inconclusive" or metric.name not in LATENCY_QUANTILES:
        return metric
    needed = seconds_needed(metric, m, confidence, threshold)
    if needed is None:
        return metric
    more = f"needs about {needed:.0f} s more, or a smaller input"
    return dataclasses.replace(metric, notes=(*metric.notes, more))

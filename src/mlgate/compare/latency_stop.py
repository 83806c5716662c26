"""How long latency is sampled: the stop rule of sequential sampling (stop once every gated
quantile is decided, or one fails decisively), and about how much more sampling would
decide an undecided quantile. Pure."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np

from mlgate.compare import stats
from mlgate.compare.latency import (
    FINAL_RESAMPLES,
    LATENCY_QUANTILES,
    latency_undecided,
    quantile_estimates,
)
from mlgate.compare.metrics import METRICS
from mlgate.compare.rules import Observation, judge
from mlgate.compare.thresholds import Threshold
from mlgate.results.measurements import DECISIVE, Measured
from mlgate.results.schema import MetricResult


def seconds_needed(
    metric: MetricResult, m: Measured, confidence: float, threshold: Threshold | None = None
) -> float | None:
    """About how much more sampling would decide an undecided latency metric: the segments
    still missing for the minimums, or for the interval to shrink past the threshold (its
    width falls with the square root of the segments)."""
    per_segment = m.latency_seconds_per_segment
    if per_segment is None or m.latency_base is None or m.latency_segment is None:
        return None
    segments = int(np.unique(m.latency_segment).size)
    pairs_per_segment = m.latency_base.size / max(segments, 1)
    quantile = LATENCY_QUANTILES[metric.name]
    missing_pairs = stats.min_samples_for(quantile, confidence) - m.latency_base.size
    wanted = max(
        stats.MIN_SESSIONS, segments + math.ceil(max(missing_pairs, 0) / pairs_per_segment)
    )
    if metric.ci is not None and metric.change is not None and wanted == segments:
        limit = threshold.value if threshold is not None and threshold.kind == "relative" else None
        half = (metric.ci[1] - metric.ci[0]) / 2
        room = abs(metric.change - limit) if limit is not None else 0.0
        wanted = math.ceil(segments * (half / max(room, 0.005)) ** 2)
    return max(wanted - segments, 1) * per_segment


def latency_stop_rule(
    thresholds: Mapping[str, Threshold], confidence: float
) -> Callable[[np.ndarray, np.ndarray, np.ndarray], int]:
    """A stop rule for sequential sampling: stop once every gated latency quantile can be
    decided (enough calls, at least MIN_SESSIONS segments) and is (pass, fail or improved,
    not `inconclusive`): 1; as soon as one fails with its interval wholly beyond the
    threshold, the evidence is decisive: 2 (the sampler stops even before min_segments)."""
    gated = {
        name: (quantile, thresholds[name])
        for name, quantile in LATENCY_QUANTILES.items()
        if name in thresholds and thresholds[name].kind != "bound"
    }
    alpha = 1.0 - confidence

    def decided(base: np.ndarray, head: np.ndarray, segment: np.ndarray) -> int:
        if not gated:
            return 1
        segments = int(np.unique(segment).size)
        if segments < stats.MIN_SESSIONS:
            return 0
        estimates, p_value = quantile_estimates(base, head, segment, confidence, FINAL_RESAMPLES)
        by_name = dict(zip(LATENCY_QUANTILES, estimates, strict=True))
        verdicts = set()
        for name, (quantile, threshold) in gated.items():
            if latency_undecided(base.size, segments, quantile, confidence):
                verdicts.add("inconclusive")
                continue
            estimate = by_name[name]
            obs = Observation(
                METRICS[name], estimate.base, estimate.head, estimate=estimate, p_value=p_value
            )
            verdict = judge(obs, threshold, alpha).verdict
            verdicts.add(verdict)
            limit = threshold.value if threshold.kind == "relative" else 0.0
            if verdict == "fail" and estimate.low > 1.0 + limit:
                return DECISIVE  # wholly beyond the threshold
        # a clear failure decides the run whatever the other percentiles would say
        return int("fail" in verdicts or "inconclusive" not in verdicts)

    return decided

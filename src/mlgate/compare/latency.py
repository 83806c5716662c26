"""Latency observations from the interleaved A/B: each quantile's clustered ratio with its
per-segment rank test, why one cannot be decided yet, and throughput. Pure."""

from __future__ import annotations

import numpy as np

from mlgate.compare import stats
from mlgate.compare.metrics import METRICS
from mlgate.compare.rules import Observation
from mlgate.results.measurements import Measured
from mlgate.results.schema import TargetResult

LATENCY_QUANTILES = {"latency.p50": 0.5, "latency.p90": 0.9, "latency.p99": 0.99}
# The stop rule and the final verdict resample alike, so a run stopped as decided stays so.
FINAL_RESAMPLES = 1000


def latency_undecided(n: int, segments: int, quantile: float, confidence: float) -> str:
    """Why a latency quantile cannot be decided from these samples yet ("" when it can)."""
    needed = stats.min_samples_for(quantile, confidence)
    if n < needed:
        return f"too few calls ({n}; this percentile needs {needed})"
    if segments < stats.MIN_SESSIONS:
        return (
            f"only {segments} session segment(s) fit the time (an interval needs "
            f"{stats.MIN_SESSIONS} independent segments)"
        )
    return ""


def quantile_estimates(
    base: np.ndarray, head: np.ndarray, segment: np.ndarray, confidence: float, resamples: int
) -> tuple[list[stats.RatioEstimate], float | None]:
    """Every latency quantile's clustered ratio, and the per-segment rank test's p-value
    (None while there are too few segments for it to ever be significant)."""
    segments = int(np.unique(segment).size)
    estimates = stats.clustered_ratios(
        base, head, segment, tuple(LATENCY_QUANTILES.values()), confidence, resamples
    )
    enough = segments >= stats.smallest_decisive_count(1.0 - confidence)
    return estimates, stats.rank_test(base, head, segment) if enough else None


def latency_observations(m: Measured, confidence: float) -> list[Observation]:
    if m.latency_base is None or m.latency_head is None:
        return []
    base, head = m.latency_base, m.latency_head
    segment = m.latency_segment if m.latency_segment is not None else np.zeros(base.size, int)
    segments = int(np.unique(segment).size)
    observations = []
    estimates, p_value = quantile_estimates(base, head, segment, confidence, FINAL_RESAMPLES)
    for (name, quantile), estimate in zip(LATENCY_QUANTILES.items(), estimates, strict=True):
        undecided = latency_undecided(int(base.size), segments, quantile, confidence)
        observations.append(
            Observation(
                METRICS[name],
                estimate.base,
                estimate.head,
                estimate=estimate,
                p_value=p_value,
                undecided=undecided,
                method="sampled",
                source=_latency_source(base.size, segments),
            )
        )
    median_base = float(np.median(base))
    median_head = float(np.median(head))
    observations.append(
        Observation(
            METRICS["throughput"],
            m.examples_per_run / median_base if median_base > 0 else None,
            m.examples_per_run / median_head if median_head > 0 else None,
            method="sampled",
        )
    )
    return observations


def _latency_source(pairs: int, segments: int) -> str:
    return (
        f"{pairs} interleaved pairs in {segments} fresh session segments; ratio of "
        "quantiles, interval resampling whole segments"
    )


def latency_changed(target: TargetResult) -> bool:
    """Whether a latency metric was decided as changed (worth explaining where it went)."""
    return any(
        m.name in LATENCY_QUANTILES and m.verdict in ("fail", "improved") for m in target.metrics
    )

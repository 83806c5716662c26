"""Paired statistics for a task metric: base and head scored on the same examples.

Correct/incorrect metrics (top-1, top-k) use the exact McNemar test, which looks only at
the discordant examples (one model right, the other wrong): a binomial test of how they
split. Continuous metrics (mse, mae, cosine) use a paired bootstrap of the mean per-example
difference. Both give the interval of the change and the smallest change this eval set can
detect. Pure: arrays in, numbers out."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

from mlgate.compare.stats import smallest_decisive_count

BOOTSTRAP_RESAMPLES = 2000
POWER = 0.8


@dataclass(frozen=True)
class PairedChange:
    """head - base of the mean per-example score, with its interval and test."""

    change: float
    low: float
    high: float
    p_value: float
    min_detectable: float  # smallest |change| this eval set detects with 80% power
    examples: int
    method: str  # how the interval and the test were obtained, for the report

    @property
    def significant(self) -> bool:
        return self.low > 0 or self.high < 0


def _finite(values: np.ndarray, what: str) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{what} holds NaN or infinite values")
    return values


def mcnemar(base_correct: np.ndarray, head_correct: np.ndarray, confidence: float) -> PairedChange:
    """Exact McNemar: of the n discordant examples, k went the head's way. The change is
    (k - (n - k)) / N; its interval maps the Clopper-Pearson interval of k/n onto it."""
    base = _finite(base_correct, "base scores") > 0.5
    head = _finite(head_correct, "head scores") > 0.5
    total = int(base.size)
    head_only = int(np.sum(head & ~base))
    base_only = int(np.sum(base & ~head))
    discordant = head_only + base_only
    alpha = 1.0 - confidence
    floor = smallest_decisive_count(alpha) / total
    if discordant == 0:
        return PairedChange(
            0.0, 0.0, 0.0, 1.0, floor, total, "exact McNemar: no discordant examples"
        )
    test = scipy_stats.binomtest(head_only, discordant, 0.5)
    interval = test.proportion_ci(confidence_level=confidence, method="exact")
    share = discordant / total
    z = scipy_stats.norm.ppf(1 - alpha / 2) + scipy_stats.norm.ppf(POWER)
    return PairedChange(
        change=(head_only - base_only) / total,
        low=share * (2 * interval.low - 1),
        high=share * (2 * interval.high - 1),
        p_value=float(test.pvalue),
        min_detectable=max(floor, float(z * math.sqrt(share / total))),
        examples=total,
        method=f"exact McNemar on {discordant} discordant of {total} examples",
    )


def paired_bootstrap(
    base_scores: np.ndarray, head_scores: np.ndarray, confidence: float, seed: int = 0
) -> PairedChange:
    """Percentile bootstrap of the mean per-example difference (head - base)."""
    diff = _finite(head_scores, "head scores") - _finite(base_scores, "base scores")
    total = int(diff.size)
    mean = float(np.mean(diff)) if total else 0.0
    alpha = 1.0 - confidence
    if total < 2 or not np.any(diff != diff[0]):
        p = 1.0 if mean == 0 else 0.0
        return PairedChange(mean, mean, mean, p, 0.0, total, f"paired, {total} examples")
    result = scipy_stats.bootstrap(
        (diff,),
        np.mean,
        n_resamples=BOOTSTRAP_RESAMPLES,
        confidence_level=confidence,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    sem = float(np.std(diff, ddof=1) / math.sqrt(total))
    p_value = float(scipy_stats.ttest_1samp(diff, 0.0).pvalue)
    z = scipy_stats.norm.ppf(1 - alpha / 2) + scipy_stats.norm.ppf(POWER)
    return PairedChange(
        change=mean,
        low=min(float(result.confidence_interval.low), mean),
        high=max(float(result.confidence_interval.high), mean),
        p_value=p_value,
        min_detectable=float(z * sem),
        examples=total,
        method=f"paired bootstrap over {total} examples",
    )


def paired_change(
    base_scores: np.ndarray, head_scores: np.ndarray, binary: bool, confidence: float
) -> PairedChange:
    """The right paired test for the metric: McNemar for right/wrong, bootstrap otherwise."""
    if np.asarray(base_scores).size != np.asarray(head_scores).size:
        raise ValueError("base and head must be scored on the same examples")
    if binary:
        return mcnemar(base_scores, head_scores, confidence)
    return paired_bootstrap(base_scores, head_scores, confidence)

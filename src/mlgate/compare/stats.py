"""Paired statistics for A/B latency samples. Pure functions on arrays: no I/O, no clocks.

Base and head samples come in pairs taken back to back (ABBA order), so every resampling
keeps pairs together: the noise a pair shares cancels in the ratio.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

_BOOTSTRAP_BYTES = 64 * 1024 * 1024  # memory cap for one vectorised resampling batch
# Above this many pairs the interval is computed on an evenly spaced subset: it is then a
# little wider than the full sample's (conservative), and its cost stays bounded.
MAX_BOOTSTRAP_PAIRS = 8000
# A latency interval is built from at least this many independent session segments.
MIN_SESSIONS = 3


def min_samples_for(quantile: float, confidence: float = 0.95) -> int:
    """Fewest samples for which the sample range covers the `quantile` with probability at
    least `confidence`, whatever the distribution: the smallest n with
    1 - q**n - (1 - q)**n >= confidence (6 for the median, 29 for p90, 299 for p99)."""
    q = min(max(quantile, 1e-9), 1 - 1e-9)
    n = max(2, math.floor(math.log(1.0 - confidence) / math.log(max(q, 1.0 - q))))
    while 1.0 - q**n - (1.0 - q) ** n < confidence:
        n += 1
    return n


MIN_SAMPLES = {q: min_samples_for(q) for q in (0.5, 0.9, 0.99)}


@dataclass(frozen=True)
class RatioEstimate:
    """Ratio head/base of one quantile, with a paired-bootstrap confidence interval."""

    quantile: float
    base: float
    head: float
    ratio: float
    low: float
    high: float
    confidence: float
    n: int
    clusters: int = 0  # segments the interval was built from (0: pairs were resampled)
    df: int = 0  # degrees of freedom of a t-interval (0: normal or bootstrap interval)

    @property
    def change(self) -> float:
        return self.ratio - 1.0

    @property
    def half_width(self) -> float:
        """Half the interval width, as a relative change."""
        return (self.high - self.low) / 2.0

    def min_detectable_change(self, power: float = 0.8) -> float:
        """Smallest relative change this run would detect with the given power:
        (q_alpha + q_power) standard errors, with t quantiles for a t-interval."""
        dist = scipy_stats.t(self.df) if self.df > 0 else scipy_stats.norm
        q_alpha = float(dist.ppf(0.5 + self.confidence / 2.0))
        q_power = float(dist.ppf(power))
        return float(self.half_width / q_alpha * (q_alpha + q_power))


def _checked(
    base: np.ndarray, head: np.ndarray, quantiles: tuple[float, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Validated float arrays, the quantile levels, and both sides' quantiles."""
    base = np.asarray(base, dtype=np.float64)
    head = np.asarray(head, dtype=np.float64)
    if base.shape != head.shape or base.ndim != 1:
        raise ValueError("base and head must be 1-D arrays of paired samples")
    if base.size < 2:
        raise ValueError("need at least two pairs")
    qs = np.asarray(quantiles, dtype=np.float64)
    q_base = np.quantile(base, qs)
    if np.any(q_base <= 0):
        raise ValueError("base samples must be positive")
    return base, head, qs, q_base, np.quantile(head, qs)


def paired_ratios(
    base: np.ndarray,
    head: np.ndarray,
    quantiles: tuple[float, ...] = (0.5,),
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> list[RatioEstimate]:
    """Ratio of each quantile of head to base, with a percentile bootstrap over pairs; one
    resampling pass serves every quantile.

    The ratios use every pair; past MAX_BOOTSTRAP_PAIRS the intervals are resampled from an
    evenly spaced subset that keeps the run's time order (never narrower than they should be)."""
    base, head, qs, q_base, q_head = _checked(base, head, quantiles)
    n = base.size

    def statistic(b: np.ndarray, h: np.ndarray, axis: int = -1) -> np.ndarray:
        ratios: np.ndarray = np.quantile(h, qs, axis=axis) / np.quantile(b, qs, axis=axis)
        return ratios

    step = -(-n // MAX_BOOTSTRAP_PAIRS)  # ceil
    sub_base, sub_head = base[::step], head[::step]
    batch = max(1, _BOOTSTRAP_BYTES // (16 * sub_base.size * len(qs)))
    result = scipy_stats.bootstrap(
        (sub_base, sub_head),
        statistic,
        paired=True,
        vectorized=True,
        n_resamples=n_resamples,
        batch=batch,
        confidence_level=confidence,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    lows = np.atleast_1d(result.confidence_interval.low)
    highs = np.atleast_1d(result.confidence_interval.high)
    estimates = []
    for i, quantile in enumerate(qs):
        ratio = float(q_head[i] / q_base[i])
        estimates.append(
            RatioEstimate(
                quantile=float(quantile),
                base=float(q_base[i]),
                head=float(q_head[i]),
                ratio=ratio,
                low=min(float(lows[i]), ratio),
                high=max(float(highs[i]), ratio),
                confidence=confidence,
                n=n,
            )
        )
    return estimates


def paired_ratio(
    base: np.ndarray,
    head: np.ndarray,
    quantile: float = 0.5,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> RatioEstimate:
    """`paired_ratios` for one quantile."""
    return paired_ratios(base, head, (quantile,), confidence, n_resamples, seed)[0]


def _cluster_indices(clusters: np.ndarray, limit: int) -> list[np.ndarray]:
    """Pair indices of each cluster, thinned evenly so that all together stay under `limit`."""
    step = -(-clusters.size // limit)
    ids = np.unique(clusters)
    return [np.flatnonzero(clusters == cid)[::step] for cid in ids]


def weighted_quantiles(
    values: np.ndarray, cluster: np.ndarray, counts: np.ndarray, qs: np.ndarray
) -> np.ndarray:
    """Inverted-CDF quantiles `qs` of `values` when every value of cluster c is counted
    `counts[b, c]` times, for each row b of `counts`: the quantiles of each cluster-bootstrap
    resample without building it (a vectorised binary search over the sorted values).
    Returns shape (rows, len(qs))."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    clusters = counts.shape[1]
    # below[i, c]: how many of the i smallest values belong to cluster c
    below = np.zeros((ordered.size + 1, clusters), dtype=np.int64)
    np.add.at(below, (np.arange(1, ordered.size + 1), cluster[order]), 1)
    below = np.cumsum(below, axis=0)
    total = counts @ below[-1]
    found = np.empty((counts.shape[0], qs.size))
    for j, q in enumerate(qs):
        target = q * total
        low = np.ones(counts.shape[0], dtype=np.int64)
        high = np.full(counts.shape[0], ordered.size, dtype=np.int64)
        while np.any(low < high):
            mid = (low + high) // 2
            reached = np.einsum("bc,bc->b", counts, below[mid]) >= target
            high = np.where(reached, mid, high)
            low = np.where(reached, low, mid + 1)
        found[:, j] = ordered[low - 1]
    return found


def clustered_ratios(
    base: np.ndarray,
    head: np.ndarray,
    clusters: np.ndarray,
    quantiles: tuple[float, ...] = (0.5,),
    confidence: float = 0.95,
    n_resamples: int = 1000,
    seed: int = 0,
) -> list[RatioEstimate]:
    """The estimator the gate uses for latency: the ratio of each quantile of head to base
    over all pairs, with an interval that resamples whole clusters (segments with their
    own sessions), so that what varies between sessions is in it.

    The percentile interval of the log ratio is widened by t(S-1)/z for S clusters: with
    few clusters a plain bootstrap is too narrow. With fewer than two clusters it falls
    back to resampling pairs."""
    base, head, qs, q_base, q_head = _checked(base, head, quantiles)
    groups = _cluster_indices(np.asarray(clusters), MAX_BOOTSTRAP_PAIRS)
    count = len(groups)
    if count < 2:
        return paired_ratios(base, head, quantiles, confidence, n_resamples, seed)
    index = np.concatenate(groups)
    member = np.concatenate([np.full(g.size, i) for i, g in enumerate(groups)])
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(count, np.full(count, 1.0 / count), size=n_resamples)
    log_draws = np.log(
        weighted_quantiles(head[index], member, counts, qs)
        / weighted_quantiles(base[index], member, counts, qs)
    )
    alpha = 1.0 - confidence
    low, high = np.quantile(log_draws, [alpha / 2, 1 - alpha / 2], axis=0)
    widen = scipy_stats.t.ppf(1 - alpha / 2, count - 1) / scipy_stats.norm.ppf(1 - alpha / 2)
    log_ratio = np.log(q_head / q_base)
    return [
        RatioEstimate(
            quantile=float(q),
            base=float(q_base[i]),
            head=float(q_head[i]),
            ratio=float(np.exp(log_ratio[i])),
            low=float(np.exp(log_ratio[i] - max(log_ratio[i] - low[i], 0.0) * widen)),
            high=float(np.exp(log_ratio[i] + max(high[i] - log_ratio[i], 0.0) * widen)),
            confidence=confidence,
            n=int(base.size),
            clusters=count,
            df=count - 1,
        )
        for i, q in enumerate(qs)
    ]


def smallest_decisive_count(alpha: float) -> int:
    """Fewest observations, all one way, that an exact two-sided sign or signed-rank test
    calls significant at `alpha` (2 * 0.5**n < alpha): 6 at 0.05."""
    n = 1
    while 2.0 * 0.5**n >= alpha:
        n += 1
    return n


def segment_log_ratios(base: np.ndarray, head: np.ndarray, clusters: np.ndarray) -> np.ndarray:
    """log(median head / median base) of each cluster."""
    ids = np.unique(clusters)
    return np.array(
        [np.log(np.median(head[clusters == cid]) / np.median(base[clusters == cid])) for cid in ids]
    )


def rank_test(base: np.ndarray, head: np.ndarray, clusters: np.ndarray | None = None) -> float:
    """Two-sided p-value of the Wilcoxon signed-rank test: on the segments' median log
    ratios when clusters are given (pairs within a segment are not independent), else on
    paired differences. With fewer than `smallest_decisive_count(alpha)` segments it
    cannot reach significance; the gate then lets the interval decide alone."""
    base = np.asarray(base, dtype=np.float64)
    head = np.asarray(head, dtype=np.float64)
    if clusters is not None and np.unique(clusters).size >= 2:
        diff = segment_log_ratios(base, head, np.asarray(clusters))
    else:
        diff = head - base
    if diff.size < 2 or not np.any(diff):
        return 1.0
    return float(scipy_stats.wilcoxon(diff, zero_method="wilcox", method="auto").pvalue)


def coefficient_of_variation(samples: np.ndarray) -> float:
    """Robust CV: scaled median absolute deviation over the median."""
    samples = np.asarray(samples, dtype=np.float64)
    median = float(np.median(samples))
    if median <= 0:
        return 0.0
    mad = float(scipy_stats.median_abs_deviation(samples, scale="normal"))
    return mad / median


def paired_mean_ratio(
    base: np.ndarray, head: np.ndarray, confidence: float = 0.95
) -> tuple[RatioEstimate, float] | None:
    """Ratio head/base of paired positive measurements (energy per window): the geometric
    mean of the per-pair ratios with a t-interval, and the two-sided t-test p-value. None
    when a value is not positive (a meter that did not advance) or fewer than 2 pairs."""
    base = np.asarray(base, dtype=np.float64)
    head = np.asarray(head, dtype=np.float64)
    if base.size < 2 or base.size != head.size or np.any(base <= 0) or np.any(head <= 0):
        return None
    logs = np.log(head / base)
    mean = float(np.mean(logs))
    spread = t_half_width(logs, confidence) or 0.0
    if spread == 0:
        p_value = 1.0 if mean == 0 else 0.0
    else:
        p_value = float(scipy_stats.ttest_1samp(logs, 0.0).pvalue)
    estimate = RatioEstimate(
        quantile=0.5,
        base=float(np.mean(base)),
        head=float(np.mean(head)),
        ratio=float(np.exp(mean)),
        low=float(np.exp(mean - spread)),
        high=float(np.exp(mean + spread)),
        confidence=confidence,
        n=int(logs.size),
    )
    return estimate, p_value


def t_half_width(values: np.ndarray, confidence: float = 0.95) -> float | None:
    """Half-width of the t-interval of the mean of `values`."""
    values = np.asarray(values, dtype=np.float64)
    if values.size < 2:
        return None
    sem = float(np.std(values, ddof=1) / np.sqrt(values.size))
    return float(scipy_stats.t.ppf(0.5 + confidence / 2, values.size - 1) * sem)


def clustered_quantile(
    values: np.ndarray,
    clusters: np.ndarray,
    quantile: float,
    confidence: float = 0.95,
    n_resamples: int = 1000,
    seed: int = 0,
) -> tuple[float, float, float]:
    """One quantile of `values` with an interval that resamples whole clusters (segments
    with their own sessions), widened by t(S-1)/z as in `clustered_ratios`; with fewer than
    two clusters the interval is the estimate itself at both ends (nothing to resample)."""
    values = np.asarray(values, dtype=np.float64)
    estimate = float(np.quantile(values, quantile, method="inverted_cdf"))
    groups = _cluster_indices(np.asarray(clusters), MAX_BOOTSTRAP_PAIRS)
    count = len(groups)
    if count < 2:
        return estimate, estimate, estimate
    index = np.concatenate(groups)
    member = np.concatenate([np.full(g.size, i) for i, g in enumerate(groups)])
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(count, np.full(count, 1.0 / count), size=n_resamples)
    draws = np.log(weighted_quantiles(values[index], member, counts, np.asarray([quantile])))
    alpha = 1.0 - confidence
    low, high = np.quantile(draws[:, 0], [alpha / 2, 1 - alpha / 2])
    widen = scipy_stats.t.ppf(1 - alpha / 2, count - 1) / scipy_stats.norm.ppf(1 - alpha / 2)
    centre = np.log(estimate)
    return (
        estimate,
        float(np.exp(centre - max(centre - low, 0.0) * widen)),
        float(np.exp(centre + max(high - centre, 0.0) * widen)),
    )

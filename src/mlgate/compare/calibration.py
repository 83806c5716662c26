"""What A/A runs say about this machine: noise, the smallest detectable change and the
thresholds that keep false alarms under a target rate. Pure; unit-tested on literals."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

from mlgate.compare.stats import RatioEstimate

STEP = 0.005  # suggested thresholds are rounded up to half a percent


@dataclass(frozen=True)
class AATrial:
    """One A/A comparison: the same model in two sessions, interleaved."""

    estimates: dict[str, RatioEstimate]  # "latency.p50" / "latency.p90" -> base-vs-base ratio
    cv: float  # robust coefficient of variation of single runs
    pairs: int
    seconds: float


@dataclass(frozen=True)
class QuantileNoise:
    metric: str
    bias: float  # median A/A change (two sessions of one model are not always identical)
    spread: float  # robust standard deviation of the A/A change across trials
    half_width: float  # median confidence-interval half-width of one run
    min_detectable_change: float  # median over trials
    suggested: float  # threshold for the requested false-alarm rate
    false_alarms_at: dict[str, int]  # threshold text -> A/A trials that would have failed


@dataclass(frozen=True)
class Calibration:
    trials: int
    pairs_per_trial: int
    seconds_per_trial: float
    cv: float
    false_alarm_rate: float
    quantiles: list[QuantileNoise]

    def suggested_thresholds(self) -> dict[str, str]:
        return {q.metric: f"+{q.suggested * 100:.1f}%" for q in self.quantiles}


def _round_up(value: float) -> float:
    return math.ceil(value / STEP - 1e-9) * STEP


def would_fail(estimate: RatioEstimate, threshold: float) -> bool:
    """The gate's fail rule (interval above 1, estimate past the threshold), rank test aside."""
    return estimate.low > 1.0 and estimate.ratio > 1.0 + threshold


def summarize(
    trials: list[AATrial],
    false_alarm_rate: float = 0.01,
    check_thresholds: tuple[float, ...] = (0.02, 0.05, 0.10),
) -> Calibration:
    if not trials:
        raise ValueError("calibration needs at least one A/A trial")
    z = float(scipy_stats.norm.ppf(1.0 - false_alarm_rate))
    quantiles = []
    for metric in trials[0].estimates:
        changes = np.array([t.estimates[metric].change for t in trials])
        halves = np.array([t.estimates[metric].half_width for t in trials])
        mdes = np.array([t.estimates[metric].min_detectable_change() for t in trials])
        bias = float(np.median(changes))
        spread = (
            float(scipy_stats.median_abs_deviation(changes, scale="normal"))
            if changes.size > 1
            else 0.0
        )
        # Within one run the interval also bounds the noise; trust whichever is larger.
        sigma = max(spread, float(np.median(halves)) / 1.96)
        suggested = _round_up(max(abs(bias) + z * sigma, float(np.median(mdes)), STEP))
        quantiles.append(
            QuantileNoise(
                metric=metric,
                bias=bias,
                spread=spread,
                half_width=float(np.median(halves)),
                min_detectable_change=float(np.median(mdes)),
                suggested=suggested,
                false_alarms_at={
                    f"+{t * 100:g}%": sum(would_fail(tr.estimates[metric], t) for tr in trials)
                    for t in check_thresholds
                },
            )
        )
    return Calibration(
        trials=len(trials),
        pairs_per_trial=int(np.median([t.pairs for t in trials])),
        seconds_per_trial=float(np.median([t.seconds for t in trials])),
        cv=float(np.median([t.cv for t in trials])),
        false_alarm_rate=false_alarm_rate,
        quantiles=quantiles,
    )

"""From measured numbers to verdicts: observations per metric, a verdict per target, one
overall verdict. Pure: no I/O, no clocks; the bench layer fills `Measured`."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping

import numpy as np

from mlgate.compare import stats
from mlgate.compare.accuracy_stats import paired_change
from mlgate.compare.metrics import ERROR_METRICS, METRICS
from mlgate.compare.rules import Observation, judge
from mlgate.compare.thresholds import Threshold
from mlgate.results.measurements import DECISIVE, Measured
from mlgate.results.schema import MetricResult, TargetResult
from mlgate.results.verdicts import target_verdict

LATENCY_QUANTILES = {"latency.p50": 0.5, "latency.p90": 0.9, "latency.p99": 0.99}
# The stop rule and the final verdict resample alike, so a run stopped as decided stays so.
FINAL_RESAMPLES = 1000
MIN_ENERGY_WINDOWS = 4


def _latency_undecided(n: int, segments: int, quantile: float, confidence: float) -> str:
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


def _estimates(
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


def _latency_observations(m: Measured, confidence: float) -> list[Observation]:
    if m.latency_base is None or m.latency_head is None:
        return []
    base, head = m.latency_base, m.latency_head
    segment = m.latency_segment if m.latency_segment is not None else np.zeros(base.size, int)
    segments = int(np.unique(segment).size)
    observations = []
    estimates, p_value = _estimates(base, head, segment, confidence, FINAL_RESAMPLES)
    for (name, quantile), estimate in zip(LATENCY_QUANTILES.items(), estimates, strict=True):
        undecided = _latency_undecided(int(base.size), segments, quantile, confidence)
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


def _memory_observations(m: Measured) -> list[Observation]:
    if m.memory is None:
        return []
    base, head = m.memory
    if isinstance(base, str) or isinstance(head, str):
        reason = base if isinstance(base, str) else head
        return [
            Observation(METRICS["memory.peak"], None, None, note=str(reason)),
        ]
    return [
        Observation(METRICS["memory.peak"], base.peak_bytes, head.peak_bytes),
        Observation(METRICS["memory.session"], base.session_bytes, head.session_bytes),
        Observation(METRICS["memory.inference"], base.inference_bytes, head.inference_bytes),
    ]


def _static_observations(m: Measured) -> list[Observation]:
    if m.static is None:
        return []
    s = m.static
    uncounted = ""
    if any(s.uncounted):
        # a lower bound on each side, by different amounts: their ratio says nothing
        uncounted = (
            f"ops the proxy cannot count (base/head: {s.uncounted[0]}/{s.uncounted[1]}), so "
            "each side is a lower bound"
        )
    return [
        Observation(METRICS["macs"], s.macs[0], s.macs[1], method="static", not_gated=uncounted),
        Observation(
            METRICS["energy_proxy"],
            s.energy_proxy[0],
            s.energy_proxy[1],
            method="static",
            not_gated=uncounted,
            source=f"proxy: {s.proxy_version}",
        ),
    ]


def _energy_observation(m: Measured, confidence: float) -> list[Observation]:
    if m.energy is None:
        return []
    e = m.energy
    source = f"{e.method}: {e.detail}"
    # CPU time x watts is latency in other units: gating it would count one signal twice.
    same_signal = (
        "estimated from CPU time, the same signal as latency (gated there, not twice)"
        if e.method == "estimated"
        else ""
    )
    paired = stats.paired_mean_ratio(e.base, e.head, confidence)
    if paired is None:
        return [
            Observation(
                METRICS["energy"],
                float(np.mean(e.base)) if e.base.size else None,
                float(np.mean(e.head)) if e.head.size else None,
                method="sampled",
                not_gated=same_signal,
                undecided="the meter did not advance in every window",
                source=source,
            )
        ]
    estimate, p_value = paired
    undecided = ""
    if estimate.n < MIN_ENERGY_WINDOWS:
        undecided = f"only {estimate.n} windows (need {MIN_ENERGY_WINDOWS})"
    return [
        Observation(
            METRICS["energy"],
            estimate.base,
            estimate.head,
            estimate=estimate,
            p_value=p_value,
            not_gated=same_signal,
            undecided=undecided,
            method="sampled",
            source=source,
        )
    ]


def _joules_per_inference(m: Measured) -> tuple[tuple[float, float], str] | None:
    """The best energy figure there is: measured, else the static proxy (a lower bound)."""
    if m.energy is not None and m.energy.base.size and m.energy.head.size:
        source = f"{m.energy.method} energy"
        return (float(np.mean(m.energy.base)), float(np.mean(m.energy.head))), source
    if m.static is not None:
        return m.static.energy_proxy, f"{m.static.proxy_version} proxy energy (a lower bound)"
    return None


def _cost_observations(m: Measured) -> list[Observation]:
    """Dollars and grams CO2e per million inferences, from the median latency and energy."""
    found = []
    price = m.pricing.price_per_hour
    if price is not None and m.latency_base is not None and m.latency_head is not None:
        per_million = price / 3600.0 * 1e6
        found.append(
            Observation(
                METRICS["cost"],
                float(np.median(m.latency_base)) * per_million,
                float(np.median(m.latency_head)) * per_million,
                source=f"{price:g} $/h × median latency",
            )
        )
    intensity = m.pricing.carbon_intensity
    joules = _joules_per_inference(m)
    if intensity is not None and joules is not None:
        (base, head), what = joules
        grams_per_joule_million = intensity / 3.6e6 * 1e6
        found.append(
            Observation(
                METRICS["carbon"],
                base * grams_per_joule_million,
                head * grams_per_joule_million,
                source=f"{intensity:g} gCO₂e/kWh × {what}",
            )
        )
    return found


FIDELITY_METRICS = (
    ("fidelity.top1_agreement", "top1_agreement"),
    ("fidelity.cosine", "cosine"),
    ("fidelity.relative_diff", "relative_diff"),
    ("fidelity.max_abs_diff", "max_abs_diff"),
)


def _accuracy_observation(m: Measured, confidence: float) -> list[Observation]:
    if m.accuracy is None or m.eval_metric is None:
        return []
    paired = None
    if m.accuracy_scores is not None:
        base_scores, head_scores = m.accuracy_scores
        paired = paired_change(base_scores, head_scores, m.accuracy_binary, confidence)
    return [
        Observation(
            METRICS["accuracy"],
            m.accuracy[0],
            m.accuracy[1],
            higher_is_better=m.eval_metric not in ERROR_METRICS,
            eval_metric=m.eval_metric,
            paired=paired,
            source=paired.method if paired is not None else "",
        )
    ]


def _fidelity_observations(m: Measured) -> list[Observation]:
    if m.fidelity is None:
        return []
    source = f"head vs base outputs on the {m.fidelity.inputs} inputs"
    found = [
        Observation(METRICS[name], None, value, method="measured", source=source)
        for name, field_name in FIDELITY_METRICS
        if (value := getattr(m.fidelity, field_name)) is not None
    ]
    if found:
        return found
    # No output could be compared: where agreement is gated this is undecided, not a pass.
    note = "no output of head and base could be compared (names, shapes or types differ)"
    return [Observation(METRICS["fidelity.cosine"], None, None, note=note, source=source)]


def _quality_observations(m: Measured, confidence: float) -> list[Observation]:
    return [*_accuracy_observation(m, confidence), *_fidelity_observations(m)]


def observations(m: Measured, confidence: float) -> list[Observation]:
    return [
        *_quality_observations(m, confidence),
        *_latency_observations(m, confidence),
        *_energy_observation(m, confidence),
        *_memory_observations(m),
        Observation(METRICS["size"], m.size[0], m.size[1], method="static"),
        Observation(METRICS["params"], m.params[0], m.params[1], method="static"),
        *_static_observations(m),
        *_cost_observations(m),
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


def latency_changed(target: TargetResult) -> bool:
    """Whether a latency metric was decided as changed (worth explaining where it went)."""
    return any(
        m.name in LATENCY_QUANTILES and m.verdict in ("fail", "improved") for m in target.metrics
    )


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
        estimates, p_value = _estimates(base, head, segment, confidence, FINAL_RESAMPLES)
        by_name = dict(zip(LATENCY_QUANTILES, estimates, strict=True))
        verdicts = set()
        for name, (quantile, threshold) in gated.items():
            if _latency_undecided(base.size, segments, quantile, confidence):
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

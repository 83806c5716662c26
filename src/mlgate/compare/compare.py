"""From measured numbers to verdicts: observations per metric, a verdict per target, one
overall verdict. Pure: no I/O, no clocks; the bench layer fills `Measured`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from mlgate.compare import stats
from mlgate.compare.metrics import ERROR_METRICS, METRICS
from mlgate.compare.rules import Observation, judge
from mlgate.compare.thresholds import Threshold
from mlgate.results.schema import (
    MetricResult,
    OverallVerdict,
    Results,
    RunVerdict,
    TargetResult,
    TargetVerdict,
)

LATENCY_QUANTILES = {"latency.p50": 0.5, "latency.p90": 0.9, "latency.p99": 0.99}
CHECKPOINT_RESAMPLES = 300
FINAL_RESAMPLES = 1000
# A latency verdict needs this many segments (fresh session pairs): fewer cannot show how
# much the memory layout of one session pair moved the result.
MIN_GATED_SEGMENTS = 4
MIN_ENERGY_WINDOWS = 4


@dataclass(frozen=True)
class Fidelity:
    max_abs_diff: float | None = None
    cosine: float | None = None
    top1_agreement: float | None = None


@dataclass(frozen=True)
class Memory:
    session_bytes: int
    peak_bytes: int
    inference_bytes: int = 0


@dataclass(frozen=True)
class MeasuredEnergy:
    """Joules per inference per measurement window (paired: window i of base and of head)."""

    method: str  # rapl | nvml | estimated
    detail: str
    base: np.ndarray
    head: np.ndarray


@dataclass(frozen=True)
class StaticCost:
    """Counted from the graphs, base and head, at the same input shapes."""

    macs: tuple[int, int]
    energy_proxy: tuple[float, float]
    proxy_version: str
    uncounted: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Pricing:
    """Per target, from the config: what a runner hour costs and the grid's intensity."""

    price_per_hour: float | None = None
    carbon_intensity: float | None = None  # gCO2e per kWh


@dataclass(frozen=True)
class Measured:
    """Everything measured for one model pair on one target."""

    size: tuple[int, int]
    params: tuple[int, int]
    eval_metric: str | None = None  # None: no eval data
    accuracy: tuple[float, float] | None = None  # None: no labels (or metric `fidelity`)
    fidelity: Fidelity | None = None
    memory: tuple[Memory | str, Memory | str] | None = None  # str: why it is missing
    latency_base: np.ndarray | None = None  # paired seconds per run
    latency_head: np.ndarray | None = None
    latency_segment: np.ndarray | None = None  # segment (session pair) of each pair
    examples_per_run: int = 1
    static: StaticCost | None = None
    energy: MeasuredEnergy | None = None
    pricing: Pricing = Pricing()
    notes: list[str] = field(default_factory=list)


def _latency_observations(m: Measured, confidence: float) -> list[Observation]:
    if m.latency_base is None or m.latency_head is None:
        return []
    base, head = m.latency_base, m.latency_head
    segment = m.latency_segment if m.latency_segment is not None else np.zeros(base.size, int)
    p_value = stats.rank_test(base, head, segment)
    segments = int(np.unique(segment).size)
    observations = []
    estimates = stats.clustered_ratios(
        base, head, segment, tuple(LATENCY_QUANTILES.values()), confidence, FINAL_RESAMPLES
    )
    for (name, quantile), estimate in zip(LATENCY_QUANTILES.items(), estimates, strict=True):
        not_gated = ""
        if estimate.n < stats.min_samples_for(quantile):
            not_gated = f"too few samples ({estimate.n}) for this percentile"
        elif segments < MIN_GATED_SEGMENTS:
            not_gated = (
                f"only {segments} segment(s) of fresh sessions fit the time budget (need "
                f"{MIN_GATED_SEGMENTS}); raise latency.budget_seconds"
            )
        observations.append(
            Observation(
                METRICS[name],
                estimate.base,
                estimate.head,
                estimate=estimate,
                p_value=p_value,
                not_gated=not_gated,
                method="sampled",
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
        uncounted = f"uncounted ops (base/head): {s.uncounted[0]}/{s.uncounted[1]}"
    return [
        Observation(METRICS["macs"], s.macs[0], s.macs[1], method="static", note=uncounted),
        Observation(
            METRICS["energy_proxy"],
            s.energy_proxy[0],
            s.energy_proxy[1],
            method="static",
            note=uncounted,
            source=f"proxy: {s.proxy_version}",
        ),
    ]


def _energy_observation(m: Measured, confidence: float) -> list[Observation]:
    if m.energy is None:
        return []
    e = m.energy
    source = f"{e.method}: {e.detail}"
    paired = stats.paired_mean_ratio(e.base, e.head, confidence)
    if paired is None:
        return [
            Observation(
                METRICS["energy"],
                float(np.mean(e.base)) if e.base.size else None,
                float(np.mean(e.head)) if e.head.size else None,
                method="sampled",
                not_gated="the meter did not advance in every window",
                source=source,
            )
        ]
    estimate, p_value = paired
    not_gated = ""
    if estimate.n < MIN_ENERGY_WINDOWS:
        not_gated = f"only {estimate.n} windows (need {MIN_ENERGY_WINDOWS})"
    return [
        Observation(
            METRICS["energy"],
            estimate.base,
            estimate.head,
            estimate=estimate,
            p_value=p_value,
            not_gated=not_gated,
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


def _quality_observations(m: Measured) -> list[Observation]:
    found = []
    if m.accuracy is not None and m.eval_metric is not None:
        found.append(
            Observation(
                METRICS["accuracy"],
                m.accuracy[0],
                m.accuracy[1],
                higher_is_better=m.eval_metric not in ERROR_METRICS,
                note=m.eval_metric,
            )
        )
    if m.fidelity is not None:
        for name, value in (
            ("fidelity.top1_agreement", m.fidelity.top1_agreement),
            ("fidelity.cosine", m.fidelity.cosine),
            ("fidelity.max_abs_diff", m.fidelity.max_abs_diff),
        ):
            if value is not None:
                found.append(Observation(METRICS[name], None, value, method="measured"))
    return found


def observations(m: Measured, confidence: float) -> list[Observation]:
    return [
        *_quality_observations(m),
        *_latency_observations(m, confidence),
        *_energy_observation(m, confidence),
        *_memory_observations(m),
        Observation(METRICS["size"], m.size[0], m.size[1], method="static"),
        Observation(METRICS["params"], m.params[0], m.params[1], method="static"),
        *_static_observations(m),
        *_cost_observations(m),
    ]


def target_verdict(metrics: list[MetricResult]) -> TargetVerdict:
    return "fail" if any(metric.verdict == "fail" for metric in metrics) else "pass"


def evaluate_target(
    name: str,
    providers: list[str],
    threads: int,
    measured: Measured,
    thresholds: Mapping[str, Threshold],
    confidence: float = 0.95,
) -> TargetResult:
    alpha = 1.0 - confidence
    metrics = [
        judge(obs, thresholds.get(obs.spec.name), alpha)
        for obs in observations(measured, confidence)
    ]
    return TargetResult(
        name=name,
        providers=providers,
        threads=threads,
        verdict=target_verdict(metrics),
        metrics=metrics,
        notes=list(measured.notes),
    )


def overall_verdict(targets: list[TargetResult], errors: list[str]) -> OverallVerdict:
    if errors or any(t.verdict == "error" for t in targets):
        return "error"
    return "fail" if any(t.verdict == "fail" for t in targets) else "pass"


def latency_stop_rule(
    thresholds: Mapping[str, Threshold], confidence: float
) -> Callable[[np.ndarray, np.ndarray, np.ndarray], bool]:
    """A stop rule for adaptive sampling: stop once every gated latency quantile with enough
    samples has a decided verdict (pass, fail or improved), not `inconclusive`."""
    gated = {
        name: (quantile, thresholds[name])
        for name, quantile in LATENCY_QUANTILES.items()
        if name in thresholds and thresholds[name].kind != "bound"
    }
    alpha = 1.0 - confidence

    def decided(base: np.ndarray, head: np.ndarray, segment: np.ndarray) -> bool:
        if any(base.size < stats.min_samples_for(q) for q, _ in gated.values()):
            return False
        if np.unique(segment).size < MIN_GATED_SEGMENTS:
            return False
        if not gated:
            return True
        p_value = stats.rank_test(base, head, segment)
        quantiles = tuple(q for q, _ in gated.values())
        estimates = stats.clustered_ratios(
            base, head, segment, quantiles, confidence, CHECKPOINT_RESAMPLES
        )
        for (name, (_, threshold)), estimate in zip(gated.items(), estimates, strict=True):
            obs = Observation(
                METRICS[name], estimate.base, estimate.head, estimate=estimate, p_value=p_value
            )
            if judge(obs, threshold, alpha).verdict == "inconclusive":
                return False
        return True

    return decided


def run_verdict(results: list[Results], errors: list[str]) -> RunVerdict:
    """Over every gated model: an error anywhere wins, then a failure; nothing gated is neutral."""
    if errors or any(r.verdict == "error" for r in results):
        return "error"
    if any(r.verdict == "fail" for r in results):
        return "fail"
    return "pass" if results else "neutral"

"""Rules: one observed metric + its threshold -> a verdict. Pure; unit-tested on literals.

A sampled metric fails only when the slowdown is statistically clear (interval above 1 and
the rank test agrees) *and* its point estimate is past the threshold; when the interval still
straddles the threshold the verdict is `inconclusive`, with the smallest detectable change.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlgate.compare.accuracy_stats import PairedChange
from mlgate.compare.metrics import MetricSpec
from mlgate.compare.stats import RatioEstimate
from mlgate.compare.thresholds import Threshold
from mlgate.results.schema import MetricResult, Verdict


@dataclass(frozen=True)
class Observation:
    """What was measured for one metric, before any rule is applied."""

    spec: MetricSpec
    base: float | None
    head: float | None
    higher_is_better: bool | None = None  # overrides the spec (error metrics: lower is better)
    estimate: RatioEstimate | None = None  # sampled metrics: the paired ratio with its CI
    p_value: float | None = None
    not_gated: str = ""  # why a metric is deliberately shown but not gated (other machine)
    undecided: str = ""  # why a gated metric could not be decided (too few calls, ...)
    paired: PairedChange | None = None  # accuracy: the paired change on the same examples
    method: str = "measured"
    note: str = ""  # why it could not be observed (memory, fidelity)
    source: str = ""
    eval_metric: str = ""  # accuracy: the eval metric (top1, mse, ...)

    @property
    def better_up(self) -> bool:
        return (
            self.spec.higher_is_better if self.higher_is_better is None else self.higher_is_better
        )


def _relative(base: float | None, head: float | None) -> float | None:
    if base is None or head is None or base == 0:
        return None
    return head / base - 1.0


Judged = tuple[Verdict, tuple[str, ...]]  # a verdict and its notes


def _judge_bound(obs: Observation, threshold: Threshold) -> Judged:
    assert threshold.op is not None
    if obs.head is None:
        return "inconclusive", ("not decided: not measured",)
    ok = obs.head >= threshold.value if threshold.op == ">=" else obs.head <= threshold.value
    return ("pass", ()) if ok else ("fail", (f"{obs.head:.6g} violates {threshold.text}",))


def _threshold_as_relative(obs: Observation, threshold: Threshold) -> float | None:
    """The threshold expressed as a relative change of the base value."""
    if threshold.kind == "relative":
        return threshold.value
    if not obs.base:
        return None
    return threshold.value / abs(obs.base)


def _judge_deterministic(obs: Observation, threshold: Threshold) -> Judged:
    if obs.base is None or obs.head is None:
        return "inconclusive", ("not decided: not measured on both models",)
    worse_by = (obs.base - obs.head) if obs.better_up else (obs.head - obs.base)
    if threshold.kind == "relative":
        if obs.base == 0:
            if worse_by <= 0:
                return "pass", ()
            return "inconclusive", (
                f"base is exactly 0, so the relative threshold {threshold.text} cannot apply; "
                "set an absolute threshold",
            )
        limit = threshold.value * abs(obs.base)
    else:
        limit = threshold.value
    if abs(worse_by) <= obs.spec.noise_floor:
        if worse_by > limit:
            return "pass", (
                f"over the {threshold.text} threshold, but inside the "
                f"{_floor_text(obs)} noise floor of this measurement",
            )
        return "pass", ()
    if worse_by > limit:
        return "fail", ()
    if -worse_by > limit:
        return "improved", ()
    return "pass", ()


def _floor_text(obs: Observation) -> str:
    if obs.spec.unit == "bytes":
        return f"{obs.spec.noise_floor / 2**20:g} MiB"
    return f"{obs.spec.noise_floor:g} {obs.spec.unit}"


def _judge_sampled(obs: Observation, threshold: Threshold, alpha: float) -> Judged:
    est = obs.estimate
    if obs.undecided:
        return "inconclusive", (f"not decided: {obs.undecided}",)
    if est is None:
        return "inconclusive", ("not decided: not measured",)
    limit = _threshold_as_relative(obs, threshold)
    if limit is None:
        return "skipped", ("base is zero: a relative threshold cannot apply",)
    significant = obs.p_value is None or obs.p_value < alpha
    # Lower is better for every sampled metric gated today (latencies).
    if est.low > 1.0 and significant and est.ratio > 1.0 + limit:
        return "fail", ()
    if est.high < 1.0 and significant and est.ratio < 1.0 - limit:
        return "improved", ()
    if est.high <= 1.0 + limit:
        return "pass", ()
    mde = est.min_detectable_change()
    over = ("over the threshold, but inside this run's noise",) if est.ratio > 1 + limit else ()
    return "inconclusive", (
        *over,
        "interval too wide to decide",
        f"this run could detect changes ≥{mde:.1%}",
    )


def _accuracy_limit(obs: Observation, threshold: Threshold) -> tuple[float, str]:
    """The threshold in the metric's own units, and a note when the base makes it odd."""
    if threshold.kind != "relative":
        return threshold.value, ""
    base = abs(obs.base or 0.0)
    if base == 0:
        return 0.0, (
            f"base {obs.eval_metric or 'metric'} is exactly 0, so the relative threshold "
            f"{threshold.text} means any change; set an absolute threshold (e.g. '+0.01')"
        )
    return threshold.value * base, ""


def _judge_paired(obs: Observation, threshold: Threshold) -> Judged:
    """Accuracy on the same examples: a significant drop beyond the threshold fails; a drop
    beyond it that this eval set cannot tell from noise is inconclusive."""
    paired = obs.paired
    if paired is None:
        return _judge_deterministic(obs, threshold)
    limit, note = _accuracy_limit(obs, threshold)
    worse = -paired.change if obs.better_up else paired.change
    smallest = _amount(obs, paired.min_detectable)
    detects = f"this eval set ({paired.examples} examples) detects changes ≥{smallest}"
    notes = (note,) if note else ()
    if worse > limit:
        if paired.significant:
            return "fail", notes
        return "inconclusive", (
            *notes,
            "the drop cannot be told from noise on this eval set",
            detects,
        )
    if -worse > limit and paired.significant:
        return "improved", notes
    if paired.min_detectable > limit > 0:
        notes = (*notes, detects)
    return "pass", notes


def _amount(obs: Observation, value: float) -> str:
    if obs.eval_metric in ("mse", "mae"):
        return f"{value:.3g}"
    return f"{value * 100:.2g}pp"


def judge(obs: Observation, threshold: Threshold | None, alpha: float = 0.05) -> MetricResult:
    """Apply `threshold` to `obs`; no threshold means shown but not gated (`skipped`)."""
    est = obs.estimate
    change = est.change if est is not None else _relative(obs.base, obs.head)
    delta = None if obs.base is None or obs.head is None else obs.head - obs.base
    verdict: Verdict
    notes: tuple[str, ...]
    if threshold is None:
        verdict, notes = "skipped", ("not gated" + (f": {obs.not_gated}" if obs.not_gated else ""),)
    elif obs.not_gated:
        verdict, notes = "skipped", (f"shown, not gated: {obs.not_gated}",)
    elif threshold.kind == "bound":
        verdict, notes = _judge_bound(obs, threshold)
    elif obs.paired is not None:
        verdict, notes = _judge_paired(obs, threshold)
    elif obs.spec.sampled:
        verdict, notes = _judge_sampled(obs, threshold, alpha)
    else:
        verdict, notes = _judge_deterministic(obs, threshold)
    return MetricResult(
        name=obs.spec.name,
        unit=obs.spec.unit,
        higher_is_better=obs.better_up,
        base=obs.base,
        head=obs.head,
        change=change,
        delta=delta,
        threshold=threshold.text if threshold is not None else None,
        verdict=verdict,
        method=obs.method,
        ci=_interval(obs),
        p_value=obs.paired.p_value if obs.paired is not None else obs.p_value,
        min_detectable_change=_detectable(obs),
        notes=(obs.note, *notes) if obs.note else notes,
        source=obs.source,
        eval_metric=obs.eval_metric,
    )


def _interval(obs: Observation) -> tuple[float, float] | None:
    """Bounds of `change` (relative); for a paired accuracy change, bounds of `delta`."""
    if obs.paired is not None:
        return (obs.paired.low, obs.paired.high)
    if obs.estimate is not None:
        return (obs.estimate.low - 1.0, obs.estimate.high - 1.0)
    return None


def _detectable(obs: Observation) -> float | None:
    if obs.paired is not None:
        return obs.paired.min_detectable
    return obs.estimate.min_detectable_change() if obs.estimate is not None else None

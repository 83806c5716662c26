"""Measure one model pair on one target: open the target, run the paired measurement
(accuracy, fidelity, memory, interleaved latency, energy), explain a latency change, and
run the variant search with what is left of the bill."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

from mlgate.bench.energy import EnergySettings
from mlgate.bench.run import EvalSettings, PairResult, PairRun, measure_pair, time_breakdown
from mlgate.bench.session import Target, check_target
from mlgate.compare.compare import latency_changed, latency_stop_rule
from mlgate.config import TargetConfig
from mlgate.errors import TargetError
from mlgate.gate.budget import bill, latency_settings, search_budget
from mlgate.gate.efficiency import energy_meter
from mlgate.gate.plan import Plan
from mlgate.gate.request import GateRequest
from mlgate.gate.search import optimize_head, target_pricing
from mlgate.optimize.run import OptimizeJob
from mlgate.progress import Progress
from mlgate.results.measurements import Measured, Pricing
from mlgate.results.schema import EvalInfo, OptimizationInfo, TargetResult


@dataclass(frozen=True)
class TargetMeasurement:
    """One target's paired run: what was asked, what came back, and the record to judge."""

    target: Target
    run: PairRun
    paired: PairResult
    measured: Measured
    started: float  # time.monotonic() when the target began: the search's bill counts from it


def skipped(target: Target, reason: str) -> TargetResult:
    return TargetResult(
        name=target.name,
        providers=list(target.providers),
        threads=target.threads,
        verdict="skipped",
        notes=[f"skipped (allow_missing): {reason}"],
    )


def _pair_run(
    plan: Plan, target: Target, target_config: TargetConfig, request: GateRequest
) -> tuple[PairRun, str]:
    eval_config, config = plan.model.eval, plan.config
    meter, energy_note = energy_meter(config, target_config)
    run = PairRun(
        base=plan.base,
        head=plan.head,
        params=plan.params,
        target=target,
        eval_data=plan.data,
        eval_settings=EvalSettings(eval_config.metric, eval_config.output, eval_config.batch_size),
        input_shapes=plan.model.inputs,
        latency=latency_settings(config, request, plan.thresholds),
        stop_rule=latency_stop_rule(plan.thresholds, config.latency.confidence),
        measure_memory=request.measure_memory,
        energy_meter=meter,
        energy=EnergySettings(config.energy.window_seconds, config.energy.windows),
    )
    return run, energy_note


def measure_target(
    plan: Plan,
    target_config: TargetConfig,
    request: GateRequest,
    progress: Progress,
    bill_from: float | None = None,
) -> TargetMeasurement | TargetResult:
    """The measurement, or the target's `skipped` result when it is missing and allowed to be.
    The target's bill counts from `bill_from` (default: now)."""
    started = time.monotonic() if bill_from is None else bill_from
    target = Target(
        target_config.name,
        tuple(target_config.providers),
        target_config.threads,
        tuple(target_config.runtimes) if target_config.runtimes is not None else None,
    )
    try:
        check_target(target)
    except TargetError as exc:
        if not target_config.allow_missing:
            raise
        return skipped(target, str(exc))
    run, energy_note = _pair_run(plan, target, target_config, request)
    paired = measure_pair(run, progress.step)
    measured = dataclasses.replace(
        paired.measured,
        static=plan.static,
        pricing=Pricing(target_config.price_per_hour, target_config.carbon_intensity),
        notes=[*paired.measured.notes, *([energy_note] if energy_note else [])],
    )
    return TargetMeasurement(target, run, paired, measured, started)


def explain(result: TargetResult, done: TargetMeasurement, progress: Progress) -> TargetResult:
    """Where the time went, when a latency percentile was decided as changed."""
    if not latency_changed(result):
        return result
    with progress.step(f"{done.target.name}: where the time went (onnxruntime profiler)"):
        return dataclasses.replace(result, time_breakdown=time_breakdown(done.run, done.paired))


def search(
    plan: Plan, done: TargetMeasurement, request: GateRequest, progress: Progress
) -> OptimizationInfo:
    """The variant search for the head model, with what is left of this target's bill."""
    eval_config = plan.model.eval
    job = OptimizeJob(
        base=plan.base,
        head=plan.head,
        target=done.target,
        eval_data=plan.data,
        metric=eval_config.metric,
        output=eval_config.output,
        batch_size=eval_config.batch_size,
        input_shapes=dict(plan.model.inputs),
        config=plan.config.optimize,
        pricing=target_pricing(plan.config, done.target.name),
    )

    def budget() -> float:
        return search_budget(plan.config, request, time.monotonic() - done.started)

    return optimize_head(job, budget, request.cache_dir, progress, bill(plan.config, request))


def eval_info(plan: Plan, paired: PairResult) -> EvalInfo | None:
    if plan.data is None or not paired.examples:
        return None
    return EvalInfo(
        path=plan.data.display,
        sha256=plan.data.sha256,
        examples=paired.examples,
        batches=paired.batches,
        metric=plan.model.eval.metric,
        output=plan.model.eval.output or "(first output)",
        labels=plan.data.labels is not None,
    )

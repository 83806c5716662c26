"""Judge what was measured: thresholds and waivers turn one target's measurements into its
verdicts. Thin over compare/, which holds the rules and stays pure."""

from __future__ import annotations

import dataclasses

from mlgate.bench.session import Target
from mlgate.compare.compare import evaluate_target
from mlgate.compare.optimization import apply_optimization
from mlgate.compare.pytest_benchmark import compare_benchmarks
from mlgate.compare.waivers import apply_waivers
from mlgate.error_handler import EXIT_BAD_INPUT, EXIT_PASS, EXIT_REGRESSION
from mlgate.gate.efficiency import energy_info
from mlgate.gate.plan import Plan
from mlgate.results.measurements import Measured
from mlgate.results.schema import LatencyInfo, OptimizationInfo, Results, TargetResult
from mlgate.results.verdicts import fails_check


def judge_target(
    plan: Plan, target: Target, measured: Measured, latency: LatencyInfo | None
) -> TargetResult:
    """Every metric's verdict and the target's, with the latency and energy records."""
    result = evaluate_target(
        target.name,
        list(target.providers),
        target.threads,
        measured,
        plan.thresholds,
        plan.config.latency.confidence,
    )
    return dataclasses.replace(result, latency=latency, energy=energy_info(plan.config, measured))


def with_search(plan: Plan, result: TargetResult, info: OptimizationInfo) -> TargetResult:
    """The variant search's outcome, and the drift rule's verdict on the recommended one."""
    optimize = plan.config.optimize
    return apply_optimization(result, info, optimize.drift, optimize.portability)


def waived(plan: Plan, result: TargetResult) -> TargetResult:
    """Failures a live waiver covers become `waived`; an expired waiver leaves a note."""
    return apply_waivers(result, plan.label, list(plan.waivers), plan.today)


def judge_benchmarks(plan: Plan) -> TargetResult | None:
    """The pytest-benchmark files' comparison, when the run has them."""
    if plan.benchmarks is None:
        return None
    base, head = plan.benchmarks
    threshold = plan.thresholds.get("pytest_benchmark")
    return compare_benchmarks(base, head, threshold, plan.config.latency.confidence)


def exit_code(results: Results, on_inconclusive: str) -> int:
    """0, 1 for a regression (or an undecided run configured to fail), 2 for a run whose
    results say it could not be measured."""
    if results.verdict == "error":
        return EXIT_BAD_INPUT
    return EXIT_REGRESSION if fails_check(results.verdict, on_inconclusive) else EXIT_PASS

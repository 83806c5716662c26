"""The gate service: `run_gate(request)` plans, measures, judges and reports one model pair.
Every front end calls it: `mlgate compare`, `mlgate check` and the Action (once per changed
model), and the demo. The models run in an isolated child process unless the config says
otherwise; what was measured before a failure is kept and written."""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable
from pathlib import Path

from mlgate.bench.run import PairResult
from mlgate.config import LimitsConfig, TargetConfig
from mlgate.error_handler import EXIT_BAD_INPUT, EXIT_INTERNAL
from mlgate.errors import MlgateError
from mlgate.gate import judge, measure, report
from mlgate.gate.budget import search_wanted, target_seconds
from mlgate.gate.plan import Plan, loaded_config, make_plan
from mlgate.gate.report import Partial
from mlgate.gate.request import GateOutcome, GateRequest
from mlgate.isolation import ChildChannel, ChildLimits, run_isolated
from mlgate.machine_memory import effective_memory_mb
from mlgate.progress import NoProgress, Progress
from mlgate.results.schema import TargetResult


def run_gate(request: GateRequest, progress: Progress | None = None) -> GateOutcome:
    """Run the gate and write its outputs. Never raises for bad input or a bug: the outcome
    carries the (partial) results, whose `errors` say what failed, and the error to report."""
    progress = progress or NoProgress()
    partial = report.started(request)
    error: Exception | None = None
    messages: list[str] = []
    on_inconclusive = "neutral"
    with tempfile.TemporaryDirectory(prefix="mlgate-") as workdir:
        try:
            loaded = loaded_config(request)
            on_inconclusive = loaded.config.on_inconclusive
            request = dataclasses.replace(request, loaded_config=loaded)
            _isolated(request, loaded.config.limits, partial, progress, Path(workdir))
        except MlgateError as exc:
            error, messages = exc, [" ".join(str(exc).split())]
        except Exception as exc:  # a bug: keep what was measured, then let it surface (exit 3)
            error = exc
            messages = [f"internal error: {type(exc).__name__}: {' '.join(str(exc).split())}"]
    results = partial.finish(messages)
    written = report.write(results, request)
    if error is None:
        code = judge.exit_code(results, on_inconclusive)
    else:
        code = EXIT_BAD_INPUT if isinstance(error, MlgateError) else EXIT_INTERNAL
    return GateOutcome(code, results, report.summary(results), written, error)


def _isolated(
    request: GateRequest, limits: LimitsConfig, partial: Partial, progress: Progress, workdir: Path
) -> None:
    """The gate in a child process (crash, hang and memory isolation) unless turned off."""
    memory_mb = effective_memory_mb(limits.memory_mb)  # warns once when above the machine
    if not limits.isolate:
        _gate(request, partial, progress, workdir, _no_publish)
        return
    run_isolated(
        _gate_in_child,
        (request, partial, str(workdir)),
        ChildLimits(limits.timeout_seconds, memory_mb),
        f"measuring {partial.model}",
        progress,
        lambda snapshot: partial.__dict__.update(snapshot.__dict__),
    )


def _gate_in_child(
    channel: ChildChannel, request: GateRequest, partial: Partial, workdir: str
) -> None:
    _gate(request, partial, channel, Path(workdir), channel.snapshot)


def _no_publish(_: Partial) -> None:
    pass


def _gate(
    request: GateRequest,
    partial: Partial,
    progress: Progress,
    workdir: Path,
    publish: Callable[[Partial], None],
) -> None:
    """Everything that touches the untrusted models. `publish` is told of each result."""
    plan = make_plan(request, partial, progress, workdir, publish)
    benchmarks = judge.judge_benchmarks(plan)
    if benchmarks is not None:
        partial.targets.append(benchmarks)
        publish(partial)
    for index, target_config in enumerate(plan.targets):
        # the first target's bill includes the run's start (loading, checking, profiling)
        bill_from = partial.started if index == 0 else None
        result, paired = _gate_target(plan, target_config, request, progress, bill_from)
        partial.targets.append(result)
        if paired is not None and partial.eval is None:
            partial.eval = measure.eval_info(plan, paired)
        publish(partial)


def _gate_target(
    plan: Plan,
    target_config: TargetConfig,
    request: GateRequest,
    progress: Progress,
    bill_from: float | None,
) -> tuple[TargetResult, PairResult | None]:
    """Measure, judge, explain, search, waive: one target's result."""
    expect = target_seconds(plan.config, request)
    with progress.step(target_config.name, expect_seconds=expect):
        done = measure.measure_target(plan, target_config, request, progress, bill_from)
        if isinstance(done, TargetResult):
            return done, None  # skipped: allowed to be missing
        result = judge.judge_target(plan, done.target, done.measured, done.paired.latency)
        result = measure.explain(result, done, progress)
        for note in result.notes:
            progress.note(note)
        if search_wanted(plan.config, request):
            info = measure.search(plan, done, request, progress)
            result = judge.with_search(plan, result, info)
        return judge.waived(plan, result), done.paired

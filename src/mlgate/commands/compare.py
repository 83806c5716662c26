"""`mlgate compare BASE HEAD`: gate one model change on this machine. Orchestration only."""

from __future__ import annotations

import dataclasses
import datetime
import os
import shlex
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mlgate.bench.energy import EnergySettings
from mlgate.bench.environment import provenance
from mlgate.bench.inputs import EvalData, example_count, load_eval_data
from mlgate.bench.latency import LatencySettings
from mlgate.bench.run import EvalSettings, PairResult, PairRun, measure_pair, time_breakdown
from mlgate.bench.session import Target, check_target, runtime_limits
from mlgate.bench.shape_probe import probe_shapes
from mlgate.commands.efficiency import energy_info, energy_meter, static_cost
from mlgate.commands.gate_files import GateFiles, eval_data_at
from mlgate.commands.variant_search import optimize_head, target_pricing
from mlgate.compare.compare import (
    LATENCY_QUANTILES,
    Pricing,
    StaticCost,
    evaluate_target,
    fails_check,
    latency_changed,
    latency_stop_rule,
    overall_verdict,
)
from mlgate.compare.optimization import apply_optimization
from mlgate.compare.pytest_benchmark import compare_benchmarks, parse_benchmark_file
from mlgate.compare.stats import min_samples_for
from mlgate.compare.thresholds import Threshold
from mlgate.compare.waivers import Waiver, apply_waivers
from mlgate.config import (
    DEFAULT_WAIVERS_NAME,
    Config,
    LoadedConfig,
    ModelConfig,
    TargetConfig,
    check_threshold,
    load_config,
    load_waivers,
)
from mlgate.error_handler import EXIT_PASS, EXIT_REGRESSION
from mlgate.errors import ConfigError, DataError, MlgateError, TargetError
from mlgate.isolation import ChildChannel, ChildLimits, run_isolated
from mlgate.machine_memory import effective_memory_mb
from mlgate.model import source
from mlgate.model.load import LoadedModel, load_model
from mlgate.model.profile import compute_info, compute_profile, profile_model
from mlgate.model.safety import check_activation_memory, check_declared_memory, check_domains
from mlgate.model.shapes import TensorShape, resolve_input_shapes
from mlgate.model.source import ModelRef
from mlgate.optimize.run import OptimizeJob
from mlgate.progress import NoProgress, Progress
from mlgate.render.environment import render_comment, render_summary
from mlgate.results.schema import (
    SCHEMA_VERSION,
    EvalInfo,
    ModelInfo,
    OptimizationInfo,
    Results,
    TargetResult,
)
from mlgate.results.store import parse_json, write_results


@dataclass(frozen=True)
class CompareOptions:
    base: ModelRef  # a path, a `GitPath` (check: always for the base), or `REV:path` as typed
    head: ModelRef
    data: Path | None = None
    config: Path | None = None
    json_out: Path | None = None
    comment_out: Path | None = None
    thresholds: dict[str, str] = field(default_factory=dict)
    targets: tuple[str, ...] = ()
    budget_seconds: float | None = None
    measure_memory: bool = True
    optimize: bool = True  # the variant search (also off with MLGATE_OPTIMIZE=0)
    search_budget: float | None = None  # seconds for the search (0: off; None: the config's)
    cache_dir: Path | None = None  # where search results are kept between runs (None: not)
    loaded_config: LoadedConfig | None = None  # already read (the Action reads the base's)
    git_dir: Path | None = None  # where `REV:path` references are read from (default: cwd)
    label: str | None = None  # the model's name in reports (default: `head`)
    pytest_benchmark: tuple[Path, Path] | None = None  # base and head --benchmark-json files
    waivers_path: Path | None = None  # default: mlgate-waivers.yml beside the config, if any
    waivers: tuple[Waiver, ...] | None = None  # already read (the Action reads the base's)
    today: datetime.date | None = None  # for waiver expiry (default: today, UTC)


@dataclass(frozen=True)
class CompareOutcome:
    exit_code: int
    results: Results
    summary: str
    written: list[Path]


@dataclass
class _Partial:
    """What is known so far; written out even when a later step fails."""

    model: str
    reproduce: str
    base: ModelInfo | None = None
    head: ModelInfo | None = None
    eval: EvalInfo | None = None
    targets: list[TargetResult] = field(default_factory=list)

    def finish(self, errors: list[str]) -> Results:
        return Results(
            schema_version=SCHEMA_VERSION,
            created_at=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            verdict=overall_verdict(self.targets, errors),
            model=self.model,
            provenance=provenance(),
            base=self.base,
            head=self.head,
            eval=self.eval,
            targets=self.targets,
            errors=errors,
            reproduce=self.reproduce,
        )


def reproduce_command(options: CompareOptions) -> str:
    words = ["mlgate", "compare", str(options.base), str(options.head)]
    if options.data is not None:
        words += ["--data", str(options.data)]
    if options.config is not None:
        words += ["--config", str(options.config)]
    config_path = options.loaded_config.path if options.loaded_config else None
    if config_path is not None:
        words += ["--config", config_path]
    for name, text in options.thresholds.items():
        words += ["--threshold", f"{name}={text}"]
    if options.pytest_benchmark is not None:
        words += ["--pytest-benchmark", *(str(p) for p in options.pytest_benchmark)]
    for name in options.targets:
        words += ["--target", name]
    return shlex.join(words)


def model_info(
    model: LoadedModel,
    model_config: ModelConfig,
    data: EvalData | None,
    memory_mb: int = 0,
) -> tuple[ModelInfo, int]:
    """The model's record in the results, with its compute profile at the input shapes
    that latency uses (eval data's first batch, configured shapes, else guessed)."""
    profile = profile_model(model.proto)
    data_shapes = {name: tuple(a.shape) for name, a in data.arrays.items()} if data else {}
    shapes = resolve_input_shapes(
        profile.inputs,
        model_config.inputs,
        data_shapes,
        example_count(data) if data else None,
        model_config.eval.batch_size or 1,  # latency times one example per call by default
    )
    check_declared_memory(model.display, profile.weight_bytes, profile.inputs, shapes, memory_mb)
    known = {t.name for t in model.proto.graph.initializer} | set(shapes)

    def guard(tensors: dict[str, TensorShape]) -> None:
        check_activation_memory(model.display, profile.weight_bytes, tensors, known, memory_mb)

    compute = compute_profile(model.proto, shapes, profile.weight_bytes, probe_shapes, guard)
    info = ModelInfo(
        path=model.display,
        sha256=model.sha256,
        size_bytes=model.size_bytes,
        ir_version=int(model.proto.ir_version),
        opsets=profile.opsets,
        producer=profile.producer,
        params=profile.params,
        inputs=profile.inputs,
        outputs=profile.outputs,
        bytes_by_dtype=profile.bytes_by_dtype,
        op_counts=profile.op_counts,
        compute=compute_info(compute),
    )
    return info, profile.params


def _thresholds(
    config: Config, model: ModelConfig, overrides: dict[str, str], data: EvalData | None
) -> dict[str, Threshold]:
    for name, text in overrides.items():
        try:
            check_threshold(name, text)
        except ValueError as exc:
            raise ConfigError(f"--threshold {name}={text}: {exc}") from None
    labelled = data is not None and data.labels is not None and model.eval.metric != "fidelity"
    return config.thresholds_for(model, overrides, labelled)


def _selected_targets(config: Config, names: tuple[str, ...]) -> list[TargetConfig]:
    known = {t.name: t for t in config.targets}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ConfigError(f"--target {unknown[0]}: no such target; configured: {', '.join(known)}")
    return [known[n] for n in names] if names else list(config.targets)


def eval_data_for(
    given: Path | None,
    model: ModelConfig,
    config: Config,
    data_root: Path,
    files: GateFiles | None = None,
    workdir: Path | None = None,
) -> EvalData | None:
    """The eval data given on the command line, else the model's configured file (relative
    to the config's folder; from `files`' commit when it names one, copied into `workdir`),
    else none."""
    if given is not None:
        return load_eval_data(given, model.eval.labels, config.limits.data_size_mb)
    if model.eval.data is None:
        return None
    files = files or GateFiles(data_root)
    return eval_data_at(
        files, model.eval.data, workdir or data_root, model.eval.labels, config.limits.data_size_mb
    )


@dataclass(frozen=True)
class _Plan:
    """What every target measures: the validated models, eval data, settings, thresholds."""

    base: LoadedModel
    head: LoadedModel
    params: tuple[int, int]
    static: StaticCost | None
    data: EvalData | None
    model: ModelConfig
    config: Config
    thresholds: dict[str, Threshold]
    label: str  # the model's name, which waivers match
    waivers: tuple[Waiver, ...] = ()
    today: datetime.date = datetime.date.min


def _latency_settings(
    config: Config, options: CompareOptions, thresholds: dict[str, Threshold]
) -> LatencySettings:
    """The configured budget, which a slow model may raise up to `max_budget_seconds` so
    that every gated percentile gets the calls it needs (an explicit budget is a cap)."""
    latency = config.latency
    budget = options.budget_seconds or latency.budget_seconds
    cap = options.budget_seconds or max(latency.max_budget_seconds or 3 * budget, budget)
    return LatencySettings(
        budget_seconds=budget,
        min_seconds=min(latency.min_seconds, budget),
        warmup_seconds=latency.warmup_seconds,
        max_pairs=latency.max_pairs,
        segment_seconds=latency.segment_seconds,
        min_segments=latency.min_segments,
        max_budget_seconds=cap,
        min_pairs=max(
            (
                min_samples_for(quantile, latency.confidence)
                for name, quantile in LATENCY_QUANTILES.items()
                if name in thresholds
            ),
            default=0,
        ),
        min_blocks=latency.min_blocks,
    )


def optimizer_allowed() -> bool:
    """`MLGATE_OPTIMIZE=0` turns the variant search off for every run (e.g. in test suites)."""
    return os.environ.get("MLGATE_OPTIMIZE", "1").strip().lower() not in ("0", "off", "false")


def _skipped(target: Target, reason: str) -> TargetResult:
    return TargetResult(
        name=target.name,
        providers=list(target.providers),
        threads=target.threads,
        verdict="skipped",
        notes=[f"skipped (allow_missing): {reason}"],
    )


def search_wanted(config: Config, options: CompareOptions) -> bool:
    return (
        config.optimize.enabled
        and options.optimize
        and options.search_budget != 0
        and config.optimize.budget_seconds != 0
        and optimizer_allowed()
    )


def target_seconds(config: Config, options: CompareOptions) -> float:
    """What one model on one target is expected to cost at most: the latency budget, plus
    the search (by default, what is left of the bill; at least its floor)."""
    latency = options.budget_seconds or config.latency.budget_seconds
    if not search_wanted(config, options):
        return latency
    if options.search_budget is not None:
        return latency + options.search_budget
    return latency + config.optimize.search_seconds(latency)


def search_budget(config: Config, options: CompareOptions, spent: float) -> float:
    """The search's seconds once measuring took `spent`: --search-budget, else the config's
    `optimize.budget_seconds`, else what is left of `optimize.bill_seconds` (at least
    `optimize.min_budget_seconds`)."""
    if options.search_budget is not None:
        return options.search_budget
    return config.optimize.search_seconds(spent)


def _bill(config: Config, options: CompareOptions) -> float | None:
    """The per-model-and-target bill the search's budget comes from (None: set explicitly)."""
    explicit = options.search_budget is not None or config.optimize.budget_seconds is not None
    return None if explicit else config.optimize.bill_seconds


def _run_target(
    plan: _Plan, target_config: TargetConfig, options: CompareOptions, progress: Progress
) -> tuple[TargetResult, PairResult | None]:
    expect = target_seconds(plan.config, options)
    with progress.step(target_config.name, expect_seconds=expect):
        return _measure_target(plan, target_config, options, progress)


def _measure_target(
    plan: _Plan, target_config: TargetConfig, options: CompareOptions, progress: Progress
) -> tuple[TargetResult, PairResult | None]:
    started = time.monotonic()
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
        return _skipped(target, str(exc)), None
    eval_config = plan.model.eval
    confidence = plan.config.latency.confidence
    meter, energy_note = energy_meter(plan.config, target_config)
    run = PairRun(
        base=plan.base,
        head=plan.head,
        params=plan.params,
        target=target,
        eval_data=plan.data,
        eval_settings=EvalSettings(eval_config.metric, eval_config.output, eval_config.batch_size),
        input_shapes=plan.model.inputs,
        latency=_latency_settings(plan.config, options, plan.thresholds),
        stop_rule=latency_stop_rule(plan.thresholds, confidence),
        measure_memory=options.measure_memory,
        energy_meter=meter,
        energy=EnergySettings(
            window_seconds=plan.config.energy.window_seconds, windows=plan.config.energy.windows
        ),
    )
    paired = measure_pair(run, progress.step)
    measured = dataclasses.replace(
        paired.measured,
        static=plan.static,
        pricing=Pricing(target_config.price_per_hour, target_config.carbon_intensity),
        notes=[*paired.measured.notes, *([energy_note] if energy_note else [])],
    )
    result = evaluate_target(
        target.name,
        list(target.providers),
        target.threads,
        measured,
        plan.thresholds,
        confidence,
    )
    result = dataclasses.replace(
        result, latency=paired.latency, energy=energy_info(plan.config, measured)
    )
    if latency_changed(result):
        with progress.step(f"{target.name}: where the time went (onnxruntime profiler)"):
            result = dataclasses.replace(result, time_breakdown=time_breakdown(run, paired))
    for note in result.notes:
        progress.note(note)
    if search_wanted(plan.config, options):
        info = _search(plan, target, options, progress, started)
        optimize = plan.config.optimize
        result = apply_optimization(result, info, optimize.drift, optimize.portability)
    return apply_waivers(result, plan.label, list(plan.waivers), plan.today), paired


def _search(
    plan: _Plan, target: Target, options: CompareOptions, progress: Progress, started: float
) -> OptimizationInfo:
    """The variant search for the head model, with what is left of this target's bill."""
    eval_config = plan.model.eval
    job = OptimizeJob(
        base=plan.base,
        head=plan.head,
        target=target,
        eval_data=plan.data,
        metric=eval_config.metric,
        output=eval_config.output,
        batch_size=eval_config.batch_size,
        input_shapes=dict(plan.model.inputs),
        config=plan.config.optimize,
        pricing=target_pricing(plan.config, target.name),
    )
    bill = _bill(plan.config, options)

    def budget() -> float:
        return search_budget(plan.config, options, time.monotonic() - started)

    return optimize_head(job, budget, options.cache_dir, progress, bill)


def _eval_info(plan: _Plan, measured: PairResult) -> EvalInfo | None:
    if plan.data is None or not measured.examples:
        return None
    return EvalInfo(
        path=plan.data.display,
        sha256=plan.data.sha256,
        examples=measured.examples,
        batches=measured.batches,
        metric=plan.model.eval.metric,
        output=plan.model.eval.output or "(first output)",
        labels=plan.data.labels is not None,
    )


def _write(results: Results, options: CompareOptions) -> None:
    if options.json_out is not None:
        write_results(results, options.json_out)
    if options.comment_out is not None:
        options.comment_out.parent.mkdir(parents=True, exist_ok=True)
        options.comment_out.write_text(render_comment(results), encoding="utf-8")


def _loaded_config(options: CompareOptions) -> LoadedConfig:
    if options.loaded_config is not None:
        return options.loaded_config
    config, origin = load_config(options.config)
    return LoadedConfig(config, origin.parent if origin else Path(), None)


def _gate(
    options: CompareOptions,
    partial: _Partial,
    progress: Progress,
    workdir: Path,
    publish: Callable[[_Partial], None],
) -> None:
    """Everything that touches the untrusted models. `publish` is told of each result."""
    loaded = _loaded_config(options)
    config, data_root = loaded.config, loaded.data_root
    head_source = source.resolve(options.head, workdir / "head", options.git_dir)
    model_config = config.model_for(head_source.repo_path)
    targets = _selected_targets(config, options.targets)
    data = eval_data_for(
        options.data,
        model_config,
        config,
        data_root,
        GateFiles(loaded.data_root, loaded.rev),
        workdir,
    )
    thresholds = _thresholds(config, model_config, options.thresholds, data)
    with progress.step("loading, validating and profiling models"):
        limits = runtime_limits()
        base_source = source.resolve(options.base, workdir / "base", options.git_dir)
        max_mb = config.limits.model_size_mb
        memory_mb = effective_memory_mb(config.limits.memory_mb, warn=False)
        base = load_model(base_source.local, limits, base_source.display, max_mb)
        check_domains(base.proto, base.display, config.limits.allow_domains)
        partial.base, base_params = model_info(base, model_config, data, memory_mb)
        publish(partial)
        head = load_model(head_source.local, limits, head_source.display, max_mb)
        check_domains(head.proto, head.display, config.limits.allow_domains)
        partial.head, head_params = model_info(head, model_config, data, memory_mb)
    publish(partial)
    plan = _Plan(
        base=base,
        head=head,
        params=(base_params, head_params),
        static=static_cost(partial.base, partial.head),
        data=data,
        model=model_config,
        config=config,
        thresholds=thresholds,
        label=partial.model,
        waivers=_waivers(options, data_root),
        today=options.today or datetime.datetime.now(datetime.timezone.utc).date(),
    )
    extra = _pytest_benchmark(
        options, config, GateFiles(loaded.data_root, loaded.rev), thresholds, workdir
    )
    if extra is not None:
        partial.targets.append(extra)
        publish(partial)
    for target_config in targets:
        result, measured = _run_target(plan, target_config, options, progress)
        partial.targets.append(result)
        if measured is not None and partial.eval is None:
            partial.eval = _eval_info(plan, measured)
        publish(partial)


def _waivers(options: CompareOptions, data_root: Path) -> tuple[Waiver, ...]:
    if options.waivers is not None:
        return options.waivers
    path = options.waivers_path
    if path is None and (data_root / DEFAULT_WAIVERS_NAME).is_file():
        path = data_root / DEFAULT_WAIVERS_NAME
    return tuple(load_waivers(path))


def _pytest_benchmark(
    options: CompareOptions,
    config: Config,
    files: GateFiles,
    thresholds: dict[str, Threshold],
    workdir: Path,
) -> TargetResult | None:
    """The baseline (base file) comes from the config's commit when it has one; the head
    file is this run's measurement, from the work tree."""
    if options.pytest_benchmark is not None:
        paths = [(path, str(path)) for path in options.pytest_benchmark]
    elif config.pytest_benchmark is not None:
        base, head = config.pytest_benchmark.base, config.pytest_benchmark.head
        head_path = files.root / head
        paths = [(files.local(base, workdir), files.where(base)), (head_path, str(head_path))]
    else:
        return None
    parsed = []
    for path, shown in paths:
        if not path.is_file():
            raise DataError(f"pytest-benchmark file not found: {shown}")
        parsed.append(parse_benchmark_file(parse_json(path.read_bytes(), shown), shown))
    return compare_benchmarks(
        parsed[0], parsed[1], thresholds.get("pytest_benchmark"), config.latency.confidence
    )


def _gate_in_child(
    channel: ChildChannel, options: CompareOptions, partial: _Partial, workdir: str
) -> None:
    _gate(options, partial, channel, Path(workdir), channel.snapshot)


def _no_publish(_: _Partial) -> None:
    pass


def _run_gate(
    options: CompareOptions, partial: _Partial, progress: Progress, workdir: Path
) -> None:
    """The gate in a child process (crash, hang and memory isolation) unless turned off."""
    loaded = _loaded_config(options)
    limits = loaded.config.limits
    memory_mb = effective_memory_mb(limits.memory_mb)  # warns once when above the machine
    if not limits.isolate:
        _gate(options, partial, progress, workdir, _no_publish)
        return
    run_isolated(
        _gate_in_child,
        (dataclasses.replace(options, loaded_config=loaded), partial, str(workdir)),
        ChildLimits(limits.timeout_seconds, memory_mb),
        f"measuring {partial.model}",
        progress,
        lambda snapshot: partial.__dict__.update(snapshot.__dict__),
    )


def run_compare(
    options: CompareOptions, progress: Progress | None = None
) -> tuple[Results, Exception | None]:
    """Run the gate and write its outputs. Never raises for bad input or a bug: returns the
    (partial) results, whose `errors` say what failed, and the exception to report."""
    progress = progress or NoProgress()
    partial = _Partial(
        model=options.label or str(options.head), reproduce=reproduce_command(options)
    )
    error: Exception | None = None
    messages: list[str] = []
    with tempfile.TemporaryDirectory(prefix="mlgate-") as workdir:
        try:
            _run_gate(options, partial, progress, Path(workdir))
        except MlgateError as exc:
            error, messages = exc, [" ".join(str(exc).split())]
        except Exception as exc:  # a bug: keep what was measured, then let it surface (exit 3)
            error = exc
            messages = [f"internal error: {type(exc).__name__}: {' '.join(str(exc).split())}"]
    results = partial.finish(messages)
    _write(results, options)
    return results, error


def compare(options: CompareOptions, progress: Progress | None = None) -> CompareOutcome:
    """Run the gate; on bad input the partial results are written, then the error raised."""
    results, error = run_compare(options, progress)
    if error is not None:
        raise error
    written = [path for path in (options.json_out, options.comment_out) if path is not None]
    on_inconclusive = _loaded_config(options).config.on_inconclusive
    code = EXIT_REGRESSION if fails_check(results.verdict, on_inconclusive) else EXIT_PASS
    return CompareOutcome(code, results, render_summary(results), written)

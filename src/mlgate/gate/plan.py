"""Plan a gate run: the trusted inputs that judge it (config, thresholds, waivers, eval data,
pytest-benchmark baselines), the targets to measure, and the validated, profiled models."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mlgate.bench.inputs import EvalData, load_eval_data
from mlgate.bench.session import runtime_limits
from mlgate.compare.pytest_benchmark import BenchmarkFile, parse_benchmark_file
from mlgate.compare.thresholds import Threshold
from mlgate.compare.waivers import Waiver
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
from mlgate.errors import ConfigError, DataError
from mlgate.gate.efficiency import static_cost
from mlgate.gate.files import GateFiles, eval_data_at
from mlgate.gate.models import load_checked, model_info
from mlgate.gate.report import Partial
from mlgate.gate.request import GateRequest
from mlgate.machine_memory import effective_memory_mb
from mlgate.model import source
from mlgate.model.load import LoadedModel
from mlgate.progress import Progress
from mlgate.results.measurements import StaticCost
from mlgate.results.store import parse_json


@dataclass(frozen=True)
class Plan:
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
    targets: tuple[TargetConfig, ...] = ()
    benchmarks: tuple[BenchmarkFile, BenchmarkFile] | None = None  # pytest-benchmark files


def loaded_config(request: GateRequest) -> LoadedConfig:
    if request.loaded_config is not None:
        return request.loaded_config
    config, origin = load_config(request.config)
    return LoadedConfig(config, origin.parent if origin else Path(), None)


def thresholds_for(
    config: Config, model: ModelConfig, overrides: dict[str, str], data: EvalData | None
) -> dict[str, Threshold]:
    for name, text in overrides.items():
        try:
            check_threshold(name, text)
        except ValueError as exc:
            raise ConfigError(f"--threshold {name}={text}: {exc}") from None
    labelled = data is not None and data.labels is not None and model.eval.metric != "fidelity"
    return config.thresholds_for(model, overrides, labelled)


def selected_targets(config: Config, names: tuple[str, ...]) -> list[TargetConfig]:
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


def waivers_for(request: GateRequest, data_root: Path) -> tuple[Waiver, ...]:
    if request.waivers is not None:
        return request.waivers
    path = request.waivers_path
    if path is None and (data_root / DEFAULT_WAIVERS_NAME).is_file():
        path = data_root / DEFAULT_WAIVERS_NAME
    return tuple(load_waivers(path))


def benchmark_files(
    request: GateRequest, config: Config, files: GateFiles, workdir: Path
) -> tuple[BenchmarkFile, BenchmarkFile] | None:
    """The pytest-benchmark files: the baseline (base file) from the config's commit when it
    has one; the head file is this run's measurement, from the work tree."""
    if request.pytest_benchmark is not None:
        paths = [(path, str(path)) for path in request.pytest_benchmark]
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
    return parsed[0], parsed[1]


def make_plan(
    request: GateRequest,
    partial: Partial,
    progress: Progress,
    workdir: Path,
    publish: Callable[[Partial], None],
) -> Plan:
    """Read the trusted inputs, then load, validate and profile both models (each side's
    record is published as soon as it is known)."""
    loaded = loaded_config(request)
    config = loaded.config
    files = GateFiles(loaded.data_root, loaded.rev)
    max_bytes = int(config.limits.model_size_mb * 2**20)
    head_source = source.resolve(request.head, workdir / "head", request.git_dir, max_bytes)
    model_config = config.model_for(head_source.repo_path)
    targets = selected_targets(config, request.targets)
    data = eval_data_for(request.data, model_config, config, loaded.data_root, files, workdir)
    thresholds = thresholds_for(config, model_config, request.thresholds, data)
    with progress.step("loading, validating and profiling models"):
        limits = runtime_limits()
        base_source = source.resolve(request.base, workdir / "base", request.git_dir, max_bytes)
        memory_mb = effective_memory_mb(config.limits.memory_mb, warn=False)
        base = load_checked(base_source, config, limits)
        partial.base, base_params = model_info(base, model_config, data, memory_mb)
        publish(partial)
        head = load_checked(head_source, config, limits)
        partial.head, head_params = model_info(head, model_config, data, memory_mb)
    publish(partial)
    return Plan(
        base=base,
        head=head,
        params=(base_params, head_params),
        static=static_cost(partial.base, partial.head),
        data=data,
        model=model_config,
        config=config,
        thresholds=thresholds,
        label=partial.model,
        waivers=waivers_for(request, loaded.data_root),
        today=request.today or datetime.datetime.now(datetime.timezone.utc).date(),
        targets=tuple(targets),
        benchmarks=benchmark_files(request, config, files, workdir),
    )

"""`mlgate calibrate`: measure A/A noise on this machine and suggest latency thresholds."""

from __future__ import annotations

import dataclasses
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mlgate.bench.environment import provenance
from mlgate.bench.inputs import load_eval_data
from mlgate.bench.latency import LatencySettings, Runner, measure_interleaved
from mlgate.bench.run import latency_feeds
from mlgate.bench.session import Target, check_target, open_session, runtime_limits
from mlgate.compare.calibration import AATrial, Calibration, summarize
from mlgate.compare.stats import clustered_ratios, coefficient_of_variation
from mlgate.config import load_config
from mlgate.errors import ConfigError
from mlgate.model.load import LoadedModel, load_model
from mlgate.model.reference import write_reference_model
from mlgate.progress import NoProgress, Progress
from mlgate.render.environment import render_calibration

QUANTILES = {"latency.p50": 0.5, "latency.p90": 0.9}


@dataclass(frozen=True)
class CalibrateOptions:
    model: Path | None = None
    data: Path | None = None
    config: Path | None = None
    target: str | None = None
    trials: int = 20
    seconds: float = 2.0
    false_alarm_rate: float = 0.01
    json_out: Path | None = None


@dataclass(frozen=True)
class CalibrateOutcome:
    exit_code: int
    calibration: Calibration
    summary: str


def _trial(
    loaded: LoadedModel,
    target: Target,
    options: CalibrateOptions,
    warmup: float,
    feeds: dict[str, np.ndarray],
) -> AATrial:
    def make(_: int) -> tuple[Runner, Runner]:
        first = open_session(loaded.path, target, loaded.display)
        second = open_session(loaded.path, target, loaded.display)
        return first.runner(feeds), second.runner(feeds)

    settings = LatencySettings(
        budget_seconds=options.seconds, min_seconds=options.seconds, warmup_seconds=warmup
    )
    samples = measure_interleaved(make, settings, lambda base, head, segment: False)
    estimates = clustered_ratios(
        samples.base, samples.head, samples.segment, tuple(QUANTILES.values())
    )
    return AATrial(
        estimates=dict(zip(QUANTILES, estimates, strict=True)),
        cv=coefficient_of_variation(samples.base),
        pairs=int(samples.base.size),
        seconds=samples.seconds,
    )


def calibrate(options: CalibrateOptions, progress: Progress | None = None) -> CalibrateOutcome:
    progress = progress or NoProgress()
    if options.trials < 2:
        raise ConfigError("--trials must be at least 2 (20 or more gives useful thresholds)")
    if not 0 < options.false_alarm_rate < 0.5:
        raise ConfigError("--false-alarm-rate must be between 0 and 0.5, e.g. 0.01")
    config, _ = load_config(options.config)
    chosen = [t for t in config.targets if options.target in (None, t.name)]
    if not chosen:
        raise ConfigError(f"--target {options.target}: no such target in the config")
    target = Target(chosen[0].name, tuple(chosen[0].providers), chosen[0].threads)
    check_target(target)
    with tempfile.TemporaryDirectory(prefix="mlgate-calibrate-") as workdir:
        path = options.model or write_reference_model(Path(workdir) / "reference.onnx")
        loaded = load_model(path, runtime_limits(), str(options.model or "reference model"))
        data = load_eval_data(options.data) if options.data else None
        feeds, _ = latency_feeds(open_session(path, target, loaded.display), loaded, data, None, {})
        warmup = config.latency.warmup_seconds
        trials = []
        for index in range(options.trials):
            with progress.step(f"A/A trial {index + 1} of {options.trials}"):
                trials.append(_trial(loaded, target, options, warmup, feeds))
    calibration = summarize(trials, options.false_alarm_rate)
    summary = render_calibration(calibration, target.name, loaded.display)
    if options.json_out is not None:
        document = {
            "model": loaded.display,
            "model_sha256": loaded.sha256,
            "target": target.name,
            "threads": target.threads,
            "provenance": dataclasses.asdict(provenance()),
            "calibration": dataclasses.asdict(calibration),
            "suggested_thresholds": calibration.suggested_thresholds(),
        }
        options.json_out.parent.mkdir(parents=True, exist_ok=True)
        options.json_out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return CalibrateOutcome(0, calibration, summary)

"""Measure one base/head model pair on one target: accuracy and fidelity on the eval set,
memory in child processes, then interleaved A/B latency. Returns numbers, not verdicts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

import numpy as np

from mlgate.bench.accuracy import (
    Output,
    check_labels,
    collect_outputs,
    fidelity,
    normalise,
    pick_output,
    task_scores,
)
from mlgate.bench.energy import EnergySettings, measure_energy
from mlgate.bench.energy_meters import Meter
from mlgate.bench.inputs import (
    Batch,
    EvalData,
    eval_batch_size,
    make_batches,
    one_call_feeds,
    synthetic_feeds,
)
from mlgate.bench.latency import (
    LatencySettings,
    PairedSamples,
    Runner,
    RunnerFactory,
    StopRule,
    measure_interleaved,
)
from mlgate.bench.memory import MemoryProfile, measure_memory
from mlgate.bench.op_profile import breakdown
from mlgate.bench.session import Session, Target, open_session
from mlgate.compare.stats import paired_ratio, segment_log_ratios
from mlgate.errors import MlgateError
from mlgate.model.load import LoadedModel
from mlgate.model.profile import index_bounds
from mlgate.results.measurements import Fidelity, Measured, MeasuredEnergy, Memory
from mlgate.results.schema import LatencyInfo, TimeBreakdown

Step = Callable[[str], AbstractContextManager[object]]


@dataclass(frozen=True)
class EvalSettings:
    metric: str = "top1"
    output: str | None = None
    batch_size: int | None = None


@dataclass(frozen=True)
class PairRun:
    base: LoadedModel
    head: LoadedModel
    params: tuple[int, int]
    target: Target
    eval_data: EvalData | None
    eval_settings: EvalSettings
    input_shapes: Mapping[str, list[int]]
    latency: LatencySettings
    stop_rule: StopRule
    measure_memory: bool = True
    energy_meter: Meter | None = None
    energy: EnergySettings = field(default_factory=EnergySettings)


@dataclass(frozen=True)
class PairResult:
    measured: Measured
    latency: LatencyInfo | None
    examples: int = 0
    batches: int = 0
    feeds: tuple[dict[str, np.ndarray], dict[str, np.ndarray]] | None = None  # timed inputs


def _no_step(_: str) -> AbstractContextManager[object]:
    return nullcontext()


def _eval_batches(run: PairRun, base: Session, head: Session) -> tuple[list[Batch], list[Batch]]:
    assert run.eval_data is not None
    data = run.eval_data
    known = {s.name for s in base.inputs} | {s.name for s in head.inputs}
    size = run.eval_settings.batch_size
    return (
        make_batches(
            data, base.inputs, eval_batch_size(data, base.inputs, size), run.base.display, known
        ),
        make_batches(
            data, head.inputs, eval_batch_size(data, head.inputs, size), run.head.display, known
        ),
    )


@dataclass(frozen=True)
class _Quality:
    accuracy: tuple[float, float] | None
    scores: tuple[np.ndarray, np.ndarray] | None
    binary: bool
    fidelity: Fidelity


def _quality(
    run: PairRun, base: Session, head: Session, batches: tuple[list[Batch], list[Batch]]
) -> _Quality:
    base_out = collect_outputs(base, batches[0])
    head_out = collect_outputs(head, batches[1])
    settings = run.eval_settings
    data = run.eval_data
    fidelity_numbers = fidelity(base_out, head_out, settings.output)
    if data is None or data.labels is None or settings.metric == "fidelity":
        return _Quality(None, None, False, fidelity_numbers)
    check_labels(data.labels, data.display)
    base_scores, binary = _scores(settings, base_out, data.labels, run.base.display)
    head_scores, _ = _scores(settings, head_out, data.labels, run.head.display)
    return _Quality(
        accuracy=(float(np.mean(base_scores)), float(np.mean(head_scores))),
        scores=(base_scores, head_scores),
        binary=binary,
        fidelity=fidelity_numbers,
    )


def _scores(
    settings: EvalSettings, outputs: list[Output], labels: np.ndarray, display: str
) -> tuple[np.ndarray, bool]:
    return task_scores(settings.metric, pick_output(outputs, settings.output, display), labels)


def _memory(
    run: PairRun, feeds: tuple[dict[str, np.ndarray], dict[str, np.ndarray]]
) -> tuple[Memory | str, Memory | str]:
    profiles = measure_memory([(run.base.path, feeds[0]), (run.head.path, feeds[1])], run.target)

    def convert(profile: MemoryProfile | str) -> Memory | str:
        if isinstance(profile, str):
            return profile
        return Memory(
            session_bytes=profile.session_bytes,
            peak_bytes=profile.peak_bytes,
            inference_bytes=profile.inference_bytes,
        )

    return convert(profiles[0]), convert(profiles[1])


def latency_feeds(
    session: Session,
    model: LoadedModel,
    data: EvalData | None,
    batch_size: int | None,
    input_shapes: Mapping[str, list[int]],
) -> tuple[dict[str, np.ndarray], str]:
    """Inputs for timing: the first eval batch, else seeded synthetic inputs."""
    if data is not None:
        return make_batches(data, session.inputs, batch_size, model.display)[0].feeds, "eval"
    bounds = index_bounds(model.proto)
    return synthetic_feeds(session.inputs, input_shapes, model.display, bounds), "synthetic"


def _examples_in(feeds: dict[str, np.ndarray]) -> int:
    leading = [a.shape[0] for a in feeds.values() if a.ndim > 0]
    return min(leading) if leading else 1


@dataclass(frozen=True)
class _Prepared:
    """What the eval pass found, and the inputs latency and memory will use."""

    quality: _Quality | None
    feeds: tuple[dict[str, np.ndarray], dict[str, np.ndarray]]
    source: str  # "eval" | "synthetic"
    examples: int = 0
    batches: int = 0


def _prepare(run: PairRun, step: Step, notes: list[str]) -> _Prepared:
    """Accuracy and fidelity on the eval set, or a first run on synthetic inputs (fidelity
    on those) so that a broken model fails here with a clear message. The sessions are
    closed afterwards."""
    with step(f"{run.target.name}: opening sessions"):
        base = open_session(run.base.path, run.target, run.base.display)
        head = open_session(run.head.path, run.target, run.head.display)
    if run.eval_data is None:
        feeds = (
            latency_feeds(base, run.base, None, None, run.input_shapes)[0],
            latency_feeds(head, run.head, None, None, run.input_shapes)[0],
        )
        outputs = [
            _first_synthetic_run(session, feed)
            for session, feed in zip((base, head), feeds, strict=True)
        ]
        notes.append(
            "no eval data: latency and memory use seeded synthetic inputs, and fidelity "
            "compares the outputs on them; give eval data with labels to judge accuracy"
        )
        agreement = fidelity(outputs[0], outputs[1], run.eval_settings.output, "synthetic")
        return _Prepared(_Quality(None, None, False, agreement), feeds, "synthetic")
    with step(f"{run.target.name}: accuracy and fidelity on the eval set"):
        batches = _eval_batches(run, base, head)
        quality = _quality(run, base, head, batches)
    if run.eval_data.labels is None:
        notes.append(
            "the eval data has no labels: the gate judges agreement with the base model "
            "(fidelity); add labels to let it judge accuracy instead"
        )
    return _Prepared(
        quality=quality,
        feeds=_timed_feeds(run, (base, head), batches, notes),
        source="eval",
        examples=sum(_examples_in(b.feeds) for b in batches[1]),
        batches=len(batches[1]),
    )


def _timed_feeds(
    run: PairRun,
    sessions: tuple[Session, Session],
    batches: tuple[list[Batch], list[Batch]],
    notes: list[str],
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """One example per timed call where the batch dimension is free (or the configured
    batch, or the model's fixed batch), checked by one run; else the first eval batch."""
    assert run.eval_data is not None
    models = (run.base, run.head)
    size = run.eval_settings.batch_size
    chosen = []
    for session, model, model_batches in zip(sessions, models, batches, strict=True):
        feeds = one_call_feeds(run.eval_data, session.inputs, size, model.display)
        if feeds is not None and not _runs(session, feeds):
            feeds = None
        if feeds is None:
            feeds = model_batches[0].feeds
            notes.append(
                f"{model.display}: timed on the first eval batch per call (its inputs could "
                "not be split into one example); set eval.batch_size to time a batch"
            )
        chosen.append(feeds)
    return chosen[0], chosen[1]


def _runs(session: Session, feeds: dict[str, np.ndarray]) -> bool:
    try:
        session.run(feeds)
    except MlgateError:
        return False
    return True


def _first_synthetic_run(session: Session, feeds: dict[str, np.ndarray]) -> list[Output]:
    """Run once on the synthetic inputs (if the model rejects them, say how to fix it);
    the outputs, for fidelity."""
    shapes = ", ".join(f"{name}{list(a.shape)}" for name, a in feeds.items())
    values = session.run(
        feeds,
        hint=f"the synthetic inputs {shapes} were guessed from the model's signature: set "
        "concrete shapes under `inputs:` for this model in mlgate.yml, or pass eval data "
        "with --data",
    )
    return [
        Output(name, [normalise(value)[0]])
        for name, value in zip(session.output_names, values, strict=True)
    ]


def session_factory(
    run: PairRun, feeds: tuple[dict[str, np.ndarray], dict[str, np.ndarray]]
) -> RunnerFactory:
    """Fresh base and head sessions for each latency segment; which one is created first
    alternates, so neither always gets the memory freed by the previous pair."""

    def make(segment: int) -> tuple[Runner, Runner]:
        models = [(run.base, feeds[0]), (run.head, feeds[1])]
        order = models if segment % 2 == 0 else models[::-1]
        opened = {
            id(model): open_session(model.path, run.target, model.display).runner(feed)
            for model, feed in order
        }
        return opened[id(run.base)], opened[id(run.head)]

    return make


def measure_pair(run: PairRun, step: Step = _no_step) -> PairResult:
    notes: list[str] = []
    prepared = _prepare(run, step, notes)
    quality = prepared.quality
    feeds = prepared.feeds
    memory = None
    if run.measure_memory:
        with step(f"{run.target.name}: peak memory (child processes)"):
            memory = _memory(run, feeds)
    with step(f"{run.target.name}: interleaved A/B latency"):
        samples = measure_interleaved(session_factory(run, feeds), run.latency, run.stop_rule)
    energy = None
    if run.energy_meter is not None:
        with step(f"{run.target.name}: energy ({run.energy_meter.method})"):
            joules = measure_energy(session_factory(run, feeds), run.energy_meter, run.energy)
        energy = MeasuredEnergy(joules.method, joules.detail, joules.base, joules.head)
    measured = Measured(
        size=(run.base.size_bytes, run.head.size_bytes),
        params=run.params,
        eval_metric=run.eval_settings.metric if run.eval_data is not None else None,
        accuracy=quality.accuracy if quality else None,
        accuracy_scores=quality.scores if quality else None,
        accuracy_binary=quality.binary if quality else False,
        fidelity=quality.fidelity if quality else None,
        memory=memory,
        latency_base=samples.base,
        latency_head=samples.head,
        latency_segment=samples.segment,
        latency_seconds_per_segment=samples.plan.seconds_per_segment if samples.plan else None,
        examples_per_run=_examples_in(feeds[1]),
        energy=energy,
        notes=notes,
    )
    info = LatencyInfo(
        pairs=int(samples.base.size),
        segments=samples.segments,
        seconds=round(samples.seconds, 3),
        input_source=prepared.source,  # type: ignore[arg-type]
        input_shapes={name: list(a.shape) for name, a in feeds[1].items()},
        warmup_runs=samples.warmup_runs,
        stop_reason=samples.stop_reason,  # type: ignore[arg-type]
        aa_noise=_aa_noise(samples.aa_first, samples.aa_second),
        layout_noise=_layout_noise(samples),
        plan=samples.plan.describe(run.latency.budget_seconds) if samples.plan else "",
        seconds_per_segment=round(samples.plan.seconds_per_segment, 3) if samples.plan else None,
    )
    return PairResult(measured, info, prepared.examples, prepared.batches, feeds)


PROFILE_SECONDS = 2.0  # about how long the profiler may run each side, after the A/B


def time_breakdown(run: PairRun, paired: PairResult) -> TimeBreakdown | None:
    """Kernel time per operator and node on base and head, for a latency change."""
    m = paired.measured
    if paired.feeds is None or m.latency_base is None or m.latency_head is None:
        return None
    per_call = float(np.median(m.latency_base) + np.median(m.latency_head)) / 2
    runs = int(min(50, max(3, PROFILE_SECONDS / max(per_call, 1e-6))))
    return breakdown(run.base.path, run.head.path, run.target, paired.feeds, runs)


def _layout_noise(samples: PairedSamples) -> float | None:
    if samples.segments < 3:
        return None
    logs = segment_log_ratios(samples.base, samples.head, samples.segment)
    return round(float(np.std(logs, ddof=1)), 6)


def _aa_noise(first: np.ndarray, second: np.ndarray) -> float | None:
    """Half-width of the 95% interval of base-vs-base median ratio: the noise floor."""
    if first.size < 10:
        return None
    estimate = paired_ratio(first, second, 0.5, 0.95, n_resamples=1000)
    return round(estimate.half_width, 6)

"""Portability: the head model run the way the base's recommended deployment runs the base.

A model change can break the deployment that ships today without the head's own numbers
looking worse: an op the deployment's runtime cannot run, nodes falling back to another
provider, outputs that lose fidelity under the deployment's precision, or a speedup that is
gone. The base's recipe is rebuilt on the head (its passes, recalibrated on the head's
inputs), opened with the deployment's runtime and settings, checked for fidelity against the
head under the reference runtime, and timed against it by interleaved A/B."""

from __future__ import annotations

import dataclasses
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mlgate.bench.accuracy import Output, collect_outputs
from mlgate.bench.deployed import open_deployed
from mlgate.bench.latency import LatencySettings, measure_interleaved
from mlgate.bench.session import Session, Target, open_session
from mlgate.compare.stats import clustered_ratios
from mlgate.errors import MlgateError
from mlgate.optimize.ab import SCREEN_SEGMENTS
from mlgate.optimize.build import build
from mlgate.optimize.drift import placement
from mlgate.optimize.fidelity import Budget, judge_fidelity
from mlgate.optimize.openvino_int8 import build_int8
from mlgate.optimize.pass_api import PassContext
from mlgate.optimize.recommend import RecipeStep, recipe_from
from mlgate.optimize.search_job import SearchInput
from mlgate.results.deployment import Deployment
from mlgate.results.schema import PortabilityInfo

CPU = "CPUExecutionProvider"
NNCF_INT8 = "nncf-int8"  # the model source of OpenVINO's int8 candidates (optimize/candidates.py)


@dataclass(frozen=True)
class PortabilityJob:
    head: SearchInput  # the head model, its eval data and how fidelity is read
    deployment: Deployment  # the base's recommended deployment
    recipe: list[RecipeStep]  # its passes with their parameters
    source: str  # where it came from
    budget: Budget
    batches_feeds: list[dict[str, np.ndarray]]  # eval feeds (fidelity, calibration)
    labels: np.ndarray | None
    timing_feeds: dict[str, np.ndarray]
    seconds: float  # for the A/B
    build_timeout: float = 120.0
    confidence: float = 0.95


class NotComparable(Exception):
    """The base's recipe cannot be rebuilt by this mlgate: nothing is said about the head."""


def _built(job: PortabilityJob, folder: Path) -> Path | str:
    """The head with the base's passes applied, or why that failed on the head."""
    if not job.recipe:
        return job.head.path
    calibration = job.batches_feeds[:64]
    if [step.get("pass") for step in job.recipe] == [NNCF_INT8]:
        done = build_int8(job.head.path, folder / "head-deployed.xml", calibration, None,
                          job.build_timeout)  # fmt: skip
        if done.path is None:
            return f"NNCF int8 (the base's deployment) fails on the head: {done.reason}"
        return done.path
    try:
        recipe = recipe_from("base deployment", job.recipe)
    except MlgateError as exc:
        raise NotComparable(str(exc)) from None
    context = PassContext(tuple(job.head.target.providers), calibration)
    done = build(job.head.path, folder / "head-deployed.onnx", recipe, context, job.build_timeout)
    if done.path is None:
        passes = " → ".join(recipe.pass_names)
        return f"the base's passes ({passes}) fail on the head: {done.reason}"
    return done.path


def _fallback(path: Path, job: PortabilityJob, folder: Path) -> tuple[dict[str, int], str]:
    """Nodes per provider for an onnxruntime deployment on an accelerator, and a line when
    any ran on another provider than the deployment's first."""
    settings = job.deployment.onnxruntime
    if settings is None or settings.providers[:1] == [CPU]:
        return {}, ""
    target = Target("deployment", tuple(settings.providers), job.deployment.threads)
    nodes = placement(path, target, job.timing_feeds, folder)
    first = settings.providers[0]
    elsewhere = sum(n for provider, n in nodes.items() if provider != first)
    if not elsewhere:
        return nodes, ""
    return nodes, f"fallback: {elsewhere} of {sum(nodes.values())} head nodes ran off {first}"


def _speedup(
    path: Path, session_display: str, job: PortabilityJob
) -> tuple[float, tuple[float, float], int]:
    head = job.head

    def make(segment: int):  # type: ignore[no-untyped-def]
        pair = ["original", "deployed"] if segment % 2 == 0 else ["deployed", "original"]
        opened = {}
        for side in pair:
            session = (
                open_session(head.path, head.target, head.display)
                if side == "original"
                else open_deployed(path, job.deployment, session_display)
            )
            opened[side] = session.runner(job.timing_feeds)
        return opened["original"], opened["deployed"]

    settings = LatencySettings(
        budget_seconds=job.seconds,
        min_seconds=job.seconds,
        warmup_seconds=min(0.5, job.seconds / 6),
        segment_seconds=max(job.seconds / 6, 0.05),
        min_segments=1,
    )
    samples = measure_interleaved(make, settings, lambda *_: False)
    (found,) = clustered_ratios(
        samples.base, samples.head, samples.segment, (0.5,), job.confidence, n_resamples=500
    )
    segments = int(np.unique(samples.segment).size)
    return 1.0 / found.ratio, (1.0 / found.high, 1.0 / found.low), segments


def _outputs(session: Session, job: PortabilityJob) -> list[Output]:
    from mlgate.bench.inputs import Batch

    return collect_outputs(session, [Batch(f, None) for f in job.batches_feeds], check_nan=False)


def check_portability(job: PortabilityJob) -> PortabilityInfo:
    record = PortabilityInfo(job.deployment, job.source, "broken")
    with tempfile.TemporaryDirectory(prefix="mlgate-portability-") as tmp:
        folder = Path(tmp)
        try:
            built = _built(job, folder)
        except NotComparable as exc:
            note = f"not checked: the base's recipe cannot be rebuilt here ({exc})"
            return dataclasses.replace(record, status="undecided", note=note)
        if isinstance(built, str):
            return dataclasses.replace(record, problems=[built])
        display = f"{job.head.display} under the base's deployment"
        try:
            deployed = open_deployed(built, job.deployment, display)
            variant = _outputs(deployed, job)
        except MlgateError as exc:
            return dataclasses.replace(record, problems=[f"cannot run: {exc}"])
        original = _outputs(open_session(job.head.path, job.head.target, job.head.display), job)
        numbers, rejection = judge_fidelity(original, variant, job.head, job.budget, job.labels)
        problems = [f"fidelity under {job.deployment.precision}: {rejection}"] if rejection else []
        try:  # a head that loads under the deployment but fails while timed is broken too
            nodes, fallback = _fallback(built, job, folder)
            problems += [fallback] if fallback else []
            speedup, interval, segments = _speedup(built, display, job)
        except MlgateError as exc:
            return dataclasses.replace(record, problems=[*problems, f"cannot run: {exc}"])
    record = dataclasses.replace(
        record,
        speedup=round(speedup, 4),
        speedup_ci=(round(interval[0], 4), round(interval[1], 4)),
        cosine=numbers["cosine"],
        max_abs_diff=numbers["max_abs_diff"],
        accuracy_change=numbers["accuracy_change"],
        providers=nodes,
    )
    decided = segments >= SCREEN_SEGMENTS
    if decided and interval[1] <= 1.0:
        problems.append(
            f"speedup gone: {speedup:.2f}× ({interval[0]:.2f}–{interval[1]:.2f}) against the "
            f"head under the reference runtime (the base had {job.deployment.speedup or 0:.2f}×)"
        )
    if problems:
        return dataclasses.replace(record, problems=problems)
    if not decided or interval[0] <= 1.0:
        note = "the speedup is not confirmed: its interval includes 1; a longer run would say"
        return dataclasses.replace(record, status="undecided", note=note)
    return dataclasses.replace(record, status="portable")

"""The optimizer as one step of a gate run on one target: the variant search for the head
model, and optimization drift between base and head. Returns records, not verdicts."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mlgate.bench.inputs import Batch, EvalData, make_batches
from mlgate.bench.run import latency_feeds
from mlgate.bench.session import Target, open_session
from mlgate.config import OptimizeConfig
from mlgate.errors import MlgateError
from mlgate.model.load import LoadedModel
from mlgate.optimize.drift import measure_drift
from mlgate.optimize.fidelity import Budget
from mlgate.optimize.outcome import variant_file_name
from mlgate.optimize.portability import PortabilityJob, check_portability
from mlgate.optimize.recommend import RecipeStep, ort_deployment, ort_original
from mlgate.optimize.right_size import Pricing, RightSizeJob, available_cores, right_size
from mlgate.optimize.search import search
from mlgate.optimize.search_job import SearchInput, SearchOutcome, SearchSettings
from mlgate.results.deployment import Deployment
from mlgate.results.schema import OptimizationDrift, OptimizationInfo, PortabilityInfo, RightSizing


@dataclass(frozen=True)
class OptimizeJob:
    base: LoadedModel | None  # None: no drift (a single model, `mlgate optimize`)
    head: LoadedModel
    target: Target
    eval_data: EvalData | None
    metric: str
    output: str | None
    batch_size: int | None
    input_shapes: dict[str, list[int]]
    config: OptimizeConfig
    pricing: Pricing | None = None  # the target's, for right-sizing


def budget_from(config: OptimizeConfig, metric: str) -> Budget:
    drop = config.max_accuracy_drop / 100.0  # points, or percent for mse/mae
    return Budget(
        min_cosine=config.min_cosine,
        max_accuracy_drop=drop,
        max_relative_diff=config.max_relative_diff,
    )


def settings_from(config: OptimizeConfig) -> SearchSettings:
    return SearchSettings(
        budget_seconds=config.search_seconds(),
        build_timeout_seconds=config.build_timeout_seconds,
        screen_seconds=config.screen_seconds,
        final_seconds=config.final_seconds,
        min_speedup=config.min_speedup,
    )


def search_input(job: OptimizeJob) -> SearchInput:
    return SearchInput(
        path=job.head.path,
        display=job.head.display,
        target=job.target,
        eval_data=job.eval_data,
        metric=job.metric if job.eval_data is not None else "fidelity",
        output=job.output,
        batch_size=job.batch_size,
        input_shapes=dict(job.input_shapes),
        runtimes=job.target.runtimes,
    )


def right_size_seconds(config: OptimizeConfig, total: float) -> float:
    """Right-sizing's share of the search budget: a tenth, 2 to 12 s (0: off)."""
    if config.right_size_threads == 0 or total <= 0:
        return 0.0
    return min(max(0.1 * total, 2.0), 12.0)


def run_search(job: OptimizeJob, out_dir: Path | None = None) -> SearchOutcome:
    """The search within the budget less right-sizing's share, then the winner's
    deployment record (the search sets it for runtimes other than onnxruntime)."""
    total = job.config.search_seconds()
    settings = dataclasses.replace(
        settings_from(job.config), budget_seconds=total - right_size_seconds(job.config, total)
    )
    outcome = search(search_input(job), budget_from(job.config, job.metric), settings, out_dir)
    if outcome.deployment is None and outcome.recommended is not None:
        winner = next(v for v in outcome.variants if v.name == outcome.recommended)
        name = outcome.best_path or Path(variant_file_name(job.head.path, winner.name))
        outcome.deployment = ort_deployment(winner, name, job.target)
    return outcome


def right_size_outcome(
    job: OptimizeJob, outcome: SearchOutcome, seconds: float | None = None
) -> RightSizing | None:
    """The recommended deployment (or the original, when nothing wins) at 1..N threads."""
    if seconds is None:
        seconds = right_size_seconds(job.config, job.config.search_seconds())
    if seconds <= 0:
        return None
    if outcome.deployment is not None and outcome.best_path is not None:
        model, deployment = outcome.best_path, outcome.deployment
        subject = f"recommended deployment ({outcome.recommended})"
    elif outcome.recommended is None:
        model, deployment = job.head.path, ort_original(job.head.path, job.target)
        subject = "the original model (nothing beats it)"
    else:
        return None  # the winner's file is not at hand (a search reused from the cache)
    sizing = RightSizeJob(
        model=model,
        deployment=deployment,
        subject=subject,
        display=job.head.display,
        feeds=_feeds(job.head, job),
        seconds=seconds,
        max_threads=job.config.right_size_threads,
        pricing=job.pricing or Pricing.of(None, None, available_cores()),
        slo_ms=job.config.slo_ms,
    )
    try:
        return right_size(sizing)
    except MlgateError:
        return None


def _feeds(model: LoadedModel, job: OptimizeJob) -> dict[str, np.ndarray]:
    session = open_session(model.path, job.target, model.display)
    return latency_feeds(session, model, job.eval_data, job.batch_size, job.input_shapes)[0]


Drift = tuple[OptimizationDrift | None, list[str]]  # (what was found, notes)


def drift_of(job: OptimizeJob) -> Drift:
    """Optimization drift between base and head (measured before the search, so that the
    search can take what is left of the time)."""
    if job.base is None or job.config.drift == "off":
        return None, []
    try:
        found = measure_drift(
            job.base.path,
            job.head.path,
            job.target,
            (_feeds(job.base, job), _feeds(job.head, job)),
            job.config.build_timeout_seconds,
        )
    except MlgateError as exc:
        found = str(exc)
    if isinstance(found, str):
        return None, [f"optimization drift not measured: {found}"]
    return found, []


def finish_target(
    job: OptimizeJob, outcome: SearchOutcome, drift: Drift, sizing: RightSizing | None = None
) -> OptimizationInfo:
    """A search's outcome (just run, or reused from the cache) with optimization drift."""
    return OptimizationInfo(
        variants=outcome.variants,
        recommended=outcome.recommended,
        seconds=outcome.seconds,
        budget_seconds=job.config.search_seconds(),
        fidelity_rule=budget_from(job.config, job.metric).describe(),
        not_tried=outcome.not_tried,
        notes=[*outcome.notes, *drift[1]],
        drift=drift[0],
        deployment=outcome.deployment,
        recipe=[_step(step) for step in outcome.recipe],
        right_sizing=sizing,
    )


def _step(step: dict[str, object]) -> dict[str, str | int | float | bool]:
    return {k: v for k, v in step.items() if isinstance(v, (str, int, float, bool))}


@dataclass(frozen=True)
class BaseDeployment:
    """The base model's recommended deployment and the recipe that made its model file."""

    deployment: Deployment
    recipe: list[RecipeStep]
    source: str


def portability_of(
    job: OptimizeJob, base: BaseDeployment
) -> tuple[PortabilityInfo | None, list[str]]:
    """The head under the base's deployment; (None, why) when it could not be measured."""
    head = search_input(job)
    try:
        session = open_session(job.head.path, job.target, job.head.display)
        feeds = latency_feeds(session, job.head, job.eval_data, job.batch_size, job.input_shapes)
        batches = (
            make_batches(job.eval_data, session.inputs, job.batch_size, job.head.display)
            if job.eval_data is not None
            else [Batch(feeds[0], None)]
        )
        found = check_portability(
            PortabilityJob(
                head=head,
                deployment=base.deployment,
                recipe=base.recipe,
                source=base.source,
                budget=budget_from(job.config, job.metric),
                batches_feeds=[b.feeds for b in batches],
                labels=job.eval_data.labels if job.eval_data is not None else None,
                timing_feeds=feeds[0],
                seconds=max(job.config.screen_seconds * 2, 2.0),
                build_timeout=job.config.build_timeout_seconds,
            )
        )
    except MlgateError as exc:
        return None, [f"portability not measured: {exc}"]
    return found, []

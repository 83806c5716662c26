"""The optimizer as one step of a gate run on one target: the variant search for the head
model, and optimization drift between base and head. Returns records, not verdicts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mlgate.bench.inputs import EvalData
from mlgate.bench.run import latency_feeds
from mlgate.bench.session import Target, open_session
from mlgate.config import OptimizeConfig
from mlgate.errors import MlgateError
from mlgate.model.load import LoadedModel
from mlgate.optimize.drift import measure_drift
from mlgate.optimize.search import Budget, SearchInput, SearchOutcome, SearchSettings, search
from mlgate.results.schema import OptimizationDrift, OptimizationInfo


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


def run_search(job: OptimizeJob, out_dir: Path | None = None) -> SearchOutcome:
    return search(
        SearchInput(
            path=job.head.path,
            display=job.head.display,
            target=job.target,
            eval_data=job.eval_data,
            metric=job.metric if job.eval_data is not None else "fidelity",
            output=job.output,
            batch_size=job.batch_size,
            input_shapes=dict(job.input_shapes),
        ),
        budget_from(job.config, job.metric),
        settings_from(job.config),
        out_dir,
    )


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


def finish_target(job: OptimizeJob, outcome: SearchOutcome, drift: Drift) -> OptimizationInfo:
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
    )

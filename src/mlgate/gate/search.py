"""The variant search as one step of a gate run: its share of the bill, and its result kept
in (and reused from) the search cache. Orchestration only."""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable
from pathlib import Path

from mlgate import __version__
from mlgate.bench.environment import provenance, runtime_versions
from mlgate.config import Config
from mlgate.optimize.right_size import Pricing, available_cores
from mlgate.optimize.run import (
    BaseDeployment,
    Drift,
    OptimizeJob,
    drift_of,
    finish_target,
    portability_of,
    right_size_outcome,
    run_search,
)
from mlgate.optimize.search import SearchOutcome
from mlgate.progress import Progress
from mlgate.results import search_cache
from mlgate.results.schema import OptimizationInfo, PortabilityInfo

# Settings that change what the search finds; its time budget does not belong here.
_TIME_SETTINGS = {
    "budget_seconds", "bill_seconds", "min_budget_seconds", "enabled", "drift", "portability",
}  # fmt: skip


def search_key(job: OptimizeJob) -> search_cache.SearchKey:
    prov = provenance()
    fingerprint = {
        "cpu_model": prov.cpu_model,
        "cpu_count": prov.cpu_count,
        "machine": prov.machine,
        "onnx": prov.onnx,
        "onnxruntime": prov.onnxruntime,
        "numpy": prov.numpy,
        "python": prov.python,
        "providers": list(job.target.providers),
        "threads": job.target.threads,
        "runtimes": runtime_versions(),
        "runtime_choice": list(job.target.runtimes) if job.target.runtimes else None,
    }
    settings = {
        **job.config.model_dump(exclude=_TIME_SETTINGS),
        "metric": job.metric,
        "output": job.output,
        "batch_size": job.batch_size,
        "input_shapes": {k: list(v) for k, v in sorted(job.input_shapes.items())},
        "eval_sha256": job.eval_data.sha256 if job.eval_data is not None else None,
    }
    return search_cache.SearchKey(job.head.sha256, fingerprint, __version__, settings)


def _reused(cached: search_cache.CachedSearch) -> SearchOutcome:
    info = cached.info
    return SearchOutcome(
        variants=list(info.variants),
        recommended=info.recommended,
        seconds=info.seconds,
        not_tried=list(info.not_tried),
        notes=[*info.notes, cached.note()],
        recipe=[dict(step) for step in info.recipe],
        deployment=info.deployment,
    )


def base_deployment(job: OptimizeJob, cache_dir: Path | None) -> BaseDeployment | str:
    """The base model's recommended deployment, from the search cache (the base's own
    search, keyed by its sha256 and this target); else why there is none. The base search
    is not re-run on a miss: that would double the bill of every pull request."""
    assert job.base is not None
    cached = search_cache.load(cache_dir, search_key(dataclasses.replace(job, head=job.base)))
    if cached is None:
        return (
            "the base model's search is not in the cache (it is kept when a search of that "
            "model runs with the cache on, e.g. in the pull request that made it)"
        )
    info = cached.info
    if info.recommended is None:
        return "the base model has no recommended deployment (nothing beat it)"
    if info.deployment is None:
        return "the base model's cached search predates deployment records"
    return BaseDeployment(info.deployment, list(info.recipe), cached.note().replace(
        "search reused from cache", "base search from the cache"))  # fmt: skip


def skipped_note(not_tried: list[str], budget: float, bill: float | None) -> str | None:
    """What the search left out for time, and how to give it more."""
    if not not_tried:
        return None
    share = (
        f"what was left of the {bill:.0f} s bill per model and target after measuring"
        if bill is not None
        else "as configured"
    )
    return (
        f"the search had {budget:.0f} s ({share}) and skipped for time: "
        f"{', '.join(not_tried)}; give it more with --search-budget SECONDS "
        "(Action input search_budget_seconds) or optimize.budget_seconds"
    )


def optimize_head(
    job: OptimizeJob,
    budget: Callable[[], float],
    cache_dir: Path | None,
    progress: Progress,
    bill: float | None = None,
) -> OptimizationInfo:
    """Measure optimization drift, then search for a faster head variant within `budget()`
    seconds (asked after drift, so that it can be what is left of the bill), or reuse the
    cached result of the same search (same model bytes, machine, runtimes and settings);
    `bill` is the per-model-and-target bill the budget comes from (None: set explicitly)."""
    name = job.target.name
    drift: Drift = (None, [])
    if job.base is not None and job.config.drift != "off":
        with progress.step(f"{name}: optimization drift"):
            drift = drift_of(job)
    ported = _portability(job, cache_dir, progress)
    key = search_key(job)
    cached = search_cache.load(cache_dir, key)
    if cached is not None:
        progress.note(cached.note())
        info = finish_target(job, _reused(cached), drift, cached.info.right_sizing)
        return _with(dataclasses.replace(info, budget_seconds=cached.info.budget_seconds), ported)
    seconds = budget()
    job = dataclasses.replace(job, config=job.config.model_copy(update={"budget_seconds": seconds}))
    with tempfile.TemporaryDirectory(prefix="mlgate-winner-") as tmp:
        with progress.step(f"{name}: searching for a faster variant", expect_seconds=seconds):
            outcome = run_search(job, Path(tmp))
        with progress.step(f"{name}: right-sizing threads"):
            sizing = right_size_outcome(job, outcome)
    note = skipped_note(outcome.not_tried, seconds, bill)
    if note is not None:
        outcome.notes.append(note)
    for line in outcome.notes:
        progress.note(line)
    searched = finish_target(job, outcome, (None, []), sizing)
    search_cache.save(cache_dir, key, searched, provenance().cpu_model)
    return _with(finish_target(job, outcome, drift, sizing), ported)


Ported = tuple[PortabilityInfo | None, list[str]]


def _with(info: OptimizationInfo, ported: Ported) -> OptimizationInfo:
    return dataclasses.replace(info, portability=ported[0], notes=[*info.notes, *ported[1]])


def _portability(job: OptimizeJob, cache_dir: Path | None, progress: Progress) -> Ported:
    """The head under the base's deployment (a note when it could not be checked)."""
    if job.base is None or job.config.portability == "off":
        return None, []
    found = base_deployment(job, cache_dir)
    if isinstance(found, str):
        progress.note(f"portability not checked: {found}")
        return None, [f"portability not checked: {found}"]
    with progress.step(f"{job.target.name}: the head under the base's deployment"):
        return portability_of(job, found)


def target_pricing(config: Config, name: str) -> Pricing:
    """The target's price for right-sizing: per core-hour, else per runner hour."""
    target = next(t for t in config.targets if t.name == name)
    return Pricing.of(target.price_per_core_hour, target.price_per_hour, available_cores())

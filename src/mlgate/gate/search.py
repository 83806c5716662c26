"""The variant search as one step of a gate run: its share of the bill, and its result kept
in (and reused from) the search cache. Orchestration only."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from mlgate import __version__
from mlgate.bench.environment import provenance
from mlgate.optimize.run import Drift, OptimizeJob, drift_of, finish_target, run_search
from mlgate.optimize.search import SearchOutcome
from mlgate.progress import Progress
from mlgate.results import search_cache
from mlgate.results.schema import OptimizationInfo

# Settings that change what the search finds; its time budget does not belong here.
_TIME_SETTINGS = {"budget_seconds", "bill_seconds", "min_budget_seconds", "enabled", "drift"}


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
    )


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
    key = search_key(job)
    cached = search_cache.load(cache_dir, key)
    if cached is not None:
        progress.note(cached.note())
        info = finish_target(job, _reused(cached), drift)
        return dataclasses.replace(info, budget_seconds=cached.info.budget_seconds)
    seconds = budget()
    job = dataclasses.replace(job, config=job.config.model_copy(update={"budget_seconds": seconds}))
    with progress.step(f"{name}: searching for a faster variant", expect_seconds=seconds):
        outcome = run_search(job)
    note = skipped_note(outcome.not_tried, seconds, bill)
    if note is not None:
        outcome.notes.append(note)
    for line in outcome.notes:
        progress.note(line)
    searched = finish_target(job, outcome, (None, []))
    search_cache.save(cache_dir, key, searched, provenance().cpu_model)
    return finish_target(job, outcome, drift)

"""Search for the fastest variant of a model within the accuracy budget, on one target.

1. Build each recipe's variant in a child process (time limit per build).
2. Fidelity against the original on the eval inputs: task metric, max abs diff, cosine, top-1
   agreement; a variant outside the budget is rejected with the number that rejected it.
3. Screen: a short interleaved A/B against the original; clearly slower variants are pruned.
4. Final: the best screened variants get a full interleaved A/B (fresh session pairs per
   segment, segment-resampled interval). The recommendation is the fastest of those that is
   clearly faster (the whole interval of the speedup above 1) and at least `min_speedup`.
   "No variant beats the original" is a valid answer.

Static int8 is tuned by coordinate descent over format, calibration method, per-channel,
activation type and pre-processing, starting from the setting that won most often in an
exhaustive sweep (benchmarks/optimizer_sweep.py); each step keeps the faster setting.
Everything stays within a time budget; what was not tried is listed."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from mlgate.optimize.candidates import runtime_plans
from mlgate.optimize.fidelity import Budget
from mlgate.optimize.finals import finals
from mlgate.optimize.outcome import deployment_of, model_name, recipe_of, write_model
from mlgate.optimize.search_job import SearchInput, SearchOutcome, SearchSettings
from mlgate.optimize.space import space
from mlgate.optimize.trials import Trials
from mlgate.results.schema import VariantResult

DEFAULT_BUDGET, DEFAULT_SETTINGS = Budget(), SearchSettings()


def explore(run: Trials) -> None:
    """The space in order: onnxruntime's cheap variants, the other runtimes' precision
    hints on the original, dynamic int8, NNCF int8, static int8 tuning, the rest."""
    plans, skipped = runtime_plans(run.chosen.runtimes, run.job.target)
    for name, reason in skipped.items():
        run.record(VariantResult(name, [], "skipped", reason))
    first, later = space(run.model) if run.ort_variants else ([], [])
    hints = [p for p in plans if p.model == "original"]
    for recipe in first[:1]:
        run.try_recipe(recipe)
    for plan in hints:
        run.try_plan(plan)
    for recipe in first[1:]:
        run.try_recipe(recipe)
    for plan in plans:
        run.try_plan(plan)  # those not tried yet: the int8 builds
    if run.settings.tune_static and run.ort_variants:
        run.tune_static()
    for recipe in later:
        run.try_recipe(recipe)


def search(
    job: SearchInput,
    budget: Budget = DEFAULT_BUDGET,
    settings: SearchSettings = DEFAULT_SETTINGS,
    out_dir: Path | None = None,
) -> SearchOutcome:
    """Every candidate of the space, in order, within the time budget."""
    with tempfile.TemporaryDirectory(prefix="mlgate-optimize-") as tmp:
        run = Trials(job, budget, settings, Path(tmp))
        explore(run)
        winner = finals(run)
        best_path = None
        if winner is not None and out_dir is not None:
            best_path = write_model(winner, out_dir, job.path.stem)
        return SearchOutcome(
            variants=run.variants,
            recommended=winner.name if winner is not None else None,
            seconds=round(time.monotonic() - run.started, 2),
            not_tried=run.not_tried,
            notes=run.notes,
            best_path=best_path,
            recipe=recipe_of(winner) if winner is not None else [],
            deployment=deployment_of(run, winner, model_name(winner, job.path.stem))
            if winner is not None
            else None,
        )

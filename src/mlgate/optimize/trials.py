"""The search's trials: build a recipe's variant (or take another runtime's plan), judge its
fidelity against the original, and screen it with a short interleaved A/B; clearly slower
variants are pruned, the others become candidates for the finals."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from mlgate.bench.accuracy import Output
from mlgate.bench.runtimes.base import LoadOptions
from mlgate.errors import MlgateError
from mlgate.optimize.ab import SCREEN_SEGMENTS
from mlgate.optimize.build import Built, Recipe, build
from mlgate.optimize.candidates import RuntimePlan, recipe_precision
from mlgate.optimize.fidelity import judge_fidelity, outputs
from mlgate.optimize.model_contents import constant_weights, nothing_to_quantize
from mlgate.optimize.openvino_int8 import AccuracyControl, build_int8, controllable
from mlgate.optimize.search_job import Candidate, rounded, rounded_pair
from mlgate.optimize.search_run import SearchRun
from mlgate.optimize.space import STATIC_AXES, STATIC_START, static_recipe
from mlgate.results.schema import VariantResult, VariantStatus


class Trials(SearchRun):
    """A search run that tries candidates: each try records one row of the table."""

    def try_recipe(self, recipe: Recipe) -> Candidate | None:
        """Build, check fidelity, screen. A candidate if it is not clearly slower."""
        if any(v.name == recipe.name for v in self.variants):
            return next((c for c in self.candidates if c.name == recipe.name), None)
        if not self.may_try(recipe.name):
            return None
        self.count += 1
        path = self.workdir / f"variant-{self.count}.onnx"
        built: Built = build(self.job.path, path, recipe, self.context, self.build_timeout())
        base = VariantResult(recipe.name, recipe.pass_names, "skipped", build_seconds=round(
            built.seconds, 2))  # fmt: skip
        if built.status != "built":
            status: VariantStatus = "failed" if built.status == "failed" else "skipped"
            self.record(dataclasses.replace(base, status=status, reason=built.reason))
            return None
        precision = recipe_precision(recipe.pass_names)
        options = dataclasses.replace(self.reference_options, precision=precision)
        trial = Candidate(recipe.name, path, -1, 1.0, self.reference, options, recipe,
                           recipe.pass_names)  # fmt: skip
        return self.evaluate(trial, dataclasses.replace(base, size_bytes=model_size(path)))

    def control(self) -> AccuracyControl | None:
        if self.labels is None or not controllable(self.job.metric, self.labels):
            return None
        return AccuracyControl(
            self.batches, self.labels, self.job.metric, self.job.output,
            self.budget.max_accuracy_drop,
        )  # fmt: skip

    def try_plan(self, plan: RuntimePlan) -> Candidate | None:
        """Another runtime: the original under a precision hint, or NNCF's int8 model."""
        if any(v.name == plan.name for v in self.variants) or not self.may_try(plan.name):
            return None
        path, seconds = self.job.path, None
        reason = self.plan_skipped(plan)
        if reason:
            self.record(VariantResult(plan.name, plan.passes, "skipped", reason))
            return None
        if plan.model == "nncf-int8":
            self.count += 1
            path = self.workdir / f"variant-{self.count}.xml"
            built = build_int8(self.job.path, path, self.context.calibration, self.control(),
                               self.build_timeout())  # fmt: skip
            seconds = round(built.seconds, 2)
            if built.status != "built":
                status: VariantStatus = "failed" if built.status == "failed" else "skipped"
                self.record(VariantResult(plan.name, plan.passes, status, built.reason,
                                          build_seconds=seconds))  # fmt: skip
                return None
        options = LoadOptions.for_target(self.job.target, plan.precision)
        base = VariantResult(plan.name, plan.passes, "skipped", size_bytes=model_size(path),
                             build_seconds=seconds)  # fmt: skip
        trial = Candidate(plan.name, path, -1, 1.0, plan.runtime, options, None, plan.passes)
        return self.evaluate(trial, base)

    def plan_skipped(self, plan: RuntimePlan) -> str | None:
        """Why a plan cannot apply, before any work: its runtime could not read the
        model, or (NNCF) there is nothing to quantize. Weights in Constant nodes are fine:
        OpenVINO reads them as constants."""
        if plan.runtime.name in self.unreadable:
            first = self.unreadable[plan.runtime.name]
            return f"{plan.runtime.name} cannot read this model (see {first})"
        if plan.model != "nncf-int8":
            return None
        reason = nothing_to_quantize(self.model)
        if reason and constant_weights(self.model) and reason.startswith("no float32 weights"):
            return None
        return reason

    def _outputs_of(self, trial: Candidate) -> list[Output] | str:
        """The candidate's outputs on the eval batches, or why it cannot give them."""
        try:
            started = time.perf_counter()
            runner = trial.runtime.load(trial.path, trial.options, self.job.display)
            trial.open_seconds = time.perf_counter() - started
            applied = getattr(runner, "precision", trial.options.precision)
            if applied != trial.options.precision:
                return (
                    f"skipped: {trial.runtime.name} runs {applied} here when asked for "
                    f"{trial.options.precision} (the same as {trial.runtime.name}-{applied})"
                )
            return outputs(trial.path, self.job, self.batches, runner)
        except MlgateError as exc:
            return str(exc)[:300]

    def evaluate(self, trial: Candidate, result: VariantResult) -> Candidate | None:
        """Fidelity against the original, then the screening A/B against it."""
        variant_out = self._outputs_of(trial)
        if isinstance(variant_out, str):
            status: VariantStatus = "skipped" if variant_out.startswith("skipped: ") else "failed"
            reason = variant_out.removeprefix("skipped: ")
            self.record(dataclasses.replace(result, status=status, reason=reason))
            if trial.recipe is None and trial.path == self.job.path and "cannot compile" in reason:
                self.unreadable.setdefault(trial.runtime.name, trial.name)
            return None
        numbers, rejection = judge_fidelity(
            self.original, variant_out, self.job, self.budget, self.labels
        )
        result = dataclasses.replace(
            result,
            cosine=rounded(numbers["cosine"]),
            max_abs_diff=rounded(numbers["max_abs_diff"]),
            top1_agreement=rounded(numbers["top1_agreement"]),
            accuracy_change=rounded(numbers["accuracy_change"]),
        )
        if rejection:
            self.record(dataclasses.replace(result, status="rejected", reason=rejection))
            return None
        cost = self.cost_of(trial)
        seconds = max(self.screen_seconds, cost.seconds_for(SCREEN_SEGMENTS, 1))
        found = self.ab(self.opener(trial), min(seconds, max(self.remaining() - 0.5, 0.5)), 1,
                        cost)  # fmt: skip
        interval = rounded_pair(found.speedup_interval)
        result = dataclasses.replace(result, speedup=rounded(found.speedup), speedup_ci=interval)
        if found.segments < SCREEN_SEGMENTS:  # one session pair: no interval to prune on
            reason = f"screening A/B undecided: {found.pairs} timings of one session pair"
            result = dataclasses.replace(result, status="not faster", reason=reason)
        elif found.low > 1.0:
            self.record(dataclasses.replace(result, status="slower", reason="screening A/B"))
            return None
        elif interval[0] > 1.0:  # the finals may confirm it
            result = dataclasses.replace(result, status="screened", reason="short A/B only")
        else:
            reason = "the screening A/B found no speedup"
            result = dataclasses.replace(result, status="not faster", reason=reason)
        trial.index, trial.screen_ratio = self.record(result), found.ratio
        self.candidates.append(trial)
        return trial

    def tune_static(self) -> None:
        setting, preprocess = STATIC_START
        best = self.try_recipe(static_recipe(self.model, setting, preprocess))
        for axis in STATIC_AXES:
            for option, pre in axis(setting, preprocess):
                found = self.try_recipe(static_recipe(self.model, option, pre))
                if found is not None and (best is None or found.screen_ratio < best.screen_ratio):
                    best, setting, preprocess = found, option, pre


def model_size(path: Path) -> int:
    """Bytes of a model file, with an OpenVINO IR's weights file."""
    weights = path.with_suffix(".bin")
    extra = weights.stat().st_size if path.suffix == ".xml" and weights.is_file() else 0
    return path.stat().st_size + extra

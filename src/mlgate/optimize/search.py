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

import dataclasses
import functools
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import onnx

from mlgate.bench.accuracy import Output, collect_outputs, fidelity, pick_output, task_metric
from mlgate.bench.inputs import Batch, EvalData, make_batches, synthetic_feeds
from mlgate.bench.runtimes.base import LoadOptions, Runner, Runtime
from mlgate.bench.runtimes.registry import REFERENCE, REGISTRY, choose
from mlgate.bench.session import Session, Target, open_session
from mlgate.errors import MlgateError
from mlgate.model.profile import index_bounds
from mlgate.optimize.ab import (
    DECIDING_SEGMENTS,
    SCREEN_SEGMENTS,
    ABResult,
    Opener,
    RunCost,
    ab_test,
)
from mlgate.optimize.build import Built, Recipe, build
from mlgate.optimize.candidates import RuntimePlan, deployment, recipe_precision, runtime_plans
from mlgate.optimize.openvino_int8 import AccuracyControl, build_int8, controllable
from mlgate.optimize.passes import (
    ConstantsToInitializers,
    DynamicInt8,
    Float16,
    OnnxOptimizer,
    OpsetUpgrade,
    OrtGraph,
    Pass,
    PassContext,
    QuantPreprocess,
    StaticInt8,
    TransformerFusion,
    constant_weights,
    nothing_to_quantize,
    opset,
)
from mlgate.results.deployment import Deployment
from mlgate.results.schema import VariantResult, VariantStatus

MAX_CALIBRATION_EXAMPLES = 64


@dataclass(frozen=True)
class Budget:
    """The accuracy budget a variant must stay within, against the original model."""

    min_cosine: float = 0.99
    max_accuracy_drop: float = 0.005  # fraction: 0.005 = 0.5 points
    max_relative_diff: float | None = 0.5  # max abs diff / the original's value range

    def describe(self) -> str:
        parts = [
            f"cosine ≥ {self.min_cosine:g}",
            f"accuracy drop ≤ {self.max_accuracy_drop * 100:g} pt",
        ]
        if self.max_relative_diff is not None:
            parts.append(f"max abs diff ≤ {self.max_relative_diff:g} × output range")
        return ", ".join(parts)


@dataclass(frozen=True)
class SearchSettings:
    budget_seconds: float = 300.0
    build_timeout_seconds: float = 120.0
    screen_seconds: float = 3.0
    final_seconds: float = 10.0
    finalists: int = 2
    min_speedup: float = 1.0
    confidence: float = 0.95
    tune_static: bool = True


@dataclass(frozen=True)
class SearchInput:
    path: Path
    display: str
    target: Target
    eval_data: EvalData | None
    metric: str
    output: str | None
    batch_size: int | None
    input_shapes: dict[str, list[int]] = field(default_factory=dict)
    runtimes: tuple[str, ...] | None = None  # None: every available one


@dataclass
class SearchOutcome:
    variants: list[VariantResult]
    recommended: str | None
    seconds: float
    not_tried: list[str]
    notes: list[str]
    best_path: Path | None = None
    recipe: list[dict[str, object]] = field(default_factory=list)  # the winner's passes
    deployment: Deployment | None = None  # how to run the recommended variant


@dataclass
class _Candidate:
    """A variant within budget and not clearly slower; `index` is its row in the table."""

    name: str
    path: Path
    index: int
    screen_ratio: float
    runtime: Runtime
    options: LoadOptions
    recipe: Recipe | None = None  # None: a runtime plan (the original, or NNCF's int8)
    passes: list[str] = field(default_factory=list)
    open_seconds: float = 0.0  # loading it once (an OpenVINO compile can take seconds)


# ---- inputs ----------------------------------------------------------------------------------


def _feeds(session: Session, job: SearchInput) -> tuple[list[Batch], list[dict[str, np.ndarray]]]:
    """Eval batches for fidelity, and per-example feeds for calibration."""
    if job.eval_data is None:
        model = onnx.load(str(job.path), load_external_data=False)
        feeds = synthetic_feeds(session.inputs, job.input_shapes, job.display, index_bounds(model))
        return [Batch(feeds, None)], [feeds]
    batches = make_batches(job.eval_data, session.inputs, job.batch_size, job.display)
    try:
        singles = make_batches(job.eval_data, session.inputs, 1, job.display)
    except MlgateError:
        singles = batches
    return batches, [b.feeds for b in singles[:MAX_CALIBRATION_EXAMPLES]]


def _prepare(model: onnx.ModelProto) -> tuple[Pass, ...]:
    """What quantization needs first: weights as initializers, and opset 13 or newer."""
    extract = (ConstantsToInitializers(),) if constant_weights(model) else ()
    upgrade = (OpsetUpgrade(),) if opset(model) < 13 else ()
    return (*extract, *upgrade)


def _space(model: onnx.ModelProto) -> tuple[list[Recipe], list[Recipe]]:
    """(recipes tried before the static-int8 tuning, recipes tried after it)."""
    upgrade = _prepare(model)
    first = [
        Recipe("ort-extended", (OrtGraph("extended"),)),
        Recipe("dynamic-int8", (*upgrade, DynamicInt8("int8"))),
    ]
    later = [
        Recipe("fp16", (Float16(),)),
        Recipe("transformer-fusion", (TransformerFusion(),)),
        Recipe("onnxoptimizer", (OnnxOptimizer(),)),
        Recipe("dynamic-uint8", (*upgrade, DynamicInt8("uint8"))),
        Recipe("ort-basic", (OrtGraph("basic"),)),
    ]
    return first, later


def static_recipe(model: onnx.ModelProto, setting: StaticInt8, preprocess: bool) -> Recipe:
    upgrade = _prepare(model)
    pre = (QuantPreprocess(),) if preprocess else ()
    name = setting.name + ("+preprocess" if preprocess else "")
    return Recipe(name, (*upgrade, *pre, setting))


STATIC_START = (StaticInt8("qoperator", "uint8", True, "entropy"), True)
STATIC_AXES: list[Callable[[StaticInt8, bool], list[tuple[StaticInt8, bool]]]] = [
    lambda s, p: [(dataclasses.replace(s, format="qdq"), p)],
    lambda s, p: [(dataclasses.replace(s, calibration=c), p) for c in ("percentile", "minmax")],
    lambda s, p: [(dataclasses.replace(s, per_channel=False), p)],
    lambda s, p: [(dataclasses.replace(s, activations="int8"), p)],
    lambda s, p: [(s, not p)],
]


# ---- one variant ------------------------------------------------------------------------------


def _outputs(
    path: Path, job: SearchInput, batches: list[Batch], runner: Runner | None = None
) -> list[Output]:
    """Outputs of the eval batches: of `runner`, else of `path` under the reference."""
    session = runner if runner is not None else open_session(path, job.target, job.display)
    return collect_outputs(session, batches)


def _relative_diff(original: list[Output], variant: list[Output]) -> float | None:
    worst = None
    for o, v in zip(original, variant, strict=False):
        a, b = o.joined(), v.joined()
        if a.shape != b.shape or a.dtype.kind != "f" or b.dtype.kind != "f" or not a.size:
            continue
        spread = float(np.max(a) - np.min(a)) or 1.0
        value = float(np.max(np.abs(a.astype(np.float64) - b))) / spread
        worst = value if worst is None else max(worst, value)
    return worst


def _judge_fidelity(
    original: list[Output], variant: list[Output], job: SearchInput, budget: Budget,
    labels: np.ndarray | None,
) -> tuple[dict[str, float | None], str]:  # fmt: skip
    """The fidelity numbers, and the reason for rejection ("" within budget)."""
    numbers = fidelity(original, variant, job.output)
    found: dict[str, float | None] = {
        "cosine": numbers.cosine,
        "max_abs_diff": numbers.max_abs_diff,
        "top1_agreement": numbers.top1_agreement,
        "accuracy_change": None,
    }
    if labels is not None and job.metric not in ("fidelity",):
        before = task_metric(job.metric, pick_output(original, job.output, job.display), labels)
        after = task_metric(job.metric, pick_output(variant, job.output, job.display), labels)
        found["accuracy_change"] = after - before
        lower_better = job.metric in ("mse", "mae")
        drop = (after - before) / (abs(before) or 1.0) if lower_better else before - after
        if drop > budget.max_accuracy_drop:
            what = f"{job.metric} {after:.4g} vs {before:.4g}"
            return found, f"accuracy: {what} (budget {budget.max_accuracy_drop:.1%} drop)"
    if numbers.cosine is not None and numbers.cosine < budget.min_cosine:
        return found, f"cosine {numbers.cosine:.4f} < {budget.min_cosine:g}"
    relative = _relative_diff(original, variant)
    limit = budget.max_relative_diff
    if limit is not None and relative is not None and relative > limit:
        return found, (
            f"max abs diff {numbers.max_abs_diff:.3g} is {relative:.0%} of the output's "
            "range: local disagreement a mean cosine hides"
        )
    return found, ""


judge_fidelity = _judge_fidelity  # the portability check reads fidelity the same way


# ---- the search ------------------------------------------------------------------------------


class _Search:
    def __init__(
        self, job: SearchInput, budget: Budget, settings: SearchSettings, workdir: Path
    ) -> None:
        self.job, self.budget, self.settings, self.workdir = job, budget, settings, workdir
        self.started = time.monotonic()
        self.deadline = self.started + settings.budget_seconds
        self.variants: list[VariantResult] = []
        self.candidates: list[_Candidate] = []
        self.not_tried: list[str] = []
        self.notes: list[str] = []
        self.count = 0
        self.unreadable: dict[str, str] = {}  # runtime -> the candidate that could not load
        session = open_session(job.path, job.target, job.display)
        self.batches, calibration = _feeds(session, job)
        self.labels = job.eval_data.labels if job.eval_data is not None else None
        self.original = collect_outputs(session, self.batches)
        self.timing_feeds = self.batches[0].feeds
        self.cost = RunCost.measure(job.path, job.target, job.display, self.timing_feeds)
        # A slow model gets the time that enough segments need (optimize/ab.py).
        self.screen_seconds = max(
            settings.screen_seconds, self.cost.seconds_for(SCREEN_SEGMENTS, 1)
        )
        self.final_seconds = max(
            settings.final_seconds, self.cost.seconds_for(DECIDING_SEGMENTS, 2)
        )
        self.context = PassContext(tuple(job.target.providers), calibration)
        self.reference = REGISTRY[REFERENCE]
        self.reference_options = LoadOptions.for_target(job.target)
        self.chosen = choose(job.target, job.runtimes)
        self.ort_variants = any(r.name == REFERENCE for r in self.chosen.runtimes)
        for name, reason in self.chosen.unavailable.items():
            self.notes.append(f"{name} not tried: {reason}")
        self.model = onnx.load(str(job.path), load_external_data=False)
        if job.eval_data is None:
            self.notes.append(
                "no eval data: fidelity and calibration use seeded synthetic inputs; give "
                "eval data for a meaningful int8 calibration"
            )

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def ab(
        self, variant: Path | Opener, seconds: float, blocks: int, cost: RunCost | None = None
    ) -> ABResult:
        return ab_test(
            self.job.path, variant, self.job.target, self.job.display, self.timing_feeds,
            seconds, blocks, self.settings.confidence, cost or self.cost,
        )  # fmt: skip

    def cost_of(self, trial: _Candidate) -> RunCost:
        """The A/B's cost with this candidate: its loading may take longer than a session's."""
        return RunCost(max(self.cost.open_seconds, trial.open_seconds), self.cost.run_seconds)

    def record(self, result: VariantResult) -> int:
        self.variants.append(result)
        return len(self.variants) - 1

    def final_seconds_needed(self, candidate: _Candidate) -> float:
        """The shortest final A/B that can decide: enough fresh pairs, one block each."""
        return max(1.0, self.cost_of(candidate).seconds_for(DECIDING_SEGMENTS, 1) / 1.2)

    def finalists(self) -> list[_Candidate]:
        ranked = sorted(self.candidates, key=lambda c: c.screen_ratio)
        return [c for c in ranked if c.screen_ratio < 1.0][: self.settings.finalists]

    def spare(self) -> float:
        """Time left for trying more candidates: the finals of those that would reach them
        now are kept back, so a candidate that screened faster is never left undecided by
        a later build (an NNCF quantization can take a minute)."""
        kept = sum(self.final_seconds_needed(c) for c in self.finalists())
        return self.remaining() - kept

    def build_timeout(self) -> float:
        return min(self.settings.build_timeout_seconds, max(self.spare() - 1, 1))

    def may_try(self, name: str) -> bool:
        """Time is left for one more candidate (else it is listed as not tried)."""
        if self.spare() < self.screen_seconds + 1:
            self.not_tried.append(name)
            return False
        return True

    def try_recipe(self, recipe: Recipe) -> _Candidate | None:
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
        trial = _Candidate(recipe.name, path, -1, 1.0, self.reference, options, recipe,
                           recipe.pass_names)  # fmt: skip
        return self.evaluate(trial, dataclasses.replace(base, size_bytes=_size(path)))

    def control(self) -> AccuracyControl | None:
        if self.labels is None or not controllable(self.job.metric, self.labels):
            return None
        return AccuracyControl(
            self.batches, self.labels, self.job.metric, self.job.output,
            self.budget.max_accuracy_drop,
        )  # fmt: skip

    def try_plan(self, plan: RuntimePlan) -> _Candidate | None:
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
        base = VariantResult(plan.name, plan.passes, "skipped", size_bytes=_size(path),
                             build_seconds=seconds)  # fmt: skip
        trial = _Candidate(plan.name, path, -1, 1.0, plan.runtime, options, None, plan.passes)
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

    def _outputs_of(self, trial: _Candidate) -> list[Output] | str:
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
            return _outputs(trial.path, self.job, self.batches, runner)
        except MlgateError as exc:
            return str(exc)[:300]

    def evaluate(self, trial: _Candidate, result: VariantResult) -> _Candidate | None:
        """Fidelity against the original, then the screening A/B against it."""
        variant_out = self._outputs_of(trial)
        if isinstance(variant_out, str):
            status: VariantStatus = "skipped" if variant_out.startswith("skipped: ") else "failed"
            reason = variant_out.removeprefix("skipped: ")
            self.record(dataclasses.replace(result, status=status, reason=reason))
            if trial.recipe is None and trial.path == self.job.path and "cannot compile" in reason:
                self.unreadable.setdefault(trial.runtime.name, trial.name)
            return None
        numbers, rejection = _judge_fidelity(
            self.original, variant_out, self.job, self.budget, self.labels
        )
        result = dataclasses.replace(
            result,
            cosine=_round(numbers["cosine"]),
            max_abs_diff=_round(numbers["max_abs_diff"]),
            top1_agreement=_round(numbers["top1_agreement"]),
            accuracy_change=_round(numbers["accuracy_change"]),
        )
        if rejection:
            self.record(dataclasses.replace(result, status="rejected", reason=rejection))
            return None
        cost = self.cost_of(trial)
        seconds = max(self.screen_seconds, cost.seconds_for(SCREEN_SEGMENTS, 1))
        found = self.ab(self.opener(trial), min(seconds, max(self.remaining() - 0.5, 0.5)), 1,
                        cost)  # fmt: skip
        interval = _pair(found.speedup_interval)
        result = dataclasses.replace(result, speedup=_round(found.speedup), speedup_ci=interval)
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

    def opener(self, trial: _Candidate) -> Opener:
        return functools.partial(trial.runtime.load, trial.path, trial.options, self.job.display)

    def tune_static(self) -> None:
        setting, preprocess = STATIC_START
        best = self.try_recipe(static_recipe(self.model, setting, preprocess))
        for axis in STATIC_AXES:
            for option, pre in axis(setting, preprocess):
                found = self.try_recipe(static_recipe(self.model, option, pre))
                if found is not None and (best is None or found.screen_ratio < best.screen_ratio):
                    best, setting, preprocess = found, option, pre

    def finals(self) -> _Candidate | None:
        """Full A/B of the best screened variants; the fastest clearly faster one wins."""
        best: tuple[float, _Candidate] | None = None
        finalists = self.finalists()
        for index, candidate in enumerate(finalists):
            cost = self.cost_of(candidate)
            wanted = max(self.final_seconds, cost.seconds_for(DECIDING_SEGMENTS, 2))
            later = sum(self.final_seconds_needed(c) for c in finalists[index + 1 :])
            seconds = min(wanted, self.remaining() - later)
            needed = self.final_seconds_needed(candidate)
            if seconds < needed:
                self.notes.append(
                    f"{candidate.name}: no time left for the final A/B ({needed:.0f} s "
                    "needed); raise optimize.budget_seconds"
                )
                continue
            found = self.ab(self.opener(candidate), seconds, 2, cost)
            speedup, interval = found.speedup, found.speedup_interval
            decided = found.segments >= DECIDING_SEGMENTS
            clear = decided and interval[0] > 1.0 and speedup >= self.settings.min_speedup
            reason = "" if clear else "the interval includes no speedup"
            if not decided:
                reason = (
                    f"undecided: only {found.segments} of {DECIDING_SEGMENTS} session pairs "
                    "fit in the time left; raise optimize.budget_seconds"
                )
            self.variants[candidate.index] = dataclasses.replace(
                self.variants[candidate.index],
                speedup=_round(speedup),
                speedup_ci=_pair(interval),
                status="faster" if clear else "not faster",
                reason=reason,
            )
            if clear and (best is None or speedup > best[0]):
                best = (speedup, candidate)
        if best is None:
            return None
        winner = best[1]
        self.variants[winner.index] = dataclasses.replace(
            self.variants[winner.index], status="recommended"
        )
        return winner


def _round(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(float(value), digits)


def _pair(pair: tuple[float, float]) -> tuple[float, float]:
    return (round(pair[0], 4), round(pair[1], 4))


def _explore(run: _Search) -> None:
    """The space in order: onnxruntime's cheap variants, the other runtimes' precision
    hints on the original, dynamic int8, NNCF int8, static int8 tuning, the rest."""
    plans, skipped = runtime_plans(run.chosen.runtimes, run.job.target)
    for name, reason in skipped.items():
        run.record(VariantResult(name, [], "skipped", reason))
    first, later = _space(run.model) if run.ort_variants else ([], [])
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


def _recipe_of(winner: _Candidate) -> list[dict[str, object]]:
    if winner.recipe is None:
        return [{"pass": name} for name in winner.passes]
    return [
        {"pass": p.name, **(dataclasses.asdict(p) if dataclasses.is_dataclass(p) else {})}
        for p in winner.recipe.passes
    ]


def _write_model(winner: _Candidate, out_dir: Path, stem: str) -> Path:
    """The winner's model file in `out_dir` (an OpenVINO IR with its weights file)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    destination = out_dir / _model_name(winner, stem)
    destination.write_bytes(winner.path.read_bytes())
    weights = winner.path.with_suffix(".bin")
    if winner.path.suffix == ".xml" and weights.is_file():
        destination.with_suffix(".bin").write_bytes(weights.read_bytes())
    return destination


def _model_name(winner: _Candidate, stem: str) -> str:
    """The winner's file name, as `mlgate optimize --out` writes it."""
    return f"{_slug(stem)}.{_slug(winner.name)}{winner.path.suffix}"


def _deployment(run: _Search, winner: _Candidate, model: str) -> Deployment:
    row = run.variants[winner.index]
    fidelity = {
        "cosine": row.cosine,
        "max_abs_diff": row.max_abs_diff,
        "top1_agreement": row.top1_agreement,
        "accuracy_change": row.accuracy_change,
    }
    return deployment(
        winner.runtime, winner.options, model, winner.passes,
        (row.speedup, row.speedup_ci), fidelity,
    )  # fmt: skip


def search(
    job: SearchInput,
    budget: Budget = Budget(),
    settings: SearchSettings = SearchSettings(),
    out_dir: Path | None = None,
) -> SearchOutcome:
    """Every candidate of the space, in order, within the time budget."""
    with tempfile.TemporaryDirectory(prefix="mlgate-optimize-") as tmp:
        run = _Search(job, budget, settings, Path(tmp))
        _explore(run)
        winner = run.finals()
        best_path = None
        if winner is not None and out_dir is not None:
            best_path = _write_model(winner, out_dir, job.path.stem)
        return SearchOutcome(
            variants=run.variants,
            recommended=winner.name if winner is not None else None,
            seconds=round(time.monotonic() - run.started, 2),
            not_tried=run.not_tried,
            notes=run.notes,
            best_path=best_path,
            recipe=_recipe_of(winner) if winner is not None else [],
            deployment=_deployment(run, winner, _model_name(winner, job.path.stem))
            if winner is not None
            else None,
        )


def _size(path: Path) -> int:
    """Bytes of a model file, with an OpenVINO IR's weights file."""
    weights = path.with_suffix(".bin")
    extra = weights.stat().st_size if path.suffix == ".xml" and weights.is_file() else 0
    return path.stat().st_size + extra


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)


def variant_file_name(original: Path, variant: str) -> str:
    """The recommended variant's file name: the original's stem and the variant's name."""
    return f"{_slug(original.stem)}.{_slug(variant)}.onnx"


def sweep_recipes(model: onnx.ModelProto) -> list[Recipe]:
    """The exhaustive space (for the sweep benchmark): every static setting, every recipe."""
    first, later = _space(model)
    statics = [
        static_recipe(model, StaticInt8(fmt, act, channel, method), pre)
        for fmt in ("qdq", "qoperator")
        for act in ("uint8", "int8")
        for channel in (True, False)
        for method in ("minmax", "entropy", "percentile")
        for pre in (True, False)
    ]
    return [*first, *statics, *later]

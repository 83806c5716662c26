"""The search's winner as a `Deployment`: how to run it, with what it measured.

The model file is the passes' output (onnxruntime's basic/extended levels at most: the
layout level and the full `ORT_ENABLE_ALL` graph rewrite for one CPU's instruction set and
must not persist); the session options carry the graph optimization level instead, so that
onnxruntime optimizes the shipped file for the CPU it lands on, as it did when measured."""

from __future__ import annotations

from pathlib import Path

import onnxruntime as ort

from mlgate.bench.runtimes.onnxruntime import session_settings
from mlgate.bench.session import Target
from mlgate.errors import ModelError
from mlgate.optimize.build import Recipe
from mlgate.optimize.pass_api import Pass
from mlgate.optimize.passes import REGISTRY
from mlgate.results.deployment import Deployment, OnnxRuntimeSettings, Precision
from mlgate.results.schema import VariantResult

RecipeStep = dict[str, str | int | float | bool]


def precision_of(passes: list[str]) -> Precision:
    """The numeric format the passes leave the weights in."""
    if any(name.startswith(("dynamic-", "static-", "nncf-")) for name in passes):
        return "int8"
    if "fp16" in passes:
        return "fp16"
    return "fp32"


def ort_deployment(variant: VariantResult, model_file: Path, target: Target) -> Deployment:
    """The onnxruntime deployment of the recommended variant, as it was measured."""
    fidelity = {
        "cosine": variant.cosine,
        "max_abs_diff": variant.max_abs_diff,
        "top1_agreement": variant.top1_agreement,
        "accuracy_change": variant.accuracy_change,
    }
    return Deployment(
        runtime="onnxruntime",
        runtime_version=ort.__version__,
        model=model_file.name,
        precision=precision_of(variant.passes),
        threads=target.threads,
        speedup=variant.speedup,
        speedup_ci=variant.speedup_ci,
        fidelity={k: v for k, v in fidelity.items() if v is not None},
        passes=list(variant.passes),
        onnxruntime=OnnxRuntimeSettings(list(target.providers), session_settings(target.threads)),
    )


def ort_original(model_file: Path, target: Target) -> Deployment:
    """The original model under the reference runtime, as the search timed it."""
    return Deployment(
        runtime="onnxruntime",
        runtime_version=ort.__version__,
        model=model_file.name,
        precision="fp32",
        threads=target.threads,
        speedup=1.0,
        onnxruntime=OnnxRuntimeSettings(list(target.providers), session_settings(target.threads)),
    )


def recipe_steps(recipe: Recipe) -> list[RecipeStep]:
    """A recipe as records: each pass's name and its parameters (for the cache, so that a
    later run can apply the same recipe to another model)."""
    steps: list[RecipeStep] = []
    for step in recipe.passes:
        fields = dict(vars(step)) if hasattr(step, "__dict__") else {}
        steps.append({"pass": step.name, **fields})
    return steps


def recipe_from(name: str, steps: list[RecipeStep]) -> Recipe:
    """The recipe the records describe: each pass rebuilt from the registry with its
    parameters, and checked to carry the recorded name."""
    passes: list[Pass] = []
    for step in steps:
        wanted = str(step.get("pass", ""))
        parameters = {k: v for k, v in step.items() if k not in ("pass", "name")}
        found = None
        for kind in REGISTRY.values():
            try:
                candidate = kind(**parameters)
            except TypeError:
                continue
            if candidate.name == wanted:
                found = candidate
                break
        if found is None:
            raise ModelError(f"recipe {name}: no registered pass makes {wanted!r}")
        passes.append(found)
    return Recipe(name, tuple(passes))

"""Candidates beyond onnxruntime's passes: runtime × precision × model variant.

onnxruntime, the reference, runs the variants the passes build (optimize/passes.py). Every
other runtime the target names runs the original ONNX file under each precision hint it
offers natively on this target, and OpenVINO also runs NNCF's post-training int8 model
(optimize/openvino_int8.py). A precision the target does not run natively is listed as
skipped with the reason; one that runs is measured, never assumed faster."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mlgate.bench.runtimes.base import LoadOptions, Runtime
from mlgate.bench.runtimes.registry import REFERENCE
from mlgate.bench.session import Target
from mlgate.results.deployment import (
    Deployment,
    OnnxRuntimeSettings,
    OpenVinoSettings,
    Precision,
)

HINTS: dict[str, tuple[Precision, ...]] = {"openvino": ("fp32", "bf16", "fp16")}
INT8_BUILDERS: dict[str, str] = {"openvino": "nncf-int8"}
ModelSource = Literal["original", "nncf-int8"]


@dataclass(frozen=True)
class RuntimePlan:
    """One candidate deployment of a runtime other than the reference."""

    name: str
    runtime: Runtime
    precision: Precision
    model: ModelSource = "original"

    @property
    def passes(self) -> list[str]:
        return [] if self.model == "original" else [self.model]


def runtime_plans(
    runtimes: list[Runtime], target: Target
) -> tuple[list[RuntimePlan], dict[str, str]]:
    """(the plans to try, in order; the plans left out with the reason)."""
    plans: list[RuntimePlan] = []
    skipped: dict[str, str] = {}
    for runtime in runtimes:
        if runtime.name == REFERENCE:
            continue
        for precision in HINTS.get(runtime.name, ("fp32",)):
            name = f"{runtime.name}-{precision}"
            reason = runtime.precision_available(target, precision)
            if reason is None:
                plans.append(RuntimePlan(name, runtime, precision))
            else:
                skipped[name] = reason
        builder = INT8_BUILDERS.get(runtime.name)
        if builder is not None:
            plans.append(RuntimePlan(f"{runtime.name}-{builder}", runtime, "int8", "nncf-int8"))
    return plans, skipped


def recipe_precision(pass_names: list[str]) -> Precision:
    """What a pass pipeline leaves the model in."""
    if any(name.startswith(("dynamic-", "static-")) for name in pass_names):
        return "int8"
    return "fp16" if "fp16" in pass_names else "fp32"


def deployment(
    runtime: Runtime,
    options: LoadOptions,
    model: str,
    passes: list[str],
    measured: tuple[float | None, tuple[float, float] | None],
    fidelity: dict[str, float | None],
) -> Deployment:
    """The record of a measured candidate: how to run `model` as it was measured."""
    settings = runtime.describe(options)
    return Deployment(
        runtime=runtime.name,
        runtime_version=runtime.version(),
        model=model,
        precision=options.precision,
        threads=options.threads,
        speedup=measured[0],
        speedup_ci=measured[1],
        fidelity=fidelity,
        passes=passes,
        onnxruntime=settings if isinstance(settings, OnnxRuntimeSettings) else None,
        openvino=settings if isinstance(settings, OpenVinoSettings) else None,
    )

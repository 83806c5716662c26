"""The interface every runtime implements, and the options a model is loaded with.

A runtime loads a model file with options (threads, the target's providers, an execution
precision hint) into a `Runner`: the calls the accuracy collector and the interleaved timer
make, whatever runs the model. `available` says at run time, in one line, why a runtime or
precision cannot run here (package missing, device absent, precision not native), so the
search can list what it skipped and why."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from mlgate.bench.session import InputSpec, Target
from mlgate.results.deployment import (
    OnnxRuntimeSettings,
    OpenVinoSettings,
    Precision,
    RuntimeName,
)

GPU_PROVIDERS = ("CUDAExecutionProvider", "TensorrtExecutionProvider", "ROCMExecutionProvider",
                 "DmlExecutionProvider")  # fmt: skip
BF16_FLAGS = ("amx_bf16", "avx512_bf16")
FP16_FLAGS = ("amx_fp16", "avx512_fp16")


@dataclass(frozen=True)
class LoadOptions:
    """How to load a model: the target's threads and providers, and the precision to execute
    float layers in (`fp32`, `bf16`, `fp16`: a hint OpenVINO honours; onnxruntime runs
    what the model file holds, so it takes only `fp32`)."""

    threads: int
    providers: tuple[str, ...] = ("CPUExecutionProvider",)
    precision: Precision = "fp32"

    @classmethod
    def for_target(cls, target: Target, precision: Precision = "fp32") -> LoadOptions:
        return cls(target.threads, tuple(target.providers), precision)


class Runner(Protocol):
    """One loaded model: what `collect_outputs` and the interleaved timer call."""

    display: str
    inputs: list[InputSpec]
    output_names: list[str]

    def run(self, feeds: dict[str, np.ndarray], hint: str = ...) -> list[Any]: ...

    def runner(self, feeds: dict[str, np.ndarray]) -> Callable[[], Any]: ...


class Runtime(Protocol):
    @property
    def name(self) -> RuntimeName: ...

    def version(self) -> str: ...

    def available(self, target: Target) -> str | None:
        """None when the runtime can run models for this target here; else why not."""

    def precision_available(self, target: Target, precision: Precision) -> str | None:
        """None when `precision` runs natively on this target; else why not, one line."""

    def load(self, path: Path, options: LoadOptions, display: str) -> Runner: ...

    def describe(self, options: LoadOptions) -> OnnxRuntimeSettings | OpenVinoSettings:
        """The settings `load` uses, as a deployment records them."""

    def profile(
        self, path: Path, options: LoadOptions, feeds: dict[str, np.ndarray], runs: int
    ) -> dict[str, float]:
        """Milliseconds per run by op type (the runtime's own op names), from its profiler."""


@functools.cache
def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str] | None:
    """The CPU's feature flags (Linux); None when they cannot be read."""
    try:
        text = cpuinfo.read_text(errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("flags") and ":" in line:
            return frozenset(line.split(":", 1)[1].split())
    return None


def native_cpu_precision(
    precision: Precision, flags: frozenset[str] | None, capabilities: list[str]
) -> str | None:
    """None when `precision` runs natively on this CPU; else the one-line reason. The CPU's
    flags decide where they can be read; elsewhere the runtime's own capability list."""
    if precision in ("fp32", "int8"):
        return None
    wanted = BF16_FLAGS if precision == "bf16" else FP16_FLAGS
    if flags is not None:
        if flags & set(wanted):
            return None
        return (
            f"{precision} not native on this CPU (no {'/'.join(wanted)} in /proc/cpuinfo "
            "flags): OpenVINO would emulate it or run fp32 instead"
        )
    if precision.upper() in capabilities:
        return None
    return f"{precision} not native on this CPU (the runtime reports {', '.join(capabilities)})"

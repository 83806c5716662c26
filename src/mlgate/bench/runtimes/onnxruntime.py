"""onnxruntime as a runtime: the reference every deployment is measured against. Sessions
come from bench/session.py (full graph optimization, pinned threads, no spinning); the
providers are the target's (CPU today; CUDA or TensorRT on GPU targets)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mlgate.bench.runtimes.base import LoadOptions, Runner
from mlgate.bench.session import Target
from mlgate.results.deployment import OnnxRuntimeSettings, Precision, RuntimeName


def session_settings(threads: int) -> dict[str, str | int | float | bool]:
    """What `bench.session.session_options` sets, as deployment.json records it:
    `onnxruntime.SessionOptions` attributes and session config entries."""
    return {
        "graph_optimization_level": "ORT_ENABLE_ALL",
        "intra_op_num_threads": threads,
        "inter_op_num_threads": 1,
        "execution_mode": "ORT_SEQUENTIAL",
        "session.intra_op.allow_spinning": "0",
        "session.inter_op.allow_spinning": "0",
    }


@dataclass(frozen=True)
class OnnxRuntime:
    package: str = "onnxruntime"

    @property
    def name(self) -> RuntimeName:
        return "onnxruntime"

    def version(self) -> str:
        version: str = importlib.import_module(self.package).__version__
        return version

    def available(self, target: Target) -> str | None:
        try:
            module = importlib.import_module(self.package)
        except ImportError as exc:
            return f"the {self.package} package cannot be imported ({exc})"
        installed = list(module.get_available_providers())
        missing = [p for p in target.providers if p not in installed]
        if missing:
            return (
                f"this onnxruntime {module.__version__} lacks {', '.join(missing)} (it has "
                f"{', '.join(installed)})"
            )
        return None

    def precision_available(self, target: Target, precision: Precision) -> str | None:
        if precision == "fp32":
            return None
        return (
            f"onnxruntime runs the precision the model file holds: {precision} comes from a "
            "conversion pass, not a hint"
        )

    def load(self, path: Path, options: LoadOptions, display: str) -> Runner:
        from mlgate.bench.session import open_session

        target = Target("runtime", options.providers, options.threads)
        return open_session(path, target, display)

    def profile(
        self, path: Path, options: LoadOptions, feeds: dict[str, np.ndarray], runs: int
    ) -> dict[str, float]:
        from mlgate.bench.op_profile import op_times

        return op_times(path, Target("runtime", options.providers, options.threads), feeds, runs)

    def describe(self, options: LoadOptions) -> OnnxRuntimeSettings:
        """What bench/session.py sets, as `onnxruntime.SessionOptions` attributes and
        session config entries."""
        return OnnxRuntimeSettings(
            providers=list(options.providers),
            session_options=session_settings(options.threads),
        )

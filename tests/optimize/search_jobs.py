"""The search job the optimizer's tests share: a small CNN on the CPU."""

from __future__ import annotations

from pathlib import Path

from mlgate.bench.session import Target
from mlgate.optimize.search_job import SearchInput

CPU = Target("cpu", ("CPUExecutionProvider",), 1)


def cnn_job(path: Path, runtimes: tuple[str, ...] | None) -> SearchInput:
    return SearchInput(path, "cnn.onnx", CPU, None, "fidelity", None, None,
                       {"image": [2, 3, 32, 32]}, runtimes)  # fmt: skip

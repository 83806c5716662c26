"""Targets, load options and inputs shared by the runtime tests."""

from __future__ import annotations

import numpy as np

from mlgate.bench.runtimes.base import LoadOptions
from mlgate.bench.session import Target

CPU = Target("cpu", ("CPUExecutionProvider",), 1)
GPU = Target("gpu", ("CUDAExecutionProvider", "CPUExecutionProvider"), 1)
ONE_THREAD = LoadOptions(threads=1)


def image(batch: int = 2, side: int = 16) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {"image": rng.standard_normal((batch, 3, side, side)).astype(np.float32)}

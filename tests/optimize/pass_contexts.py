"""Pass contexts the pass and build tests share: the CPU, with or without calibration."""

from __future__ import annotations

import numpy as np

from mlgate.optimize.pass_api import PassContext

CPU = PassContext(("CPUExecutionProvider",))


def calibration(n: int = 8) -> PassContext:
    rng = np.random.default_rng(0)
    feeds = [{"image": rng.standard_normal((1, 3, 16, 16)).astype(np.float32)} for _ in range(n)]
    return PassContext(("CPUExecutionProvider",), feeds)

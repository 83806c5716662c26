"""Peak memory of session creation and inference, each model in a fresh child process."""

from __future__ import annotations

import numpy as np

from mlgate.bench.memory import MemoryProfile, measure_memory
from mlgate.bench.session import Target
from tests.model_builders import matmul_chain, save

CPU = Target("cpu", ("CPUExecutionProvider",), 1)


def test_a_model_is_profiled_and_a_broken_one_is_a_reason(tmp_path):
    model = save(matmul_chain(layers=2, width=256), tmp_path / "m.onnx")
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    feeds = {"x": np.ones((4, 256), np.float32)}
    good, bad = measure_memory([(model, feeds), (broken, feeds)], CPU)
    assert isinstance(good, MemoryProfile)
    assert good.method in {"vmhwm", "ru_maxrss"}
    # the two 256x256 float weights are in the session: at least their 512 KiB
    assert good.session_bytes >= 2 * 256 * 256 * 4
    assert good.peak_bytes >= good.session_bytes
    assert isinstance(bad, str)
    assert bad.startswith("memory probe failed: onnxruntime cannot load")

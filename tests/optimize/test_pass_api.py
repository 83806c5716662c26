"""The pass interface's shared parts: the context a pass gets, and the model file I/O."""

from __future__ import annotations

import onnx

from mlgate.optimize.pass_api import GPU_PROVIDERS, PassContext, load_model, save_model
from tests import model_builders as mb


def test_the_default_context_is_the_cpu_without_calibration_data():
    context = PassContext()
    assert context.providers == ("CPUExecutionProvider",)
    assert list(context.calibration) == []
    assert "CPUExecutionProvider" not in GPU_PROVIDERS
    assert "CUDAExecutionProvider" in GPU_PROVIDERS


def test_a_saved_model_loads_back_the_same(tmp_path):
    model = mb.matmul_chain(layers=2, width=8)
    path = tmp_path / "m.onnx"
    save_model(model, path)
    assert not list(tmp_path.glob("*.data"))  # small models stay in one file
    loaded = load_model(path)
    assert loaded.SerializeToString() == model.SerializeToString()
    onnx.checker.check_model(loaded)

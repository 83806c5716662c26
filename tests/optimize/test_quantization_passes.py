"""Quantization passes say why they cannot apply, before any work."""

from __future__ import annotations

import onnx

from mlgate.optimize.graph_passes import Float16, OnnxOptimizer
from mlgate.optimize.pass_api import PassContext
from mlgate.optimize.quantization_passes import DynamicInt8, StaticInt8
from tests import model_builders as mb

CPU = PassContext(("CPUExecutionProvider",))


def test_quantizers_say_why_they_cannot_apply(tmp_path):
    forest, _ = mb.sklearn_models(tmp_path)["sklearn-forest"]
    tree = onnx.load(str(forest))
    assert "only ai.onnx.ml ops" in DynamicInt8().supports(tree, CPU)
    assert "only ai.onnx.ml ops" in OnnxOptimizer().supports(tree, CPU)
    lstm = mb.lstm_with_if()
    reason = DynamicInt8().supports(lstm, CPU) or ""
    assert "LSTM" not in reason or "If/Loop" in reason  # LSTM in the main graph: quantizable
    quantized_path = tmp_path / "q.onnx"
    DynamicInt8().apply(mb.save(mb.matmul_chain(), tmp_path / "m.onnx"), quantized_path, CPU)
    assert DynamicInt8().supports(onnx.load(str(quantized_path)), CPU) == (
        "the model is already quantized"
    )
    assert StaticInt8().supports(mb.cnn(), CPU) == "no calibration inputs"
    assert "CPU execution provider" in Float16().supports(mb.cnn(), CPU)
    gpu = PassContext(("CUDAExecutionProvider", "CPUExecutionProvider"))
    assert Float16().supports(mb.cnn(), gpu) is None

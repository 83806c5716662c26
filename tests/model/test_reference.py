"""The calibration reference model: a real MatMul + Relu chain onnxruntime runs."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort

from mlgate.model.reference import IR_VERSION, write_reference_model


def test_the_reference_model_runs_and_is_a_relu_chain(tmp_path):
    path = write_reference_model(tmp_path / "ref.onnx", layers=3, width=8)
    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    assert model.ir_version == IR_VERSION
    assert [n.op_type for n in model.graph.node] == ["MatMul", "Relu"] * 3
    assert len(model.graph.initializer) == 3
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (y,) = session.run(None, {"x": np.ones((1, 8), np.float32)})
    assert y.shape == (1, 8)
    assert (y >= 0).all()


def test_distinct_weights_repeat_the_same_matrices(tmp_path):
    path = write_reference_model(tmp_path / "ref.onnx", layers=5, width=4, distinct_weights=2)
    model = onnx.load(str(path))
    assert sorted(i.name for i in model.graph.initializer) == ["w0", "w1"]
    weights = [n.input[1] for n in model.graph.node if n.op_type == "MatMul"]
    assert weights == ["w0", "w1", "w0", "w1", "w0"]
    ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])

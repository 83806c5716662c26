"""A reference model for calibration when the user names none: a chain of MatMul + Relu
layers (real compute, about a millisecond on one core of a typical CI runner)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

WIDTH = 512
LAYERS = 24
IR_VERSION = 8  # readable by every supported onnxruntime


def write_reference_model(
    path: Path, layers: int = LAYERS, width: int = WIDTH, distinct_weights: int | None = None
) -> Path:
    """`layers` x (MatMul + Relu). With `distinct_weights`, the layers cycle through that many
    matrices: extra layers then add the very same work without adding weight memory."""
    rng = np.random.default_rng(0)
    count = min(layers, distinct_weights or layers)
    weights = [
        numpy_helper.from_array(
            (rng.standard_normal((width, width)) / np.sqrt(width)).astype(np.float32), f"w{i}"
        )
        for i in range(count)
    ]
    nodes, current = [], "x"
    for i in range(layers):
        out = "y" if i == layers - 1 else f"h{i}"
        nodes.append(helper.make_node("MatMul", [current, f"w{i % count}"], [f"m{i}"]))
        nodes.append(helper.make_node("Relu", [f"m{i}"], [out]))
        current = out
    graph = helper.make_graph(
        nodes,
        "mlgate-reference",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, width])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, width])],
        weights,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = IR_VERSION
    onnx.save_model(model, str(path))
    return path

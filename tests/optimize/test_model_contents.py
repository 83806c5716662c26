"""What a model contains: NN ops out of the quantizer's reach are seen before it runs."""

from __future__ import annotations

import numpy as np
import onnx

from mlgate.optimize.model_contents import effect
from mlgate.optimize.pass_api import PassContext
from mlgate.optimize.quantization_passes import DynamicInt8
from tests import model_builders as mb

CPU = PassContext(("CPUExecutionProvider",))


def test_quantization_inside_an_if_body_is_refused_before_it_silently_does_nothing():
    from onnx import TensorProto, helper

    weight = helper.make_tensor("w", TensorProto.FLOAT, [4, 4], np.eye(4, dtype=np.float32).ravel())
    body = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y_then"])],
        "then",
        [],
        [helper.make_tensor_value_info("y_then", TensorProto.FLOAT, [1, 4])],
        [weight],
    )
    other = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y_else"])],
        "else",
        [],
        [helper.make_tensor_value_info("y_else", TensorProto.FLOAT, [1, 4])],
    )
    graph = helper.make_graph(
        [helper.make_node("If", ["flag"], ["y"], then_branch=body, else_branch=other)],
        "gated",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4]),
            helper.make_tensor_value_info("flag", TensorProto.BOOL, []),
        ],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
    )
    model = mb.finish(graph)
    assert "If/Loop bodies" in DynamicInt8().supports(model, CPU)


def test_a_change_of_weight_types_alone_is_an_effect():
    before = mb.cnn()
    after = mb.cnn()
    after.graph.initializer[0].data_type = onnx.TensorProto.FLOAT16
    assert effect(before, after) is None
    assert effect(before, mb.cnn()) == "the pass left the graph unchanged (a silent no-op)"

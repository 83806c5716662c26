"""Shapes that onnx inference cannot know are read from a run of the model."""

from __future__ import annotations

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from mlgate.bench.shape_probe import probe_shapes
from mlgate.model.profile import compute_profile, profile_model
from tests import model_builders as mb


def runtime_reshape_model():
    """x[N, 32] -> Reshape to a shape computed through float arithmetic (opaque to onnx data
    propagation) -> MatMul with W[32, 16]."""
    rng = np.random.default_rng(0)
    inits = [
        numpy_helper.from_array(rng.standard_normal((32, 16)).astype(np.float32), "w"),
        numpy_helper.from_array(np.array(1.0, np.float32), "one"),
    ]
    nodes = [
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("Cast", ["s"], ["sf"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["sf", "one"], ["sm"]),
        helper.make_node("Cast", ["sm"], ["si"], to=TensorProto.INT64),
        helper.make_node("Reshape", ["x", "si"], ["r"]),
        helper.make_node("MatMul", ["r", "w"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "opaque",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 32])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        inits,
    )
    return mb.finish(graph)


def test_a_runtime_reshape_is_counted_with_the_probe_and_uncounted_without():
    model = runtime_reshape_model()
    weight_bytes = profile_model(model).weight_bytes
    static = compute_profile(model, {"x": [3, 32]}, weight_bytes)
    assert static.macs.total == 0
    assert [u.op_type for u in static.macs.uncounted] == ["MatMul"]
    probed = compute_profile(model, {"x": [3, 32]}, weight_bytes, probe_shapes)
    assert probed.macs.by_op == {"MatMul": {"float32": 3 * 32 * 16}}
    assert probed.macs.uncounted == []
    assert "taken from a run" in probed.note


def test_a_model_that_will_not_run_keeps_the_static_shapes():
    model = runtime_reshape_model()
    model.graph.node[4].input[1] = "nowhere"  # an input no node produces
    assert probe_shapes(model, {"x": [3, 32]}, ["r"]) == {}

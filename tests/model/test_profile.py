"""A model's static profile (parameters, bytes by dtype, ops, opsets, signature), the compute
profile of one inference in its results-document form, and the index bounds synthetic token
ids must stay under. Real models from tests/model_builders.py."""

from __future__ import annotations

import numpy as np
from onnx import TensorProto

from mlgate.model.profile import (
    compute_info,
    compute_profile,
    index_bounds,
    itemsize,
    profile_model,
)
from tests import model_builders as mb


def test_the_static_profile_of_a_matmul_chain():
    profile = profile_model(mb.matmul_chain(layers=3, width=8))
    assert profile.params == 3 * 8 * 8
    assert profile.bytes_by_dtype == {"float": 3 * 8 * 8 * 4}
    assert profile.weight_bytes == 3 * 8 * 8 * 4
    assert profile.op_counts == {"MatMul": 3, "Relu": 3}
    assert "ai.onnx" in profile.opsets
    assert [s.name for s in profile.inputs] == ["x"]
    assert [s.name for s in profile.outputs] == ["y"]


def test_itemsize_of_onnx_element_types():
    assert itemsize(TensorProto.FLOAT) == 4
    assert itemsize(TensorProto.FLOAT16) == 2
    assert itemsize(TensorProto.INT8) == 1
    assert itemsize(TensorProto.INT64) == np.dtype(np.int64).itemsize


def test_the_compute_profile_counts_macs_and_moves_bytes():
    model = mb.matmul_chain(layers=2, width=8)
    profile = compute_profile(model, {"x": [4, 8]}, profile_model(model).weight_bytes)
    assert profile.macs.total == 2 * 4 * 8 * 8
    assert profile.input_shapes == {"x": [4, 8]}
    assert profile.activation_bytes > 0
    assert profile.unsized_tensors == 0
    assert profile.energy.joules > 0
    assert profile.note == ""
    info = compute_info(profile)
    assert info.macs == profile.macs.total
    assert info.energy_proxy.joules == profile.energy.joules
    assert info.uncounted_total == 0


def test_a_guard_sees_the_inferred_shapes_before_counting():
    model = mb.matmul_chain(layers=1, width=8)
    seen: list[int] = []
    compute_profile(model, {"x": [2, 8]}, 0, guard=lambda shapes: seen.append(len(shapes)))
    assert seen
    assert seen[0] >= 3  # the input, the weights, the output


def test_index_bounds_follow_casts_to_the_embedding():
    assert index_bounds(mb.transformer_block(vocab=50)) == {"input_ids": 50}
    assert index_bounds(mb.cnn()) == {}

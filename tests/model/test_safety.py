"""Refusals before anything is allocated: custom op domains and declared or computed tensors
larger than the memory limit."""

from __future__ import annotations

import pytest
from onnx import TensorProto, helper

from mlgate.errors import ModelError
from mlgate.model.safety import check_activation_memory, check_declared_memory, check_domains
from mlgate.model.shapes import TensorShape
from mlgate.results.schema import TensorSpec
from tests.model_builders import finish, lstm_with_if

MB = 1024 * 1024


def _custom_in_subgraph():
    body = helper.make_graph(
        [helper.make_node("Secret", ["a"], ["b"], domain="evil.ops")],
        "body",
        [],
        [helper.make_tensor_value_info("b", TensorProto.FLOAT, None)],
    )
    graph = helper.make_graph(
        [
            helper.make_node("If", ["flag"], ["y"], then_branch=body, else_branch=body),
            helper.make_node("Other", ["y"], ["z"], domain="zz.ops"),
        ],
        "g",
        [helper.make_tensor_value_info("flag", TensorProto.BOOL, [])],
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, None)],
    )
    return finish(graph, {"": 17, "evil.ops": 1, "zz.ops": 1})


def test_standard_domains_pass():
    check_domains(lstm_with_if(), "m.onnx")


def test_a_custom_domain_even_in_a_subgraph_is_refused_with_the_fix():
    with pytest.raises(ModelError, match=r"m\.onnx uses custom op domain 'evil\.ops' \(Secret\)"):
        check_domains(_custom_in_subgraph(), "m.onnx")


def test_allowed_domains_are_accepted():
    check_domains(_custom_in_subgraph(), "m.onnx", allowed=["evil.ops", "zz.ops"])
    with pytest.raises(ModelError, match=r"'zz\.ops'"):
        check_domains(_custom_in_subgraph(), "m.onnx", allowed=["evil.ops"])


def test_declared_inputs_over_the_limit_are_refused_naming_the_biggest():
    inputs = [TensorSpec("ids", "int64", ["N", 16]), TensorSpec("x", "float", ["N", 1024])]
    shapes = {"ids": [1, 16], "x": [1024, 1024]}  # 4 MiB of float + 128 bytes
    check_declared_memory("m.onnx", 0, inputs, shapes, memory_mb=5)
    with pytest.raises(ModelError, match=r"declares 5 MB.*input 'x' \[1024, 1024\]"):
        check_declared_memory("m.onnx", MB, inputs, shapes, memory_mb=4)


def test_unknown_dtypes_count_eight_bytes_and_no_limit_checks_nothing():
    inputs = [TensorSpec("x", "mystery", ["N"])]
    with pytest.raises(ModelError, match=r"over limits\.memory_mb"):
        check_declared_memory("m.onnx", 0, inputs, {"x": [MB // 8 + 1]}, memory_mb=1)
    check_declared_memory("m.onnx", 0, inputs, {"x": [MB // 8]}, memory_mb=1)
    check_declared_memory("m.onnx", 10**12, inputs, {"x": [10**9]}, memory_mb=0)


def test_a_computed_tensor_too_big_for_the_limit_is_refused():
    shapes = {
        "x": TensorShape(TensorProto.FLOAT, (10**6,)),  # an input: skipped
        "big": TensorShape(TensorProto.FLOAT, (1024, 1024)),
        "unsized": TensorShape(TensorProto.FLOAT, None),
        "small": TensorShape(TensorProto.INT8, (10,)),
    }
    check_activation_memory("m.onnx", 0, shapes, skip=["x"], memory_mb=4)
    with pytest.raises(ModelError, match=r"tensor 'big' \[1024, 1024\] would take 4 MB"):
        check_activation_memory("m.onnx", MB, shapes, skip=["x"], memory_mb=4)


def test_nothing_sized_or_no_limit_checks_nothing():
    unsized = {"y": TensorShape(TensorProto.FLOAT, None)}
    check_activation_memory("m.onnx", 10**12, unsized, skip=[], memory_mb=1)
    huge = {"y": TensorShape(TensorProto.FLOAT, (10**9,))}
    check_activation_memory("m.onnx", 0, huge, skip=[], memory_mb=0)

"""MAC formulas per op type on known shapes (count_macs on whole models is test_macs.py):
each formula's count is worked out by hand, and each refusal says why."""

from __future__ import annotations

import pytest
from onnx import TensorProto, helper

from mlgate.model.mac_formulas import HANDLERS, OperandGraph, Uncountable, dtype_class
from mlgate.model.shapes import TensorShape

F = TensorProto.FLOAT


def count(domain, op, inputs, attrs=None, outputs=None, producers=(), **shapes):
    """Run the handler for `domain::op` on a node over `inputs` with the given shapes."""
    node = helper.make_node(op, inputs, list(outputs or ["out"]), domain=domain, **(attrs or {}))
    graph = helper.make_graph([*producers, node], "g", [], [])
    known = {
        name: value if isinstance(value, TensorShape) else TensorShape(F, tuple(value))
        for name, value in shapes.items()
    }
    return HANDLERS[(domain, op)](node, OperandGraph(graph, known))


def test_dtype_classes_ignore_signedness_and_group_float8():
    assert dtype_class(TensorProto.UINT8) == "int8"
    assert dtype_class(TensorProto.FLOAT8E4M3FN) == "float8"
    assert dtype_class(TensorProto.BFLOAT16) == "bfloat16"
    assert dtype_class(TensorProto.STRING) == "string"
    assert dtype_class(0) == "undefined"


def test_fused_matmul_transposes_before_multiplying():
    macs = count("com.microsoft", "FusedMatMul", ["a", "b"], {"transA": 1, "transB": 1},
                 a=(2, 5, 3), b=(7, 5))  # fmt: skip
    assert macs == ("float32", 2 * 3 * 5 * 7)


def test_gemm_needs_two_dimensional_operands():
    assert count("", "Gemm", ["a", "b"], {"transA": 1}, a=(5, 7), b=(5, 3)) == ("float32", 105)
    with pytest.raises(Uncountable, match="not 2-D"):
        count("", "Gemm", ["a", "b"], a=(2, 5, 7), b=(7, 3))


def test_matmul_broadcasts_promotes_vectors_and_checks_inner_dims():
    assert count("", "MatMul", ["a", "b"], a=(4,), b=(3, 4, 5)) == ("float32", 3 * 4 * 5)
    assert count("", "MatMul", ["a", "b"], a=(2, 3, 4), b=(4,)) == ("float32", 2 * 3 * 4)
    with pytest.raises(Uncountable, match=r"inner dimensions differ \(4 vs 5\)"):
        count("", "MatMul", ["a", "b"], a=(3, 4), b=(5, 6))
    with pytest.raises(Uncountable, match="scalar operand"):
        count("", "MatMul", ["a", "b"], a=(), b=(5, 6))


def test_a_missing_or_unknown_operand_is_uncountable():
    with pytest.raises(Uncountable, match="input 1 missing"):
        count("", "MatMul", ["a", ""], a=(3, 4))
    with pytest.raises(Uncountable, match="shape of 'b' unknown"):
        count("", "MatMul", ["a", "b"], a=(3, 4), b=TensorShape(F, None))


def test_recurrent_ops_need_a_three_dimensional_input():
    assert count("", "GRU", ["x", "w", "r"], x=(5, 2, 4), w=(1, 24, 4), r=(1, 24, 8)) == (
        "float32",
        10 * (96 + 192),
    )
    with pytest.raises(Uncountable, match="not 3-D"):
        count("", "GRU", ["x", "w", "r"], x=(5, 4), w=(1, 24, 4), r=(1, 24, 8))


def test_einsum_with_an_ellipsis_and_its_refusals():
    eq = {"equation": "...ij,...jk->...ik"}
    assert count("", "Einsum", ["a", "b"], eq, a=(6, 2, 3), b=(6, 3, 4)) == (
        "float32",
        6 * 2 * 3 * 4,
    )
    with pytest.raises(Uncountable, match="two or more operands"):
        count("", "Einsum", ["a"], {"equation": "ij->ji"}, a=(2, 3))
    with pytest.raises(Uncountable, match="does not match the operand ranks"):
        count("", "Einsum", ["a", "b"], {"equation": "ij,jk->ik"}, a=(2, 3, 4), b=(3, 4))


def test_contrib_attention_counts_projection_scores_and_context():
    expected = 2 * 10 * 16 * 48 + 2 * 10 * 10 * 16 * 2
    assert count("com.microsoft", "Attention", ["x", "w"], x=(2, 10, 16), w=(16, 48)) == (
        "float32",
        expected,
    )
    sizes = {"qkv_hidden_sizes": [16, 16, 8]}
    assert count("com.microsoft", "Attention", ["x", "w"], sizes, x=(1, 4, 16), w=(16, 40)) == (
        "float32",
        4 * 16 * 40 + 4 * 4 * 16 + 4 * 4 * 8,
    )
    with pytest.raises(Uncountable, match="Q and K hidden sizes differ"):
        count("com.microsoft", "Attention", ["x", "w"], {"qkv_hidden_sizes": [16, 8, 8]},
              x=(1, 4, 16), w=(16, 32))  # fmt: skip
    with pytest.raises(Uncountable, match="expects input"):
        count("com.microsoft", "Attention", ["x", "w"], x=(4, 16), w=(16, 48))


def test_multi_head_attention_and_its_packed_layouts():
    macs = count("com.microsoft", "MultiHeadAttention", ["q", "k", "v"],
                 q=(2, 5, 16), k=(2, 7, 16), v=(2, 7, 8))  # fmt: skip
    assert macs == ("float32", 2 * 5 * 7 * (16 + 8))
    with pytest.raises(Uncountable, match="packed or 4-D"):
        count("com.microsoft", "MultiHeadAttention", ["q", "k", "v"],
              q=(2, 5, 16), k=(2, 2, 7, 8), v=(2, 2, 7, 8))  # fmt: skip


def test_onnx_attention_three_dimensional_needs_head_counts():
    heads = {"q_num_heads": 4, "kv_num_heads": 2}
    macs = count("", "Attention", ["q", "k", "v"], heads, q=(2, 5, 32), k=(2, 7, 16), v=(2, 7, 12))
    assert macs == ("float32", 2 * 5 * 7 * (32 + 4 * 6))
    with pytest.raises(Uncountable, match="without q_num_heads"):
        count("", "Attention", ["q", "k", "v"], q=(2, 5, 32), k=(2, 7, 16), v=(2, 7, 12))
    with pytest.raises(Uncountable, match="ranks differ"):
        count("", "Attention", ["q", "k", "v"], q=(2, 5, 32), k=(2, 1, 7, 16), v=(2, 7, 12))


def test_matmul_nbits_counts_at_its_bit_width():
    attrs = {"K": 64, "N": 32, "bits": 4}
    assert count("com.microsoft", "MatMulNBits", ["a"], attrs, a=(3, 5, 64)) == (
        "int4",
        15 * 64 * 32,
    )
    with pytest.raises(Uncountable, match="K or N attribute missing"):
        count("com.microsoft", "MatMulNBits", ["a"], {"N": 32}, a=(3, 64))


def test_linear_and_svm_ml_models():
    coefficients = {"coefficients": [0.5] * 12}
    assert count("ai.onnx.ml", "LinearClassifier", ["x"], coefficients, x=(5, 4)) == (
        "float32",
        60,
    )
    assert count("ai.onnx.ml", "SVMRegressor", ["x"], coefficients, x=(7,)) == ("float32", 12)
    kernel = {"support_vectors": [1.0] * 20, "coefficients": [1.0] * 5}
    assert count("ai.onnx.ml", "SVMClassifier", ["x"], kernel, x=(3, 4)) == ("float32", 75)


def test_integer_operands_make_integer_macs_through_reshapes():
    producers = [
        helper.make_node("DequantizeLinear", ["wq", "s"], ["wd"]),
        helper.make_node("Transpose", ["wd"], ["w"]),
    ]
    macs = count(
        "", "MatMul", ["a", "w"], producers=producers,
        a=(2, 4), w=(4, 3), wq=TensorShape(TensorProto.INT8, (3, 4)),
    )  # fmt: skip
    assert macs == ("int8", 24)
    lost = helper.make_node("DequantizeLinear", ["gone", "s"], ["w"])
    graph = OperandGraph(helper.make_graph([lost], "g", [], []), {})
    assert graph.stored_dtype("w") == "unknown"  # dequantized from a tensor of unknown type
    assert graph.stored_dtype("x") == "unknown"


def test_a_long_pass_through_chain_stops_looking():
    chain = [helper.make_node("Identity", [f"t{i + 1}"], [f"t{i}"]) for i in range(20)]
    shapes = {f"t{i}": TensorShape(TensorProto.INT8, (4, 3)) for i in range(21)}
    macs = count("", "MatMul", ["a", "t0"], producers=chain, a=(2, 4), **shapes)
    assert macs == ("int8", 24)

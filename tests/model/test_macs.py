"""MAC counts: exact on hand-checkable models, each checked against an independent count
taken while a numpy re-implementation of the model runs (and matches onnxruntime)."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime
import pytest
from onnx import TensorProto, helper, numpy_helper

from mlgate.model.macs import count_macs
from mlgate.model.profile import compute_profile, profile_model
from mlgate.model.shapes import infer_tensor_shapes
from tests import model_builders as mb


class Counter:
    """numpy matmul that counts the multiply-accumulates it performs."""

    def __init__(self) -> None:
        self.macs = 0

    def matmul(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        out = a @ b
        self.macs += out.size * a.shape[-1]
        return out


def macs_of(model: onnx.ModelProto, shapes: dict[str, list[int]]):
    inferred, problem = infer_tensor_shapes(model, shapes)
    assert problem == ""
    return count_macs(model, inferred)


def ort_run(model: onnx.ModelProto, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
    session = onnxruntime.InferenceSession(
        model.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, feeds)


def weights(model: onnx.ModelProto) -> dict[str, np.ndarray]:
    return {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}


def test_mlp_matches_a_counted_numpy_forward_pass():
    model = mb.matmul_chain(layers=3, width=32, seed=1)
    x = np.random.default_rng(0).standard_normal((5, 32)).astype(np.float32)
    w, counter, h = weights(model), Counter(), x
    for i in range(3):
        h = np.maximum(counter.matmul(h, w[f"w{i}"]), 0)
    np.testing.assert_allclose(h, ort_run(model, {"x": x})[0], rtol=1e-4, atol=1e-5)
    counted = macs_of(model, {"x": [5, 32]})
    assert counted.by_op == {"MatMul": {"float32": counter.macs}}
    assert counter.macs == 3 * 5 * 32 * 32
    assert counted.uncounted == []


def naive_conv_macs(x_shape, w_shape, pads, strides, group=1) -> int:
    """Walk every output position and kernel tap of a direct convolution, padding included."""
    n, c_in, height, width = x_shape
    c_out, c_per_group, kh, kw = w_shape
    out_h = (height + pads[0] + pads[2] - kh) // strides[0] + 1
    out_w = (width + pads[1] + pads[3] - kw) // strides[1] + 1
    macs = 0
    for _batch in range(n):
        for _oc in range(c_out):
            for _oy in range(out_h):
                for _ox in range(out_w):
                    for _ic in range(c_per_group):
                        for _ky in range(kh):
                            for _kx in range(kw):
                                macs += 1
    assert c_per_group * group == c_in
    return macs


def test_cnn_convs_match_a_direct_convolution_walk():
    model = mb.cnn()
    counted = macs_of(model, {"image": [2, 3, 12, 12]})
    conv1 = naive_conv_macs((2, 3, 12, 12), (8, 3, 3, 3), (1, 1, 1, 1), (1, 1))
    conv2 = naive_conv_macs((2, 8, 6, 6), (16, 8, 3, 3), (1, 1, 1, 1), (1, 1))
    assert counted.by_op == {"Conv": {"float32": conv1 + conv2}, "Gemm": {"float32": 2 * 16 * 10}}


def test_grouped_strided_conv_and_conv_transpose():
    w = numpy_helper.from_array(np.ones((6, 2, 3, 3), np.float32), "w")
    wt = numpy_helper.from_array(np.ones((6, 4, 2, 2), np.float32), "wt")
    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["x", "w"], ["c"], group=3, strides=[2, 2], pads=[1, 1, 1, 1]),
            helper.make_node("ConvTranspose", ["c", "wt"], ["y"], strides=[2, 2]),
        ],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 6, 9, 9])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [w, wt],
    )
    counted = macs_of(mb.finish(graph), {"x": [1, 6, 9, 9]})
    conv = naive_conv_macs((1, 6, 9, 9), (6, 2, 3, 3), (1, 1, 1, 1), (2, 2), group=3)
    # Transposed: every input element (1x6x5x5) scatters into 4 output channels x 2x2 taps.
    assert counted.by_op == {
        "Conv": {"float32": conv},
        "ConvTranspose": {"float32": 6 * 5 * 5 * 4 * 2 * 2},
    }


def numpy_lstm(x, w, r, h0, counter: Counter) -> np.ndarray:
    """ONNX LSTM (gates i, o, f, c; no bias, no peepholes), one direction."""

    def sigmoid(v):
        return 1 / (1 + np.exp(-v))

    hidden = r.shape[-1]
    h, c = h0[0], np.zeros_like(h0[0])
    for step in x:
        gates = counter.matmul(step, w[0].T) + counter.matmul(h, r[0].T)
        i, o, f, g = np.split(gates, 4, axis=-1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
    assert h.shape[-1] == hidden
    return h


def test_lstm_matches_a_counted_numpy_lstm():
    model = mb.lstm_with_if(hidden=8, features=4)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6, 3, 4)).astype(np.float32)
    h0 = rng.standard_normal((1, 3, 8)).astype(np.float32)
    w, counter = weights(model), Counter()
    h = numpy_lstm(x, w["W"], w["R"], h0, counter)
    ort_state = ort_run(model, {"x": x, "h0": h0, "flag": np.array(True)})[0]
    np.testing.assert_allclose(h, ort_state[0], rtol=1e-4, atol=1e-5)
    counted = macs_of(model, {"x": [6, 3, 4], "h0": [1, 3, 8], "flag": []})
    assert counted.by_op == {"LSTM": {"float32": counter.macs}}


def test_transformer_matches_a_counted_numpy_forward_pass():
    model = mb.transformer_block(vocab=50, dim=16, classes=3)
    rng = np.random.default_rng(2)
    ids = rng.integers(0, 50, (2, 7)).astype(np.int64)
    mask = np.ones((2, 7), np.int64)
    mask[1, 5:] = 0
    w, counter = weights(model), Counter()
    h = w["emb"][ids]
    q, k, v = (counter.matmul(h, w[name]) for name in ("wq", "wk", "wv"))
    scores = counter.matmul(q, k.transpose(0, 2, 1)) * w["scale"]
    scores = scores + ((1 - mask) * -1e4)[:, None, :]
    attn = np.exp(scores - scores.max(-1, keepdims=True))
    attn /= attn.sum(-1, keepdims=True)
    res = counter.matmul(attn, v) + h
    mean, var = res.mean(-1, keepdims=True), res.var(-1, keepdims=True)
    hidden = (res - mean) / np.sqrt(var + 1e-5) * w["gamma"] + w["beta"]
    logits = counter.matmul(hidden.mean(1), w["head"])
    ort_logits = ort_run(model, {"input_ids": ids, "attention_mask": mask})[0]
    np.testing.assert_allclose(logits, ort_logits, rtol=1e-3, atol=1e-4)
    counted = macs_of(model, {"input_ids": [2, 7], "attention_mask": [2, 7]})
    assert counted.by_op == {"MatMul": {"float32": counter.macs}}


def test_einsum_gemm_and_attention_formulas():
    rng = np.random.default_rng(3)
    b = numpy_helper.from_array(rng.standard_normal((6, 5)).astype(np.float32), "b")
    graph = helper.make_graph(
        [
            helper.make_node("Einsum", ["x", "y"], ["e"], equation="bij,bjk->bik"),
            helper.make_node("Gemm", ["a", "b"], ["g"], transB=1),
            helper.make_node("Attention", ["q", "k", "v"], ["o"]),
        ],
        "g",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4]),
            helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 4, 5]),
            helper.make_tensor_value_info("a", TensorProto.FLOAT, [7, 5]),
            helper.make_tensor_value_info("q", TensorProto.FLOAT, [2, 4, 10, 8]),
            helper.make_tensor_value_info("k", TensorProto.FLOAT, [2, 4, 12, 8]),
            helper.make_tensor_value_info("v", TensorProto.FLOAT, [2, 4, 12, 6]),
        ],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in ("e", "g", "o")],
        [b],
    )
    model = mb.finish(graph, {"": 23})
    shapes, _ = infer_tensor_shapes(model, {})
    counted = count_macs(model, shapes)
    assert counted.by_op == {
        "Einsum": {"float32": 2 * 3 * 4 * 5},
        "Gemm": {"float32": 7 * 5 * 6},
        # QK^T: 2 x 4 heads x 10 x 12 x 8, then A.V: 2 x 4 x 10 x 12 x 6
        "Attention": {"float32": 2 * 4 * 10 * 12 * (8 + 6)},
    }


def qdq_matmul(weight_only: bool) -> onnx.ModelProto:
    """MatMul fed by DequantizeLinear of int8 weights (and of uint8 activations unless
    `weight_only`): the QDQ form of an int8 MatMul."""
    rng = np.random.default_rng(4)
    inits = [
        numpy_helper.from_array(rng.integers(-8, 8, (16, 4)).astype(np.int8), "wq"),
        numpy_helper.from_array(np.array(0.1, np.float32), "ws"),
        numpy_helper.from_array(np.array(0, np.int8), "wz"),
        numpy_helper.from_array(np.array(0.05, np.float32), "xs"),
        numpy_helper.from_array(np.array(128, np.uint8), "xz"),
    ]
    nodes = [helper.make_node("DequantizeLinear", ["wq", "ws", "wz"], ["w"])]
    source = "x"
    if not weight_only:
        nodes += [
            helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"]),
            helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"]),
        ]
        source = "xd"
    nodes.append(helper.make_node("MatMul", [source, "w"], ["y"]))
    graph = helper.make_graph(
        nodes,
        "qdq",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4])],
        inits,
    )
    return mb.finish(graph)


@pytest.mark.parametrize("weight_only", [False, True])
def test_dequantized_int8_weights_make_int8_macs(weight_only):
    counted = macs_of(qdq_matmul(weight_only), {"x": [3, 16]})
    assert counted.by_op == {"MatMul": {"int8": 3 * 16 * 4}}


def test_onnxruntime_quantized_models_keep_their_mac_count_in_int8(tmp_path):
    from onnxruntime.quantization import QuantType, quantize_dynamic

    float_path = mb.save(mb.matmul_chain(layers=2, width=64), tmp_path / "f.onnx")
    quantize_dynamic(str(float_path), str(tmp_path / "q.onnx"), weight_type=QuantType.QInt8)
    quantized = onnx.load(str(tmp_path / "q.onnx"))
    before = macs_of(onnx.load(str(float_path)), {"x": [4, 64]})
    after = macs_of(quantized, {"x": [4, 64]})
    assert before.by_dtype == {"float32": 2 * 4 * 64 * 64}
    assert after.by_dtype == {"int8": 2 * 4 * 64 * 64}
    assert set(after.by_op) <= {"MatMulInteger", "com.microsoft:DynamicQuantizeMatMul"}


def test_ops_that_cannot_be_counted_are_listed_with_a_reason_not_a_crash(tmp_path):
    loop = mb.loop_accumulate()
    counted = macs_of(loop, {"x": [2, 8], "trip": []})
    assert [(u.op_type, u.reason.split(":")[0]) for u in counted.uncounted] == [
        ("MatMul", "inside an If/Loop/Scan body")
    ]
    custom = mb.finish(
        helper.make_graph(
            [helper.make_node("FancyConv", ["x"], ["y"], domain="acme.ops")],
            "custom",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
        ),
        {"": 17, "acme.ops": 1},
    )
    shapes, _ = infer_tensor_shapes(custom, {"x": [1, 4]})
    assert "custom op domain" in count_macs(custom, shapes).uncounted[0].reason
    forest_path, _ = mb.sklearn_models(tmp_path)["sklearn-forest"]
    forest = onnx.load(str(forest_path))
    forest_macs = macs_of(forest, {"X": [5, 4]})
    assert forest_macs.total == 0
    assert "decision trees" in forest_macs.uncounted[0].reason


def test_sklearn_linear_and_svm_models_are_counted(tmp_path):
    made = mb.sklearn_models(tmp_path)
    svm = onnx.load(str(made["sklearn-svm"][0]))
    node = next(n for n in svm.graph.node if n.op_type == "SVMClassifier")
    attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
    counted = macs_of(svm, {"X": [10, 4]})
    expected = 10 * (len(attrs["support_vectors"]) + len(attrs["coefficients"]))
    assert counted.by_op == {"ai.onnx.ml:SVMClassifier": {"float32": expected}}


def test_shape_inference_failure_is_a_note_and_an_uncounted_list():
    model = mb.matmul_chain(layers=1, width=8)
    model.graph.node[0].input[1] = "missing_weight"  # a dangling input: inference cannot size it
    profile = compute_profile(model, {"x": [1, 8]}, profile_model(model).weight_bytes)
    assert profile.macs.total == 0
    assert profile.macs.uncounted
    assert "unknown" in profile.macs.uncounted[0].reason

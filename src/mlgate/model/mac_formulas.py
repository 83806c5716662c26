"""MAC formulas per op type, and how a node's MAC dtype is found. `macs.count_macs` applies
them; a formula raises `Uncountable` with the reason when it cannot count a node."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import onnx

from mlgate.model.shapes import TensorShape

_PASS_THROUGH = {"Transpose", "Reshape", "Identity", "Squeeze", "Unsqueeze", "Flatten"}
_DEQUANTIZE = {"DequantizeLinear"}


def dtype_class(elem_type: int) -> str:
    """The arithmetic a stored dtype implies: signedness does not change a MAC's cost."""
    name = onnx.TensorProto.DataType.Name(elem_type) if elem_type else "UNDEFINED"
    classes = {
        "FLOAT": "float32",
        "FLOAT16": "float16",
        "BFLOAT16": "bfloat16",
        "DOUBLE": "float64",
        "INT8": "int8",
        "UINT8": "int8",
        "INT4": "int4",
        "UINT4": "int4",
        "INT16": "int16",
        "UINT16": "int16",
        "INT32": "int32",
        "UINT32": "int32",
        "INT64": "int64",
        "UINT64": "int64",
    }
    if name.startswith("FLOAT8"):
        return "float8"
    return classes.get(name, name.lower())


def _bits(dtype: str) -> int:
    digits = "".join(ch for ch in dtype if ch.isdigit())
    return int(digits) if digits else 64


class Uncountable(Exception):
    """This node's MACs cannot be counted; the message says why."""


class OperandGraph:
    """Shapes, producers and attribute access for the node handlers."""

    def __init__(self, graph: onnx.GraphProto, shapes: Mapping[str, TensorShape]) -> None:
        self.shapes = shapes
        self.producer = {out: node for node in graph.node for out in node.output}

    def shape(self, name: str) -> tuple[int, ...]:
        known = self.shapes.get(name)
        if not name or known is None or known.shape is None:
            raise Uncountable(f"shape of '{name}' unknown")
        return known.shape

    def input_shape(self, node: onnx.NodeProto, index: int) -> tuple[int, ...]:
        if index >= len(node.input) or not node.input[index]:
            raise Uncountable(f"input {index} missing")
        return self.shape(node.input[index])

    def stored_dtype(self, name: str) -> str:
        """The dtype `name` is stored in, looking through DequantizeLinear and reshapes."""
        seen = 0
        while seen < 16:
            node = self.producer.get(name)
            if node is None or node.op_type not in _PASS_THROUGH | _DEQUANTIZE:
                break
            name = node.input[0]
            if node.op_type in _DEQUANTIZE:
                return dtype_class(self.shapes[name].dtype) if name in self.shapes else "unknown"
            seen += 1
        known = self.shapes.get(name)
        return dtype_class(known.dtype) if known is not None else "unknown"

    def mac_dtype(self, node: onnx.NodeProto, indices: tuple[int, ...]) -> str:
        """Integer if any operand is stored as integer (the narrowest wins), else the float
        dtype of the first operand."""
        found = [
            self.stored_dtype(node.input[i])
            for i in indices
            if i < len(node.input) and node.input[i]
        ]
        integers = [d for d in found if d.startswith("int")]
        if integers:
            return min(integers, key=_bits)
        return found[0] if found else "unknown"


def _attr(node: onnx.NodeProto, name: str, default: object = None) -> object:
    for attribute in node.attribute:
        if attribute.name == name:
            return onnx.helper.get_attribute_value(attribute)
    return default


def _prod(values: tuple[int, ...] | list[int]) -> int:
    return math.prod(int(v) for v in values)


def _matmul(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    """numpy.matmul semantics: 1-D operands are promoted, batch dims broadcast."""
    if not a or not b:
        raise Uncountable("scalar operand")
    a2 = (1, *a) if len(a) == 1 else a
    b2 = (*b, 1) if len(b) == 1 else b
    if a2[-1] != b2[-2]:
        raise Uncountable(f"inner dimensions differ ({a2[-1]} vs {b2[-2]})")
    batch = _broadcast(a2[:-2], b2[:-2])
    return _prod(batch) * a2[-2] * a2[-1] * b2[-1]


def _broadcast(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    rank = max(len(a), len(b))
    a, b = (1,) * (rank - len(a)) + a, (1,) * (rank - len(b)) + b
    return tuple(max(x, y) for x, y in zip(a, b, strict=True))


Handler = Callable[[onnx.NodeProto, OperandGraph], tuple[str, int]]


def _matmul_at(a_index: int, b_index: int) -> Handler:
    def handler(node: onnx.NodeProto, g: OperandGraph) -> tuple[str, int]:
        macs = _matmul(g.input_shape(node, a_index), g.input_shape(node, b_index))
        return g.mac_dtype(node, (a_index, b_index)), macs

    return handler


def _gemm_at(a_index: int, b_index: int) -> Handler:
    def handler(node: onnx.NodeProto, g: OperandGraph) -> tuple[str, int]:
        a, b = g.input_shape(node, a_index), g.input_shape(node, b_index)
        if len(a) != 2 or len(b) != 2:
            raise Uncountable("Gemm operands are not 2-D")
        m, k = (a[1], a[0]) if _attr(node, "transA", 0) else a
        n = b[0] if _attr(node, "transB", 0) else b[1]
        return g.mac_dtype(node, (a_index, b_index)), m * k * n

    return handler


def _fused_matmul(node: onnx.NodeProto, g: OperandGraph) -> tuple[str, int]:
    a, b = list(g.input_shape(node, 0)), list(g.input_shape(node, 1))
    if _attr(node, "transA", 0) and len(a) >= 2:
        a[-1], a[-2] = a[-2], a[-1]
    if _attr(node, "transB", 0) and len(b) >= 2:
        b[-1], b[-2] = b[-2], b[-1]
    return g.mac_dtype(node, (0, 1)), _matmul(tuple(a), tuple(b))


def _conv_at(x_index: int, w_index: int) -> Handler:
    def handler(node: onnx.NodeProto, g: OperandGraph) -> tuple[str, int]:
        weight = g.input_shape(node, w_index)
        output = g.shape(node.output[0])
        # Each output element sums C_in/group x kernel products.
        return g.mac_dtype(node, (x_index, w_index)), _prod(output) * _prod(weight[1:])

    return handler


def _conv_transpose(node: onnx.NodeProto, g: OperandGraph) -> tuple[str, int]:
    x, weight = g.input_shape(node, 0), g.input_shape(node, 1)
    # Each input element scatters into C_out/group x kernel outputs.
    return g.mac_dtype(node, (0, 1)), _prod(x) * _prod(weight[1:])


def _recurrent(node: onnx.NodeProto, g: OperandGraph) -> tuple[str, int]:
    x, w, r = g.input_shape(node, 0), g.input_shape(node, 1), g.input_shape(node, 2)
    if len(x) != 3:
        raise Uncountable("input is not 3-D")
    steps_and_batch = x[0] * x[1]  # [seq, batch] or [batch, seq] (layout=1): same product
    # Per step and direction: gates*hidden x (input + hidden) MACs; W and R hold exactly those.
    return g.mac_dtype(node, (1, 2)), steps_and_batch * (_prod(w) + _prod(r))


def _einsum(node: onnx.NodeProto, g: OperandGraph) -> tuple[str, int]:
    raw = _attr(node, "equation", b"")
    equation = raw.decode() if isinstance(raw, bytes) else str(raw)
    operands = equation.replace(" ", "").split("->")[0].split(",")
    if len(operands) != len(node.input) or len(operands) < 2:
        raise Uncountable("only Einsum over two or more operands multiplies")
    sizes: dict[str, int] = {}
    for index, term in enumerate(operands):
        shape = g.input_shape(node, index)
        letters = term.replace("...", "")
        ellipsis = len(shape) - len(letters)
        if "..." in term:
            head = term.index("...")
            labels = list(term[:head]) + [f".{i}" for i in range(ellipsis)] + list(term[head + 3 :])
        else:
            labels = list(term)
        if len(labels) != len(shape):
            raise Uncountable(f"equation '{equation}' does not match the operand ranks")
        for label, size in zip(labels, shape, strict=True):
            sizes[label] = max(sizes.get(label, 1), size)
    return g.mac_dtype(node, tuple(range(len(operands)))), _prod(list(sizes.values())) * (
        len(operands) - 1
    )


def _attention_contrib(node: onnx.NodeProto, g: OperandGraph) -> tuple[str, int]:
    """com.microsoft Attention: input projection to Q, K, V, then QK^T and A.V per head."""
    x, weight = g.input_shape(node, 0), g.input_shape(node, 1)
    if len(x) != 3 or len(weight) != 2:
        raise Uncountable("expects input [batch, seq, hidden] and weights [hidden, 3*hidden]")
    batch, seq, hidden = x
    sizes = list(_attr(node, "qkv_hidden_sizes", []) or [])  # type: ignore[call-overload]
    q_size, k_size, v_size = sizes if len(sizes) == 3 else [weight[1] // 3] * 3
    if q_size != k_size:
        raise Uncountable("Q and K hidden sizes differ")
    projection = batch * seq * hidden * weight[1]
    scores = batch * seq * seq * q_size
    context = batch * seq * seq * v_size
    return g.mac_dtype(node, (0, 1)), projection + scores + context


def _multi_head_attention(node: onnx.NodeProto, g: OperandGraph) -> tuple[str, int]:
    """com.microsoft MultiHeadAttention with separate 3-D query, key and value."""
    q, k = g.input_shape(node, 0), g.input_shape(node, 1)
    v = g.input_shape(node, 2)
    if len(q) != 3 or len(k) != 3 or len(v) != 3:
        raise Uncountable("packed or 4-D key/value layouts are not counted")
    batch, q_len, q_hidden = q
    kv_len = k[1]
    return g.mac_dtype(node, (0, 1)), batch * q_len * kv_len * (q_hidden + v[2])


def _attention_onnx(node: onnx.NodeProto, g: OperandGraph) -> tuple[str, int]:
    """ai.onnx Attention (opset 23): Q, K, V as [B, heads, S, head] or [B, S, hidden]."""
    q, k, v = g.input_shape(node, 0), g.input_shape(node, 1), g.input_shape(node, 2)
    if len(q) == 4 and len(k) == 4 and len(v) == 4:
        batch, q_heads, q_len, head = q
        kv_len, v_head = k[2], v[3]
        return g.mac_dtype(node, (0, 1)), batch * q_heads * q_len * kv_len * (head + v_head)
    if len(q) == 3 and len(k) == 3 and len(v) == 3:
        q_heads = int(_attr(node, "q_num_heads", 0) or 0)  # type: ignore[call-overload]
        kv_heads = int(_attr(node, "kv_num_heads", 0) or 0)  # type: ignore[call-overload]
        if not q_heads or not kv_heads:
            raise Uncountable("3-D inputs without q_num_heads/kv_num_heads")
        batch, q_len, q_hidden = q
        kv_len = k[1]
        v_per_query_head = v[2] // kv_heads
        return g.mac_dtype(node, (0, 1)), batch * q_len * kv_len * (
            q_hidden + q_heads * v_per_query_head
        )
    raise Uncountable("Q, K, V ranks differ")


def _matmul_nbits(node: onnx.NodeProto, g: OperandGraph) -> tuple[str, int]:
    a = g.input_shape(node, 0)
    k, n = int(_attr(node, "K", 0) or 0), int(_attr(node, "N", 0) or 0)  # type: ignore[call-overload]
    bits = int(_attr(node, "bits", 4) or 4)  # type: ignore[call-overload]
    if not k or not n:
        raise Uncountable("K or N attribute missing")
    return f"int{bits}", _prod(a[:-1]) * k * n


def _linear_ml(node: onnx.NodeProto, g: OperandGraph) -> tuple[str, int]:
    x = g.input_shape(node, 0)
    coefficients = list(_attr(node, "coefficients", []) or [])  # type: ignore[call-overload]
    rows = x[0] if len(x) == 2 else 1
    return "float32", rows * len(coefficients)


def _svm_ml(node: onnx.NodeProto, g: OperandGraph) -> tuple[str, int]:
    x = g.input_shape(node, 0)
    vectors = list(_attr(node, "support_vectors", []) or [])  # type: ignore[call-overload]
    coefficients = list(_attr(node, "coefficients", []) or [])  # type: ignore[call-overload]
    rows = x[0] if len(x) == 2 else 1
    if not vectors:  # a linear SVM stores its weights in `coefficients`
        return "float32", rows * len(coefficients)
    # One kernel evaluation per support vector, then the dual coefficients per class pair.
    return "float32", rows * (len(vectors) + len(coefficients))


HANDLERS: dict[tuple[str, str], Handler] = {
    ("", "MatMul"): _matmul_at(0, 1),
    ("", "Gemm"): _gemm_at(0, 1),
    ("", "Conv"): _conv_at(0, 1),
    ("", "ConvTranspose"): _conv_transpose,
    ("", "Einsum"): _einsum,
    ("", "LSTM"): _recurrent,
    ("", "GRU"): _recurrent,
    ("", "RNN"): _recurrent,
    ("", "Attention"): _attention_onnx,
    ("", "MatMulInteger"): _matmul_at(0, 1),
    ("", "QLinearMatMul"): _matmul_at(0, 3),
    ("", "ConvInteger"): _conv_at(0, 1),
    ("", "QLinearConv"): _conv_at(0, 3),
    ("com.microsoft", "FusedMatMul"): _fused_matmul,
    ("com.microsoft", "FusedGemm"): _gemm_at(0, 1),
    ("com.microsoft", "FusedConv"): _conv_at(0, 1),
    ("com.microsoft", "QGemm"): _gemm_at(0, 3),
    ("com.microsoft", "QLinearConv"): _conv_at(0, 3),
    ("com.microsoft", "MatMulIntegerToFloat"): _matmul_at(0, 1),
    ("com.microsoft", "DynamicQuantizeMatMul"): _matmul_at(0, 1),
    ("com.microsoft", "DynamicQuantizeLSTM"): _recurrent,
    ("com.microsoft", "MatMulNBits"): _matmul_nbits,
    ("com.microsoft", "Attention"): _attention_contrib,
    ("com.microsoft", "MultiHeadAttention"): _multi_head_attention,
    ("ai.onnx.ml", "LinearClassifier"): _linear_ml,
    ("ai.onnx.ml", "LinearRegressor"): _linear_ml,
    ("ai.onnx.ml", "SVMClassifier"): _svm_ml,
    ("ai.onnx.ml", "SVMRegressor"): _svm_ml,
}
# Int8 activations in dynamic quantization are made at run time: the MAC is integer.
INTEGER_MAC_OPS = {
    ("com.microsoft", "DynamicQuantizeMatMul"),
    ("com.microsoft", "DynamicQuantizeLSTM"),
}

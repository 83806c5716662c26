"""What a model contains, as the passes see it: op counts, opset, NN ops in the main graph
or out of the quantizer's reach, float weights; whether there is anything to quantize, and
whether a pass changed anything at all (`effect` catches passes that silently do nothing,
such as quantization with weights inside If subgraphs or local functions)."""

from __future__ import annotations

import collections
from collections.abc import Iterator

import onnx

ML_DOMAIN = "ai.onnx.ml"


NN_OPS = {"Conv", "ConvTranspose", "MatMul", "Gemm", "LSTM", "GRU", "RNN", "Attention", "Einsum"}


QUANTIZED_OPS = {
    "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "QLinearConv",
    "QLinearMatMul", "MatMulInteger", "ConvInteger", "DynamicQuantizeMatMul", "QGemm",
    "MatMulIntegerToFloat", "DynamicQuantizeLSTM", "QAttention",
}  # fmt: skip


def all_nodes(graph: onnx.GraphProto) -> Iterator[onnx.NodeProto]:
    for node in graph.node:
        yield node
        for attribute in node.attribute:
            if attribute.type == onnx.AttributeProto.GRAPH:
                yield from all_nodes(attribute.g)
            for sub in attribute.graphs:
                yield from all_nodes(sub)


def op_counts(model: onnx.ModelProto) -> collections.Counter[str]:
    """Op types of the main graph (what the runtime optimizes and quantizes)."""
    return collections.Counter(node.op_type for node in model.graph.node)


def opset(model: onnx.ModelProto) -> int:
    """The model's ai.onnx opset (0 when it imports none)."""
    return next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)


def nn_ops_in_main_graph(model: onnx.ModelProto) -> set[str]:
    return set(op_counts(model)) & NN_OPS


def nn_ops_elsewhere(model: onnx.ModelProto) -> set[str]:
    """NN ops inside control-flow bodies or local functions: quantization does not see them."""
    nested = {n.op_type for n in all_nodes(model.graph)} - set(op_counts(model))
    in_functions = {n.op_type for f in model.functions for n in f.node}
    return (nested | in_functions) & NN_OPS


def only_ml_ops(model: onnx.ModelProto) -> bool:
    return not nn_ops_in_main_graph(model) and any(
        node.domain == ML_DOMAIN for node in model.graph.node
    )


def float_weights(model: onnx.ModelProto) -> bool:
    return any(t.data_type == onnx.TensorProto.FLOAT for t in model.graph.initializer)


def constant_weights(model: onnx.ModelProto) -> bool:
    """Float weights held by Constant nodes rather than initializers (some exporters, e.g.
    PaddlePaddle's): quantizers see no weights until they are extracted."""
    return not float_weights(model) and any(
        node.op_type == "Constant"
        and any(a.name == "value" and a.t.data_type == onnx.TensorProto.FLOAT and a.t.dims
                for a in node.attribute)
        for node in model.graph.node
    )  # fmt: skip


def already_quantized(model: onnx.ModelProto) -> bool:
    return bool(set(op_counts(model)) & QUANTIZED_OPS)


def nothing_to_quantize(model: onnx.ModelProto) -> str | None:
    if only_ml_ops(model):
        return "the graph has only ai.onnx.ml ops (trees, SVMs, linear models): nothing to quantize"
    if already_quantized(model):
        return "the model is already quantized"
    if not nn_ops_in_main_graph(model):
        elsewhere = nn_ops_elsewhere(model)
        if elsewhere:
            return (
                f"its {', '.join(sorted(elsewhere))} ops sit inside If/Loop bodies or local "
                "functions, which onnxruntime's quantizer does not reach"
            )
        return "no Conv, MatMul, Gemm or recurrent op to quantize"
    if not float_weights(model):
        return "no float32 weights stored as initializers"
    return None


def effect(before: onnx.ModelProto, after: onnx.ModelProto) -> str | None:
    """None if the graph changed; else a sentence saying the pass was a no-op."""
    if op_counts(before) == op_counts(after) and len(before.graph.initializer) == len(
        after.graph.initializer
    ):
        same_types = [t.data_type for t in before.graph.initializer] == [
            t.data_type for t in after.graph.initializer
        ]
        if same_types:
            return "the pass left the graph unchanged (a silent no-op)"
    return None

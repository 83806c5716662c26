"""Graph edits a pull request might make: a branch of real work whose result is added with
a zero weight (outputs unchanged, compute added), int8 quantization, re-exports."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import onnx
import onnxoptimizer
import onnxruntime as ort
from onnx import helper, numpy_helper, version_converter
from onnxruntime.quantization import (
    CalibrationDataReader,
    QuantFormat,
    QuantType,
    quantize_dynamic,
    quantize_static,
)

# Passes that rewrite structure without changing arithmetic.
NEUTRAL_PASSES = [
    "eliminate_deadend",
    "eliminate_identity",
    "eliminate_nop_dropout",
    "eliminate_nop_transpose",
    "eliminate_unused_initializer",
    "fuse_consecutive_transposes",
    "extract_constant_to_initializer",
]


def _rewire(graph: onnx.GraphProto, tensor: str, replacement: str) -> None:
    for node in graph.node:
        for index, name in enumerate(node.input):
            if name == tensor:
                node.input[index] = replacement
    for output in graph.output:
        if output.name == tensor:
            output.name = replacement


def add_zero_branch(
    model: onnx.ModelProto, tensor: str, weights: list[np.ndarray], op: str
) -> onnx.ModelProto:
    """`tensor + 0 * f(tensor)`, f a chain of `op` (Conv with same padding, or MatMul) with
    the given random weights: the outputs stay the same, the work of f is added."""
    edited = onnx.ModelProto()
    edited.CopyFrom(model)
    graph = edited.graph
    _rewire(graph, tensor, f"{tensor}__plus_branch")
    current = tensor
    nodes = []
    for index, weight in enumerate(weights):
        name = f"{tensor}__branch_w{index}"
        graph.initializer.append(numpy_helper.from_array(weight.astype(np.float32), name))
        extra = {"pads": [weight.shape[2] // 2] * 4} if op == "Conv" else {}
        nodes.append(helper.make_node(op, [current, name], [f"{name}_out"], **extra))
        current = f"{name}_out"
    zero = f"{tensor}__branch_zero"
    graph.initializer.append(numpy_helper.from_array(np.zeros((), np.float32), zero))
    nodes.append(helper.make_node("Mul", [current, zero], [f"{zero}_out"]))
    nodes.append(helper.make_node("Add", [tensor, f"{zero}_out"], [f"{tensor}__plus_branch"]))
    position = _producer_index(graph, tensor) + 1
    for offset, node in enumerate(nodes):
        graph.node.insert(position + offset, node)
    onnx.checker.check_model(edited)
    return edited


def _producer_index(graph: onnx.GraphProto, tensor: str) -> int:
    for index, node in enumerate(graph.node):
        if tensor in node.output:
            return index
    return -1


def conv_weights(channels: int, kernel: int, layers: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    scale = 1.0 / np.sqrt(channels * kernel * kernel)
    shape = (channels, channels, kernel, kernel)
    return [rng.normal(0, scale, shape).astype(np.float32) for _ in range(layers)]


def matmul_weights(width: int, hidden: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [
        rng.normal(0, width**-0.5, (width, hidden)).astype(np.float32),
        rng.normal(0, hidden**-0.5, (hidden, width)).astype(np.float32),
    ]


def conv_output(model: onnx.ModelProto, index: int) -> tuple[str, int]:
    """The output of the index-th Conv and its channel count (from its weight)."""
    shapes = {init.name: list(init.dims) for init in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type == "Constant" and node.attribute[0].name == "value":
            shapes[node.output[0]] = list(node.attribute[0].t.dims)
    convs = [node for node in model.graph.node if node.op_type == "Conv"]
    node = convs[index]
    return node.output[0], int(shapes[node.input[1]][0])


def first_output_of(model: onnx.ModelProto, op_type: str, index: int = 0) -> str:
    return [node for node in model.graph.node if node.op_type == op_type][index].output[0]


class _Reader(CalibrationDataReader):
    def __init__(self, feeds: list[dict[str, np.ndarray]]) -> None:
        self._feeds: Iterator[dict[str, np.ndarray]] = iter(feeds)

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self._feeds, None)


def _initializers(source: Path, target: Path) -> Path:
    """The quantizer wants weights as initializers; Paddle exports hold them in Constants."""
    folded = target.with_name(target.stem + ".prep.onnx")
    model = onnxoptimizer.optimize(onnx.load(source), ["extract_constant_to_initializer"])
    onnx.save(model, folded)
    return folded


def dynamic_int8(source: Path, target: Path) -> None:
    prepared = _initializers(source, target)
    quantize_dynamic(prepared, target, weight_type=QuantType.QInt8)
    prepared.unlink()


def static_int8(
    source: Path, target: Path, calibration: list[dict[str, np.ndarray]], qdq: bool = True
) -> None:
    prepared = _initializers(source, target)
    quantize_static(
        prepared,
        target,
        _Reader(calibration),
        quant_format=QuantFormat.QDQ if qdq else QuantFormat.QOperator,
        activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8,
    )
    prepared.unlink()


def convert_opset(model: onnx.ModelProto, opset: int) -> onnx.ModelProto:
    converted = version_converter.convert_version(model, opset)
    onnx.checker.check_model(converted)
    return converted


def neutral_passes(model: onnx.ModelProto) -> onnx.ModelProto:
    return onnxoptimizer.optimize(model, NEUTRAL_PASSES)


def save_external(model: onnx.ModelProto, target: Path) -> None:
    """Re-save with the weights in a side file next to the model."""
    data = target.with_suffix(".onnx.data")
    data.unlink(missing_ok=True)
    onnx.save_model(
        model, target, save_as_external_data=True, location=data.name, size_threshold=1024
    )


def ort_offline(source: Path, target: Path, level: str = "basic") -> None:
    """What `SessionOptions.optimized_model_filepath` writes at the given level."""
    options = ort.SessionOptions()
    options.graph_optimization_level = {
        "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
        "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
    }[level]
    options.optimized_model_filepath = str(target)
    ort.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])


def copy(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)

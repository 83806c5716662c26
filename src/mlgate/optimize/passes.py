"""Optimization passes behind one small interface, and their explicit registry.

A pass is a pure transform: it reads one model file and writes a new one, never touching its
input. `supports` says, before any work, whether the pass can apply to this model on this
target, and why not. Passes that silently do nothing (quantization with weights inside If
subgraphs or local functions) are caught afterwards by `effect`, which compares op counts.

Measured on real models (see docs/optimize.md): static int8 with per-channel weights after
an opset-13 upgrade and onnxruntime's pre-processing wins on large CNNs; dynamic int8 wins on
transformers and LSTMs but often misses fidelity; onnxoptimizer adds nothing measurable after
onnxruntime's own optimization. The search decides by measurement, never by op types."""

from __future__ import annotations

import collections
import importlib.util
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
import onnx

ML_DOMAIN = "ai.onnx.ml"
NN_OPS = {"Conv", "ConvTranspose", "MatMul", "Gemm", "LSTM", "GRU", "RNN", "Attention", "Einsum"}
GPU_PROVIDERS = ("CUDAExecutionProvider", "TensorrtExecutionProvider", "DmlExecutionProvider",
                 "ROCMExecutionProvider", "CoreMLExecutionProvider")  # fmt: skip
QUANTIZED_OPS = {
    "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "QLinearConv",
    "QLinearMatMul", "MatMulInteger", "ConvInteger", "DynamicQuantizeMatMul", "QGemm",
    "MatMulIntegerToFloat", "DynamicQuantizeLSTM", "QAttention",
}  # fmt: skip


@dataclass(frozen=True)
class PassContext:
    """What a pass may use: the target's providers, and calibration inputs for static
    quantization (feeds of the eval data or seeded synthetic inputs)."""

    providers: tuple[str, ...] = ("CPUExecutionProvider",)
    calibration: Sequence[dict[str, np.ndarray]] = field(default_factory=list)


class Pass(Protocol):
    @property
    def name(self) -> str: ...

    def supports(self, model: onnx.ModelProto, context: PassContext) -> str | None:
        """None when the pass can apply; else why not, in a few words."""

    def apply(self, source: Path, destination: Path, context: PassContext) -> None: ...


# ---- what a model contains ---------------------------------------------------------------------


def _all_nodes(graph: onnx.GraphProto) -> Iterator[onnx.NodeProto]:
    for node in graph.node:
        yield node
        for attribute in node.attribute:
            if attribute.type == onnx.AttributeProto.GRAPH:
                yield from _all_nodes(attribute.g)
            for sub in attribute.graphs:
                yield from _all_nodes(sub)


def op_counts(model: onnx.ModelProto) -> collections.Counter[str]:
    """Op types of the main graph (what the runtime optimizes and quantizes)."""
    return collections.Counter(node.op_type for node in model.graph.node)


def opset(model: onnx.ModelProto) -> int:
    """The model's ai.onnx opset (0 when it imports none)."""
    return next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)


def _nn_ops_in_main_graph(model: onnx.ModelProto) -> set[str]:
    return set(op_counts(model)) & NN_OPS


def _nn_ops_elsewhere(model: onnx.ModelProto) -> set[str]:
    """NN ops inside control-flow bodies or local functions: quantization does not see them."""
    nested = {n.op_type for n in _all_nodes(model.graph)} - set(op_counts(model))
    in_functions = {n.op_type for f in model.functions for n in f.node}
    return (nested | in_functions) & NN_OPS


def _only_ml_ops(model: onnx.ModelProto) -> bool:
    return not _nn_ops_in_main_graph(model) and any(
        node.domain == ML_DOMAIN for node in model.graph.node
    )


def _float_weights(model: onnx.ModelProto) -> bool:
    return any(t.data_type == onnx.TensorProto.FLOAT for t in model.graph.initializer)


def _already_quantized(model: onnx.ModelProto) -> bool:
    return bool(set(op_counts(model)) & QUANTIZED_OPS)


def nothing_to_quantize(model: onnx.ModelProto) -> str | None:
    if _only_ml_ops(model):
        return "the graph has only ai.onnx.ml ops (trees, SVMs, linear models): nothing to quantize"
    if _already_quantized(model):
        return "the model is already quantized"
    if not _nn_ops_in_main_graph(model):
        elsewhere = _nn_ops_elsewhere(model)
        if elsewhere:
            return (
                f"its {', '.join(sorted(elsewhere))} ops sit inside If/Loop bodies or local "
                "functions, which onnxruntime's quantizer does not reach"
            )
        return "no Conv, MatMul, Gemm or recurrent op to quantize"
    if not _float_weights(model):
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


def _load(path: Path) -> onnx.ModelProto:
    return onnx.load(str(path), load_external_data=True)


def _save(model: onnx.ModelProto, path: Path) -> None:
    size = model.ByteSize()
    onnx.save(model, str(path), save_as_external_data=size > 1_900_000_000)


# ---- the passes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OnnxOptimizer:
    """onnxoptimizer's fuse and eliminate passes (pure graph rewrites)."""

    name: str = "onnxoptimizer"

    def supports(self, model: onnx.ModelProto, context: PassContext) -> str | None:
        if _only_ml_ops(model):
            return "the graph has only ai.onnx.ml ops: nothing to fuse"
        return None

    def apply(self, source: Path, destination: Path, context: PassContext) -> None:
        import onnxoptimizer

        model = onnxoptimizer.optimize(
            _load(source), onnxoptimizer.get_fuse_and_elimination_passes(), fixed_point=True
        )
        _save(model, destination)


GraphLevel = Literal["basic", "extended"]


def constant_weights(model: onnx.ModelProto) -> bool:
    """Float weights held by Constant nodes rather than initializers (some exporters, e.g.
    PaddlePaddle's): quantizers see no weights until they are extracted."""
    return not _float_weights(model) and any(
        node.op_type == "Constant"
        and any(a.name == "value" and a.t.data_type == onnx.TensorProto.FLOAT and a.t.dims
                for a in node.attribute)
        for node in model.graph.node
    )  # fmt: skip


@dataclass(frozen=True)
class ConstantsToInitializers:
    """Constant nodes become initializers (onnxoptimizer's extract_constant_to_initializer),
    so that quantizers find the weights."""

    name: str = "constants-to-initializers"

    def supports(self, model: onnx.ModelProto, context: PassContext) -> str | None:
        if not any(node.op_type == "Constant" for node in model.graph.node):
            return "no Constant nodes"
        return None

    def apply(self, source: Path, destination: Path, context: PassContext) -> None:
        import onnxoptimizer

        passes = ["extract_constant_to_initializer", "eliminate_unused_initializer"]
        _save(onnxoptimizer.optimize(_load(source), passes), destination)


@dataclass(frozen=True)
class OrtGraph:
    """onnxruntime's offline graph optimization, saved to a file. Only the basic and extended
    levels: the layout level rewrites for one CPU's instruction set and must not persist."""

    level: GraphLevel = "extended"

    @property
    def name(self) -> str:
        return f"ort-{self.level}"

    def supports(self, model: onnx.ModelProto, context: PassContext) -> str | None:
        return None

    def apply(self, source: Path, destination: Path, context: PassContext) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = {
            "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
            "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
        }[self.level]
        options.optimized_model_filepath = str(destination)
        options.log_severity_level = 4
        ort.InferenceSession(str(source), options, providers=list(context.providers))


def _transformers_on_path() -> None:
    """onnxruntime.transformers imports its siblings as top-level modules, relying on its
    package __init__ to put its folder on sys.path; a forked child may have lost that."""
    import onnxruntime.transformers as package

    folder = str(Path(package.__file__).parent)
    if folder not in sys.path:
        sys.path.append(folder)


@dataclass(frozen=True)
class TransformerFusion:
    """onnxruntime's transformer fusions (Attention, LayerNormalization, Gelu, …)."""

    name: str = "transformer-fusion"

    def supports(self, model: onnx.ModelProto, context: PassContext) -> str | None:
        ops = set(op_counts(model))
        if not ({"Softmax", "MatMul"} <= ops or "LayerNormalization" in ops or "Erf" in ops):
            return "no attention, LayerNorm or GELU pattern to fuse"
        if importlib.util.find_spec("sympy") is None:
            return "onnxruntime's transformer optimizer needs sympy (pip install sympy)"
        try:
            _transformers_on_path()
            import onnxruntime.transformers.optimizer  # noqa: F401  (may need torch)
        except ImportError as exc:
            return f"onnxruntime's transformer optimizer cannot be imported here ({exc.name})"
        return None

    def apply(self, source: Path, destination: Path, context: PassContext) -> None:
        _transformers_on_path()
        from onnxruntime.transformers.optimizer import optimize_model

        use_gpu = any(p in GPU_PROVIDERS for p in context.providers)
        optimized = optimize_model(str(source), model_type="bert", opt_level=0, use_gpu=use_gpu)
        optimized.save_model_to_file(str(destination))


@dataclass(frozen=True)
class OpsetUpgrade:
    """ai.onnx opset 13 or newer: what onnxruntime's quantizer needs for per-channel QDQ."""

    to: int = 13
    name: str = "opset13"

    def supports(self, model: onnx.ModelProto, context: PassContext) -> str | None:
        if opset(model) >= self.to:
            return f"already at opset {opset(model)}"
        return None

    def apply(self, source: Path, destination: Path, context: PassContext) -> None:
        from onnx import version_converter

        _save(version_converter.convert_version(_load(source), self.to), destination)


@dataclass(frozen=True)
class QuantPreprocess:
    """onnxruntime's quantization pre-processing: symbolic shape inference and graph cleanup,
    so the quantizer sees shapes and fuses Conv+BN before calibration."""

    name: str = "quant-preprocess"

    def supports(self, model: onnx.ModelProto, context: PassContext) -> str | None:
        return nothing_to_quantize(model)

    def apply(self, source: Path, destination: Path, context: PassContext) -> None:
        from onnxruntime.quantization import quant_pre_process

        try:
            quant_pre_process(str(source), str(destination))
        except Exception:  # symbolic shape inference fails on some graphs: without it
            quant_pre_process(str(source), str(destination), skip_symbolic_shape=True)


WeightType = Literal["int8", "uint8"]


@dataclass(frozen=True)
class DynamicInt8:
    """Weights in int8, activations quantized on the fly (MatMul, Gemm, LSTM, Attention)."""

    weights: WeightType = "int8"

    @property
    def name(self) -> str:
        return f"dynamic-{self.weights}"

    def supports(self, model: onnx.ModelProto, context: PassContext) -> str | None:
        return nothing_to_quantize(model)

    def apply(self, source: Path, destination: Path, context: PassContext) -> None:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        kind = QuantType.QInt8 if self.weights == "int8" else QuantType.QUInt8
        quantize_dynamic(str(source), str(destination), weight_type=kind)


Calibration = Literal["minmax", "entropy", "percentile"]


class _Reader:
    """onnxruntime's CalibrationDataReader protocol over a list of feeds."""

    def __init__(self, feeds: Sequence[dict[str, np.ndarray]]) -> None:
        self._feeds = iter(list(feeds))

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self._feeds, None)


@dataclass(frozen=True)
class StaticInt8:
    """Static int8 calibrated on the eval (or synthetic) inputs: QDQ or QOperator format,
    int8 or uint8 activations, per-tensor or per-channel weights, and a calibration method."""

    format: Literal["qdq", "qoperator"] = "qdq"
    activations: WeightType = "uint8"
    per_channel: bool = True
    calibration: Calibration = "minmax"

    @property
    def name(self) -> str:
        channel = "per-channel" if self.per_channel else "per-tensor"
        return f"static-{self.format}-{self.activations}-{channel}-{self.calibration}"

    def supports(self, model: onnx.ModelProto, context: PassContext) -> str | None:
        if not context.calibration:
            return "no calibration inputs"
        reason = nothing_to_quantize(model)
        if reason is None and self.per_channel and opset(model) < 13:
            return f"per-channel QDQ needs opset 13 or newer (the model has {opset(model)})"
        return reason

    def apply(self, source: Path, destination: Path, context: PassContext) -> None:
        from onnxruntime.quantization import (
            CalibrationMethod,
            QuantFormat,
            QuantType,
            quantize_static,
        )

        quantize_static(
            str(source),
            str(destination),
            _Reader(context.calibration),
            quant_format=QuantFormat.QDQ if self.format == "qdq" else QuantFormat.QOperator,
            per_channel=self.per_channel,
            activation_type=QuantType.QUInt8 if self.activations == "uint8" else QuantType.QInt8,
            weight_type=QuantType.QInt8,
            calibrate_method={
                "minmax": CalibrationMethod.MinMax,
                "entropy": CalibrationMethod.Entropy,
                "percentile": CalibrationMethod.Percentile,
            }[self.calibration],
            calibration_providers=["CPUExecutionProvider"],
        )


@dataclass(frozen=True)
class Float16:
    """fp16 weights and activations, inputs and outputs kept in float32."""

    name: str = "fp16"

    def supports(self, model: onnx.ModelProto, context: PassContext) -> str | None:
        if not any(p in GPU_PROVIDERS for p in context.providers):
            return (
                "the CPU execution provider has few fp16 kernels: fp16 runs slower there "
                "(tried only on GPU targets)"
            )
        if not _float_weights(model):
            return "no float32 weights"
        if _only_ml_ops(model):
            return "the graph has only ai.onnx.ml ops"
        return None

    def apply(self, source: Path, destination: Path, context: PassContext) -> None:
        from onnxruntime.transformers.float16 import convert_float_to_float16

        _save(convert_float_to_float16(_load(source), keep_io_types=True), destination)


# ---- the registry -----------------------------------------------------------------------------

REGISTRY: dict[str, type] = {
    "onnxoptimizer": OnnxOptimizer,
    "constants-to-initializers": ConstantsToInitializers,
    "ort-graph": OrtGraph,
    "transformer-fusion": TransformerFusion,
    "opset13": OpsetUpgrade,
    "quant-preprocess": QuantPreprocess,
    "dynamic-int8": DynamicInt8,
    "static-int8": StaticInt8,
    "fp16": Float16,
}

"""Graph passes: rewrites that keep the model's precision (onnxoptimizer's fusions,
onnxruntime's offline graph optimization and transformer fusions, weights out of Constant
nodes, an opset upgrade) and fp16 conversion for GPU targets."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import onnx

from mlgate.optimize.model_contents import float_weights, only_ml_ops, op_counts, opset
from mlgate.optimize.pass_api import GPU_PROVIDERS, PassContext, load_model, save_model


@dataclass(frozen=True)
class OnnxOptimizer:
    """onnxoptimizer's fuse and eliminate passes (pure graph rewrites)."""

    name: str = "onnxoptimizer"

    def supports(self, model: onnx.ModelProto, context: PassContext) -> str | None:
        if only_ml_ops(model):
            return "the graph has only ai.onnx.ml ops: nothing to fuse"
        return None

    def apply(self, source: Path, destination: Path, context: PassContext) -> None:
        import onnxoptimizer

        model = onnxoptimizer.optimize(
            load_model(source), onnxoptimizer.get_fuse_and_elimination_passes(), fixed_point=True
        )
        save_model(model, destination)


GraphLevel = Literal["basic", "extended"]


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
        save_model(onnxoptimizer.optimize(load_model(source), passes), destination)


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

        save_model(version_converter.convert_version(load_model(source), self.to), destination)


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
        if not float_weights(model):
            return "no float32 weights"
        if only_ml_ops(model):
            return "the graph has only ai.onnx.ml ops"
        return None

    def apply(self, source: Path, destination: Path, context: PassContext) -> None:
        from onnxruntime.transformers.float16 import convert_float_to_float16

        save_model(convert_float_to_float16(load_model(source), keep_io_types=True), destination)

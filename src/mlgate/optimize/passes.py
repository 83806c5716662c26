"""The passes' explicit registry: a recorded recipe names its passes, and this table turns
each name back into its pass (optimize/recommend.py). The interface is in pass_api.py, the
passes in graph_passes.py and quantization_passes.py. onnxoptimizer adds nothing measurable
after onnxruntime's own optimization (docs/optimize.md); the search decides by measurement."""

from __future__ import annotations

from mlgate.optimize.graph_passes import (
    ConstantsToInitializers,
    Float16,
    OnnxOptimizer,
    OpsetUpgrade,
    OrtGraph,
    TransformerFusion,
)
from mlgate.optimize.quantization_passes import DynamicInt8, QuantPreprocess, StaticInt8

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

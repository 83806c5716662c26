"""The search space: the recipes (pass pipelines) the search tries on onnxruntime, and the
axes of the static-int8 tuning. Static int8 is tuned by coordinate descent over format,
calibration method, per-channel, activation type and pre-processing, starting from the
setting that won most often in an exhaustive sweep (benchmarks/optimizer_sweep.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import onnx

from mlgate.optimize.build import Recipe
from mlgate.optimize.graph_passes import (
    ConstantsToInitializers,
    Float16,
    OnnxOptimizer,
    OpsetUpgrade,
    OrtGraph,
    TransformerFusion,
)
from mlgate.optimize.model_contents import constant_weights, opset
from mlgate.optimize.pass_api import Pass
from mlgate.optimize.quantization_passes import DynamicInt8, QuantPreprocess, StaticInt8


def prepare(model: onnx.ModelProto) -> tuple[Pass, ...]:
    """What quantization needs first: weights as initializers, and opset 13 or newer."""
    extract = (ConstantsToInitializers(),) if constant_weights(model) else ()
    upgrade = (OpsetUpgrade(),) if opset(model) < 13 else ()
    return (*extract, *upgrade)


def space(model: onnx.ModelProto) -> tuple[list[Recipe], list[Recipe]]:
    """(recipes tried before the static-int8 tuning, recipes tried after it)."""
    upgrade = prepare(model)
    first = [
        Recipe("ort-extended", (OrtGraph("extended"),)),
        Recipe("dynamic-int8", (*upgrade, DynamicInt8("int8"))),
    ]
    later = [
        Recipe("fp16", (Float16(),)),
        Recipe("transformer-fusion", (TransformerFusion(),)),
        Recipe("onnxoptimizer", (OnnxOptimizer(),)),
        Recipe("dynamic-uint8", (*upgrade, DynamicInt8("uint8"))),
        Recipe("ort-basic", (OrtGraph("basic"),)),
    ]
    return first, later


def static_recipe(model: onnx.ModelProto, setting: StaticInt8, preprocess: bool) -> Recipe:
    upgrade = prepare(model)
    pre = (QuantPreprocess(),) if preprocess else ()
    name = setting.name + ("+preprocess" if preprocess else "")
    return Recipe(name, (*upgrade, *pre, setting))


STATIC_START = (StaticInt8("qoperator", "uint8", True, "entropy"), True)
STATIC_AXES: list[Callable[[StaticInt8, bool], list[tuple[StaticInt8, bool]]]] = [
    lambda s, p: [(dataclasses.replace(s, format="qdq"), p)],
    lambda s, p: [(dataclasses.replace(s, calibration=c), p) for c in ("percentile", "minmax")],
    lambda s, p: [(dataclasses.replace(s, per_channel=False), p)],
    lambda s, p: [(dataclasses.replace(s, activations="int8"), p)],
    lambda s, p: [(s, not p)],
]


def sweep_recipes(model: onnx.ModelProto) -> list[Recipe]:
    """The exhaustive space (for the sweep benchmark): every static setting, every recipe."""
    first, later = space(model)
    statics = [
        static_recipe(model, StaticInt8(fmt, act, channel, method), pre)
        for fmt in ("qdq", "qoperator")
        for act in ("uint8", "int8")
        for channel in (True, False)
        for method in ("minmax", "entropy", "percentile")
        for pre in (True, False)
    ]
    return [*first, *statics, *later]

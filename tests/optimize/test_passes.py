"""Each pass is a pure transform with an honest `supports` (how builds survive passes that
raise, hang or silently do nothing: test_build.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import onnx
import pytest

from mlgate.optimize.graph_passes import (
    ConstantsToInitializers,
    Float16,
    OnnxOptimizer,
    OpsetUpgrade,
    OrtGraph,
)
from mlgate.optimize.model_contents import op_counts, opset
from mlgate.optimize.pass_api import PassContext
from mlgate.optimize.passes import REGISTRY
from mlgate.optimize.quantization_passes import DynamicInt8, QuantPreprocess, StaticInt8
from tests import model_builders as mb
from tests.optimize.pass_contexts import CPU, calibration


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("step", "context"),
    [
        (OnnxOptimizer(), CPU),
        (OrtGraph("basic"), CPU),
        (OrtGraph("extended"), CPU),
        (OpsetUpgrade(to=18), CPU),
        (QuantPreprocess(), CPU),
        (DynamicInt8("int8"), CPU),
        (StaticInt8("qdq", "uint8", True, "minmax"), calibration()),
        (StaticInt8("qoperator", "uint8", False, "entropy"), calibration()),
    ],
    ids=lambda v: getattr(v, "name", ""),
)
def test_every_pass_writes_a_new_loadable_file_and_never_touches_its_input(tmp_path, step, context):
    source = mb.save(mb.cnn(), tmp_path / "cnn.onnx")
    before = digest(source)
    out = tmp_path / "out.onnx"
    assert step.supports(onnx.load(str(source)), context) is None
    step.apply(source, out, context)
    assert digest(source) == before
    model = onnx.load(str(out))
    onnx.checker.check_model(model)
    if step.name.startswith(("dynamic-", "static-")):
        assert op_counts(model) != op_counts(onnx.load(str(source)))


def test_registry_names_every_pass_kind():
    assert set(REGISTRY) >= {"onnxoptimizer", "ort-graph", "dynamic-int8", "static-int8", "fp16"}


def _relu_only() -> onnx.ModelProto:
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])],
        "relu",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
    )
    return mb.finish(graph)


def test_passes_say_why_a_model_gives_them_nothing_to_do(tmp_path):
    gpu = PassContext(("CUDAExecutionProvider", "CPUExecutionProvider"))
    assert DynamicInt8().supports(_relu_only(), CPU) == (
        "no Conv, MatMul, Gemm or recurrent op to quantize"
    )
    assert ConstantsToInitializers().supports(mb.cnn(), CPU) == "no Constant nodes"
    assert OpsetUpgrade(to=13).supports(mb.cnn(), CPU) == f"already at opset {opset(mb.cnn())}"
    assert Float16().supports(_relu_only(), gpu) == "no float32 weights"
    forest, _ = mb.sklearn_models(tmp_path)["sklearn-forest"]
    assert Float16().supports(onnx.load(str(forest)), gpu) is not None


def test_per_channel_static_quantization_needs_opset_13():
    old = mb.cnn()
    old.opset_import[0].version = 12
    assert StaticInt8("qdq", "uint8", True, "minmax").supports(old, calibration()) == (
        "per-channel QDQ needs opset 13 or newer (the model has 12)"
    )
    assert StaticInt8("qdq", "uint8", False, "minmax").supports(old, calibration()) is None

"""Graph passes: an opset upgrade, and weights out of Constant nodes for the quantizers."""

from __future__ import annotations

import onnx

from mlgate.optimize.build import Recipe, build
from mlgate.optimize.graph_passes import ConstantsToInitializers, Float16, OpsetUpgrade
from mlgate.optimize.model_contents import constant_weights, op_counts, opset
from mlgate.optimize.pass_api import PassContext
from mlgate.optimize.quantization_passes import DynamicInt8
from tests import model_builders as mb

CPU = PassContext(("CPUExecutionProvider",))


def test_opset_upgrade_reaches_13(tmp_path):
    old = mb.cnn()
    old.opset_import[0].version = 11
    source = mb.save(old, tmp_path / "old.onnx")
    OpsetUpgrade().apply(source, tmp_path / "new.onnx", CPU)
    assert opset(onnx.load(str(tmp_path / "new.onnx"))) == 13


def test_weights_in_constant_nodes_are_extracted_so_quantization_finds_them(tmp_path):
    from onnx import helper

    model = mb.cnn()
    constants = [
        helper.make_node("Constant", [], [t.name], value=t) for t in model.graph.initializer
    ]
    del model.graph.initializer[:]
    nodes = list(model.graph.node)
    del model.graph.node[:]
    model.graph.node.extend([*constants, *nodes])
    assert constant_weights(model)
    assert DynamicInt8().supports(model, CPU) == "no float32 weights stored as initializers"
    source = mb.save(model, tmp_path / "constants.onnx")
    recipe = Recipe("extract+int8", (ConstantsToInitializers(), DynamicInt8()))
    built = build(source, tmp_path / "out.onnx", recipe, CPU, timeout=120)
    assert built.status == "built", built.reason
    assert op_counts(onnx.load(str(tmp_path / "out.onnx")))["Constant"] == 0


def test_fp16_stores_the_weights_in_half_precision_and_keeps_float_io(tmp_path):
    source = mb.save(mb.cnn(), tmp_path / "cnn.onnx")
    out = tmp_path / "fp16.onnx"
    Float16().apply(source, out, PassContext(("CUDAExecutionProvider",)))
    model = onnx.load(str(out))  # (onnxruntime's converter appends its input casts last)
    assert {t.data_type for t in model.graph.initializer} == {onnx.TensorProto.FLOAT16}
    assert model.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT

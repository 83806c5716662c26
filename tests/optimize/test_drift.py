"""Optimization drift: the same onnxruntime recipe on base and head, compared."""

from __future__ import annotations

import numpy as np

from mlgate.bench.session import Target
from mlgate.optimize.drift import RECIPE, fused, lost_lines, measure_drift
from tests.model_builders import cnn, save

CPU = Target("cpu", ("CPUExecutionProvider",), 1)


def _cnn_without_fusable_activation():
    model = cnn()
    for node in model.graph.node:
        if node.op_type == "Relu":
            node.op_type = "Softplus"  # onnxruntime fuses Conv + Relu, never Conv + Softplus
    return model


def test_a_head_that_loses_the_conv_fusion_is_drift(tmp_path):
    base = save(cnn(), tmp_path / "base.onnx")
    head = save(_cnn_without_fusable_activation(), tmp_path / "head.onnx")
    feed = {"image": np.ones((1, 3, 8, 8), np.float32)}
    drift = measure_drift(base, head, CPU, (feed, feed))
    assert not isinstance(drift, str), drift
    assert drift.recipe == RECIPE.name
    assert drift.base_fused == {"FusedConv": 2}
    assert drift.head_fused == {}
    assert drift.head_nodes > drift.base_nodes
    assert set(drift.base_placement) == {"CPUExecutionProvider"}
    assert drift.lost == [
        "FusedConv: 2 in base, none in head (a fusion the head's graph no longer matches)"
    ]


def test_the_same_model_has_no_drift(tmp_path):
    base = save(cnn(), tmp_path / "base.onnx")
    feed = {"image": np.ones((1, 3, 8, 8), np.float32)}
    drift = measure_drift(base, base, CPU, (feed, feed))
    assert not isinstance(drift, str), drift
    assert drift.base_fused == drift.head_fused
    assert drift.lost == []


def test_a_model_the_recipe_cannot_build_is_a_reason(tmp_path):
    base = save(cnn(), tmp_path / "base.onnx")
    broken = tmp_path / "head.onnx"
    broken.write_bytes(b"not a model")
    feed = {"image": np.ones((1, 3, 8, 8), np.float32)}
    reason = measure_drift(base, broken, CPU, (feed, feed))
    assert isinstance(reason, str)
    assert reason.startswith("ort-extended on the head model: ")


def test_fused_keeps_only_the_ops_onnxruntime_fuses_into():
    assert fused({"Relu": 3, "FusedConv": 1, "Attention": 2}) == {"Attention": 2, "FusedConv": 1}


def test_a_larger_cpu_fallback_on_an_accelerator_is_drift():
    gpu = ("CUDAExecutionProvider", "CPUExecutionProvider")
    base = {"CUDAExecutionProvider": 9, "CPUExecutionProvider": 1}
    head = {"CUDAExecutionProvider": 5, "CPUExecutionProvider": 5}
    assert lost_lines({}, {}, base, head, gpu) == [
        "CPU fallback: 50% of head nodes ran on the CPU, 10% of base nodes"
    ]
    assert lost_lines({}, {}, head, base, gpu) == []  # less fallback: no drift
    assert lost_lines({}, {}, base, head, ("CPUExecutionProvider",)) == []  # CPU target
    assert lost_lines({}, {}, {}, head, gpu) == []  # placement unknown


def test_a_fusion_kept_or_absent_in_base_is_no_drift():
    assert lost_lines({"FusedGemm": 1}, {"FusedGemm": 2}, {}, {}, ()) == []
    assert lost_lines({"FusedGemm": 0}, {}, {}, {}, ()) == []

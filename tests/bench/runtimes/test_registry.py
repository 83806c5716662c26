"""The runtime registry: both runtimes named, onnxruntime first, and the target's choice
with a one-line reason for each runtime left out."""

from __future__ import annotations

import pytest

from mlgate.bench.runtimes.onnxruntime import OnnxRuntime
from mlgate.bench.runtimes.openvino import OpenVino
from mlgate.bench.runtimes.registry import REFERENCE, REGISTRY, choose
from tests.bench.runtimes.common import CPU


def test_a_runtime_whose_package_is_missing_is_unavailable_with_its_reason():
    registry = {"onnxruntime": OnnxRuntime(), "openvino": OpenVino(package="mlgate_no_openvino")}
    chosen = choose(CPU, None, registry)
    assert [r.name for r in chosen.runtimes] == ["onnxruntime"]
    reason = chosen.unavailable["openvino"]
    assert reason.startswith("the mlgate_no_openvino package is not installed")
    assert "pip install 'ml-efficiency-gate[openvino]'" in reason


def test_the_registry_names_both_runtimes_and_the_target_picks():
    pytest.importorskip("openvino")
    assert list(REGISTRY) == ["onnxruntime", "openvino"]
    assert REFERENCE == "onnxruntime"
    assert [r.name for r in choose(CPU).runtimes] == ["onnxruntime", "openvino"]
    assert [r.name for r in choose(CPU, ["openvino"]).runtimes] == ["openvino"]
    unknown = choose(CPU, ["tvm"])
    assert unknown.runtimes == []
    assert "no runtime named tvm" in unknown.unavailable["tvm"]

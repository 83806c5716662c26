from __future__ import annotations

import json

import pytest

from mlgate.results.deployment import Deployment, OnnxRuntimeSettings, OpenVinoSettings


def test_a_deployment_serialises_only_its_runtime_section():
    deployment = Deployment(
        runtime="openvino",
        runtime_version="2026.4.0",
        model="model.onnx",
        precision="bf16",
        threads=2,
        speedup=2.5,
        openvino=OpenVinoSettings("CPU", {"INFERENCE_PRECISION_HINT": "bf16"}),
    )
    document = json.loads(json.dumps(deployment.to_json()))
    assert document["runtime"] == "openvino"
    assert document["openvino"] == {
        "device": "CPU",
        "properties": {"INFERENCE_PRECISION_HINT": "bf16"},
    }
    assert "onnxruntime" not in document


def test_settings_for_another_runtime_are_refused():
    with pytest.raises(ValueError, match="onnxruntime deployment"):
        Deployment(
            runtime="onnxruntime",
            runtime_version="1.31.1",
            model="model.onnx",
            precision="fp32",
            threads=1,
            openvino=OpenVinoSettings("CPU"),
        )
    with pytest.raises(ValueError, match="not none"):
        Deployment("onnxruntime", "1.31.1", "m.onnx", "fp32", 1)
    ok = Deployment(
        "onnxruntime",
        "1.31.1",
        "m.onnx",
        "fp32",
        1,
        onnxruntime=OnnxRuntimeSettings(["CPUExecutionProvider"]),
    )
    assert ok.to_json()["onnxruntime"] == {
        "providers": ["CPUExecutionProvider"],
        "session_options": {},
    }

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


def test_a_recommended_deployment_survives_the_search_cache(tmp_path):
    from mlgate.results import search_cache
    from mlgate.results.schema import OptimizationInfo, VariantResult

    deployment = Deployment(
        "openvino", "2026.4.1", "m.openvino-bf16.onnx", "bf16", 1, 2.5, (2.4, 2.6),
        {"cosine": 0.9999, "accuracy_change": None}, [],
        openvino=OpenVinoSettings("CPU", {"INFERENCE_PRECISION_HINT": "bf16",
                                          "INFERENCE_NUM_THREADS": 1}),
    )  # fmt: skip
    info = OptimizationInfo(
        variants=[VariantResult("openvino-bf16", [], "recommended", speedup=2.5)],
        recommended="openvino-bf16", seconds=12.0, budget_seconds=180.0,
        fidelity_rule="cosine ≥ 0.99", deployment=deployment,
    )  # fmt: skip
    key = search_cache.SearchKey("0" * 64, {"cpu_model": "x"}, "0.1", {})
    search_cache.save(tmp_path, key, info, "test CPU")
    loaded = search_cache.load(tmp_path, key)
    assert loaded is not None
    assert loaded.info.deployment == deployment

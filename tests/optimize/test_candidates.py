"""Candidates across runtimes: which are planned for a target's config and its CPU, the
precision a pass pipeline yields, and a measured candidate described as a deployment."""

from __future__ import annotations

import pytest

from mlgate.bench.runtimes.base import LoadOptions, cpu_flags
from mlgate.bench.runtimes.onnxruntime import OnnxRuntime
from mlgate.bench.runtimes.openvino import OpenVino
from mlgate.bench.runtimes.registry import choose
from mlgate.optimize.candidates import deployment, recipe_precision, runtime_plans
from mlgate.results.deployment import Deployment
from tests.optimize.search_jobs import CPU

pytest.importorskip("nncf")  # the int8 plan needs it; it brings OpenVINO


def _native(precision: str) -> bool:
    return OpenVino().precision_available(CPU, precision) is None  # type: ignore[arg-type]


def test_every_available_runtime_is_planned_by_default():
    plans, skipped = runtime_plans(choose(CPU).runtimes, CPU)
    names = [p.name for p in plans]
    assert names[0] == "openvino-fp32"
    assert names[-1] == "openvino-nncf-int8"
    for precision in ("bf16", "fp16"):
        name = f"openvino-{precision}"
        assert (name in names) == _native(precision)  # planned where native, else skipped
        assert (name in skipped) != _native(precision)
    flags = cpu_flags()
    if flags is not None and not flags & {"amx_bf16", "avx512_bf16"}:
        assert "not native on this CPU" in skipped["openvino-bf16"]
    assert all(p.runtime.name == "openvino" for p in plans)  # onnxruntime: the passes


def test_a_target_that_names_onnxruntime_only_plans_no_other_runtime():
    chosen = choose(CPU, ["onnxruntime"])
    assert runtime_plans(chosen.runtimes, CPU) == ([], {})


def test_the_precision_of_a_pass_pipeline():
    assert recipe_precision(["opset13", "quant-preprocess", "static-qdq-uint8"]) == "int8"
    assert recipe_precision(["fp16"]) == "fp16"
    assert recipe_precision(["ort-extended"]) == "fp32"


def test_a_measured_openvino_candidate_is_described_as_a_deployment():
    record = deployment(
        OpenVino(), LoadOptions(threads=2, precision="bf16"), "m.onnx", [],
        (2.5, (2.4, 2.6)), {"cosine": 0.9999},
    )  # fmt: skip
    document = record.to_json()
    assert document["runtime"] == "openvino"
    assert document["precision"] == "bf16"
    assert "onnxruntime" not in document
    assert document["openvino"]["properties"]["INFERENCE_PRECISION_HINT"] == "bf16"
    assert document["openvino"]["properties"]["INFERENCE_NUM_THREADS"] == 2
    ort = deployment(OnnxRuntime(), LoadOptions(threads=1), "m.onnx", ["ort-extended"],
                     (1.1, (1.05, 1.2)), {})  # fmt: skip
    assert isinstance(ort, Deployment)
    assert ort.onnxruntime is not None
    assert ort.openvino is None

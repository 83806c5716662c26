"""mlgate.deploy.load: a written deployment opens with the runtime it names and agrees with
the original; no deployment file says how to make one."""

from __future__ import annotations

import json

import numpy as np
import pytest

import mlgate.deploy
from mlgate.bench.session import open_session
from mlgate.errors import DataError
from mlgate.optimize.recommend import ort_deployment
from mlgate.render.optimize_view import load_snippet
from mlgate.results.deployment import DEPLOYMENT_FILE, Deployment, OpenVinoSettings
from mlgate.results.deployment_file import write_deployment
from mlgate.results.schema import VariantResult
from tests import model_builders as mb
from tests.deployed_models import CPU, feeds, winner


def test_a_written_deployment_loads_and_matches_the_original(tmp_path):
    original, variant_path = winner(tmp_path)
    variant = VariantResult("ort-extended", ["ort-extended"], "recommended", speedup=1.2,
                            speedup_ci=(1.1, 1.3), cosine=1.0)  # fmt: skip
    deployment = ort_deployment(variant, variant_path, CPU)
    written = write_deployment(variant_path.parent, deployment)
    assert written.name == DEPLOYMENT_FILE
    document = json.loads(written.read_text())
    assert document["runtime"] == "onnxruntime"
    assert document["model"] == variant_path.name
    assert document["onnxruntime"]["providers"] == ["CPUExecutionProvider"]
    assert document["onnxruntime"]["session_options"]["graph_optimization_level"] == (
        "ORT_ENABLE_ALL"
    )
    assert "openvino" not in document

    loaded = mlgate.deploy.load(variant_path.parent)
    assert loaded.deployment == deployment
    assert loaded.session.providers == ["CPUExecutionProvider"]
    expected = open_session(original, CPU, "original").run(feeds())
    np.testing.assert_allclose(loaded.run(feeds())[0], expected[0], rtol=1e-4, atol=1e-5)


def test_no_deployment_file_says_how_to_make_one(tmp_path):
    with pytest.raises(DataError, match="mlgate optimize --out DIR"):
        mlgate.deploy.load(tmp_path)


def test_an_openvino_deployment_loads_the_same_way(tmp_path):
    pytest.importorskip("openvino", reason="OpenVINO not installed: the extra is optional")
    original = mb.save(mb.matmul_chain(3, 64), tmp_path / "out" / "model.onnx")
    properties = {"INFERENCE_PRECISION_HINT": "f32", "PERFORMANCE_HINT": "LATENCY"}
    deployment = Deployment("openvino", "2026", original.name, "fp32", 1, speedup=1.5,
                            openvino=OpenVinoSettings("CPU", properties))  # fmt: skip
    write_deployment(original.parent, deployment)
    loaded = mlgate.deploy.load(original.parent, threads=2)
    assert loaded.deployment.runtime == "openvino"
    assert loaded.session.providers == ["OpenVINO:CPU"]
    expected = open_session(original, CPU, "original").run(feeds())
    np.testing.assert_allclose(loaded.run(feeds())[0], expected[0], rtol=1e-3, atol=1e-4)
    code = "\n".join(load_snippet(deployment, "out"))
    assert "ov.Core().compile_model('out/model.onnx', 'CPU'" in code

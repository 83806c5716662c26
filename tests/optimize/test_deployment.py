"""The deployable recommendation: the winner as a deployment record, written beside its model
file, read back as untrusted input and opened with the runtime it names. Real onnxruntime
sessions on tiny real models; no timing asserts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest

import mlgate.deploy
from mlgate.bench.deployed import ort_session_options
from mlgate.bench.inputs import synthetic_feeds
from mlgate.bench.session import Target, open_session
from mlgate.cli import main
from mlgate.errors import DataError, ModelError
from mlgate.model.profile import index_bounds
from mlgate.optimize.build import Recipe, build
from mlgate.optimize.graph_passes import OrtGraph
from mlgate.optimize.pass_api import PassContext
from mlgate.optimize.recommend import (
    ort_deployment,
    ort_original,
    precision_of,
    recipe_from,
    recipe_steps,
)
from mlgate.optimize.space import STATIC_START, space, static_recipe
from mlgate.render.optimize_view import load_snippet
from mlgate.results.deployment import (
    DEPLOYMENT_FILE,
    Deployment,
    OnnxRuntimeSettings,
    OpenVinoSettings,
)
from mlgate.results.deployment_file import read_deployment, write_deployment
from mlgate.results.schema import VariantResult
from tests import model_builders as mb

CPU = Target("cpu", ("CPUExecutionProvider",), 1)


def _feeds(width: int = 64) -> dict[str, np.ndarray]:
    return {"x": np.random.default_rng(1).standard_normal((4, width)).astype(np.float32)}


def _winner(tmp_path: Path) -> tuple[Path, Path]:
    """A real model and a real variant of it (onnxruntime's extended graph optimization)."""
    original = mb.save(mb.matmul_chain(3, 64), tmp_path / "model.onnx")
    folder = tmp_path / "out"
    folder.mkdir()
    recipe = Recipe("ort-extended", (OrtGraph("extended"),))
    built = build(original, folder / "model.ort-extended.onnx", recipe, PassContext(), 60, False)
    assert built.path is not None, built.reason
    return original, built.path


def test_a_written_deployment_loads_and_matches_the_original(tmp_path):
    original, variant_path = _winner(tmp_path)
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
    expected = open_session(original, CPU, "original").run(_feeds())
    np.testing.assert_allclose(loaded.run(_feeds())[0], expected[0], rtol=1e-4, atol=1e-5)


def test_the_shipped_file_is_the_passes_output_not_an_all_level_graph(tmp_path):
    """ORT_ENABLE_ALL rewrites for one CPU's instruction set: the file keeps portable ops, the
    session option asks onnxruntime to optimize it where it lands."""
    _, variant_path = _winner(tmp_path)
    ops = {node.op_type for node in onnx.load(str(variant_path)).graph.node}
    assert not any(op.startswith("Nchwc") for op in ops)
    deployment = ort_original(variant_path, CPU)
    assert deployment.onnxruntime is not None
    assert deployment.onnxruntime.session_options["graph_optimization_level"] == "ORT_ENABLE_ALL"


def test_session_options_come_from_names_and_bad_ones_are_one_line():
    settings = OnnxRuntimeSettings(
        ["CPUExecutionProvider"],
        {"graph_optimization_level": "ORT_ENABLE_BASIC", "intra_op_num_threads": 3,
         "session.intra_op.allow_spinning": "0"},
    )  # fmt: skip
    options = ort_session_options(settings)
    assert options.intra_op_num_threads == 3
    assert options.graph_optimization_level.name == "ORT_ENABLE_BASIC"
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    assert ort_session_options(settings, threads=2).intra_op_num_threads == 2
    with pytest.raises(ModelError, match="graph_optimization_level: 'FAST' is not one of"):
        ort_session_options(
            OnnxRuntimeSettings(["CPUExecutionProvider"], {"graph_optimization_level": "FAST"})
        )
    with pytest.raises(ModelError, match="is not one a deployment may set"):
        ort_session_options(OnnxRuntimeSettings(["CPUExecutionProvider"], {"warp": 9}))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"model": "../model.onnx"}, "must be a file name in the same folder"),
        ({"model": "missing.onnx"}, "is not in"),
        ({"openvino": {"device": "CPU"}}, "invalid deployment"),
        ({"precision": "fp8"}, "invalid deployment at precision"),
    ],
)
def test_a_bad_deployment_file_is_one_line(tmp_path, change, message):
    _, variant_path = _winner(tmp_path)
    variant = VariantResult("ort-extended", ["ort-extended"], "recommended")
    path = write_deployment(variant_path.parent, ort_deployment(variant, variant_path, CPU))
    path.write_text(json.dumps({**json.loads(path.read_text()), **change}))
    with pytest.raises(DataError, match=message) as raised:
        read_deployment(variant_path.parent)
    assert "\n" not in str(raised.value)


def test_no_deployment_file_says_how_to_make_one(tmp_path):
    with pytest.raises(DataError, match="mlgate optimize --out DIR"):
        mlgate.deploy.load(tmp_path)


def test_every_recipe_of_the_space_survives_the_record_round_trip():
    model = mb.cnn()
    first, later = space(model)
    for recipe in [*first, static_recipe(model, *STATIC_START), *later]:
        assert recipe_from(recipe.name, recipe_steps(recipe)) == recipe
    with pytest.raises(ModelError, match="no registered pass"):
        recipe_from("x", [{"pass": "teleport"}])


def test_precision_follows_the_passes():
    assert precision_of(["quant-preprocess", "static-qdq-uint8-per-channel-minmax"]) == "int8"
    assert precision_of(["dynamic-int8"]) == "int8"
    assert precision_of(["fp16"]) == "fp16"
    assert precision_of(["ort-extended"]) == "fp32"


def test_mlgate_optimize_writes_a_deployment_that_loads_or_says_none(tmp_path, capsys):
    """End to end: the CLI's JSON names the deployment it wrote, and that deployment loads
    and agrees with the original within the fidelity budget (or nothing won: no file)."""
    model = mb.save(mb.matmul_chain(4, 128), tmp_path / "chain.onnx")
    out, report = tmp_path / "best", tmp_path / "o.json"
    code = main(["optimize", str(model), "--budget-seconds", "12", "--out", str(out),
                 "--json", str(report)])  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    document = json.loads(report.read_text())
    sizing = document["search"]["right_sizing"]
    assert sizing is not None
    assert sizing["rows"][0]["threads"] == 1
    if document["recommended"] is None:
        assert not (out / DEPLOYMENT_FILE).exists()
        assert "no deployment.json written" in printed
        assert sizing["subject"].startswith("the original model")
        return
    assert document["recommended"]["deployment_file"] == str(out / DEPLOYMENT_FILE)
    loaded = mlgate.deploy.load(out)
    assert loaded.deployment.model == Path(document["recommended"]["path"]).name
    assert document["search"]["deployment"]["model"] == loaded.deployment.model
    session = open_session(model, CPU, "original")  # the inputs the search judged fidelity on
    feeds = synthetic_feeds(session.inputs, {}, "chain.onnx", index_bounds(onnx.load(model)))
    original = session.run(feeds)[0].ravel()
    deployed = np.asarray(loaded.run(feeds)[0]).ravel()
    cosine = float(original @ deployed / (np.linalg.norm(original) * np.linalg.norm(deployed)))
    assert cosine >= 0.99
    assert cosine == pytest.approx(document["recommended"]["cosine"], abs=1e-3)
    assert "mlgate.deploy.load(" in printed


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
    expected = open_session(original, CPU, "original").run(_feeds())
    np.testing.assert_allclose(loaded.run(_feeds())[0], expected[0], rtol=1e-3, atol=1e-4)
    code = "\n".join(load_snippet(deployment, "out"))
    assert "ov.Core().compile_model('out/model.onnx', 'CPU'" in code


def test_a_deployment_nested_past_the_parsers_depth_is_one_line(tmp_path):
    (tmp_path / "deployment.json").write_text("[" * 200_000 + "]" * 200_000)
    with pytest.raises(DataError, match="nested too deeply"):
        read_deployment(tmp_path)

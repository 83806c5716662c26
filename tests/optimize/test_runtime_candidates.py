"""Candidates across runtimes: which are planned for a target's config, NNCF's int8 model
judged like any variant, and the search's answer when nothing is fast enough."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mlgate.bench.accuracy import collect_outputs, fidelity, pick_output, task_metric
from mlgate.bench.inputs import Batch
from mlgate.bench.runtimes.base import LoadOptions, cpu_flags
from mlgate.bench.runtimes.onnxruntime import OnnxRuntime
from mlgate.bench.runtimes.openvino import OpenVino
from mlgate.bench.runtimes.registry import choose
from mlgate.bench.session import Target
from mlgate.optimize.candidates import deployment, recipe_precision, runtime_plans
from mlgate.optimize.openvino_int8 import AccuracyControl, build_int8, controllable
from mlgate.optimize.search import Budget, SearchInput, SearchSettings, search
from mlgate.results.deployment import Deployment
from tests import model_builders as mb

pytest.importorskip("nncf")

CPU = Target("cpu", ("CPUExecutionProvider",), 1)


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


def test_accuracy_control_needs_labels_and_a_higher_is_better_metric():
    labels = np.zeros(4)
    assert controllable("top1", labels)
    assert not controllable("top1", None)
    assert not controllable("mse", labels)
    assert not controllable("fidelity", labels)


def _images(count: int, seed: int = 0) -> list[dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [{"image": rng.standard_normal((1, 3, 32, 32)).astype(np.float32)}
            for _ in range(count)]  # fmt: skip


@pytest.mark.slow
def test_nncf_int8_of_a_conv_model_runs_on_openvino_within_fidelity(tmp_path):
    source = mb.save(mb.cnn(), tmp_path / "cnn.onnx")
    built = build_int8(source, tmp_path / "int8.xml", _images(16), None, 120)
    assert built.status == "built", built.reason
    assert (tmp_path / "int8.xml").is_file()
    assert (tmp_path / "int8.bin").is_file()
    options = LoadOptions(threads=1, precision="int8")
    runner = OpenVino().load(tmp_path / "int8.xml", options, "int8.xml")
    batches = [Batch(feeds, None) for feeds in _images(8, seed=1)]
    reference = collect_outputs(OnnxRuntime().load(source, LoadOptions(1), "cnn.onnx"), batches)
    found = fidelity(reference, collect_outputs(runner, batches), None)
    assert found.cosine is not None
    assert found.cosine > 0.99
    assert found.max_abs_diff is not None
    assert found.max_abs_diff > 0


@pytest.mark.slow
def test_nncf_accuracy_control_keeps_a_labelled_model_within_the_drop(tmp_path):
    source = mb.save(mb.cnn(), tmp_path / "cnn.onnx")
    reference = OnnxRuntime().load(source, LoadOptions(1), "cnn.onnx")
    rng = np.random.default_rng(2)
    images = rng.standard_normal((64, 3, 32, 32)).astype(np.float32)
    batches = [Batch({"image": images[i : i + 16]}, None) for i in range(0, 64, 16)]
    # labels: the original's own top-1, so its accuracy is 1.0 and any flip is a drop
    labels = np.concatenate([np.argmax(reference.run(b.feeds)[0], axis=1) for b in batches])
    control = AccuracyControl(batches, labels, "top1", "logits", 0.02)
    calibration = [{"image": images[i : i + 1]} for i in range(32)]
    built = build_int8(source, tmp_path / "q.xml", calibration, control, 240)
    assert built.status == "built", built.reason
    quantized = OpenVino().load(tmp_path / "q.xml", LoadOptions(1, precision="int8"), "q.xml")

    def top1(runner) -> float:  # type: ignore[no-untyped-def]
        chosen = pick_output(collect_outputs(runner, batches), "logits", "cnn.onnx")
        return task_metric("top1", chosen, labels)

    assert top1(reference) == 1.0
    assert top1(quantized) >= 1.0 - 0.02


def test_nncf_reports_a_model_it_cannot_quantize_as_failed_in_one_line(tmp_path):
    forest, _ = mb.sklearn_models(tmp_path)["sklearn-forest"]
    built = build_int8(forest, tmp_path / "q.xml", [{"x": np.zeros((1, 4), np.float32)}], None, 60)
    assert built.status == "failed"
    assert built.reason
    assert "\n" not in built.reason


def _cnn_job(path: Path, runtimes: tuple[str, ...] | None) -> SearchInput:
    return SearchInput(path, "cnn.onnx", CPU, None, "fidelity", None, None,
                       {"image": [2, 3, 32, 32]}, runtimes)  # fmt: skip


def test_the_search_recommends_nothing_when_nothing_clears_the_bar(tmp_path):
    path = mb.save(mb.cnn(), tmp_path / "cnn.onnx")
    settings = SearchSettings(budget_seconds=20, screen_seconds=0.4, final_seconds=1.0,
                              min_speedup=1e6, tune_static=False)  # fmt: skip
    outcome = search(_cnn_job(path, ("openvino",)), Budget(), settings, tmp_path / "out")
    assert outcome.recommended is None
    assert outcome.deployment is None
    assert outcome.best_path is None
    assert not (tmp_path / "out").exists()
    rows = {v.name: v for v in outcome.variants}
    assert not any(name.startswith(("ort-", "dynamic-", "static-")) for name in rows)
    assert rows["openvino-fp32"].cosine is not None
    assert rows["openvino-fp32"].cosine > 0.9999
    assert rows["openvino-fp32"].speedup is not None  # measured, then not recommended
    assert all(v.status != "recommended" for v in outcome.variants)


def test_a_target_limited_to_onnxruntime_gets_no_openvino_candidates(tmp_path):
    path = mb.save(mb.cnn(), tmp_path / "cnn.onnx")
    settings = SearchSettings(budget_seconds=8, screen_seconds=0.3, final_seconds=0.6,
                              tune_static=False)  # fmt: skip
    outcome = search(_cnn_job(path, ("onnxruntime",)), Budget(), settings)
    assert not [v.name for v in outcome.variants if v.name.startswith("openvino")]
    if outcome.deployment is not None:
        assert outcome.deployment.runtime == "onnxruntime"


def test_a_model_openvino_cannot_read_is_tried_once_and_its_other_plans_skipped(tmp_path):
    forest, _ = mb.sklearn_models(tmp_path)["sklearn-forest"]
    job = SearchInput(forest, "forest.onnx", CPU, None, "fidelity", None, None, {},
                      ("openvino",))  # fmt: skip
    outcome = search(job, Budget(), SearchSettings(budget_seconds=20, screen_seconds=0.3))
    rows = {v.name: v for v in outcome.variants}
    assert rows["openvino-fp32"].status == "failed"
    assert rows["openvino-fp32"].reason.startswith("OpenVINO cannot compile forest.onnx: ")
    assert rows["openvino-nncf-int8"].status == "skipped"
    assert rows["openvino-nncf-int8"].reason == (
        "openvino cannot read this model (see openvino-fp32)"
    )
    assert outcome.recommended is None


def test_weights_in_constant_nodes_do_not_stop_nncf(tmp_path):
    from onnx import helper

    model = mb.cnn()
    constants = [
        helper.make_node("Constant", [], [t.name], value=t) for t in model.graph.initializer
    ]
    del model.graph.initializer[:]
    nodes = list(model.graph.node)
    del model.graph.node[:]
    model.graph.node.extend([*constants, *nodes])
    path = mb.save(model, tmp_path / "constants.onnx")
    job = _cnn_job(path, ("openvino",))
    settings = SearchSettings(budget_seconds=3, screen_seconds=0.3, tune_static=False)
    from mlgate.optimize.search import _Search

    run = _Search(job, Budget(), settings, tmp_path)
    (nncf_plan,) = [p for p in runtime_plans(run.chosen.runtimes, CPU)[0] if p.model != "original"]
    assert run.plan_skipped(nncf_plan) is None  # OpenVINO reads Constant weights as constants


def test_an_openvino_ir_winner_is_written_with_its_weights_file(tmp_path):
    from mlgate.optimize.search import _Candidate, _write_model

    (tmp_path / "variant-3.xml").write_text("<net/>")
    (tmp_path / "variant-3.bin").write_bytes(b"\x00\x01")
    winner = _Candidate("openvino-nncf-int8", tmp_path / "variant-3.xml", 0, 0.5, OpenVino(),
                        LoadOptions(1, precision="int8"))  # fmt: skip
    written = _write_model(winner, tmp_path / "out", "my model")
    assert written.name == "my_model.openvino-nncf-int8.xml"
    assert written.read_text() == "<net/>"
    assert written.with_suffix(".bin").read_bytes() == b"\x00\x01"  # read_model finds it


def test_the_finals_of_a_faster_candidate_are_kept_back_from_later_builds(tmp_path):
    from mlgate.optimize.search import _Candidate, _Search

    path = mb.save(mb.cnn(), tmp_path / "cnn.onnx")
    settings = SearchSettings(budget_seconds=20, screen_seconds=0.5, tune_static=False)
    run = _Search(_cnn_job(path, ("openvino",)), Budget(), settings, tmp_path)
    assert run.may_try("first")
    # A candidate that screened faster and takes 2 s to load: 4 fresh pairs need > 16 s.
    slow_loading = _Candidate("openvino-fp32", path, 0, 0.5, OpenVino(), LoadOptions(1),
                              open_seconds=2.0)  # fmt: skip
    run.candidates.append(slow_loading)
    assert run.final_seconds_needed(slow_loading) > 16
    assert not run.may_try("openvino-nncf-int8")  # its build would eat the finals' time
    assert run.not_tried == ["openvino-nncf-int8"]
    assert run.build_timeout() == 1  # the floor, never the finals' share

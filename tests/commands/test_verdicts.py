"""Verdicts on real model changes, end to end through the CLI (issue: no green check for a
real regression): per-example timing, fixed-batch eval data, fidelity gated without
labels, paired accuracy statistics, bad labels, and where a slowdown's time went."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from mlgate.cli import main
from tests import model_builders as mb

NO_LATENCY = ["--threshold", "latency.p50=off", "--threshold", "latency.p90=off"]
NO_FIDELITY = [
    f"--threshold=fidelity.{name}=off" for name in ("cosine", "top1_agreement", "relative_diff")
]


def compare(capsys, tmp_path: Path, base: Path, head: Path, *extra: str) -> tuple[int, dict, str]:
    out = tmp_path / "r.json"
    code = main(["compare", str(base), str(head), "--no-memory", "--json", str(out), *extra])
    _, err = capsys.readouterr()
    return code, json.loads(out.read_text()) if out.exists() else {}, err


def metric(doc: dict, name: str) -> dict:
    return next(m for m in doc["targets"][0]["metrics"] if m["name"] == name)


def _scores_model(bias: list[float]) -> onnx.ModelProto:
    """scores[N, 3] = x[N, 3] + bias: the argmax is the class of x, unless the bias tips it."""
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "bias"], ["scores"])],
        "scores",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["N", 3])],
        [helper.make_tensor("bias", TensorProto.FLOAT, [3], bias)],
    )
    return mb.finish(graph)


def _tipped_data(path: Path, examples: int, tipped: int) -> Path:
    """One-hot-ish rows labelled with their class; in `tipped` of them class 0 is a close
    second, so a +0.3 bias on class 0 makes exactly those wrong."""
    rng = np.random.default_rng(0)
    labels = rng.integers(1, 3, examples)
    x = np.zeros((examples, 3), np.float32)
    x[np.arange(examples), labels] = 1.0
    x[:tipped, 0] = 0.8
    np.savez(path, x=x, labels=labels.astype(np.int64))
    return path


@pytest.fixture
def quiet_config(tmp_path: Path) -> Path:
    path = tmp_path / "quiet.yml"
    path.write_text(
        "version: 1\nlatency: {budget_seconds: 2, min_seconds: 0.2, warmup_seconds: 0.05, "
        "segment_seconds: 0.05, min_segments: 3}\n"
    )
    return path


def test_stacked_examples_for_a_fixed_batch_model_are_fed_a_batch_per_call(
    capsys, tmp_path, quiet_config
):
    # a model whose batch is fixed at 1, eval data stacking 16 examples along axis 0: it
    # was refused ("array 'x' has 16 at axis 0 ..., but the model input expects [1, 64]")
    model = mb.save(mb.matmul_chain(layers=2, width=64, batch=1), tmp_path / "fixed.onnx")
    data = tmp_path / "eval.npz"
    np.savez(data, x=np.random.default_rng(1).standard_normal((16, 64)).astype(np.float32))
    code, doc, err = compare(
        capsys, tmp_path, model, model, "--data", str(data), "--config", str(quiet_config),
        *NO_LATENCY,
    )  # fmt: skip
    assert (code, err) == (0, ""), doc.get("errors")
    assert doc["eval"]["examples"] == 16
    assert doc["eval"]["batches"] == 16
    assert doc["targets"][0]["latency"]["input_shapes"] == {"x": [1, 64]}
    assert metric(doc, "fidelity.cosine")["verdict"] == "pass"


def test_latency_is_timed_on_one_example_per_call(capsys, tmp_path, quiet_config):
    model = mb.save(mb.matmul_chain(layers=2, width=32), tmp_path / "m.onnx")
    data = tmp_path / "eval.npz"
    np.savez(data, x=np.random.default_rng(1).standard_normal((50, 32)).astype(np.float32))
    code, doc, _ = compare(
        capsys, tmp_path, model, model, "--data", str(data), "--config", str(quiet_config),
        *NO_LATENCY,
    )  # fmt: skip
    assert code == 0
    assert doc["eval"]["batches"] == 1  # accuracy and fidelity still see all 50 at once
    assert doc["targets"][0]["latency"]["input_shapes"] == {"x": [1, 32]}
    throughput = metric(doc, "throughput")
    assert throughput["base"] == pytest.approx(1.0 / metric(doc, "latency.p50")["base"], rel=0.2)


def _broken(model: onnx.ModelProto) -> onnx.ModelProto:
    """The same graph with its weights crushed to three levels: a quantization gone wrong."""
    broken = onnx.ModelProto()
    broken.CopyFrom(model)
    for tensor in broken.graph.initializer:
        values = onnx.numpy_helper.to_array(tensor)
        step = np.abs(values).max() / 1.5
        tensor.CopyFrom(onnx.numpy_helper.from_array(np.round(values / step) * step, tensor.name))
    return broken


def test_without_labels_fidelity_is_gated_a_re_export_passes_and_a_broken_quantization_fails(
    capsys, tmp_path, quiet_config
):
    base_proto = mb.matmul_chain(layers=3, width=32)
    base = mb.save(base_proto, tmp_path / "base.onnx")
    re_export = mb.save(onnx.load(str(base)), tmp_path / "re-export.onnx")
    broken = mb.save(_broken(base_proto), tmp_path / "broken.onnx")
    data = tmp_path / "eval.npz"
    np.savez(data, x=np.random.default_rng(2).standard_normal((40, 32)).astype(np.float32))
    args = ("--data", str(data), "--config", str(quiet_config), *NO_LATENCY)

    code, doc, _ = compare(capsys, tmp_path, base, re_export, *args)
    assert (code, doc["verdict"]) == (0, "pass")
    for name in ("fidelity.cosine", "fidelity.top1_agreement", "fidelity.relative_diff"):
        assert metric(doc, name)["verdict"] == "pass", name
    assert any("no labels" in note for note in doc["targets"][0]["notes"])

    code, doc, _ = compare(capsys, tmp_path, base, broken, *args)
    assert (code, doc["verdict"]) == (1, "fail")
    assert metric(doc, "fidelity.cosine")["verdict"] == "fail"
    assert metric(doc, "fidelity.cosine")["head"] < 0.999


def test_with_labels_accuracy_decides_and_fidelity_is_shown(capsys, tmp_path, quiet_config):
    base = mb.save(_scores_model([0.0, 0.0, 0.0]), tmp_path / "base.onnx")
    head = mb.save(_scores_model([0.3, 0.0, 0.0]), tmp_path / "head.onnx")
    data = _tipped_data(tmp_path / "eval.npz", examples=1000, tipped=30)
    code, doc, _ = compare(
        capsys, tmp_path, base, head, "--data", str(data), "--config", str(quiet_config),
        *NO_LATENCY,
    )  # fmt: skip
    accuracy = metric(doc, "accuracy")
    assert (code, accuracy["verdict"]) == (1, "fail")
    assert accuracy["delta"] == pytest.approx(-0.03)
    assert accuracy["p_value"] < 1e-6  # 30 discordant, all one way: 2 * 0.5**30
    assert accuracy["ci"][1] < 0
    assert "McNemar" in accuracy["source"]
    assert metric(doc, "fidelity.top1_agreement")["verdict"] == "skipped"  # shown, not gated


def test_a_drop_a_small_eval_set_cannot_tell_from_noise_is_inconclusive(
    capsys, tmp_path, quiet_config
):
    base = mb.save(_scores_model([0.0, 0.0, 0.0]), tmp_path / "base.onnx")
    head = mb.save(_scores_model([0.3, 0.0, 0.0]), tmp_path / "head.onnx")
    data = _tipped_data(tmp_path / "eval.npz", examples=40, tipped=2)  # -5 pt on 40
    code, doc, _ = compare(
        capsys, tmp_path, base, head, "--data", str(data), "--config", str(quiet_config),
        *NO_LATENCY, *NO_FIDELITY,
    )  # fmt: skip
    accuracy = metric(doc, "accuracy")
    assert accuracy["verdict"] == "inconclusive"
    assert "cannot be told from noise" in "; ".join(accuracy["notes"])
    assert doc["verdict"] == "inconclusive"
    assert code == 0  # on_inconclusive defaults to neutral
    fail_config = tmp_path / "strict.yml"
    fail_config.write_text(quiet_config.read_text() + "on_inconclusive: fail\n")
    code, doc, _ = compare(
        capsys, tmp_path, base, head, "--data", str(data), "--config", str(fail_config),
        *NO_LATENCY, *NO_FIDELITY,
    )  # fmt: skip
    assert (code, doc["verdict"]) == (1, "inconclusive")


def test_when_accuracy_cannot_decide_agreement_with_the_base_does(capsys, tmp_path, quiet_config):
    # the same small eval set, fidelity left at its defaults: the head's outputs moved
    # (cosine 0.96 on the tipped rows' neighbours), so the undecided accuracy does not hide it
    base = mb.save(_scores_model([0.0, 0.0, 0.0]), tmp_path / "base.onnx")
    head = mb.save(_scores_model([0.3, 0.0, 0.0]), tmp_path / "head.onnx")
    data = _tipped_data(tmp_path / "eval.npz", examples=40, tipped=2)
    code, doc, _ = compare(
        capsys, tmp_path, base, head, "--data", str(data), "--config", str(quiet_config),
        *NO_LATENCY,
    )  # fmt: skip
    assert metric(doc, "accuracy")["verdict"] == "inconclusive"
    cosine = metric(doc, "fidelity.cosine")
    assert (code, cosine["verdict"]) == (1, "fail")
    assert "agreement with the base decides" in "; ".join(cosine["notes"])
    same = mb.save(_scores_model([0.0, 0.0, 0.0]), tmp_path / "same.onnx")
    code, doc, _ = compare(
        capsys, tmp_path, base, same, "--data", str(data), "--config", str(quiet_config),
        *NO_LATENCY,
    )  # fmt: skip
    assert metric(doc, "fidelity.cosine")["verdict"] == "skipped"  # accuracy decided: shown


def test_nan_labels_are_one_line_not_a_pass(capsys, tmp_path, quiet_config):
    model = mb.save(_scores_model([0.0, 0.0, 0.0]), tmp_path / "m.onnx")
    data = tmp_path / "eval.npz"
    np.savez(data, x=np.eye(3, dtype=np.float32), labels=np.array([0.0, np.nan, 2.0]))
    code, doc, err = compare(
        capsys, tmp_path, model, model, "--data", str(data), "--config", str(quiet_config)
    )
    assert code == 2
    assert err.count("\n") == 1
    assert "NaN" in err
    assert doc["verdict"] == "error"


def test_a_slowdown_says_where_the_time_went(capsys, tmp_path, quiet_config):
    # a fixed batch of 32 rows: each MatMul is ~8 M multiply-adds, each Relu a few thousand
    base = mb.save(mb.matmul_chain(layers=2, width=512, batch=32), tmp_path / "base.onnx")
    head = mb.save(mb.matmul_chain(layers=6, width=512, batch=32), tmp_path / "head.onnx")
    code, doc, _ = compare(capsys, tmp_path, base, head, "--config", str(quiet_config))
    assert code == 1
    assert metric(doc, "latency.p50")["verdict"] == "fail"
    breakdown = doc["targets"][0]["time_breakdown"]
    assert breakdown["by_op"][0]["name"] == "MatMul"
    assert breakdown["by_op"][0]["share"] > 0.5
    assert breakdown["head_ms"] > breakdown["base_ms"]
    assert any("(MatMul)" in row["name"] for row in breakdown["by_node"])

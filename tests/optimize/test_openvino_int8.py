"""NNCF's int8 model for OpenVINO: built from calibration data (with accuracy control where
there are labels), run on OpenVINO within fidelity, and a model it cannot quantize is one line."""

from __future__ import annotations

import numpy as np
import pytest

from mlgate.bench.accuracy import collect_outputs, fidelity, pick_output, task_metric
from mlgate.bench.inputs import Batch
from mlgate.bench.runtimes.base import LoadOptions
from mlgate.bench.runtimes.onnxruntime import OnnxRuntime
from mlgate.bench.runtimes.openvino import OpenVino
from mlgate.optimize.openvino_int8 import AccuracyControl, build_int8, controllable
from tests import model_builders as mb

pytest.importorskip("nncf")


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

"""The OpenVINO runtime: real compiled models of small ONNX models, availability reasons
from the real code paths, its per-op profile, and the interleaved A/B of an onnxruntime
runner against an OpenVINO runner in one process."""

from __future__ import annotations

import numpy as np
import pytest

from mlgate.bench.accuracy import collect_outputs, fidelity
from mlgate.bench.inputs import Batch
from mlgate.bench.runtimes.base import LoadOptions, cpu_flags
from mlgate.bench.runtimes.onnxruntime import OnnxRuntime
from mlgate.bench.runtimes.openvino import OpenVino
from mlgate.errors import ModelError
from mlgate.optimize.ab import RunCost, ab_runners
from tests import model_builders as mb
from tests.bench.runtimes.common import CPU, GPU, ONE_THREAD, image

pytest.importorskip("openvino")


def test_openvino_compiles_and_runs_an_onnx_cnn_like_onnxruntime(tmp_path):
    path = mb.save(mb.cnn(), tmp_path / "cnn.onnx")
    feeds = image()
    ov_runner = OpenVino().load(path, ONE_THREAD, "cnn.onnx")
    ort_runner = OnnxRuntime().load(path, ONE_THREAD, "cnn.onnx")
    assert [i.name for i in ov_runner.inputs] == ["image"]
    assert ov_runner.inputs[0].type == "tensor(float)"
    assert ov_runner.output_names == ort_runner.output_names == ["logits"]
    batches = [Batch(feeds, None), Batch(image(batch=3, side=24), None)]  # dynamic shapes
    found = fidelity(
        collect_outputs(ort_runner, batches), collect_outputs(ov_runner, batches), None
    )
    assert found.cosine is not None
    assert found.cosine > 0.9999
    assert found.max_abs_diff is not None
    assert found.max_abs_diff < 1e-3
    assert ov_runner.runner(feeds)() is not None  # the timing loop's call


def test_openvino_runs_a_matmul_chain_with_its_thread_and_precision_settings(tmp_path):
    path = mb.save(mb.matmul_chain(layers=3, width=32, batch=4), tmp_path / "mm.onnx")
    runner = OpenVino().load(path, LoadOptions(threads=2), "mm.onnx")
    (out,) = runner.run({"x": np.ones((4, 32), np.float32)})
    assert out.shape == (4, 32)
    assert runner.precision == "fp32"  # read back from the compiled model
    settings = OpenVino().describe(LoadOptions(threads=2, precision="bf16"))
    assert settings.device == "CPU"
    assert settings.properties["INFERENCE_PRECISION_HINT"] == "bf16"
    assert settings.properties["INFERENCE_NUM_THREADS"] == 2


def test_a_bf16_hint_on_a_cpu_without_bf16_is_read_back_as_what_runs(tmp_path):
    flags = cpu_flags()
    if flags is None or flags & {"amx_bf16", "avx512_bf16"}:
        pytest.skip("this CPU has native bf16 (or no readable flags): nothing falls back")
    path = mb.save(mb.cnn(), tmp_path / "cnn.onnx")
    runner = OpenVino().load(path, LoadOptions(threads=1, precision="bf16"), "cnn.onnx")
    assert runner.precision == "fp32"  # OpenVINO ran f32: the search skips it as a duplicate
    reason = OpenVino().precision_available(CPU, "bf16")
    assert reason is not None
    assert "no amx_bf16/avx512_bf16 in /proc/cpuinfo flags" in reason


def test_openvino_refuses_a_model_it_cannot_compile_in_one_line(tmp_path):
    forest, _ = mb.sklearn_models(tmp_path)["sklearn-forest"]
    with pytest.raises(ModelError) as error:
        OpenVino().load(forest, ONE_THREAD, "forest.onnx")
    message = str(error.value)
    assert message.startswith("OpenVINO cannot compile forest.onnx: ")
    assert "\n" not in message
    assert len(message) < 500


def test_gpu_targets_need_the_device_or_say_it_is_absent():
    import openvino as ov

    devices = ov.Core().available_devices
    reason = OpenVino().available(GPU)
    if any(d.startswith("GPU") for d in devices):
        assert reason is None
    else:
        assert reason == f"OpenVINO has no GPU device here (devices: {', '.join(devices)})"
        pytest.skip("no GPU here: the GPU path was checked for its reason only")


def test_an_onnxruntime_runner_and_an_openvino_runner_interleave_in_one_process(tmp_path):
    path = mb.save(mb.cnn(), tmp_path / "cnn.onnx")
    feeds = image()
    cost = RunCost.measure(path, CPU, "cnn.onnx", feeds)
    opened: list[str] = []

    def ort_runner():  # type: ignore[no-untyped-def]
        opened.append("onnxruntime")
        return OnnxRuntime().load(path, ONE_THREAD, "cnn.onnx")

    def ov_runner():  # type: ignore[no-untyped-def]
        opened.append("openvino")
        return OpenVino().load(path, ONE_THREAD, "cnn.onnx")

    found = ab_runners(ort_runner, ov_runner, feeds, 0.6, 1, 0.95, cost)
    assert found.segments >= 2
    assert found.pairs >= 4
    assert np.isfinite(found.ratio)
    assert found.ratio > 0
    assert found.low <= found.ratio <= found.high
    assert opened[:4] == ["onnxruntime", "openvino", "openvino", "onnxruntime"]  # alternating


def test_openvino_profiles_where_the_time_goes_by_op_type(tmp_path):
    path = mb.save(mb.cnn(), tmp_path / "cnn.onnx")
    times = OpenVino().profile(path, ONE_THREAD, image(), runs=3)
    assert any("conv" in op.lower() for op in times), times
    assert all(ms >= 0 for ms in times.values())
    assert sum(times.values()) > 0

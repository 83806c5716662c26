"""The onnxruntime runtime: the session settings it describes, the precisions it refuses,
its provider availability, and its per-op profile of a real model."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort

from mlgate.bench.runtimes.base import LoadOptions
from mlgate.bench.runtimes.onnxruntime import OnnxRuntime
from tests import model_builders as mb
from tests.bench.runtimes.common import CPU, GPU, ONE_THREAD, image


def test_onnxruntime_describes_the_session_it_opens():
    settings = OnnxRuntime().describe(LoadOptions(threads=3))
    assert settings.providers == ["CPUExecutionProvider"]
    assert settings.session_options["intra_op_num_threads"] == 3
    assert settings.session_options["graph_optimization_level"] == "ORT_ENABLE_ALL"
    assert OnnxRuntime().precision_available(CPU, "bf16") is not None


def test_onnxruntime_takes_fp32_only_as_the_file_holds_its_precision():
    assert OnnxRuntime().precision_available(CPU, "fp32") is None
    reason = OnnxRuntime().precision_available(CPU, "fp16")
    assert reason is not None
    assert "conversion pass" in reason
    assert OnnxRuntime().available(CPU) is None
    assert OnnxRuntime().version() == ort.__version__


def test_onnxruntime_loads_and_runs_a_real_model(tmp_path):
    path = mb.save(mb.matmul_chain(layers=2, width=8, batch=2), tmp_path / "mm.onnx")
    runner = OnnxRuntime().load(path, ONE_THREAD, "mm.onnx")
    (out,) = runner.run({"x": np.ones((2, 8), np.float32)})
    assert out.shape == (2, 8)
    assert [i.name for i in runner.inputs] == ["x"]


def test_a_gpu_target_needs_cuda_or_says_it_is_missing():
    if "CUDAExecutionProvider" in ort.get_available_providers():
        assert OnnxRuntime().available(GPU) is None
    else:
        reason = OnnxRuntime().available(GPU)
        assert reason is not None
        assert "lacks CUDAExecutionProvider" in reason


def test_a_missing_package_is_unavailable_with_the_import_error():
    reason = OnnxRuntime(package="mlgate_no_onnxruntime").available(CPU)
    assert reason is not None
    assert reason.startswith("the mlgate_no_onnxruntime package cannot be imported")


def test_onnxruntime_profiles_where_the_time_goes_by_op_type(tmp_path):
    path = mb.save(mb.cnn(), tmp_path / "cnn.onnx")
    times = OnnxRuntime().profile(path, ONE_THREAD, image(), runs=3)
    assert any("conv" in op.lower() for op in times), times
    assert all(ms >= 0 for ms in times.values())
    assert sum(times.values()) > 0

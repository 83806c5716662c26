"""Sessions for a target with real onnxruntime: one-line errors, pinned threads, and the IR
and opsets the installed runtime reads, probed rather than looked up."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from mlgate.bench.session import (
    InputSpec,
    Target,
    check_target,
    open_session,
    runtime_limits,
    runtime_message,
    session_options,
)
from mlgate.errors import ModelError, TargetError
from tests.model_builders import matmul_chain, save

CPU = Target("cpu", ("CPUExecutionProvider",), 1)


def test_a_session_reports_its_inputs_and_runs(tmp_path):
    session = open_session(save(matmul_chain(layers=1, width=4), tmp_path / "m.onnx"), CPU, "m")
    assert session.inputs == [InputSpec("x", "tensor(float)", ("N", 4))]
    assert session.inputs[0].dtype is np.float32
    assert session.output_names == ["y"]
    assert session.providers == ["CPUExecutionProvider"]
    feeds = {"x": np.ones((2, 4), np.float32)}
    (y,) = session.run(feeds)
    assert y.shape == (2, 4)
    assert session.runner(feeds)()[0].shape == (2, 4)


def test_inference_that_fails_is_one_line_with_a_hint(tmp_path):
    session = open_session(save(matmul_chain(layers=1, width=4), tmp_path / "m.onnx"), CPU, "m")
    with pytest.raises(ModelError) as raised:
        session.run({"x": np.ones((2, 5), np.float32)}, hint="fix the shapes")
    message = str(raised.value)
    assert message.startswith("m: inference failed: ")
    assert message.endswith("; fix the shapes")
    assert "\n" not in message
    assert "[ONNXRuntimeError]" not in message


def test_a_file_the_runtime_cannot_load_is_a_model_error(tmp_path):
    path = tmp_path / "bad.onnx"
    path.write_bytes(b"\x08\x07garbage")
    with pytest.raises(ModelError, match="onnxruntime cannot load bad"):
        open_session(path, CPU, "bad")


def test_a_target_needing_a_missing_provider_says_what_to_install():
    check_target(CPU)
    with pytest.raises(TargetError, match="target 'tpu' needs NoSuchExecutionProvider"):
        check_target(Target("tpu", ("NoSuchExecutionProvider",), 1))


def test_runtime_messages_lose_onnxruntimes_prefix_and_stay_bounded():
    raw = RuntimeError(
        "[ONNXRuntimeError] : 2 : INVALID_ARGUMENT : /onnxruntime_src/core/x.cc:12 bad\n"
        + "y" * 1000
    )
    text = runtime_message(raw)
    assert text.startswith("bad ")
    assert len(text) == 400


def test_threads_are_pinned_and_spinning_is_off():
    options = session_options(3)
    assert (options.intra_op_num_threads, options.inter_op_num_threads) == (3, 1)
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"


def test_the_runtime_limits_are_what_onnxruntime_actually_loads():
    limits = runtime_limits()
    assert limits.runtime.startswith("onnxruntime ")
    assert limits.max_ir_version >= 7
    assert limits.max_opsets[""] >= 13
    assert limits.max_opsets["ai.onnx.ml"] >= 1
    newest = matmul_chain(layers=1, width=2)
    newest.ir_version = min(limits.max_ir_version, onnx.IR_VERSION)
    newest.opset_import[0].version = limits.max_opsets[""]
    ort.InferenceSession(newest.SerializeToString(), providers=["CPUExecutionProvider"])

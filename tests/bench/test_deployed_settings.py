"""deployment.json is untrusted input: only settings a deployment may set reach a runtime,
each checked for its type and range, so a record cannot make onnxruntime or OpenVINO write
files (optimized_model_filepath, profile_file_prefix, CACHE_DIR) or call methods."""

from __future__ import annotations

import pytest

from mlgate.bench.deployed import openvino_properties, ort_session_options
from mlgate.errors import ModelError
from mlgate.results.deployment import OnnxRuntimeSettings, OpenVinoSettings

CPU = ["CPUExecutionProvider"]


def test_the_settings_the_search_records_are_applied():
    options = ort_session_options(
        OnnxRuntimeSettings(
            CPU,
            {
                "graph_optimization_level": "ORT_ENABLE_EXTENDED",
                "execution_mode": "ORT_SEQUENTIAL",
                "intra_op_num_threads": 3,
                "inter_op_num_threads": 1,
                "enable_mem_pattern": False,
                "session.intra_op.allow_spinning": "0",
            },
        )
    )
    assert options.graph_optimization_level.name == "ORT_ENABLE_EXTENDED"
    assert options.intra_op_num_threads == 3
    assert options.enable_mem_pattern is False
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("optimized_model_filepath", "/tmp/x.onnx", "is not one a deployment may set"),
        ("profile_file_prefix", "/github/file_commands/x", "is not one a deployment may set"),
        ("enable_profiling", True, "is not one a deployment may set"),
        ("add_session_config_entry", "x", "is not one a deployment may set"),
        ("session.load_model_format", "ORT", "is not one a deployment may set"),
        ("intra_op_num_threads", "8", "is not a count"),
        ("intra_op_num_threads", 10**9, "is not a count"),
        ("intra_op_num_threads", True, "is not a count"),
        ("enable_mem_pattern", "yes", "is not true or false"),
        ("graph_optimization_level", "ORT_ENABLE_EVERYTHING", "is not one of"),
        ("session.intra_op.allow_spinning", "maybe", "is not one of"),
    ],
)
def test_anything_else_is_one_line(key, value, says):
    with pytest.raises(ModelError, match=says) as raised:
        ort_session_options(OnnxRuntimeSettings(CPU, {key: value}))
    assert "\n" not in str(raised.value)


def test_openvino_properties_are_checked_the_same_way():
    settings = OpenVinoSettings(
        "CPU",
        {
            "INFERENCE_PRECISION_HINT": "bf16",
            "INFERENCE_NUM_THREADS": 2,
            "ENABLE_CPU_PINNING": False,
        },
    )
    assert openvino_properties(settings) == {
        "INFERENCE_PRECISION_HINT": "bf16",
        "INFERENCE_NUM_THREADS": 2,
        "ENABLE_CPU_PINNING": False,
    }
    for key, value in [("CACHE_DIR", "/tmp/ov"), ("INFERENCE_PRECISION_HINT", "f64"),
                       ("NUM_STREAMS", -1), ("ENABLE_CPU_PINNING", "no")]:  # fmt: skip
        with pytest.raises(ModelError):
            openvino_properties(OpenVinoSettings("CPU", {key: value}))

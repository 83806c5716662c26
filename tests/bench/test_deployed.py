"""Opening a deployment: onnxruntime session options from their recorded names."""

from __future__ import annotations

import pytest

from mlgate.bench.deployed import ort_session_options
from mlgate.errors import ModelError
from mlgate.results.deployment import OnnxRuntimeSettings


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
    with pytest.raises(ModelError, match="no such option"):
        ort_session_options(OnnxRuntimeSettings(["CPUExecutionProvider"], {"warp": 9}))

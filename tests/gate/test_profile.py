"""gate.profile: the static profile of a real model, and where each input's shape came from."""

from __future__ import annotations

import numpy as np

from mlgate.gate.profile import ProfileOptions, profile
from tests import model_builders as mb


def _macs(outcome) -> int:
    assert outcome.report.model.compute is not None
    return outcome.report.model.compute.macs


def test_a_fixed_shape_comes_from_the_model(tmp_path):
    model = mb.save(mb.matmul_chain(layers=2, width=8, batch=1), tmp_path / "m.onnx")
    outcome = profile(ProfileOptions(str(model)))
    assert outcome.report.kind == "mlgate-profile"
    assert outcome.report.shape_sources == {"x": "fixed by the model"}
    assert _macs(outcome) == 2 * 8 * 8
    assert outcome.written == []
    assert "m.onnx" in outcome.summary


def test_dynamic_dims_are_guessed_unless_given_on_the_command_line(tmp_path):
    model = mb.save(mb.matmul_chain(layers=2, width=8), tmp_path / "m.onnx")
    guessed = profile(ProfileOptions(str(model)))
    assert guessed.report.shape_sources["x"].startswith("guessed for dynamic dims")
    given = profile(ProfileOptions(str(model), inputs={"x": [5, 8]}))
    assert given.report.shape_sources == {"x": "command line"}
    assert _macs(given) == 5 * 2 * 8 * 8


def test_shapes_from_the_config_and_from_eval_data(tmp_path):
    model = mb.save(mb.matmul_chain(layers=1, width=8), tmp_path / "m.onnx")
    config = tmp_path / "mlgate.yml"
    config.write_text(f"models: [{{path: '{model.name}', inputs: {{x: [3, 8]}}}}]\n")
    from_config = profile(ProfileOptions(model.name, config=config))
    assert from_config.report.shape_sources == {"x": "config"}
    assert _macs(from_config) == 3 * 8 * 8
    data = tmp_path / "eval.npz"
    np.savez(data, x=np.zeros((2, 8), np.float32), labels=np.zeros(2, np.int64))
    from_data = profile(ProfileOptions(str(model), data=data))
    assert from_data.report.shape_sources == {"x": "eval data, first batch"}


def test_json_out_is_written(tmp_path):
    model = mb.save(mb.matmul_chain(layers=1, width=8, batch=1), tmp_path / "m.onnx")
    out = tmp_path / "p.json"
    assert profile(ProfileOptions(str(model), json_out=out)).written == [out]
    assert '"kind": "mlgate-profile"' in out.read_text()

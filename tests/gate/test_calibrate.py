"""gate.calibrate: A/A latency trials of one real model on one target, and the thresholds
their noise calls for."""

from __future__ import annotations

import json

import pytest

from mlgate.errors import ConfigError
from mlgate.gate.calibrate import CalibrateOptions, calibrate
from mlgate.progress import LogProgress
from tests import model_builders as mb


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (CalibrateOptions(trials=1), "--trials must be at least 2"),
        (CalibrateOptions(false_alarm_rate=0.5), "--false-alarm-rate must be between 0 and 0.5"),
        (CalibrateOptions(target="tpu"), "--target tpu: no such target in the config"),
    ],
)
def test_bad_options_are_refused_before_measuring(options, message):
    with pytest.raises(ConfigError, match=message):
        calibrate(options)


def test_a_given_model_is_timed_in_each_trial_and_its_calibration_written(tmp_path):
    model = mb.save(mb.matmul_chain(layers=2, width=32, batch=1), tmp_path / "m.onnx")
    out = tmp_path / "out" / "calibration.json"
    lines: list[str] = []
    options = CalibrateOptions(model=model, trials=2, seconds=0.2, json_out=out)
    outcome = calibrate(options, LogProgress(lines.append))
    assert outcome.exit_code == 0
    assert outcome.calibration.trials == 2
    assert {q.metric for q in outcome.calibration.quantiles} >= {"latency.p50"}
    assert sum("A/A trial" in line for line in lines) == 2
    assert str(model) in outcome.summary
    written = json.loads(out.read_text())
    assert (written["model"], written["target"]) == (str(model), "cpu")
    assert written["suggested_thresholds"] == outcome.calibration.suggested_thresholds()
    assert all(
        v.startswith("+") and v.endswith("%") for v in written["suggested_thresholds"].values()
    )

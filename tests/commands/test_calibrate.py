"""`mlgate calibrate`: A/A latency noise on this machine, and the thresholds it suggests."""

from __future__ import annotations

import json

import pytest

from mlgate.cli import main
from tests.commands.one_line import one_line_error


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--trials", "0"], "--trials: '0' must be between 1 and 10000"),
        (["--trials", "many"], "--trials: 'many' is not a whole number"),
        (["--seconds", "0"], "--seconds: '0' must be a number above zero"),
        (["--false-alarm-rate", "1"], "'1' must be a fraction between 0 and 1"),
        (["--trials", "1"], "--trials must be at least 2"),
    ],
)
def test_bad_settings_are_one_line(argv, says, capsys):
    assert says in one_line_error(["calibrate", *argv], capsys)


def test_a_missing_model_is_one_line(capsys):
    assert "missing.onnx" in one_line_error(["calibrate", "missing.onnx"], capsys)


def test_calibrating_the_reference_model_suggests_thresholds(tmp_path, capsys):
    out = tmp_path / "calibration.json"
    assert main(["calibrate", "--trials", "2", "--seconds", "0.2", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "A/A calibration of reference model on target cpu: 2 trials" in printed
    assert "thresholds:\n  latency.p50: " in printed
    written = json.loads(out.read_text())
    assert written["model"] == "reference model"
    assert written["target"] == "cpu"

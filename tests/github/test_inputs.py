"""The Action's inputs: parsed from INPUT_* like the runner passes them; bad values are one
clear error naming the input."""

from __future__ import annotations

import pytest

from mlgate.action import main, read_inputs
from mlgate.errors import ConfigError


def test_inputs_are_parsed():
    inputs = read_inputs(
        {
            "INPUT_MODELS": "models/*.onnx,\nvision/**/*.onnx",
            "INPUT_THRESHOLDS": "latency.p50: +3%\nsize=off",
            "INPUT_FAIL_ON": "Never",
            "INPUT_BUDGET_SECONDS": "12.5",
            "INPUT_TARGETS": "cpu, arm64",
        }
    )
    assert inputs.models == ("models/*.onnx", "vision/**/*.onnx")
    assert inputs.thresholds == {"latency.p50": "+3%", "size": "off"}
    assert inputs.fail_on == "never"
    assert inputs.budget_seconds == 12.5
    assert inputs.targets == ("cpu", "arm64")
    assert read_inputs({}).comment_mode == "changes"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("FAIL_ON", "sometimes", "input fail_on: 'sometimes' is not one of regression, error"),
        ("MODE", "post", "input mode"),
        ("THRESHOLDS", "latency.p50 +3%", "is not METRIC: THRESHOLD"),
        ("THRESHOLDS", "latency.p50: fast", "input thresholds: threshold for 'latency.p50'"),
        ("THRESHOLDS", "latncy.p50: +3%", "did you mean 'latency.p50'"),
        ("BUDGET_SECONDS", "soon", "input budget_seconds: 'soon' is not a number"),
    ],
)
def test_bad_inputs_name_the_input(name, value, message):
    with pytest.raises(ConfigError, match=message):
        read_inputs({f"INPUT_{name}": value})


def test_a_bad_input_is_one_line_exit_2_and_an_annotation(capsys):
    assert main({"INPUT_FAIL_ON": "sometimes"}) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("mlgate: error: input fail_on")
    assert captured.out.startswith("::error title=mlgate::input fail_on")

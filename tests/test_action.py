"""action: the Action's front end. Its inputs are parsed from INPUT_* like the runner passes
them; bad values are one clear error naming the input; its progress follows `log_level`."""

from __future__ import annotations

import pytest

from mlgate.action import main, read_inputs
from mlgate.errors import ConfigError
from mlgate.progress import LogProgress, NoProgress


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


@pytest.mark.parametrize(("text", "expected"), [("", None), ("0", 0.0), ("45", 45.0)])
def test_the_action_input_sets_the_search_budget(text, expected):
    assert read_inputs({"INPUT_SEARCH_BUDGET_SECONDS": text}).search_budget == expected


@pytest.mark.parametrize("text", ["soon", "-1", "1e9"])
def test_a_bad_search_budget_input_is_one_line(text):
    with pytest.raises(ConfigError, match="search_budget_seconds"):
        read_inputs({"INPUT_SEARCH_BUDGET_SECONDS": text})


def test_the_action_reads_log_level_and_cache_dir():
    inputs = read_inputs({"INPUT_LOG_LEVEL": "verbose", "INPUT_CACHE_DIR": "off"})
    assert inputs.log_level == "verbose"
    assert inputs.cache_dir == ""
    assert read_inputs({}).log_level == "normal"
    assert read_inputs({}).cache_dir == ".mlgate-cache"
    with pytest.raises(ConfigError, match="log_level"):
        read_inputs({"INPUT_LOG_LEVEL": "loud"})


def test_the_action_logs_by_its_log_level_input():
    from mlgate.action import _progress, read_inputs

    env = {"GITHUB_ACTIONS": "true"}
    assert isinstance(_progress(read_inputs({"INPUT_LOG_LEVEL": "quiet"}), env), NoProgress)
    verbose = _progress(read_inputs({"INPUT_LOG_LEVEL": "verbose"}), env)
    assert isinstance(verbose, LogProgress)
    # no ::group:: in the Action: it runs inside ::stop-commands::, where groups are inert
    assert (verbose.verbose, verbose.github) == (True, False)
    normal = _progress(read_inputs({}), env)
    assert isinstance(normal, LogProgress)
    assert normal.verbose is False

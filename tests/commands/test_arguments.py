"""The shared argument helpers: types that say what is wrong, records built from the parsed
arguments, usage errors as one line (exit 2)."""

from __future__ import annotations

import argparse
import datetime
import re
from pathlib import Path

import pytest

from mlgate.commands.arguments import (
    Io,
    KeyValues,
    Parser,
    UsageError,
    add_check_arguments,
    date,
    input_shape,
    options_from,
    positive_float,
    rate,
    seconds_or_off,
    threshold,
    trials,
)
from mlgate.gate.check_request import CheckOptions
from mlgate.progress import NoProgress


def _check_args(*argv: str) -> argparse.Namespace:
    parser = Parser(prog="mlgate check")
    add_check_arguments(parser)
    return parser.parse_args(["--base", "main", *argv])


def test_the_options_record_is_built_once_from_matching_names():
    args = _check_args(
        "--models", "a/*.onnx", "--models", "b/*.onnx", "--threshold", "size=+1%",
        "--threshold", "latency.p50=+3%", "--threshold", "size=+2%", "--no-memory",
        "--out", "res", "--config", "gate.yml",
    )  # fmt: skip
    options = options_from(CheckOptions, args, cache_dir=Path("cache"))
    assert options.base == "main"
    assert options.model_globs == ("a/*.onnx", "b/*.onnx")  # lists become tuples
    assert options.thresholds == {"size": "+2%", "latency.p50": "+3%"}  # the last one wins
    assert options.measure_memory is False
    assert options.optimize is True
    assert options.results_dir == Path("res")
    assert options.config_path == "gate.yml"
    assert options.cache_dir == Path("cache")


def test_repeated_values_do_not_leak_between_parses():
    first = _check_args("--threshold", "size=+1%")
    second = _check_args()
    assert first.thresholds == {"size": "+1%"}
    assert second.thresholds == {}


def test_a_usage_error_is_one_line_naming_the_help():
    parser = Parser(prog="mlgate check")
    add_check_arguments(parser)
    with pytest.raises(UsageError, match=r"the following arguments are required: --base .*--help"):
        parser.parse_args([])


@pytest.mark.parametrize(
    ("convert", "text", "message"),
    [
        (seconds_or_off, "-1", "between 0 (off) and 86400"),
        (seconds_or_off, "x", "not a number of seconds"),
        (positive_float, "0", "above zero"),
        (positive_float, "inf", "above zero"),
        (rate, "1.5", "fraction between 0 and 1"),
        (trials, "2.5", "not a whole number"),
        (trials, "0", "between 1 and 10000"),
        (date, "tomorrow", "not a date"),
        (threshold, "latency.p50", "not METRIC=THRESHOLD"),
        (input_shape, "x=1,0", "positive sizes"),
        (input_shape, "x=", "positive sizes"),
    ],
)
def test_argument_types_say_what_is_wrong(convert, text, message):
    with pytest.raises(argparse.ArgumentTypeError, match=re.escape(message)):
        convert(text)


def test_argument_types_return_typed_values():
    assert threshold(" size = +1% ") == ("size", "+1%")
    assert input_shape("ids=1x128") == ("ids", [1, 128])
    assert date("2026-12-01") == datetime.date(2026, 12, 1)
    assert seconds_or_off("0") == 0.0


def test_key_values_collect_into_a_dict():
    parser = Parser(prog="t")
    parser.add_argument("--input", dest="inputs", action=KeyValues, type=input_shape, default={})
    assert parser.parse_args(["--input", "a=1,2", "--input", "b=3"]).inputs == {
        "a": [1, 2],
        "b": [3],
    }


def test_io_writes_the_summary_then_each_file():
    lines: list[str] = []
    io = Io(lines.append, lines.append, NoProgress(), {})
    io.outcome("summary\n", [Path("a.json"), Path("b.md")])
    assert lines == ["summary\n", "wrote a.json\n", "wrote b.md\n"]

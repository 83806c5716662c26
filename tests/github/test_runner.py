"""The runner's protocols: outputs, workflow commands, the job summary."""

from __future__ import annotations

from mlgate.github import runner
from tests.github.actions_runtime import parse_outputs


def test_outputs_survive_multiline_values_and_lookalike_delimiters(tmp_path):
    path = tmp_path / "output"
    path.write_text("earlier=1\n")
    tricky = "line 1\nEOF\nghadelimiter_x\nverdict=pass"
    runner.write_outputs(path, {"comment": tricky, "verdict": "fail"})
    assert parse_outputs(path.read_text()) == {
        "earlier": "1",
        "comment": tricky,
        "verdict": "fail",
    }


def test_workflow_commands_escape_messages_and_properties():
    line = runner.command("error", "50% worse\r\n::warning::x", file="a,b:c.onnx", line=1)
    assert line == "::error file=a%2Cb%3Ac.onnx,line=1::50%25 worse%0D%0A::warning::x"
    assert "\n" not in line


def test_stop_commands_tokens_are_unguessable_and_paired():
    start, stop = runner.stop_commands()
    token = start.removeprefix("::stop-commands::")
    assert stop == f"::{token}::"
    assert len(token) == 32
    assert runner.stop_commands()[0] != start


def test_the_job_summary_stays_under_one_mebibyte(tmp_path):
    path = tmp_path / "summary.md"
    runner.append_summary(path, "head\n")
    runner.append_summary(path, "é" * runner.SUMMARY_LIMIT)
    data = path.read_bytes()
    assert len(data) <= runner.SUMMARY_LIMIT
    text = data.decode("utf-8")  # never cut inside a character
    assert text.startswith("head\n")
    assert text.endswith("see the results artifact.\n")


def test_inputs_are_read_like_the_runner_passes_them():
    env = {"INPUT_FAIL_ON": " never ", "INPUT_MODELS": ""}
    assert runner.input_value(env, "fail_on") == "never"
    assert runner.input_value(env, "models", "default") == "default"


def test_a_full_job_summary_takes_nothing_more(tmp_path):
    path = tmp_path / "summary.md"
    path.write_bytes(b"x" * runner.SUMMARY_LIMIT)
    runner.append_summary(path, "more\n")
    assert path.stat().st_size == runner.SUMMARY_LIMIT


def test_a_mask_is_the_add_mask_command():
    assert str(runner.mask("s3cr%t")) == "::add-mask::s3cr%25t"

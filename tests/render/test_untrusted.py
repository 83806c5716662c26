"""Escaping helpers for text that came from a pull request or an artifact: plain lines for
logs and GitHub's plain-text fields, workflow-command neutralising. (Markdown escaping and
truncation: test_markdown.py.)"""

from __future__ import annotations

import re

import pytest

from mlgate.render.untrusted import ZWSP, literal, neutralise_commands, plain_line

# What the Actions runner executes: after leading blanks a `::` (v2), or `##[` anywhere (v1).
RUNNER_COMMAND = re.compile(r"^\s*::|##\[")


def runner_lines(text: str) -> list[str]:
    """The lines the runner sees: it splits at \\n, \\r\\n and a bare \\r."""
    return re.split(r"\r\n|\r|\n", text)


def test_literal_keeps_a_value_on_one_line_and_shows_what_it_held():
    assert literal("a\n::error::x") == "a\\n::error::x"
    assert literal("a\r\nb\tc") == "a\\r\\nb\\tc"
    assert literal("\x1b[31mred\x1b[0m") == "\\u001b[31mred\\u001b[0m"  # no terminal escapes
    assert literal("a\u2028b\x85c") == "a\\u2028b\\u0085c"
    assert literal("models/a.onnx") == "models/a.onnx"
    assert literal("x" * 10, limit=5) == "xxxx…"


def test_plain_line_collapses_whitespace_and_breaks_mentions():
    line = plain_line("Regression in\n@octocat's  model\x00", 255)
    assert line == f"Regression in @{ZWSP}octocat's model\\u0000"
    assert len(plain_line("y" * 1000, 255)) == 255


@pytest.mark.parametrize(
    "text",
    [
        "::error file=x::pwned",
        "  ::add-mask::x",
        "\t::stop-commands::abc",
        "\u3000::warning::wide space",
        "summary\n::error::second line\r::set-output name=a::b\r\n  ::debug::x",
        "text ##[error]v1 syntax anywhere",
        "::",
    ],
)
def test_no_line_of_neutralised_text_is_a_workflow_command(text):
    out = neutralise_commands(text)
    assert not any(RUNNER_COMMAND.search(line) for line in runner_lines(out))
    assert out.replace(ZWSP, "").replace("\n", "") == re.sub(r"\r\n|\r|\n", "", text)


def test_ordinary_output_is_unchanged():
    text = "✅ ml-efficiency-gate: PASS — 1 model(s)\n  note: a::b is fine mid-line\n"
    assert neutralise_commands(text) == text
